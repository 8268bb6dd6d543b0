from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from .admin_views import validate_and_publish


@hooks.register("register_admin_urls")
def register_opendata_admin_urls():
    return [path("opendata/", validate_and_publish, name="opendata_publish")]


@hooks.register("register_admin_menu_item")
def register_opendata_menu_item():
    return MenuItem("オープンデータ（検証して公開）", reverse("opendata_publish"),
                    icon_name="table", order=900)
