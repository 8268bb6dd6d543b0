"""What editors need to improve the FAQ: the questions the assistant could not answer."""

from __future__ import annotations

from django.db import models


class UnansweredQuestion(models.Model):
    """A question that got the fallback. Never stores who asked (no sender, no IP)."""

    class Reason(models.TextChoices):
        NOT_SURE = "not_sure", "自信がなく答えなかった"
        OUT_OF_SCOPE = "out_of_scope", "対象外の質問"
        UNAVAILABLE = "unavailable", "チャットボット停止中"
        ENGLISH = "english", "英語の質問"

    question = models.CharField("質問", max_length=500)
    lang = models.CharField("言語", max_length=5, default="ja")
    reason = models.CharField("理由", max_length=20, choices=Reason.choices)
    best_guess = models.CharField(
        "いちばん近かったFAQ", max_length=100, blank=True,
        help_text="チャットボットが迷った候補（faq-topicsのキー）",
    )
    confidence = models.FloatField("確信度", null=True, blank=True)
    asked_at = models.DateTimeField("日時", auto_now_add=True, db_index=True)
    # The same question asked again updates its row instead of adding one.
    times_asked = models.PositiveIntegerField("回数", default=1)
    last_asked_at = models.DateTimeField("最後に聞かれた日時", null=True, blank=True,
                                         db_index=True)

    class Meta:
        ordering = ["-asked_at"]
        verbose_name = "チャットボットが答えられなかった質問"
        verbose_name_plural = "チャットボットが答えられなかった質問"

    def __str__(self) -> str:
        return self.question[:60]
