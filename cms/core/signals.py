"""Everything that changes what a visitor sees empties the page cache."""

from django.db.models.signals import m2m_changed, post_delete, post_save
from wagtail.signals import page_published, page_unpublished, post_page_move

from .page_cache import invalidate


def _emergency_saved(sender, instance, created=False, **kwargs) -> None:
    # The row is created, inactive, the first time a page reads it: nothing to show yet.
    if created and not instance.active:
        return
    invalidate()


def connect() -> None:
    from wagtail.models import Page, PageViewRestriction

    from .models import Area, Department, EmergencySettings, LifeEvent, Topic

    page_published.connect(invalidate, dispatch_uid="page-cache-published")
    page_unpublished.connect(invalidate, dispatch_uid="page-cache-unpublished")
    post_delete.connect(invalidate, sender=Page, dispatch_uid="page-cache-deleted")
    # A moved page changes its URL and its lists; a new, changed or lifted privacy
    # setting must not leave the old copy served.
    post_page_move.connect(invalidate, dispatch_uid="page-cache-moved")
    post_save.connect(invalidate, sender=PageViewRestriction, dispatch_uid="page-cache-privacy")
    post_delete.connect(invalidate, sender=PageViewRestriction,
                        dispatch_uid="page-cache-privacy-del")
    m2m_changed.connect(invalidate, sender=PageViewRestriction.groups.through,
                        dispatch_uid="page-cache-privacy-groups")
    # The emergency switch (an editor, or the JMA feed watcher's .save()) shows at once.
    post_save.connect(_emergency_saved, sender=EmergencySettings, dispatch_uid="page-cache-emergency")
    for model in (Department, Topic, Area, LifeEvent):
        post_save.connect(invalidate, sender=model, dispatch_uid=f"page-cache-{model.__name__}")
        post_delete.connect(invalidate, sender=model,
                            dispatch_uid=f"page-cache-del-{model.__name__}")
