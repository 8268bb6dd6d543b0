from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "cms.core"
    label = "core"
    verbose_name = "区の基本情報（分類・地域・担当課）"

    def ready(self) -> None:
        from .signals import connect

        connect()
