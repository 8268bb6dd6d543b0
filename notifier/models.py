"""Who wants to hear about what (Subscriber), what the ward says (Notice), and the
record of each message on its way to each resident (Delivery, LineBatch).

Deliveries are rows first and messages second: a Notice and all its Delivery rows are
committed before anything is sent, and every send is a state change of a row, so a
crashed worker leaves a record the sweeper can finish (see notifier/sending.py).
"""

from __future__ import annotations

import uuid
from datetime import time

from django.conf import settings
from django.db import models

from . import vocabulary
from .channels import channel_choices


class Channel(models.TextChoices):
    """The two built-in channels, for code that is about one of them. Which channels
    exist is settings.NOTIFIER_CHANNELS (notifier/channels/)."""

    LINE = "line", "LINE"
    WEBPUSH = "webpush", "Web Push"


class Subscriber(models.Model):
    """A resident (a LINE friend or a browser) and the topics and districts they chose."""

    channel = models.CharField("経路", max_length=10, choices=channel_choices)
    line_user_id = models.CharField("LINEユーザーID", max_length=64, unique=True, null=True,
                                    blank=True)
    endpoint = models.CharField("プッシュ送信先", max_length=2048, unique=True, null=True,
                                blank=True)
    p256dh = models.CharField(max_length=200, blank=True)
    auth = models.CharField(max_length=100, blank=True)
    # The address on any other channel (e.g. an e-mail address): LINE and Web Push keep
    # theirs in the fields above.
    address = models.CharField("送信先", max_length=320, blank=True, default="", db_default="")
    topic_mask = models.PositiveIntegerField("分類", default=vocabulary.TOPIC_BITS["bosai"])
    area_mask = models.PositiveIntegerField("地域", default=0, help_text="0 は区内全域")
    lang = models.CharField("言語", max_length=2, default="ja",
                            choices=[("ja", "日本語"), ("en", "English")])
    quiet_start = models.TimeField("通知しない時間（開始）", null=True, blank=True)
    quiet_end = models.TimeField("通知しない時間（終了）", null=True, blank=True)
    editor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="own_subscriptions", verbose_name="テスト送信先の職員",
        help_text="職員が自分の端末として登録した購読者（テスト送信はここにだけ届きます）",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "購読者"
        verbose_name_plural = "購読者"
        constraints = [
            models.CheckConstraint(
                name="subscriber_has_address",
                condition=(models.Q(channel="line", line_user_id__isnull=False)
                           | models.Q(channel="webpush", endpoint__isnull=False)
                           | (~models.Q(channel__in=["line", "webpush"]) & ~models.Q(address=""))),
            ),
            models.UniqueConstraint(fields=["channel", "address"], condition=~models.Q(address=""),
                                    name="one_subscriber_per_address"),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} #{self.pk}"

    @property
    def topics(self) -> list[str]:
        return vocabulary.topics_of(self.topic_mask)

    @property
    def areas(self) -> list[str]:
        """The chosen districts; ["all"] for the whole ward."""
        return vocabulary.areas_of(self.area_mask) or [vocabulary.WHOLE_WARD]

    def set_topics(self, keys) -> None:
        self.topic_mask = vocabulary.topic_mask(keys)

    def set_areas(self, keys) -> None:
        self.area_mask = vocabulary.area_mask(keys)

    @property
    def quiet_hours(self) -> tuple[time, time] | None:
        if self.quiet_start is None or self.quiet_end is None:
            return None
        return self.quiet_start, self.quiet_end


class Severity(models.TextChoices):
    INFO = "info", "通常"
    URGENT = "urgent", "緊急"


class Source(models.TextChoices):
    EDITOR = "editor", "職員が作成"
    NEWS = "news", "お知らせページ"
    JMA = "jma", "気象庁"


