from django.urls import include, path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.widgets import ListingButton

from . import admin_views

admin_urls = ([
    path("", admin_views.index, name="index"),
    path("new/", admin_views.compose, name="compose"),
    path("<int:pk>/", admin_views.detail, name="detail"),
    path("news/<int:page_id>/resend/", admin_views.resend_news, name="resend_news"),
], "notifier_admin")


@hooks.register("register_admin_urls")
def register_admin_urls():
    return [path("notices/", include(admin_urls))]


@hooks.register("register_admin_menu_item")
def register_menu():
    return MenuItem("通知", reverse("notifier_admin:index"), icon_name="mail", order=260)


def _resend_button(page, user):
    if page.specific_class.__name__ == "NewsPage" and user.has_perm("notifier.add_notice"):
        yield ListingButton("購読者に再送信",
                            reverse("notifier_admin:resend_news", args=[page.pk]), priority=80)


@hooks.register("register_page_listing_more_buttons")
def resend_in_listing(page, user, next_url=None, **kwargs):
    yield from _resend_button(page, user)


@hooks.register("register_page_header_buttons")
def resend_in_header(page, user, view_name=None, next_url=None, **kwargs):
    yield from _resend_button(page, user)
