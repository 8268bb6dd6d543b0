from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from .models import Area, Department, LifeEvent, Topic


class TopicViewSet(SnippetViewSet):
    model = Topic
    icon = "tag"
    list_display = ["name_ja", "key", "name_en"]


class AreaViewSet(SnippetViewSet):
    model = Area
    icon = "site"
    list_display = ["name_ja", "key", "name_en"]


class LifeEventViewSet(SnippetViewSet):
    model = LifeEvent
    icon = "user"
    list_display = ["name_ja", "key", "name_en"]


class DepartmentViewSet(SnippetViewSet):
    model = Department
    icon = "group"
    list_display = ["name", "phone", "hours"]
    search_fields = ["name"]


class WardVocabularyGroup(SnippetViewSetGroup):
    menu_label = "区の基本情報"
    menu_icon = "folder-open-inverse"
    menu_order = 250
    items = (DepartmentViewSet, TopicViewSet, AreaViewSet, LifeEventViewSet)


register_snippet(WardVocabularyGroup)
