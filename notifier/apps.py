from django.apps import AppConfig


class NotifierConfig(AppConfig):
    """Subscriptions by topic and district; notices delivered through LINE and Web Push."""

    name = "notifier"
    verbose_name = "通知"

    def ready(self) -> None:
        from wagtail.signals import page_published

        from . import channels, tasks  # noqa: F401 — tasks listens for planned notices
        from .news import on_page_published

        page_published.connect(on_page_published, dispatch_uid="notifier-news-published")
        # Settings that cannot work stop the hub now, with what to fix, instead of
        # failing every delivery at send time (e.g. VAPID_SUBJECT without mailto:).
        for client in channels.all_channels():
            client.check_configuration()
