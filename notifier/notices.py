"""Creating a notice and fixing its recipients (persist first, then queue).

create_notice() commits the Notice; plan_deliveries() then writes one Delivery row per
matching subscriber (INSERT … SELECT, ON CONFLICT DO NOTHING, so running it twice after
a crash changes nothing), defers those in quiet hours, and groups LINE users into
multicast batches whose retry keys are stored before anything is sent. Only after that
transaction commits are the delivery tasks queued — by notifier/tasks.py, which listens
for the two signals below (this module never imports the task layer above it).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from itertools import islice

from django.db import IntegrityError, connection, transaction
from django.dispatch import Signal
from django.utils import timezone

from cms.core import clock
from cms.core.links import absolute_url

from . import channels, vocabulary
from .channels.text import DoesNotFit
from .models import Delivery, DeliveryStatus, LineBatch, Notice, Severity, Source, Subscriber
from .targeting import quiet_until, recipient_sql

# sent after the commit: a notice to plan (notice_id), deliveries ready to send (notice_id)
notice_created = Signal()
deliveries_planned = Signal()
MAX_LINK = 1000  # characters of the full link (LINE's limit for a URI in an action)


class InvalidNotice(ValueError):
    """A notice that cannot be sent as written; the message says what to fix."""


def validate(title: str, body: str, topics: list[str], areas: list[str], url: str,
             severity: str) -> None:
    if not title.strip():
        raise InvalidNotice("件名（title）を入力してください")
    if not body.strip():
        raise InvalidNotice("本文（body）を入力してください")
    if not topics:
        raise InvalidNotice("分類（topics）を1つ以上選んでください")
    try:
        vocabulary.topic_mask(topics)
        vocabulary.area_mask(areas)
    except vocabulary.UnknownKey as exc:
        raise InvalidNotice(str(exc)) from exc
    if url and not (url.startswith("https://") or url.startswith("http://") or url.startswith("/")):
        raise InvalidNotice("URLは https:// または / で始めてください")
    if severity not in Severity.values:
        raise InvalidNotice(f"severity は {' / '.join(Severity.values)} のどちらかです")
    check_fits(Notice(title=title.strip()[:120], body="", url=url, severity=severity,
                      topics=list(topics)))


def check_fits(notice: Notice) -> None:
    """The link is never cut, so a notice whose title and link alone exceed a channel's
    limit cannot be sent: refuse it now, with what to fix, rather than fail at sending."""
    link = absolute_url(notice.url)
    if len(link) > MAX_LINK or not link.isprintable() or any(c.isspace() for c in link):
        raise InvalidNotice(f"URLは空白を含まない {MAX_LINK} 文字以内にしてください（いま {len(link)} 文字）")
    notice.pk = notice.pk or 2**31  # the largest id it may get, for the size check
    for client in channels.all_channels():
        for lang in ("ja", "en"):
            try:
                client.render(notice, lang)
            except DoesNotFit as exc:
                raise InvalidNotice(
                    f"件名とURLが長すぎて{client.label}で送れません。URLを短くしてください（{exc}）") from exc


def create_notice(*, title: str, body: str, topics: list[str], areas: list[str] | None = None,
                  url: str = "", severity: str = Severity.INFO, source: str = Source.EDITOR,
                  idempotency_key: str | None = None, created_by=None,
                  plan_now: bool = False, title_en: str = "",
                  body_en: str = "") -> tuple[Notice, bool]:
    """The notice and whether it is new (False: this idempotency key was already sent)."""
    areas = [a for a in (areas or []) if a != vocabulary.WHOLE_WARD]
    validate(title, body, topics, areas, url, severity)
    if idempotency_key and (existing := Notice.objects.filter(idempotency_key=idempotency_key).first()):
        return existing, False
    try:
        with transaction.atomic():
            notice = Notice.objects.create(
                title=title.strip()[:120], body=body.strip(), topics=list(topics), areas=areas,
                url=url, severity=severity, source=source, idempotency_key=idempotency_key,
                created_by=created_by, title_en=title_en.strip()[:120], body_en=body_en.strip(),
            )
    except IntegrityError:  # the same key created concurrently
        return Notice.objects.get(idempotency_key=idempotency_key), False
    if plan_now:
        plan_deliveries(notice)
    else:
        transaction.on_commit(lambda: notice_created.send(Notice, notice_id=notice.pk))
    return notice, True


def create_test_notice(notice: Notice, editor) -> Notice:
    """A copy of `notice` for the editor's own subscriptions only."""
    test = Notice.objects.create(
        title=f"【テスト】{notice.title}"[:120], body=notice.body, url=notice.url,
        title_en=f"[TEST] {notice.title_en}"[:120] if notice.title_en else "",
        body_en=notice.body_en,
        topics=notice.topics, areas=notice.areas, severity=notice.severity,
        source=Source.EDITOR, is_test=True, created_by=editor,
    )
    own = Subscriber.objects.filter(editor=editor)
    plan_deliveries(test, only=list(own.values_list("pk", flat=True)))
    return test


