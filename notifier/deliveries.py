"""Claiming deliveries and recording what happened to them: the delivery state machine,
for every channel alike.

- Work is claimed with one UPDATE … WHERE status IN (pending, failed_temporary) AND
  attempts < the cap that stamps a claim token, so two workers never hold the same row
  and no row is ever tried more often than the cap.
- A channel with batch_size > 1 (LINE) is claimed a batch at a time; its retry key was
  stored when it was planned. Others are claimed in chunks of deliveries.
- Each delivery's outcome is recorded on that delivery only; a temporary failure with
  attempts left comes due again after a backoff, one without ends failed_permanent with
  its reason, which editors see in the statistics.
"""

from __future__ import annotations

import random
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db.models import Count, F, Min, Q, Subquery
from django.utils import timezone

from . import channels
from .channels.base import Recipient
from .channels.outcome import Outcome
from .models import CLAIMABLE, Delivery, DeliveryStatus, LineBatch, Notice, Subscriber

MAX_ATTEMPTS = 8


def _setting(name: str, default):
    return type(default)(getattr(settings, name, default))


def max_attempts() -> int:
    return _setting("NOTIFIER_MAX_ATTEMPTS", MAX_ATTEMPTS)


def backoff(attempts: int, retry_after: float | None = None) -> timedelta:
    """Exponential with jitter; never sooner than the service asked (Retry-After)."""
    base = _setting("NOTIFIER_RETRY_BASE_SECONDS", 30.0)
    delay = min(base * 2 ** max(attempts - 1, 0), 3600.0) * random.uniform(0.8, 1.2)
    if retry_after is not None:
        delay = max(retry_after, min(delay, retry_after + base))
    return timedelta(seconds=delay)


@dataclass
class Claim:
    """Deliveries one worker holds (by token) and sends in one go."""

    channel: str
    token: uuid.UUID
    recipients: list[Recipient]
    attempts: dict[int, int] = field(default_factory=dict)  # delivery pk → attempts so far
    batch: LineBatch | None = None


def _touch(notice_id: int) -> None:
    Notice.objects.filter(pk=notice_id).update(last_progress_at=timezone.now())


def _claimable(qs, now):
    return qs.filter(status__in=CLAIMABLE, due_at__lte=now, attempts__lt=max_attempts())


def _recipients(token: uuid.UUID, client, lang: str | None = None) -> tuple[list[Recipient], dict]:
    fields = [f"subscriber__{f}" for f in client.address_fields]
    rows = (Delivery.objects.filter(claim_token=token, status=DeliveryStatus.SENDING)
            .values_list("pk", "attempts", "subscriber_id", "subscriber__lang", *fields))
    recipients, attempts = [], {}
    for pk, tries, subscriber_id, sub_lang, *values in rows:
        attempts[pk] = tries
        recipients.append(Recipient(pk, subscriber_id, lang or sub_lang or "ja",
                                    dict(zip(client.address_fields, values, strict=True))))
    return recipients, attempts


def claim_batch(notice_id: int, channel: str) -> Claim | None:
    now = timezone.now()
    token = uuid.uuid4()
    first_due = (_claimable(LineBatch.objects.filter(notice_id=notice_id, channel=channel), now)
                 .order_by("pk").values("pk")[:1])
    taken = LineBatch.objects.filter(pk__in=Subquery(first_due), status__in=CLAIMABLE).update(
        status=DeliveryStatus.SENDING, claim_token=token, claimed_at=now,
        attempts=F("attempts") + 1,
    )
    if not taken:
        return None
    batch = LineBatch.objects.get(claim_token=token)
    # Holding the batch is the lock on its deliveries (they are claimed only through it), so
    # take every one not yet final, including those a dead worker left "sending" that the
    # sweeper has not reached yet: otherwise the batch would go out without them and they
    # would wait forever.
    Delivery.objects.filter(line_batch=batch,
                            status__in=[*CLAIMABLE, DeliveryStatus.SENDING]).update(
        status=DeliveryStatus.SENDING, claim_token=token, claimed_at=now,
        attempts=F("attempts") + 1,
    )
    _touch(notice_id)
    recipients, attempts = _recipients(token, channels.get(channel), batch.lang)
    return Claim(channel, token, recipients, attempts, batch)


