from __future__ import annotations

from django.db import models
from django.utils import timezone


class PageFeedback(models.Model):
    """One resident's answer to 「このページは役に立ちましたか？」 (anonymous: no personal data)."""

    page = models.ForeignKey("wagtailcore.Page", on_delete=models.CASCADE,
                             related_name="feedback", verbose_name="ページ")
    helpful = models.BooleanField("役に立った")
    comment = models.TextField("ご意見", blank=True, max_length=500)
    created_at = models.DateTimeField("日時", default=timezone.now, db_index=True)

    class Meta:
        verbose_name = "ページの評価"
        verbose_name_plural = "ページの評価"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.page_id}: {'はい' if self.helpful else 'いいえ'}"