def plan_deliveries(notice: Notice, only: list[int] | None = None) -> None:
    now = timezone.now()
    with transaction.atomic():
        if only is not None:
            Delivery.objects.bulk_create(
                [Delivery(notice=notice, subscriber_id=s.pk, channel=s.channel, due_at=now)
                 for s in Subscriber.objects.filter(pk__in=only)],
                ignore_conflicts=True,
            )
        else:
            _insert_matching(notice, now)
        if not notice.breaks_quiet_hours:
            _defer_quiet_hours(notice, now)
        for client in channels.all_channels():
            if client.batch_size > 1:
                _batch_deliveries(notice, client.name, client.batch_size, client.address_fields[0])
        notice.planned_at = timezone.now()
        Notice.objects.filter(pk=notice.pk).update(planned_at=notice.planned_at)
    transaction.on_commit(lambda: deliveries_planned.send(Notice, notice_id=notice.pk))


def _insert_matching(notice: Notice, now) -> None:
    where, params = recipient_sql(notice.topic_mask, notice.area_mask)
    delivery = Delivery._meta.db_table
    subscriber = Delivery._meta.get_field("subscriber").related_model._meta.db_table
    due = connection.ops.adapt_datetimefield_value(now)
    sql = (
        f"INSERT INTO {delivery} (notice_id, subscriber_id, channel, status, attempts, due_at, last_error) "
        f"SELECT %s, s.id, s.channel, %s, 0, %s, '' FROM {subscriber} s WHERE {where} "
        "ON CONFLICT (notice_id, subscriber_id) DO NOTHING"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [notice.pk, DeliveryStatus.PENDING, due, *params])


def _defer_quiet_hours(notice: Notice, now) -> None:
    # Quiet hours are read on the hub's clock (a test says what time of day it is);
    # due_at stays on the wall clock that the sender compares it with.
    hub_now = now + clock.offset()
    rows = Delivery.objects.filter(
        notice=notice, subscriber__quiet_start__isnull=False, subscriber__quiet_end__isnull=False
    ).values_list("pk", "subscriber__quiet_start", "subscriber__quiet_end")
    until: dict = defaultdict(list)
    for pk, start, end in rows.iterator(chunk_size=5000):
        if (when := quiet_until(start, end, hub_now)) is not None:
            until[clock.to_wall_clock(when)].append(pk)
    for when, pks in until.items():
        for chunk in _chunks(pks, 5000):
            Delivery.objects.filter(pk__in=chunk).update(due_at=when)


def _batch_deliveries(notice: Notice, channel: str, size: int, address_field: str) -> None:
    """One batch per ≤ size residents due at the same time who read the same language."""
    rows = (
        Delivery.objects.filter(notice=notice, channel=channel, line_batch__isnull=True)
        .order_by("due_at", "pk")
        .values_list("pk", "due_at", "subscriber__lang", f"subscriber__{address_field}")
    )
    groups: dict = defaultdict(list)
    for pk, due, lang, address in rows.iterator(chunk_size=5000):
        groups[(due, lang if lang == "en" and _has_english(notice) else "ja")].append((pk, address))
    for (due, lang), members in groups.items():
        for chunk in _chunks(members, size):
            batch = LineBatch.objects.create(
                notice=notice, channel=channel, lang=lang, retry_key=uuid.uuid4(), due_at=due,
                recipients=[address for _, address in chunk],
            )
            Delivery.objects.filter(pk__in=[pk for pk, _ in chunk]).update(line_batch=batch)


def _has_english(notice: Notice) -> bool:
    return bool(notice.title_en.strip())


def _chunks(items, size):
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk
