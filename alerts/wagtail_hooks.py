from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from . import admin_views


@hooks.register("register_admin_urls")
def register_admin_urls():
    return [path("alerts/history/", admin_views.history, name="alerts_history")]


@hooks.register("register_admin_menu_item")
def register_menu():
    return MenuItem("防災情報の受信履歴", reverse("alerts_history"), icon_name="warning", order=261)