def claim_chunk(notice_id: int, channel: str) -> Claim | None:
    now = timezone.now()
    token = uuid.uuid4()
    client = channels.get(channel)
    size = _setting(client.chunk_setting, 250)
    due = (_claimable(Delivery.objects.filter(notice_id=notice_id, channel=channel), now)
           .order_by("pk").values("pk")[:size])
    taken = Delivery.objects.filter(pk__in=Subquery(due), status__in=CLAIMABLE).update(
        status=DeliveryStatus.SENDING, claim_token=token, claimed_at=now,
        attempts=F("attempts") + 1,
    )
    if not taken:
        return None
    _touch(notice_id)
    recipients, attempts = _recipients(token, client)
    return Claim(channel, token, recipients, attempts)


# --- recording outcomes ------------------------------------------------------------

def _final(outcome: Outcome, attempts: int) -> Outcome:
    """A temporary failure with no attempts left is the end: failed_permanent, with why."""
    if outcome.status == "failed_temporary" and attempts >= max_attempts():
        return Outcome.permanent(f"gave up after {attempts} attempts: {outcome.error}")
    return outcome


def record(claim: Claim, outcomes: dict[int, Outcome]) -> None:
    """Bulk state changes (sent / retry later / give up), only for rows this claim holds."""
    now = timezone.now()
    sent, permanent, temporary = [], defaultdict(list), defaultdict(list)
    gone = []
    subscriber_of = {r.delivery_id: r.subscriber_id for r in claim.recipients}
    for pk, outcome in outcomes.items():
        attempts = claim.attempts.get(pk, max_attempts())
        outcome = _final(outcome, attempts)
        if outcome.status == "sent":
            sent.append(pk)
        elif outcome.status == "failed_temporary":
            temporary[(outcome.error, attempts, outcome.retry_after)].append(pk)
        else:
            permanent[outcome.error].append(pk)
            if outcome.gone and subscriber_of.get(pk):
                gone.append(subscriber_of[pk])
    held = Delivery.objects.filter(claim_token=claim.token, status=DeliveryStatus.SENDING)
    for chunk in _chunks(sent):
        held.filter(pk__in=chunk).update(status=DeliveryStatus.SENT, sent_at=now, last_error="")
    retry_at = None
    for (error, attempts, retry_after), pks in temporary.items():
        due = now + backoff(attempts, retry_after)  # one jittered time per group
        retry_at = due if retry_at is None else max(retry_at, due)
        for chunk in _chunks(pks):
            held.filter(pk__in=chunk).update(status=DeliveryStatus.FAILED_TEMPORARY, due_at=due,
                                             claim_token=None, last_error=error)
    for error, pks in permanent.items():
        for chunk in _chunks(pks):
            held.filter(pk__in=chunk).update(status=DeliveryStatus.FAILED_PERMANENT,
                                             last_error=error)
    if claim.batch is not None:
        _record_batch(claim, sent, temporary, permanent, retry_at)
    if gone:  # 404/410: the browser unsubscribed; the resident's data goes with it
        Subscriber.objects.filter(pk__in=gone).delete()


def _record_batch(claim: Claim, sent, temporary, permanent, retry_at) -> None:
    """The batch retries (same key, same due time) while any of its deliveries does."""
    batch = LineBatch.objects.filter(pk=claim.batch.pk, claim_token=claim.token,
                                     status=DeliveryStatus.SENDING)
    if temporary:
        errors = [error for error, _, _ in temporary]
        batch.update(status=DeliveryStatus.FAILED_TEMPORARY, due_at=retry_at, claim_token=None,
                     last_error=errors[0])
        Delivery.objects.filter(line_batch=claim.batch, status=DeliveryStatus.FAILED_TEMPORARY
                                ).update(due_at=retry_at)
        return
    status = DeliveryStatus.SENT if sent else DeliveryStatus.FAILED_PERMANENT
    error = "" if sent else next(iter(permanent), "no recipients left")
    # done either way: the user ids are no longer needed
    batch.update(status=status, sent_at=timezone.now() if sent else None, last_error=error,
                 recipients=[])


def _chunks(items: list, size: int = 900):
    for i in range(0, len(items), size):
        yield items[i:i + size]


# --- what crashed workers and the cap leave behind ------------------------------------

