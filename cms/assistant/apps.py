from django.apps import AppConfig


class AssistantConfig(AppConfig):
    """The hub side of the chatbot: /api/chat/, the widget, the unanswered-questions report."""

    name = "cms.assistant"
    label = "assistant"
    verbose_name = "チャットボット"
