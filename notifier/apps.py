from django.apps import AppConfig


class NotifierConfig(AppConfig):
    """Subscriptions by topic and district; notices delivered through LINE and Web Push."""

    name = "notifier"
    verbose_name = "通知"
