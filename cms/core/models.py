"""Ward-wide reference data editors can see: topics, districts, life events, departments."""

from __future__ import annotations

from django.db import models
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.search import index

from .links import is_safe_link


def validate_safe_link(value: str) -> None:
    from django.core.exceptions import ValidationError

    if value and not is_safe_link(value):
        raise ValidationError("https:// で始まるURLか、/ で始まるサイト内のパスを入力してください。")


class VocabularyTerm(models.Model):
    """A term of the shared vocabulary (taxonomy.yaml): a fixed key, labels editors may refine."""

    key = models.SlugField("キー", unique=True)
    name_ja = models.CharField("名称", max_length=100)
    name_en = models.CharField("名称（英語）", max_length=100)
    sort_order = models.PositiveSmallIntegerField(default=0)

    panels = [FieldPanel("key", read_only=True), FieldPanel("name_ja"), FieldPanel("name_en")]

    class Meta:
        abstract = True
        ordering = ["sort_order"]

    def __str__(self) -> str:
        return self.name_ja


class Topic(VocabularyTerm):
    """A subject residents browse and subscribe to (taxonomy.yaml `topics`)."""

    key = models.SlugField("キー", unique=True, help_text="URL・通知・チャットボットで使う固定の識別子")

    class Meta(VocabularyTerm.Meta):
        verbose_name = "分類（トピック）"
        verbose_name_plural = "分類（トピック）"


class Area(VocabularyTerm):
    """One of the ward's three districts (地域); notices can target them."""

    towns = models.JSONField("町名", default=list)

    panels = [*VocabularyTerm.panels, FieldPanel("towns", read_only=True)]

    class Meta(VocabularyTerm.Meta):
        verbose_name = "地域"
        verbose_name_plural = "地域"


class LifeEvent(VocabularyTerm):
    """A moment in life residents start from (引越し, 出産 …), GOV.UK-style browse by need."""

    class Meta(VocabularyTerm.Meta):
        verbose_name = "ライフイベント"
        verbose_name_plural = "ライフイベント"


class Department(index.Indexed, models.Model):
    """Who residents contact (担当課); shown on topic pages and by the assistant."""

    key = models.SlugField("キー", unique=True)
    name = models.CharField("名称", max_length=200)
    phone = models.CharField("電話番号", max_length=40, blank=True)
    phone_note = models.CharField("電話の補足", max_length=200, blank=True)
    email = models.EmailField("メールアドレス", blank=True)
    hours = models.CharField("受付時間", max_length=200, blank=True)
    location = models.CharField("場所", max_length=200, blank=True)

    panels = [
        FieldPanel("key"),
        FieldPanel("name"),
        FieldPanel("phone"),
        FieldPanel("phone_note"),
        FieldPanel("email"),
        FieldPanel("hours"),
        FieldPanel("location"),
    ]
    search_fields = [index.SearchField("name"), index.AutocompleteField("name")]

    class Meta:
        ordering = ["name"]
        verbose_name = "担当課"
        verbose_name_plural = "担当課"

    def __str__(self) -> str:
        return self.name


@register_setting(icon="warning")
class EmergencySettings(BaseSiteSetting):
    """Switches the home page to the urgent layout (by an editor or the disaster feed)."""

    active = models.BooleanField("緊急モード", default=False)
    headline = models.CharField("見出し", max_length=200, blank=True)
    message = models.TextField("本文", blank=True)
    link_url = models.CharField(
        "詳しい情報のURL", max_length=500, blank=True, validators=[validate_safe_link],
        help_text="https:// で始まるURLか、サイト内のパス（/bosai/ など）",
    )
    source = models.CharField(
        "切り替えた元", max_length=100, blank=True, help_text="editor / jma など"
    )
    changed_at = models.DateTimeField("切り替え日時", null=True, blank=True)

    panels = [
        FieldPanel("active"),
        FieldPanel("headline"),
        FieldPanel("message"),
        FieldPanel("link_url"),
    ]

    @property
    def safe_link_url(self) -> str:
        """The link as shown on every page: only https: or site-relative (never javascript:)."""
        return self.link_url if is_safe_link(self.link_url) else ""

    class Meta:
        verbose_name = "緊急モード"
