from django.apps import AppConfig


class AlertsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "alerts"
    verbose_name = "防災情報"

    def ready(self) -> None:
        from . import signals  # noqa: F401
