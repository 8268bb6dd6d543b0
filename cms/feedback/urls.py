from django.urls import path

from .views import record_feedback

urlpatterns = [path("feedback/", record_feedback, name="page-feedback")]