class Notice(models.Model):
    """One message from the ward to everyone subscribed to its topics and districts."""

    title = models.CharField("件名", max_length=120)
    body = models.TextField("本文", max_length=1000)
    url = models.CharField("詳しい情報のURL", max_length=500, blank=True)
    # English subscribers get these when set (JMA alerts always set them); otherwise the
    # Japanese text.
    title_en = models.CharField("件名（英語）", max_length=120, blank=True)
    body_en = models.TextField("本文（英語）", max_length=1000, blank=True)
    topics = models.JSONField("分類", default=list)
    areas = models.JSONField("対象地域", default=list, blank=True, help_text="空は区内全域")
    severity = models.CharField("重要度", max_length=10, choices=Severity.choices,
                                default=Severity.INFO)
    source = models.CharField("作成元", max_length=10, choices=Source.choices,
                              default=Source.EDITOR)
    # Makes "send once" a database fact: news:<page id>:<resend no.>, jma:<entry id> …
    idempotency_key = models.CharField(max_length=300, unique=True, null=True, blank=True)
    is_test = models.BooleanField("テスト送信", default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("作成日時", auto_now_add=True)
    planned_at = models.DateTimeField("配信先の確定", null=True, blank=True)
    last_progress_at = models.DateTimeField(null=True, blank=True)
    wakeup_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "通知"
        verbose_name_plural = "通知"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title

    @property
    def topic_mask(self) -> int:
        return vocabulary.topic_mask(self.topics)

    @property
    def area_mask(self) -> int:
        return vocabulary.area_mask(self.areas)

    @property
    def breaks_quiet_hours(self) -> bool:
        """Disaster warnings reach residents even at night."""
        return self.severity == Severity.URGENT and "bosai" in self.topics


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "送信待ち"
    SENDING = "sending", "送信中"
    SENT = "sent", "送信済み"
    FAILED_TEMPORARY = "failed_temporary", "一時的な失敗（再試行）"
    FAILED_PERMANENT = "failed_permanent", "失敗"


CLAIMABLE = [DeliveryStatus.PENDING, DeliveryStatus.FAILED_TEMPORARY]


class ClaimableSend(models.Model):
    """Work a worker claims atomically (claim_token) and retries with backoff (due_at)."""

    status = models.CharField(max_length=20, choices=DeliveryStatus.choices,
                              default=DeliveryStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    due_at = models.DateTimeField()
    claim_token = models.UUIDField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        abstract = True


class LineBatch(ClaimableSend):
    """Residents one request reaches (LINE: ≤ 500 users, one multicast) in one language;
    the retry key is stored before the first try so that a retry after a crash or timeout
    is recognised by the platform (LINE: 409 = already sent). The name is historical:
    any channel with batch_size > 1 uses it."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="line_batches")
    channel = models.CharField(max_length=10, default="line", choices=channel_choices)
    lang = models.CharField(max_length=2, default="ja")
    retry_key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # who the request goes to (kept for the record while it may be retried; emptied when
    # done, and an unfollow removes the user at once)
    recipients = models.JSONField(default=list)

    class Meta:
        indexes = [models.Index(fields=["notice", "status", "due_at"])]


class Delivery(ClaimableSend):
    """One notice to one subscriber through their channel: exactly one row, ever."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="deliveries")
    # SET_NULL: a resident who leaves takes their data; the statistics stay.
    subscriber = models.ForeignKey(Subscriber, null=True, on_delete=models.SET_NULL,
                                   related_name="deliveries")
    channel = models.CharField(max_length=10, choices=channel_choices)
    line_batch = models.ForeignKey(LineBatch, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="deliveries")

    class Meta:
        verbose_name = "配信"
        verbose_name_plural = "配信"
        constraints = [
            models.UniqueConstraint(fields=["notice", "subscriber"], name="one_delivery_per_subscriber")
        ]
        indexes = [
            models.Index(fields=["notice", "channel", "status", "due_at"]),
            models.Index(fields=["status", "claimed_at"]),
            models.Index(fields=["claim_token"]),
        ]


class LineWebhookEvent(models.Model):
    """Ids of webhook events already handled, so LINE's redeliveries are ignored."""

    webhook_event_id = models.CharField(max_length=64, unique=True)
    received_at = models.DateTimeField(auto_now_add=True, db_index=True)


class JmaFeedEntry(models.Model):
    """A JMA Atom entry already looked at, so its XML is fetched once."""

    entry_id = models.CharField(max_length=300, unique=True)
    title = models.CharField(max_length=200, blank=True)
    seen_at = models.DateTimeField(auto_now_add=True, db_index=True)
    notice = models.ForeignKey(Notice, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")
