from django.apps import AppConfig


class OpendataConfig(AppConfig):
    """The national standard open-data datasets: validate, export, publish."""

    name = "opendata"
    verbose_name = "オープンデータ"
