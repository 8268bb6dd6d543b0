from django.urls import path

from . import views

urlpatterns = [
    path("api/alerts/", views.api_alerts, name="api_alerts"),
    path("feeds/alerts/", views.feed_alerts, name="feed_alerts"),
]
