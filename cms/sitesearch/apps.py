from django.apps import AppConfig


class SiteSearchConfig(AppConfig):
    name = "cms.sitesearch"
    label = "sitesearch"
    verbose_name = "サイト内検索"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import signals  # noqa: F401  (keeps the index in step with publishing)
