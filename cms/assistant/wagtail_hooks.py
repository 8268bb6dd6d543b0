"""The editors' report of questions the assistant could not answer (admin menu)."""

from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import UnansweredQuestion


class UnansweredQuestionViewSet(SnippetViewSet):
    """Read what residents asked and the bot did not answer; add paraphrases or FAQs, then delete."""

    model = UnansweredQuestion
    icon = "help"
    menu_label = "チャットボットの未回答"
    menu_order = 900
    add_to_admin_menu = True
    list_display = ["question", "reason", "best_guess", "confidence", "lang", "times_asked",
                    "asked_at", "last_asked_at"]
    list_filter = ["reason", "lang", "best_guess"]
    ordering = ["-asked_at"]
    inspect_view_enabled = True
    list_per_page = 50


register_snippet(UnansweredQuestionViewSet)
