"""From a telegram to what residents get: one message per real change for Chuo City.

Per event key the hub keeps a chain of Alert messages (Alert -> Update... -> Cancel or
the all-clear). A telegram is applied only if it is real (Control/Status 通常), new (its
identity, not its feed entry, was never seen) and not older than the event's newest
report. It then produces a message only when what applies to Chuo changes.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.db import transaction

from cms.core import clock
from notifier.models import Severity, Source
from notifier.notices import InvalidNotice, create_notice

from . import emergency, readers
from .models import Alert, AlertStatus, Telegram, TelegramState
from .readers.base import CANCEL, Reading
from .readers.xml import parse

log = logging.getLogger(__name__)


def process(telegram: Telegram, xml: bytes) -> None:
    """Read one fetched telegram and act on it; raises UnreadableTelegram if it is not one."""
    root = parse(xml)
    head = readers.header(root)
    reading = readers.read(root, head)
    telegram.title, telegram.status, telegram.info_type = head.title, head.status, head.info_type
    telegram.event_id, telegram.report_at, telegram.identity = (head.event_id, head.report_at,
                                                                head.identity)
    telegram.meaning = reading.summary[:300] if reading else ""
    with transaction.atomic():
        # Write first: on SQLite a transaction that reads, then writes while the workers
        # write fails at once ("database is locked"); one that starts by writing waits.
        Telegram.objects.filter(pk=telegram.pk).update(attempts=telegram.attempts)
        state, action = _decide(telegram, head, reading)
        telegram.state, telegram.action = state, action[:300]
        telegram.save()
    log.info("JMA %s (%s, %s): %s — %s", head.title, head.status, head.info_type, state, action)


def _decide(telegram: Telegram, head, reading: Reading | None) -> tuple[str, str]:
    if reading is None:
        return TelegramState.NOT_HANDLED, "この種類の電文は扱っていません（not handled）"
    if head.is_drill:
        return TelegramState.DRILL, f"{head.status}の電文のため、配信・公開しません"
    if (Telegram.objects.filter(identity=head.identity).exclude(pk=telegram.pk)
            .exclude(state__in=[TelegramState.PENDING, TelegramState.FAILED]).exists()):
        return TelegramState.DUPLICATE, "同じ電文を別のフィード項目で受信済み"
    latest = (Alert.objects.filter(event_key=reading.event_key).order_by("-received_at", "-pk")
              .first())
    if latest and head.report_at and latest.issued_at > head.report_at and head.info_type != CANCEL:
        return TelegramState.OLDER, f"より新しい報（{latest.issued_at:%m/%d %H:%M}）を適用済み"
    open_event = latest if latest and latest.status == AlertStatus.ACTIVE else None

    if head.info_type == CANCEL:
        if open_event is None:
            return TelegramState.UNCHANGED, "取り消された報は中央区向けに配信していません"
        alert = _message(telegram, head, reading, open_event, "Cancel", AlertStatus.CANCELLED,
                         cancel=True)
        return TelegramState.PROCESSED, _did(alert, "取消を配信")
    if not reading.mentions_ward:
        return TelegramState.NOT_FOR_WARD, "中央区の記載がないため、何もしません"
    if not reading.applies:
        if open_event is not None and reading.ends_event:
            alert = _message(telegram, head, reading, open_event, "Update", AlertStatus.ENDED)
            return TelegramState.PROCESSED, _did(alert, "解除を配信")
        return TelegramState.NOT_FOR_WARD, "中央区にお知らせする内容はありません"
    if open_event is None:
        alert = _message(telegram, head, reading, None, "Alert", AlertStatus.ACTIVE)
        return TelegramState.PROCESSED, _did(alert, "新しい情報を配信")
    if open_event.summary == reading.summary[:300]:
        open_event.issued_at = head.report_at or open_event.issued_at  # newer report, same state
        open_event.save(update_fields=["issued_at"])
        telegram.alert = open_event
        return TelegramState.UNCHANGED, "中央区への内容に変化がないため、配信しません"
    change = "引き上げ" if reading.rank > open_event.rank else (
        "引き下げ" if reading.rank < open_event.rank else "内容の変更")
    alert = _message(telegram, head, reading, open_event, "Update", AlertStatus.ACTIVE)
    return TelegramState.PROCESSED, _did(alert, f"{change}を配信")


def _did(alert: Alert, what: str) -> str:
    severity = "緊急（夜間も配信）" if alert.severity == Severity.URGENT else "通常"
    mode = "緊急モード: オン" if emergency_state() else "緊急モード: オフ"
    return f"{what}（{severity}）、{mode}"


def emergency_state() -> bool:
    return emergency.apply()


def _message(telegram: Telegram, head, reading: Reading, previous: Alert | None, msg_type: str,
             status: str, cancel: bool = False) -> Alert:
    now = clock.now()
    if cancel:
        headline_ja = f"取り消し: {previous.headline_ja}"
        headline_en = f"Cancelled: {previous.headline_en}"
        body_ja = f"先ほどの「{previous.headline_ja}」は 取り消されました。"
        body_en = f"The earlier message \"{previous.headline_en}\" has been cancelled."
        rank, summary = 0, f"取消: {previous.summary}"
    else:
        headline_ja, headline_en = reading.headline_ja, reading.headline_en
        body_ja, body_en, rank, summary = (reading.body_ja, reading.body_en, reading.rank,
                                           reading.summary)
        if head.info_type == "訂正":
            headline_ja, headline_en = f"訂正: {headline_ja}", f"Correction: {headline_en}"
    # Urgent only for a new or raised state at 警報 level or above: a downgrade, the
    # all-clear or a cancellation is news, not an alarm, and waits for quiet hours.
    raised = previous is None or rank > previous.rank
    urgent = status == AlertStatus.ACTIVE and reading.at_warning_level and raised and not cancel
    expires = None
    if reading.kind == "earthquake" and status == AlertStatus.ACTIVE:
        expires = now + emergency.EARTHQUAKE_EMERGENCY
    elif reading.one_off and status == AlertStatus.ACTIVE:
        expires = now + timedelta(hours=3)
    if previous is not None and previous.status == AlertStatus.ACTIVE:
        previous.status = AlertStatus.UPDATED
        previous.save(update_fields=["status"])
    alert = Alert.objects.create(
        event_key=reading.event_key, kind=reading.kind, msg_type=msg_type, status=status,
        severity=Severity.URGENT if urgent else Severity.INFO, rank=rank,
        at_warning_level=status == AlertStatus.ACTIVE and reading.at_warning_level,
        summary=summary[:300], headline_ja=headline_ja[:200], headline_en=headline_en[:200],
        body_ja=body_ja, body_en=body_en, areas=reading.areas, issued_at=head.report_at or now,
        received_at=now, expires_at=expires, references=previous,
    )
    try:
        notice, _ = create_notice(
            title=headline_ja, body=body_ja, url=emergency.DISASTER_PAGE, topics=["bosai"],
            areas=reading.areas, severity=alert.severity, source=Source.JMA,
            idempotency_key=f"alert:{alert.pk}", title_en=headline_en, body_en=body_en,
        )
    except InvalidNotice as exc:  # our own text refused: the alert stands, editors are told
        log.error("alert %s could not be sent: %s", alert.pk, exc)
        telegram.last_error = f"通知を作成できません: {exc}"
        return alert
    alert.notice = notice
    alert.save(update_fields=["notice"])
    telegram.alert, telegram.queued_at = alert, clock.now()
    return alert
