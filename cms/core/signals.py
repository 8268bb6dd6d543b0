"""Everything that changes what a visitor sees empties the page cache."""

from django.db.models.signals import post_delete, post_save
from wagtail.signals import page_published, page_unpublished

from .page_cache import invalidate


def _emergency_saved(sender, instance, created=False, **kwargs) -> None:
    # The row is created, inactive, the first time a page reads it: nothing to show yet.
    if created and not instance.active:
        return
    invalidate()


def connect() -> None:
    from wagtail.models import Page

    from .models import Area, Department, EmergencySettings, LifeEvent, Topic

    page_published.connect(invalidate, dispatch_uid="page-cache-published")
    page_unpublished.connect(invalidate, dispatch_uid="page-cache-unpublished")
    post_delete.connect(invalidate, sender=Page, dispatch_uid="page-cache-deleted")
    # The emergency switch (an editor, or the JMA feed watcher's .save()) shows at once.
    post_save.connect(_emergency_saved, sender=EmergencySettings, dispatch_uid="page-cache-emergency")
    for model in (Department, Topic, Area, LifeEvent):
        post_save.connect(invalidate, sender=model, dispatch_uid=f"page-cache-{model.__name__}")
        post_delete.connect(invalidate, sender=model,
                            dispatch_uid=f"page-cache-del-{model.__name__}")
