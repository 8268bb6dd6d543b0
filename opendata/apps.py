from django.apps import AppConfig


class OpendataConfig(AppConfig):
    """The national standard open-data datasets: validate, export, publish."""

    name = "opendata"
    verbose_name = "オープンデータ"

    def ready(self) -> None:
        from wagtail.signals import page_published, page_unpublished

        from .service import forget_published_files

        # 12 イベント一覧 is built from the news pages: rebuild when they change
        page_published.connect(forget_published_files, dispatch_uid="opendata-news-published")
        page_unpublished.connect(forget_published_files, dispatch_uid="opendata-news-unpublished")