def reclaim_stale() -> tuple[set[int], int]:
    """Claims older than the lease belong to a worker that died: retry them (within the
    cap), or end them. Returns the notices to wake and how many claims were reclaimed."""
    now = timezone.now()
    stale = now - timedelta(seconds=_setting("NOTIFIER_SENDING_LEASE_SECONDS", 300.0))
    cap = max_attempts()
    note = "worker stopped while sending"
    notices: set[int] = set()
    count = 0
    # Deliveries before batches: a batch is claimable again only once its deliveries are.
    for model in (Delivery, LineBatch):
        rows = model.objects.filter(status=DeliveryStatus.SENDING, claimed_at__lt=stale)
        notices |= set(rows.values_list("notice_id", flat=True).distinct())
        count += rows.filter(attempts__lt=cap).update(
            status=DeliveryStatus.FAILED_TEMPORARY, due_at=now, claim_token=None,
            last_error=f"{note}; sent again")
        count += rows.filter(attempts__gte=cap).update(
            status=DeliveryStatus.FAILED_PERMANENT, claim_token=None,
            last_error=f"{note}; gave up after {cap} attempts")
    # rows left claimable with no attempts left (e.g. stored before the cap existed)
    for model in (LineBatch, Delivery):
        model.objects.filter(status__in=CLAIMABLE, attempts__gte=cap).update(
            status=DeliveryStatus.FAILED_PERMANENT, claim_token=None,
            last_error=f"gave up after {cap} attempts")
    LineBatch.objects.filter(status=DeliveryStatus.FAILED_PERMANENT).exclude(recipients=[]).update(
        recipients=[])
    return notices, count


def idle_notices(stale_before) -> set[int]:
    """Notices with due work nobody has touched for a lease: their tasks were lost."""
    now = timezone.now()
    due = set(_claimable(Delivery.objects.filter(line_batch__isnull=True), now)
              .values_list("notice_id", flat=True).distinct())
    due |= set(_claimable(LineBatch.objects.all(), now).values_list("notice_id", flat=True).distinct())
    return set(Notice.objects.filter(pk__in=due).filter(
        Q(last_progress_at__isnull=True) | Q(last_progress_at__lt=stale_before)
    ).values_list("pk", flat=True))


def next_due(notice_id: int):
    cap = max_attempts()
    d = Delivery.objects.filter(notice_id=notice_id, status__in=CLAIMABLE, attempts__lt=cap,
                                line_batch__isnull=True).aggregate(m=Min("due_at"))["m"]
    b = LineBatch.objects.filter(notice_id=notice_id, status__in=CLAIMABLE,
                                 attempts__lt=cap).aggregate(m=Min("due_at"))["m"]
    return min([x for x in (d, b) if x is not None], default=None)


def forget_line_user(subscriber: Subscriber) -> None:
    """Privacy: an unfollowed resident's id leaves every batch that may still be sent."""
    if not subscriber.line_user_id:
        return
    open_batches = (LineBatch.objects.filter(deliveries__subscriber=subscriber)
                    .exclude(recipients=[]).distinct())
    for batch in open_batches:
        left = [u for u in batch.recipients if u != subscriber.line_user_id]
        LineBatch.objects.filter(pk=batch.pk).update(recipients=left)
    subscriber.deliveries.filter(status__in=CLAIMABLE).update(
        status=DeliveryStatus.FAILED_PERMANENT, last_error="the resident unfollowed before sending")


# --- what editors see --------------------------------------------------------------

def statistics(notice: Notice) -> dict[str, dict[str, int]]:
    """Deliveries per channel and status, for the editor's report."""
    names = [c.name for c in channels.all_channels()]
    stats: dict[str, dict[str, int]] = {n: {s.value: 0 for s in DeliveryStatus} for n in names}
    for row in notice.deliveries.values("channel", "status").annotate(n=Count("pk")):
        stats.setdefault(row["channel"], {s.value: 0 for s in DeliveryStatus})
        stats[row["channel"]][row["status"]] = row["n"]
    return stats


def failure_reasons(notice: Notice, limit: int = 10) -> list[tuple[str, str, int]]:
    """(channel, reason, how many) of the deliveries that failed for good, most first."""
    rows = (notice.deliveries.filter(status=DeliveryStatus.FAILED_PERMANENT)
            .values("channel", "last_error").annotate(n=Count("pk")).order_by("-n")[:limit])
    return [(r["channel"], r["last_error"] or "（理由不明）", r["n"]) for r in rows]
