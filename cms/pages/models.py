"""Page types of the ward website.

Topic pages carry the structured fields residents scan for (who, what to bring,
fees, where/when, online, contact) and the FAQ entries the chatbot is trained from.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel, PageChooserPanel
from wagtail.fields import RichTextField
from wagtail.models import Orderable, Page
from wagtail.search import index


class SeededPageMixin(models.Model):
    """Remembers which content/ file a page was loaded from (see content/README.md)."""

    seed_hash = models.CharField(max_length=64, blank=True, editable=False)
    seed_revision_id = models.PositiveIntegerField(null=True, blank=True, editable=False)

    class Meta:
        abstract = True

    def japanese_terms(self) -> str:
        """Sudachi-split words of the page, space-separated, for Wagtail's own search backend.

        The database backend cannot find words inside Japanese sentences; with these terms
        the admin's page search finds 住民票 or ごみ too (residents' search is cms.sitesearch).
        """
        from chuo_text import part_terms, word_terms

        from cms.sitesearch.documents import page_texts

        text = "\n".join(page_texts(self).values())
        return " ".join(dict.fromkeys(word_terms(text) + part_terms(text)))

    def serve(self, request, *args, **kwargs):
        # Rendered once per publish for anonymous visitors (cms.core.page_cache).
        from cms.core.page_cache import serve_cached

        return serve_cached(request, lambda: super(SeededPageMixin, self).serve(
            request, *args, **kwargs), page=self)


class HomePage(SeededPageMixin, Page):
    lead = models.TextField("リード文", blank=True)

    content_panels = Page.content_panels + [FieldPanel("lead")]
    subpage_types = ["pages.CategoryPage", "pages.LifeEventIndexPage", "pages.NewsIndexPage",
                     "pages.StandardPage", "pages.EnglishHomePage"]
    max_count = 2  # the Japanese home and, later, the English one

    class Meta:
        verbose_name = "ホーム"

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["categories"] = CategoryPage.objects.child_of(self).live().public().specific()
        context["life_events"] = LifeEventPage.objects.descendant_of(self).live().public().specific()
        context["news"] = NewsPage.objects.descendant_of(self).live().public().order_by("-date")[:5]
        return context


class StandardPage(SeededPageMixin, Page):
    body = RichTextField("本文", blank=True)
    content_panels = Page.content_panels + [FieldPanel("body")]
    search_fields = Page.search_fields + [index.SearchField("body")]

    class Meta:
        verbose_name = "一般ページ"


class CategoryPage(SeededPageMixin, Page):
    """A topic category (くらし・手続き, ごみ・リサイクル …) listing its topic pages."""

    topic = models.OneToOneField(
        "core.Topic", on_delete=models.PROTECT, null=True, related_name="category_page",
        verbose_name="分類",
    )
    intro = models.TextField("説明", blank=True)

    content_panels = Page.content_panels + [FieldPanel("topic"), FieldPanel("intro")]
    parent_page_types = ["pages.HomePage"]
    subpage_types = ["pages.TopicPage", "pages.StandardPage"]
    search_fields = Page.search_fields + [index.SearchField("intro")]

    class Meta:
        verbose_name = "分類ページ"

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["topic_pages"] = TopicPage.objects.child_of(self).live().public().specific()
        return context


class LifeEventIndexPage(SeededPageMixin, Page):
    intro = models.TextField("説明", blank=True)
    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["pages.HomePage"]
    subpage_types = ["pages.LifeEventPage"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = "ライフイベント一覧"


class LifeEventPage(SeededPageMixin, Page):
    """"引越しのとき" — the procedures a resident needs for one life event, in order."""

    life_event = models.OneToOneField(
        "core.LifeEvent", on_delete=models.PROTECT, null=True, related_name="page",
        verbose_name="ライフイベント",
    )
    intro = models.TextField("説明", blank=True)

    content_panels = Page.content_panels + [
        FieldPanel("life_event"),
        FieldPanel("intro"),
        InlinePanel("steps", label="必要な手続き（順番に）"),
    ]
    parent_page_types = ["pages.LifeEventIndexPage"]
    subpage_types: list[str] = []
    search_fields = Page.search_fields + [index.SearchField("intro")]

    class Meta:
        verbose_name = "ライフイベント"

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        steps = list(self.steps.all())
        # Procedures in a private section (password, login) are not listed to residents.
        public = set(TopicPage.objects.live().public().filter(
            pk__in=[s.topic_page_id for s in steps]).values_list("pk", flat=True))
        context["steps"] = [s for s in steps if s.topic_page_id in public]
        return context


class LifeEventStep(Orderable):
    page = ParentalKey(LifeEventPage, on_delete=models.CASCADE, related_name="steps")
    topic_page = models.ForeignKey(
        "pages.TopicPage", on_delete=models.CASCADE, related_name="+", verbose_name="手続きのページ"
    )
    panels = [PageChooserPanel("topic_page", "pages.TopicPage")]


class TopicPage(SeededPageMixin, Page):
    """One canonical page per resident question (slug = faq-topics.yaml key = FAQ id)."""

    summary = models.TextField("要約", help_text="検索結果とページの先頭に出る1〜2文")
    audience = models.TextField("対象となる方", blank=True)
    bring = RichTextField("必要なもの", blank=True)
    fees = models.CharField("手数料・費用", max_length=300, blank=True)
    where_when = RichTextField("窓口・受付時間", blank=True)
    online = models.BooleanField("オンラインでできる", default=False)
    online_url = models.URLField("オンライン手続のURL", blank=True)
    body = RichTextField("詳しい説明", blank=True)
    department = models.ForeignKey(
        "core.Department", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="topic_pages", verbose_name="担当課",
    )
    topic = models.ForeignKey(
        "core.Topic", null=True, on_delete=models.PROTECT, related_name="topic_pages",
        verbose_name="分類",
    )
    life_events = ParentalManyToManyField(
        "core.LifeEvent", blank=True, related_name="topic_pages", verbose_name="ライフイベント"
    )
    related_pages = ParentalManyToManyField(
        "self", blank=True, symmetrical=False, verbose_name="関連する手続き"
    )
    last_reviewed = models.DateField("最終確認日", default=timezone.localdate)

    content_panels = Page.content_panels + [
        FieldPanel("summary"),
        MultiFieldPanel(
            [
                FieldPanel("audience"),
                FieldPanel("bring"),
                FieldPanel("fees"),
                FieldPanel("where_when"),
                FieldPanel("online"),
                FieldPanel("online_url"),
            ],
            heading="手続きの要点",
        ),
        FieldPanel("body"),
        FieldPanel("department"),
        InlinePanel("faq_entries", label="よくある質問（チャットボットの学習元）"),
        FieldPanel("related_pages"),
        FieldPanel("last_reviewed"),
    ]
    promote_panels = Page.promote_panels + [FieldPanel("topic"), FieldPanel("life_events")]
    parent_page_types = ["pages.CategoryPage"]
    subpage_types: list[str] = []
    search_fields = Page.search_fields + [
        index.SearchField("japanese_terms"),
        index.AutocompleteField("japanese_terms"),
        index.SearchField("summary"),
        index.SearchField("audience"),
        index.SearchField("body"),
        index.RelatedFields("faq_entries", [index.SearchField("question"),
                                            index.SearchField("paraphrases")]),
        index.FilterField("topic"),
    ]

    class Meta:
        verbose_name = "手続き・よくある質問のページ"

    @property
    def faq_id(self) -> str:
        return self.slug

    def english_version(self):
        """The English summary of this page under /en/, when there is one."""
        return EnglishTopicPage.objects.live().public().filter(japanese_page=self).first()


class FaqEntry(Orderable):
    """The single source the chatbot is trained from: question, how residents ask, answer."""

    page = ParentalKey(TopicPage, on_delete=models.CASCADE, related_name="faq_entries")
    question = models.CharField("質問", max_length=200)
    paraphrases = models.TextField(
        "住民の言い方（1行に1つ）", blank=True,
        help_text="チャットボットと検索が学ぶ、住民が実際に使う言い回し",
    )
    answer = models.TextField("短い回答", help_text="チャットボットが表示する答え（200字程度まで）")

    panels = [FieldPanel("question"), FieldPanel("paraphrases"), FieldPanel("answer")]

    class Meta(Orderable.Meta):
        verbose_name = "よくある質問"

    def paraphrase_list(self) -> list[str]:
        return [line.strip() for line in self.paraphrases.splitlines() if line.strip()]


class NewsIndexPage(SeededPageMixin, Page):
    intro = models.TextField("説明", blank=True)
    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["pages.HomePage"]
    subpage_types = ["pages.NewsPage"]

    class Meta:
        verbose_name = "お知らせ一覧"

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["news"] = NewsPage.objects.child_of(self).live().public().order_by("-date")
        return context


class NewsPage(SeededPageMixin, Page):
    date = models.DateField("日付", default=timezone.localdate)
    summary = models.TextField("要約", blank=True)
    body = RichTextField("本文", blank=True)
    topics = ParentalManyToManyField("core.Topic", blank=True, verbose_name="分類")
    areas = ParentalManyToManyField(
        "core.Area", blank=True, verbose_name="対象地域", help_text="空欄は区内全域"
    )
    urgent = models.BooleanField("緊急", default=False)
    notify_subscribers = models.BooleanField(
        "購読者に通知する", default=False,
        help_text="公開時に、分類と地域が合う購読者へ一度だけ通知します",
    )

    content_panels = Page.content_panels + [
        FieldPanel("date"),
        FieldPanel("summary"),
        FieldPanel("body"),
        FieldPanel("topics"),
        FieldPanel("areas"),
        # only staff who may send notices (notifier.news.SEND_PERMISSION) see these two
        FieldPanel("urgent", permission="notifier.add_notice"),
        FieldPanel("notify_subscribers", permission="notifier.add_notice"),
    ]
    parent_page_types = ["pages.NewsIndexPage"]
    subpage_types: list[str] = []
    search_fields = Page.search_fields + [index.SearchField("summary"), index.SearchField("body"),
                                          index.SearchField("japanese_terms"),
                                          index.AutocompleteField("japanese_terms"),
                                          index.FilterField("date")]

    class Meta:
        verbose_name = "お知らせ"
        ordering = ["-date"]


class EnglishHomePage(SeededPageMixin, Page):
    """/en/ — the ward's essentials in English, for residents who do not read Japanese."""

    language_code = "en"
    lead = models.TextField("Lead", blank=True)
    body = RichTextField("Body", blank=True)

    content_panels = Page.content_panels + [FieldPanel("lead"), FieldPanel("body")]
    parent_page_types = ["pages.HomePage"]
    subpage_types = ["pages.EnglishTopicPage"]
    max_count = 1
    search_fields = Page.search_fields + [index.SearchField("lead"), index.SearchField("body")]

    class Meta:
        verbose_name = "英語ホーム（English home）"

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["topic_pages"] = EnglishTopicPage.objects.child_of(self).live().public().specific()
        return context


class EnglishTopicPage(SeededPageMixin, Page):
    """An English summary of one topic page, linking to the full Japanese page."""

    language_code = "en"
    summary = models.TextField("Summary")
    body = RichTextField("Body", blank=True)
    japanese_page = models.ForeignKey(
        "pages.TopicPage", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name="日本語のページ",
    )

    content_panels = Page.content_panels + [
        FieldPanel("summary"),
        FieldPanel("body"),
        PageChooserPanel("japanese_page", "pages.TopicPage"),
    ]
    parent_page_types = ["pages.EnglishHomePage"]
    subpage_types: list[str] = []
    search_fields = Page.search_fields + [index.SearchField("summary"), index.SearchField("body")]

    class Meta:
        verbose_name = "英語のページ（English topic）"
