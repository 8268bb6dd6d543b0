from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    name = "cms.feedback"
    label = "feedback"
    verbose_name = "ページの評価"
    default_auto_field = "django.db.models.BigAutoField"
