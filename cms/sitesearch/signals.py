"""Keep the search index in step with publishing (no nightly rebuild to forget)."""

from wagtail.signals import page_published, page_unpublished

from .documents import index_page
from .models import SearchDocument


def _published(sender, instance, **kwargs):
    index_page(type(instance).objects.get(pk=instance.pk))


def _unpublished(sender, instance, **kwargs):
    SearchDocument.objects.filter(page_id=instance.pk).delete()


page_published.connect(_published, dispatch_uid="sitesearch-index-published")
page_unpublished.connect(_unpublished, dispatch_uid="sitesearch-index-unpublished")
