"""What the hub received from JMA (Telegram, the editors' 受信履歴) and what it told
residents and other systems (Alert: one message of an event, also a CAP 1.2 alert)."""

from __future__ import annotations

from django.db import models
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting


class AlertStatus(models.TextChoices):
    ACTIVE = "active", "発表中"
    UPDATED = "updated", "更新済み"
    CANCELLED = "cancelled", "取消"
    ENDED = "ended", "解除"


class Alert(models.Model):
    """One message about one event (the ward's warning set, a quake, a tsunami...).

    Messages of an event form a chain through `references`: Alert, then Updates, then a
    Cancel or the all-clear. The newest of a chain says what is in force now."""

    source = models.CharField(max_length=10, default="jma")
    event_key = models.CharField("事象", max_length=200, db_index=True)
    kind = models.CharField("種類", max_length=30)
    msg_type = models.CharField("CAP msgType", max_length=10)  # Alert / Update / Cancel
    status = models.CharField("状態", max_length=10, choices=AlertStatus.choices)
    severity = models.CharField("重要度", max_length=10)  # info / urgent
    rank = models.PositiveSmallIntegerField("段階", default=0)
    at_warning_level = models.BooleanField("警報以上", default=False)
    summary = models.CharField("中央区への内容", max_length=300)
    headline_ja = models.CharField(max_length=200)
    headline_en = models.CharField(max_length=200)
    body_ja = models.TextField()
    body_en = models.TextField()
    areas = models.JSONField(default=list, blank=True)
    issued_at = models.DateTimeField("発表時刻")  # the telegram's ReportDateTime
    received_at = models.DateTimeField("受信時刻", db_index=True)  # the hub's clock
    expires_at = models.DateTimeField(null=True, blank=True)
    references = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="replaced_by")
    notice = models.ForeignKey("notifier.Notice", null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")

    class Meta:
        verbose_name = "防災情報"
        verbose_name_plural = "防災情報"
        ordering = ["-received_at", "-pk"]

    def __str__(self) -> str:
        return self.headline_ja


class TelegramState(models.TextChoices):
    PENDING = "pending", "取得待ち（再試行中）"
    PROCESSED = "processed", "処理済み"
    UNCHANGED = "unchanged", "変化なし"
    NOT_FOR_WARD = "not_for_ward", "中央区に関係なし"
    DRILL = "drill", "訓練・試験（配信しない）"
    DUPLICATE = "duplicate", "同じ電文を受信済み"
    OLDER = "older", "古い報（新しい報を優先）"
    NOT_HANDLED = "not_handled", "対象外の種類（not handled）"
    FAILED = "failed", "取得・解析に失敗"


class Telegram(models.Model):
    """One entry of a JMA feed and what the hub did with it (防災情報の受信履歴)."""

    entry_id = models.CharField(max_length=300, unique=True)
    feed_url = models.CharField(max_length=500)
    link = models.CharField(max_length=500, blank=True)
    feed_title = models.CharField("フィードの題名", max_length=200, blank=True)
    received_at = models.DateTimeField("フィードで受信", db_index=True)
    state = models.CharField("結果", max_length=20, choices=TelegramState.choices,
                             default=TelegramState.PENDING, db_index=True)
    attempts = models.PositiveSmallIntegerField("取得回数", default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    title = models.CharField("種類（Control/Title）", max_length=200, blank=True)
    status = models.CharField("Control/Status", max_length=10, blank=True)
    info_type = models.CharField("InfoType", max_length=10, blank=True)
    event_id = models.CharField(max_length=100, blank=True)
    report_at = models.DateTimeField(null=True, blank=True)
    identity = models.CharField(max_length=64, blank=True, db_index=True)
    meaning = models.CharField("中央区にとっての意味", max_length=300, blank=True)
    action = models.CharField("ハブの対応", max_length=300, blank=True)
    alert = models.ForeignKey(Alert, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="telegrams")
    queued_at = models.DateTimeField("配信の登録", null=True, blank=True)

    class Meta:
        verbose_name = "受信した電文"
        verbose_name_plural = "防災情報の受信履歴"
        ordering = ["-received_at", "-pk"]

    @property
    def is_drill(self) -> bool:
        return bool(self.status) and self.status != "通常"


class FeedState(models.Model):
    """Validators of a feed's last answer, for conditional GET (ETag / Last-Modified)."""

    url = models.CharField(max_length=500, unique=True)
    etag = models.CharField(max_length=300, blank=True)
    last_modified = models.CharField(max_length=100, blank=True)
    polled_at = models.DateTimeField(null=True, blank=True)


@register_setting(icon="warning")
class EmergencySwitch(BaseSiteSetting):
    """An editor's manual emergency switch; while set, it wins over the JMA alerts."""

    AUTO, ON, OFF = "", "on", "off"
    mode = models.CharField(
        "緊急モードの切り替え", max_length=3, blank=True, default=AUTO,
        choices=[(AUTO, "防災情報に従う（自動）"), (ON, "手動で緊急モードにする"),
                 (OFF, "手動で通常の表示にする")],
        help_text="手動にすると、解除（自動に戻す）まで気象庁の情報で切り替わりません。",
    )
    headline = models.CharField("見出し（手動のとき）", max_length=200, blank=True)
    message = models.TextField("本文（手動のとき）", blank=True)

    class Meta:
        verbose_name = "緊急モードの手動切り替え"
