"""A news item published with 「購読者に通知する」 sends one notice — once.

The idempotency key news:<page id>:<n> makes "once" a unique constraint: saving or
republishing the page finds notice n already there. Only the editor's explicit 「再送信」
(resend_news) creates n + 1.
"""

from __future__ import annotations

import logging

from django.utils.html import strip_tags

from .models import Notice, Severity, Source
from .notices import InvalidNotice, create_notice

log = logging.getLogger(__name__)


def news_key(page_id: int, n: int) -> str:
    return f"news:{page_id}:{n}"


def notice_from_news(page, n: int = 0, created_by=None) -> Notice | None:
    topics = list(page.topics.values_list("key", flat=True))
    if not topics:
        log.warning("news %s asks to notify subscribers but has no topics", page.pk)
        return None
    body = page.summary or strip_tags(page.body or "")
    try:
        notice, _ = create_notice(
            title=page.title, body=body[:900] or page.title, topics=topics,
            areas=list(page.areas.values_list("key", flat=True)), url=page.get_url() or "",
            severity=Severity.URGENT if page.urgent else Severity.INFO, source=Source.NEWS,
            idempotency_key=news_key(page.pk, n), created_by=created_by,
        )
    except InvalidNotice as exc:
        log.warning("news %s not sent: %s", page.pk, exc)
        return None
    return notice


def news_notices(page_id: int):
    return Notice.objects.filter(idempotency_key__startswith=f"news:{page_id}:")


def resend_news(page, editor) -> Notice | None:
    """The editor's explicit 「再送信」: the next number, so it is a new notice."""
    return notice_from_news(page, n=news_notices(page.pk).count(), created_by=editor)


SEND_PERMISSION = "notifier.add_notice"  # who may send notices (and see 緊急/購読者に通知する)


def may_send(user) -> bool:
    return bool(user is not None and user.is_active and user.has_perm(SEND_PERMISSION))


def on_page_published(sender, instance, revision=None, **kwargs) -> None:
    from cms.pages.models import NewsPage

    page = instance.specific
    if isinstance(page, NewsPage) and page.notify_subscribers:
        user = getattr(revision, "user", None)
        # The form hides the checkboxes from those who may not send; the flags may still
        # come from an earlier revision or another path, so publishing asks again.
        if not may_send(user):
            log.warning("news %s published by %s, who may not send notices: no notice sent",
                        page.pk, getattr(user, "pk", None))
            return
        notice_from_news(page, 0, created_by=user)
