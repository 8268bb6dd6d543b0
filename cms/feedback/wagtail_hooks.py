"""Admin: what residents answered to 「このページは役に立ちましたか？」, per page."""

from django.db.models import Count, Q
from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.views.reports import ReportView
from wagtail.models import Page

from cms.core.reports import ReportMenuItem, ResidentTextReport

from .models import PageFeedback


class FeedbackSummaryView(ResidentTextReport, ReportView):
    """Pages ranked by how many residents said they did not help."""

    report_model = PageFeedback

    page_title = "ページの評価（役に立ちましたか）"
    header_icon = "pick"
    index_url_name = "page_feedback_report"
    index_results_url_name = "page_feedback_report_results"
    list_export = ["title", "url_path", "yes", "no"]
    columns = [
        Column("title", label="ページ"),
        Column("url_path", label="パス"),
        Column("yes", label="はい"),
        Column("no", label="いいえ"),
        DateColumn("last_feedback", label="最新の回答"),
    ]

    def get_queryset(self):
        from django.db.models import Max

        return (Page.objects.filter(feedback__isnull=False)
                .annotate(yes=Count("feedback", filter=Q(feedback__helpful=True)),
                          no=Count("feedback", filter=Q(feedback__helpful=False)),
                          last_feedback=Max("feedback__created_at"))
                .order_by("-no", "-last_feedback"))


class FeedbackCommentsView(ResidentTextReport, ReportView):
    report_model = PageFeedback
    page_title = "ページの評価：ご意見"
    header_icon = "comment"
    index_url_name = "page_feedback_comments"
    index_results_url_name = "page_feedback_comments_results"
    list_export = ["page.title", "helpful", "comment", "created_at"]
    columns = [
        Column("page", label="ページ"),
        Column("helpful", label="役に立った"),
        Column("comment", label="ご意見"),
        DateColumn("created_at", label="日時"),
    ]

    def get_queryset(self):
        return PageFeedback.objects.select_related("page").exclude(comment="")


@hooks.register("register_admin_urls")
def feedback_urls():
    return [
        path("reports/page-feedback/", FeedbackSummaryView.as_view(), name="page_feedback_report"),
        path("reports/page-feedback/results/", FeedbackSummaryView.as_view(results_only=True),
             name="page_feedback_report_results"),
        path("reports/page-feedback/comments/", FeedbackCommentsView.as_view(),
             name="page_feedback_comments"),
        path("reports/page-feedback/comments/results/",
             FeedbackCommentsView.as_view(results_only=True),
             name="page_feedback_comments_results"),
    ]


@hooks.register("register_reports_menu_item")
def feedback_menu_item():
    return ReportMenuItem("ページの評価", reverse("page_feedback_report"), icon_name="pick",
                          order=1310, permission="feedback.view_pagefeedback")


@hooks.register("register_reports_menu_item")
def feedback_comments_menu_item():
    return ReportMenuItem("ページの評価：ご意見", reverse("page_feedback_comments"),
                          icon_name="comment", order=1320, permission="feedback.view_pagefeedback")
