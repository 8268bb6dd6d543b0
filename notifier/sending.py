"""Taking due deliveries, sending them, and recording what happened.

Exactly-once, as far as each channel allows:
- Work is claimed with one UPDATE … WHERE status IN (pending, failed_temporary) that
  stamps a claim token, so two workers never hold the same row.
- LINE: a batch resent after a crash or timeout carries the retry key stored before its
  first attempt; LINE treats it as the same request (409) — exactly one message.
- Web Push has no such key. A delivery still "sending" when its worker died may or may
  not have reached the push service; the sweeper resends it (at least once). The resend
  carries the same `Topic` header, so a push service still holding the first copy
  replaces it (RFC 8030 §5.4), and the same notification `tag` (notice-<id>), so the
  service worker replaces rather than stacks it: the resident sees one notification.
  The window is one chunk (NOTIFIER_WEBPUSH_CHUNK rows) per killed worker.
"""

from __future__ import annotations

import json
import logging
import random
import uuid
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from functools import cache

from django.conf import settings
from django.db.models import F, Min, Q, Subquery
from django.utils import timezone

from cms.core.links import absolute_url

from .channels import line as line_channel
from .channels import webpush
from .channels.outcome import Outcome
from .models import (
    CLAIMABLE,
    Channel,
    Delivery,
    DeliveryStatus,
    LineBatch,
    Notice,
    Severity,
    Subscriber,
)

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 8


def _setting(name: str, default):
    return type(default)(getattr(settings, name, default))


def backoff(attempts: int, retry_after: float | None = None) -> timedelta:
    """Exponential with jitter; never sooner than the service asked (Retry-After)."""
    base = _setting("NOTIFIER_RETRY_BASE_SECONDS", 30.0)
    delay = min(base * 2 ** max(attempts - 1, 0), 3600.0) * random.uniform(0.8, 1.2)
    if retry_after is not None:
        delay = max(retry_after, min(delay, retry_after + base))
    return timedelta(seconds=delay)


# --- what residents receive ---------------------------------------------------

def notice_text(notice: Notice, lang: str = "ja") -> tuple[str, str]:
    """Title and body in the subscriber's language (English when the notice has it)."""
    if lang == "en" and notice.title_en and notice.body_en:
        return notice.title_en, notice.body_en
    return notice.title, notice.body


def push_payload(notice: Notice, lang: str = "ja") -> bytes:
    """JSON the service worker shows; under the 4 KB Web Push limit after encryption."""
    title, body = notice_text(notice, lang)
    data = {"id": notice.pk, "tag": f"notice-{notice.pk}", "title": title,
            "body": body, "url": absolute_url(notice.url), "severity": notice.severity,
            "topics": notice.topics}
    raw = json.dumps(data, ensure_ascii=False).encode()
    while len(raw) > webpush.MAX_PAYLOAD:
        data["body"] = data["body"][: max(0, len(data["body"]) - 100)].rstrip() + "…"
        raw = json.dumps(data, ensure_ascii=False).encode()
    return raw


def line_messages(notice: Notice, lang: str = "ja") -> list:
    from linebot.v3.messaging import TextMessage

    title, body = notice_text(notice, lang)
    prefix = ""
    if notice.severity == Severity.URGENT:
        prefix = "[URGENT] " if title == notice.title_en else "【緊急】"
    text = f"{prefix}{title}\n\n{body}\n\n{absolute_url(notice.url)}"
    return [TextMessage(text=text[:5000])]


# --- claiming ---------------------------------------------------------------------

def _touch(notice_id: int) -> None:
    Notice.objects.filter(pk=notice_id).update(last_progress_at=timezone.now())


def claim_line_batch(notice_id: int) -> LineBatch | None:
    now = timezone.now()
    token = uuid.uuid4()
    first_due = (LineBatch.objects.filter(notice_id=notice_id, status__in=CLAIMABLE, due_at__lte=now)
                 .order_by("pk").values("pk")[:1])
    taken = LineBatch.objects.filter(pk__in=Subquery(first_due), status__in=CLAIMABLE).update(
        status=DeliveryStatus.SENDING, claim_token=token, claimed_at=now,
        attempts=F("attempts") + 1,
    )
    if not taken:
        return None
    batch = LineBatch.objects.get(claim_token=token)
    Delivery.objects.filter(line_batch=batch).update(
        status=DeliveryStatus.SENDING, claim_token=token, claimed_at=now,
        attempts=F("attempts") + 1,
    )
    _touch(notice_id)
    return batch


