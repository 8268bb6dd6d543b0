"""Background work on django-tasks (database backend; `manage.py db_worker`): the top
layer of the notifier. It schedules; notices.py plans, sending.py sends, deliveries.py
records — none of them imports this module (they signal, and it listens)."""

from __future__ import annotations

import logging
import time
import uuid
from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.dispatch import receiver
from django.utils import timezone
from django_tasks import task

from .deliveries import idle_notices, next_due, reclaim_stale
from .models import LineWebhookEvent, Notice
from .notices import deliveries_planned, notice_created, plan_deliveries
from .sending import drain

log = logging.getLogger(__name__)
# LINE: a reply token must be used within a minute of the event; leave a margin.
REPLY_TOKEN_SECONDS = 50.0


@task(queue_name="notices")
def plan_notice(notice_id: int) -> None:
    notice = Notice.objects.filter(pk=notice_id).first()
    if notice is not None and notice.planned_at is None:
        plan_deliveries(notice)


@task(queue_name="deliveries")
def deliver_notice(notice_id: int) -> int:
    if not Notice.objects.filter(pk=notice_id).exists():
        return 0
    units = drain(notice_id)
    schedule_next_wakeup(notice_id)
    return units


@receiver(notice_created, dispatch_uid="notifier-plan-notice")
def _on_notice_created(sender, notice_id: int, **kwargs) -> None:
    plan_notice.enqueue(notice_id)


@receiver(deliveries_planned, dispatch_uid="notifier-start-delivery")
def _on_deliveries_planned(sender, notice_id: int, **kwargs) -> None:
    start_delivery(notice_id)


def start_delivery(notice_id: int) -> None:
    """Queue enough delivery tasks for every worker to help, and a wake-up for deferrals."""
    for _ in range(int(getattr(settings, "NOTIFIER_PARALLEL_TASKS", 4))):
        deliver_notice.enqueue(notice_id)
    schedule_next_wakeup(notice_id)


def schedule_next_wakeup(notice_id: int) -> None:
    """One delayed task for the next retry or the end of someone's quiet hours."""
    due = next_due(notice_id)
    if due is None:
        return
    now = timezone.now()
    due = max(due, now + timedelta(seconds=1))
    updated = Notice.objects.filter(pk=notice_id).filter(
        Q(wakeup_at__isnull=True) | Q(wakeup_at__gt=due) | Q(wakeup_at__lt=now)
    ).update(wakeup_at=due)
    if updated and deliver_notice.get_backend().supports_defer:
        # (an immediate backend, as in unit tests, cannot wait: the sweeper covers it)
        deliver_notice.using(run_after=due).enqueue(notice_id)


def sweep() -> dict[str, int]:
    """Finish what crashed workers left: stale claims, unplanned notices, idle due work.
    Every resend stays within the attempt cap (notifier/deliveries.py)."""
    now = timezone.now()
    stale = now - timedelta(seconds=float(getattr(settings, "NOTIFIER_SENDING_LEASE_SECONDS", 300)))
    revived, reclaimed = reclaim_stale()

    unplanned = list(Notice.objects.filter(planned_at__isnull=True, created_at__lt=stale)
                     .values_list("pk", flat=True))
    for pk in unplanned:
        plan_notice.enqueue(pk)
        Notice.objects.filter(pk=pk).update(created_at=now)  # don't re-queue every sweep

    wake = revived | idle_notices(stale)
    for pk in wake:
        Notice.objects.filter(pk=pk).update(last_progress_at=now)
        deliver_notice.enqueue(pk)
    LineWebhookEvent.objects.filter(received_at__lt=now - timedelta(days=7)).delete()
    return {"reclaimed": reclaimed, "replanned": len(unplanned), "requeued": len(wake)}


# --- the LINE conversation: replies leave the webhook request ------------------------

@task(queue_name="default")
def reply_on_line(user_id: str, reply_token: str | None, received_at: float,
                  messages: list[dict] | None = None, question: str | None = None,
                  retry_key: str | None = None) -> str:
    """Answer a friend: the given messages, or the assistant's answer to `question`.
    By reply while the reply token is fresh; otherwise (or if LINE refuses the token) by
    push message, whose retry key makes a repeated push one message."""
    from linebot.v3.messaging import TextMessage

    from . import line_conversation as talk
    from .channels import line

    if question is not None:
        replies = talk.answer_with_assistant(user_id, question)
    else:
        replies = [TextMessage.from_dict(m) for m in messages or []]
    if not replies:
        return "nothing to say"
    if reply_token and time.time() - received_at < REPLY_TOKEN_SECONDS:
        outcome = line.reply(reply_token, replies)
        if outcome.status == "sent":
            return "replied"
        log.info("LINE reply refused (%s): pushing instead", outcome.error)
    outcome = line.push_message(user_id, replies, retry_key or str(uuid.uuid4()))
    if outcome.status != "sent":
        log.warning("LINE push to a friend failed: %s", outcome.error)
    return "pushed" if outcome.status == "sent" else outcome.status


def queue_line_reply(user_id: str, reply_token: str | None, *, messages: list | None = None,
                     question: str | None = None) -> None:
    """From the webhook (after the event is committed): a worker sends the reply."""
    payload = [m.to_dict() for m in messages] if messages else None
    reply_on_line.enqueue(user_id=user_id, reply_token=reply_token, received_at=time.time(),
                          messages=payload, question=question, retry_key=str(uuid.uuid4()))
