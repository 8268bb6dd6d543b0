"""What site search keeps: the analysed pages, the editors' synonyms, missed queries."""

from __future__ import annotations

import uuid

from chuo_text import fold
from django.db import models
from django.db.models import F
from django.utils import timezone
from wagtail.admin.panels import FieldPanel, HelpPanel


class SearchDocument(models.Model):
    """A live page as search sees it: Sudachi term counts per field (see ranking.py)."""

    page = models.OneToOneField("wagtailcore.Page", on_delete=models.CASCADE,
                                primary_key=True, related_name="search_document")
    lang = models.CharField(max_length=8, default="ja")
    boost = models.FloatField(default=1.0)
    fields = models.JSONField(default=dict)
    # The line shown under the title in the results (summary, intro or description), kept
    # here so a results page reads plain page rows, not every result's whole page.
    # NULL: indexed before this was kept (the results page reads the page instead).
    summary = models.TextField(null=True, blank=True)  # noqa: DJ001 (NULL: not kept yet)
    # Terms per field, kept for the corpus-wide average lengths BM25F normalises by.
    title_length = models.PositiveIntegerField(default=0)
    faq_length = models.PositiveIntegerField(default=0)
    summary_length = models.PositiveIntegerField(default=0)
    body_length = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = "検索用の索引"

    def terms(self) -> set[str]:
        return {term for counts in (self.fields or {}).values() for term in counts}


class SearchTerm(models.Model):
    """How many indexed pages contain a term (its engine token): BM25F's document frequency.

    Kept up to date one page at a time on publish and unpublish, so ranking the engine's
    candidates never needs the whole index.
    """

    token = models.CharField(max_length=24, primary_key=True)
    documents = models.IntegerField(default=0)

    class Meta:
        verbose_name = "検索語の出現ページ数"


class SearchIndexVersion(models.Model):
    """One row whose token changes whenever anything search answers from changes.

    A page indexed or dropped, a synonym or a best bet edited: each writes a new random
    token in the same transaction. Workers compare one primary-key read against the
    token their cached answers were computed under, instead of counting the index on
    every search. Random, not a counter: a rolled-back change must never leave a later,
    different change with the same version.
    """

    token = models.CharField(max_length=32, default="")
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "検索の索引の版"

    @classmethod
    def bump(cls) -> None:
        cls.objects.update_or_create(pk=1, defaults={"token": uuid.uuid4().hex,
                                                     "changed_at": timezone.now()})

    @classmethod
    def current(cls) -> str:
        return cls.objects.filter(pk=1).values_list("token", flat=True).first() or ""


class SearchSynonym(models.Model):
    """Words residents use for the same thing; shared with the chatbot (chuo_text)."""

    phrases = models.TextField(
        "同じ意味の言葉",
        help_text="読点（、）かカンマで区切ります。例：粗大ごみ、大型ごみ、そだいごみ",
    )
    note = models.CharField("メモ", max_length=200, blank=True)
    seed_key = models.CharField(max_length=100, blank=True, editable=False, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    panels = [
        HelpPanel(content="検索で、どれか1つの言葉を入力すると、ほかの言葉でも探します。"),
        FieldPanel("phrases"),
        FieldPanel("note"),
    ]

    class Meta:
        verbose_name = "検索の同義語"
        verbose_name_plural = "検索の同義語"
        ordering = ["phrases"]

    def __str__(self) -> str:
        return self.phrases[:80]

    def phrase_list(self) -> list[str]:
        import re

        return [p.strip() for p in re.split(r"[,、，\n]", self.phrases) if p.strip()]


class ZeroResultQuery(models.Model):
    """A query that found nothing: editors read these to fix wording or add synonyms."""

    folded = models.CharField(max_length=200, unique=True)
    query = models.CharField("検索語", max_length=200)
    count = models.PositiveIntegerField("回数", default=0)
    first_seen = models.DateTimeField("最初", default=timezone.now)
    last_seen = models.DateTimeField("最後", default=timezone.now, db_index=True)

    class Meta:
        verbose_name = "結果0件の検索"
        verbose_name_plural = "結果0件の検索"
        ordering = ["-last_seen"]

    def __str__(self) -> str:
        return self.query

    @classmethod
    def record(cls, query: str) -> None:
        query = query.strip()[:200]
        folded = fold(query)[:200]
        if not folded:
            return
        now = timezone.now()
        row, created = cls.objects.get_or_create(
            folded=folded, defaults={"query": query, "count": 1, "first_seen": now, "last_seen": now}
        )
        if not created:
            cls.objects.filter(pk=row.pk).update(count=F("count") + 1, last_seen=now, query=query)