def claim_webpush_chunk(notice_id: int) -> tuple[uuid.UUID, list[tuple]]:
    now = timezone.now()
    token = uuid.uuid4()
    size = _setting("NOTIFIER_WEBPUSH_CHUNK", 250)
    due = (Delivery.objects.filter(notice_id=notice_id, channel=Channel.WEBPUSH,
                                   status__in=CLAIMABLE, due_at__lte=now)
           .order_by("pk").values("pk")[:size])
    taken = Delivery.objects.filter(pk__in=Subquery(due), status__in=CLAIMABLE).update(
        status=DeliveryStatus.SENDING, claim_token=token, claimed_at=now,
        attempts=F("attempts") + 1,
    )
    if not taken:
        return token, []
    _touch(notice_id)
    rows = list(Delivery.objects.filter(claim_token=token, status=DeliveryStatus.SENDING)
                .values_list("pk", "attempts", "subscriber_id", "subscriber__endpoint",
                             "subscriber__p256dh", "subscriber__auth", "subscriber__lang"))
    return token, rows


# --- recording outcomes ------------------------------------------------------------

def record(model, token: uuid.UUID, outcomes: dict[int, tuple[Outcome, int]]) -> None:
    """Bulk state changes: sent / retry later / give up, only for rows we still hold."""
    now = timezone.now()
    sent, permanent, temporary = [], defaultdict(list), defaultdict(list)
    for pk, (outcome, attempts) in outcomes.items():
        if outcome.status == "sent":
            sent.append(pk)
        elif outcome.status == "failed_temporary" and attempts < MAX_ATTEMPTS:
            temporary[(outcome.error, attempts, outcome.retry_after)].append(pk)
        else:
            permanent[outcome.error].append(pk)
    held = model.objects.filter(claim_token=token, status=DeliveryStatus.SENDING)
    for chunk in _chunks(sent):
        held.filter(pk__in=chunk).update(status=DeliveryStatus.SENT, sent_at=now, last_error="")
    for (error, attempts, retry_after), pks in temporary.items():
        due = now + backoff(attempts, retry_after)  # one jittered time per group
        for chunk in _chunks(pks):
            held.filter(pk__in=chunk).update(status=DeliveryStatus.FAILED_TEMPORARY,
                                             due_at=due, last_error=error)
    for error, pks in permanent.items():
        for chunk in _chunks(pks):
            held.filter(pk__in=chunk).update(status=DeliveryStatus.FAILED_PERMANENT,
                                             last_error=error)


def _chunks(items: list, size: int = 900):
    for i in range(0, len(items), size):
        yield items[i:i + size]


# --- sending -------------------------------------------------------------------------

@cache
def _pool() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=_setting("WEBPUSH_THREADS", 16),
                              thread_name_prefix="webpush")


def send_webpush_chunk(notice: Notice, token: uuid.UUID, rows: list[tuple]) -> None:
    payloads = {lang: push_payload(notice, lang) for lang in ("ja", "en")}
    urgent = notice.severity == Severity.URGENT
    options = {"ttl": 6 * 3600 if urgent else 24 * 3600, "urgency": "high" if urgent else "normal",
               "topic": f"notice-{notice.pk}"}

    def one(row):
        pk, attempts, subscriber_id, endpoint, p256dh, auth, lang = row
        if subscriber_id is None:
            return pk, attempts, None, Outcome.permanent("subscriber cancelled before sending")
        payload = payloads.get(lang, payloads["ja"])
        return pk, attempts, subscriber_id, webpush.push(endpoint, p256dh, auth, payload, **options)

    outcomes, gone = {}, []
    for pk, attempts, subscriber_id, outcome in _pool().map(one, rows):
        outcomes[pk] = (outcome, attempts)
        if outcome.gone:
            gone.append(subscriber_id)
    record(Delivery, token, outcomes)
    if gone:  # 404/410: the browser unsubscribed; the resident's data goes with it
        Subscriber.objects.filter(pk__in=gone).delete()


def send_line_batch(notice: Notice, batch: LineBatch) -> None:
    # A batch holds residents of one language (notices._batch_line_deliveries).
    lang = (Subscriber.objects.filter(line_user_id__in=batch.recipients[:1])
            .values_list("lang", flat=True).first() or "ja")
    outcome = line_channel.multicast(batch.recipients, line_messages(notice, lang),
                                     str(batch.retry_key))
    token = batch.claim_token
    record(LineBatch, token, {batch.pk: (outcome, batch.attempts)})
    pks = list(Delivery.objects.filter(line_batch=batch, claim_token=token).values_list("pk", flat=True))
    record(Delivery, token, {pk: (outcome, batch.attempts) for pk in pks})
    if outcome.status == "failed_temporary" and batch.attempts < MAX_ATTEMPTS:
        # Deliveries retry as their batch: same due time, same retry key.
        due = LineBatch.objects.filter(pk=batch.pk).values_list("due_at", flat=True).first()
        Delivery.objects.filter(line_batch=batch).update(due_at=due)
    else:  # done either way: the user ids are no longer needed
        LineBatch.objects.filter(pk=batch.pk).update(recipients=[])


