from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "cms.core"
    label = "core"
    verbose_name = "区の基本情報（分類・地域・担当課）"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from .signals import connect
        from .sites import sync_default_site

        connect()
        # Absolute links (API html_url, RSS) start with HUB_BASE_URL after every migrate.
        post_migrate.connect(sync_default_site, sender=self, dispatch_uid="hub-default-site")
