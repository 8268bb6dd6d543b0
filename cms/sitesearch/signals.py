"""Keep the search index in step with publishing (no nightly rebuild to forget).

Each signal touches only the page concerned: its SearchDocument row, its engine
entry and the counts of its terms.
"""

from django.db.models.signals import post_delete, post_save
from wagtail.contrib.search_promotions.models import SearchPromotion
from wagtail.signals import page_published, page_unpublished, post_page_move

from .documents import forget_document, index_page, unindex_page
from .models import SearchDocument, SearchIndexVersion, SearchSynonym


def _published(sender, instance, **kwargs):
    index_page(type(instance).objects.get(pk=instance.pk))


def _unpublished(sender, instance, **kwargs):
    unindex_page(instance.pk)


def _moved(sender, instance, **kwargs):
    # A move keeps the text but can change what the page is under (and whether it is
    # live there): re-read only the moved page.
    index_page(type(instance).objects.get(pk=instance.pk))


def _document_deleted(sender, instance, **kwargs):
    # Also runs when a page is deleted (the row cascades): the engine has no foreign key.
    forget_document(instance)


page_published.connect(_published, dispatch_uid="sitesearch-index-published")
page_unpublished.connect(_unpublished, dispatch_uid="sitesearch-index-unpublished")
post_page_move.connect(_moved, dispatch_uid="sitesearch-index-moved")
post_delete.connect(_document_deleted, sender=SearchDocument,
                    dispatch_uid="sitesearch-engine-forget")


def _answers_changed(sender, **kwargs):
    # Synonyms and best bets change what a query finds: cached answers are recomputed.
    SearchIndexVersion.bump()


for _model in (SearchSynonym, SearchPromotion):
    post_save.connect(_answers_changed, sender=_model,
                      dispatch_uid=f"sitesearch-version-saved-{_model.__name__}")
    post_delete.connect(_answers_changed, sender=_model,
                        dispatch_uid=f"sitesearch-version-deleted-{_model.__name__}")
