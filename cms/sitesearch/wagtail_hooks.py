"""Admin: synonyms editors maintain, and the report of queries that found nothing."""

from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.views.reports import ReportView
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from cms.core.reports import ReportMenuItem, ResidentTextReport

from .models import SearchSynonym, ZeroResultQuery


class SearchSynonymViewSet(SnippetViewSet):
    model = SearchSynonym
    icon = "search"
    menu_label = "検索の同義語"
    add_to_admin_menu = True
    menu_order = 260
    list_display = ["phrases", "note"]
    search_fields = ["phrases", "note"]


register_snippet(SearchSynonymViewSet)


class ZeroResultReportView(ResidentTextReport, ReportView):
    """Queries residents typed that found nothing, most recent first."""

    report_model = ZeroResultQuery

    page_title = "結果0件の検索"
    header_icon = "search"
    index_url_name = "zero_result_report"
    index_results_url_name = "zero_result_report_results"
    list_export = ["query", "count", "first_seen", "last_seen"]
    export_headings = {"query": "検索語", "count": "回数", "first_seen": "最初",
                       "last_seen": "最後"}
    columns = [
        Column("query", label="検索語"),
        Column("count", label="回数"),
        DateColumn("last_seen", label="最後に検索された日時"),
        DateColumn("first_seen", label="最初"),
    ]

    def get_queryset(self):
        return ZeroResultQuery.objects.order_by("-last_seen")

    def get_filename(self):
        return "zero-result-searches"


@hooks.register("register_admin_urls")
def zero_result_urls():
    return [
        path("reports/zero-result-searches/", ZeroResultReportView.as_view(),
             name="zero_result_report"),
        path("reports/zero-result-searches/results/",
             ZeroResultReportView.as_view(results_only=True), name="zero_result_report_results"),
    ]


@hooks.register("register_reports_menu_item")
def zero_result_menu_item():
    return ReportMenuItem("結果0件の検索", reverse("zero_result_report"), icon_name="search",
                          order=1300, permission="sitesearch.view_zeroresultquery")
