from django.apps import AppConfig


class NotifierConfig(AppConfig):
    """Subscriptions by topic and district; notices delivered through LINE and Web Push."""

    name = "notifier"
    verbose_name = "通知"

    def ready(self) -> None:
        from wagtail.signals import page_published

        from .news import on_page_published

        page_published.connect(on_page_published, dispatch_uid="notifier-news-published")