def drain(notice_id: int) -> int:
    """Send everything of this notice that is due now; returns how many units were sent."""
    notice = Notice.objects.get(pk=notice_id)
    units = 0
    # LINE first: one request reaches 500 residents, so all of LINE takes seconds
    while batch := claim_line_batch(notice_id):
        send_line_batch(notice, batch)
        units += 1
    while True:
        progressed = False
        if batch := claim_line_batch(notice_id):  # a retry that came due meanwhile
            send_line_batch(notice, batch)
            progressed = True
            units += 1
        token, rows = claim_webpush_chunk(notice_id)
        if rows:
            send_webpush_chunk(notice, token, rows)
            progressed = True
            units += 1
        if not progressed:
            break
    schedule_next_wakeup(notice_id)
    return units


def next_due(notice_id: int):
    d = Delivery.objects.filter(notice_id=notice_id, status__in=CLAIMABLE,
                                channel=Channel.WEBPUSH).aggregate(m=Min("due_at"))["m"]
    b = LineBatch.objects.filter(notice_id=notice_id, status__in=CLAIMABLE).aggregate(
        m=Min("due_at"))["m"]
    return min([x for x in (d, b) if x is not None], default=None)


def schedule_next_wakeup(notice_id: int) -> None:
    """One delayed task for the next retry or the end of someone's quiet hours."""
    from .tasks import deliver_notice

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


# --- the sweeper -------------------------------------------------------------------

def sweep() -> dict[str, int]:
    """Finish what crashed workers left: stale claims, unplanned notices, idle due work."""
    from .tasks import deliver_notice, plan_notice

    now = timezone.now()
    stale = now - timedelta(seconds=_setting("NOTIFIER_SENDING_LEASE_SECONDS", 300.0))
    note = "worker stopped while sending; sent again"
    stale_batches = list(LineBatch.objects.filter(status=DeliveryStatus.SENDING, claimed_at__lt=stale)
                         .values_list("pk", "notice_id"))
    LineBatch.objects.filter(pk__in=[pk for pk, _ in stale_batches],
                             status=DeliveryStatus.SENDING).update(
        status=DeliveryStatus.FAILED_TEMPORARY, due_at=now, claim_token=None, last_error=note)
    stale_deliveries = Delivery.objects.filter(status=DeliveryStatus.SENDING, claimed_at__lt=stale)
    revived = set(stale_deliveries.values_list("notice_id", flat=True).distinct())
    reclaimed = stale_deliveries.update(status=DeliveryStatus.FAILED_TEMPORARY, due_at=now,
                                        claim_token=None, last_error=note)
    revived |= {n for _, n in stale_batches}

    unplanned = list(Notice.objects.filter(planned_at__isnull=True, created_at__lt=stale)
                     .values_list("pk", flat=True))
    for pk in unplanned:
        plan_notice.enqueue(pk)
        Notice.objects.filter(pk=pk).update(created_at=now)  # don't re-queue every sweep

    idle = set(Delivery.objects.filter(status__in=CLAIMABLE, due_at__lte=now, channel=Channel.WEBPUSH)
               .values_list("notice_id", flat=True).distinct())
    idle |= set(LineBatch.objects.filter(status__in=CLAIMABLE, due_at__lte=now)
                .values_list("notice_id", flat=True).distinct())
    idle = set(Notice.objects.filter(pk__in=idle).filter(
        Q(last_progress_at__isnull=True) | Q(last_progress_at__lt=stale)).values_list("pk", flat=True))
    for pk in revived | idle:
        Notice.objects.filter(pk=pk).update(last_progress_at=now)
        deliver_notice.enqueue(pk)
    from .models import LineWebhookEvent

    LineWebhookEvent.objects.filter(received_at__lt=now - timedelta(days=7)).delete()
    return {"reclaimed": reclaimed + len(stale_batches), "replanned": len(unplanned),
            "requeued": len(revived | idle)}


def statistics(notice: Notice) -> dict[str, dict[str, int]]:
    """Deliveries per channel and status, for the editor's report."""
    from django.db.models import Count

    stats: dict[str, dict[str, int]] = {c.value: {s.value: 0 for s in DeliveryStatus} for c in Channel}
    for row in notice.deliveries.values("channel", "status").annotate(n=Count("pk")):
        stats[row["channel"]][row["status"]] = row["n"]
    return stats
