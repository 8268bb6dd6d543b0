from django.urls import path

from . import admin_views, views, webhook

urlpatterns = [
    path("api/push/vapid-public-key", views.vapid_public_key, name="vapid-public-key"),
    path("api/push/subscriptions", views.push_subscriptions, name="push-subscriptions"),
    path("line/webhook/", webhook.line_webhook, name="line-webhook"),
    path("notifications/", views.subscribe_page, name="notifications"),
    path("sw.js", views.service_worker, name="service-worker"),
    path("notifications/subscribe.js", views.subscribe_script, name="subscribe-script"),
    path("notifications/mine", admin_views.mark_own_device, name="mark-own-device"),
]
