from django.urls import path, re_path

from . import views

app_name = "opendata"

urlpatterns = [
    path("opendata/", views.catalogue, name="catalogue"),
    re_path(r"^opendata/(?P<name>131024_[a-z_]+\.(?:csv|json))$", views.download, name="download"),
]
