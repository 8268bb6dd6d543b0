"""The chatbot's training data comes from the CMS (manage.py export_chatbot_data)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from django.core.management import CommandError, call_command

from cms.assistant.export import build_export
from cms.core.taxonomy import faq_keys
from cms.pages.models import TopicPage

pytestmark = pytest.mark.django_db


def test_committed_training_data_matches_the_seed_content():
    """The generated files in chatbot/ are reviewable and up to date with content/."""
    call_command("export_chatbot_data", "--check")


def test_every_faq_topic_is_trained_with_its_paraphrases_and_answers_with_its_page():
    export = build_export()
    nlu = yaml.safe_load(export.files["data/nlu/faq.yml"])["nlu"]
    responses = yaml.safe_load(export.files["domain/faq.yml"])["responses"]
    examples = {block["intent"]: block["examples"].splitlines() for block in nlu}
    for key in faq_keys():
        page = TopicPage.objects.get(slug=key)
        entry = page.faq_entries.first()
        assert f"- {entry.question}" in examples[f"faq/{key}"]
        assert len(examples[f"faq/{key}"]) >= 25
        response = responses[f"utter_faq/{key}"][0]
        assert response["text"] == entry.answer
        assert response["custom"] == {"faq_id": key, "url": page.url, "title": page.title}


def test_an_editors_change_reaches_the_training_data():
    entry = TopicPage.objects.get(slug="sodai-gomi").faq_entries.first()
    entry.paraphrases += "\nでっかいごみを処分したいです"
    entry.save()
    assert "でっかいごみを処分したいです" in build_export().files["data/nlu/faq.yml"]


def test_unpublished_topic_pages_are_not_answered():
    TopicPage.objects.get(slug="inu-touroku").unpublish()
    export = build_export()
    assert "faq/inu-touroku" not in export.files["data/nlu/faq.yml"]
    assert "inu-touroku" in export.warnings[0]


def test_answer_linking_to_an_unpublished_page_fails_the_export():
    TopicPage.objects.get(slug="kaden-recycle").unpublish()
    entry = TopicPage.objects.get(slug="sodai-gomi").faq_entries.first()
    entry.answer += "エアコンなどは（/gomi/kaden-recycle/）を見てください。"
    entry.save()
    with pytest.raises(CommandError, match=r"sodai-gomi.*/gomi/kaden-recycle/"):
        call_command("export_chatbot_data", "--check")


def test_answer_linking_to_a_missing_page_fails_the_export():
    entry = TopicPage.objects.get(slug="juminhyo").faq_entries.first()
    entry.answer += "詳しくは[こちら](/kurashi/no-such-page/)。"
    entry.save()
    with pytest.raises(CommandError, match="no-such-page"):
        call_command("export_chatbot_data", "--check")


def test_departments_are_exported_for_the_contact_action():
    contacts = json.loads(build_export().files["actions/contacts.json"])
    page = TopicPage.objects.get(slug="hoikuen")
    assert contacts["faq_pages"]["hoikuen"]["department"] == page.department.key
    assert contacts["departments"][page.department.key]["name"] == page.department.name
    assert contacts["main_phone"] == "03-3543-0211"


def test_the_assistants_fallback_and_greeting_name_the_ward_from_its_one_source(settings, tmp_path):
    """The ward's name and phone live in taxonomy.yaml (ward:); the assistant's replies and
    the hub's 500 page take them from there, so a new number changes everywhere at once."""
    from django.template.loader import render_to_string

    from cms.core import taxonomy

    moved = yaml.safe_load(Path(settings.TAXONOMY_FILE).read_text(encoding="utf-8"))
    moved["ward"] = {**moved["ward"], "main_phone": "03-0000-1234", "name_ja": "中央区（試験）"}
    (tmp_path / "taxonomy.yaml").write_text(yaml.safe_dump(moved, allow_unicode=True), encoding="utf-8")
    settings.TAXONOMY_FILE = str(tmp_path / "taxonomy.yaml")
    taxonomy.taxonomy.cache_clear()
    try:
        replies = yaml.safe_load(build_export().files["domain/ward.yml"])["responses"]
        assert "03-0000-1234" in replies["utter_not_sure"][0]["text"]
        assert replies["utter_not_sure"][0]["custom"] == {"fallback": True, "faq_id": None}
        assert "中央区（試験）のくらしの案内" in replies["utter_greet"][0]["text"]
        error_page = render_to_string("500.html")
        assert "03-0000-1234" in error_page and "エラー｜中央区（試験）" in error_page
    finally:
        taxonomy.taxonomy.cache_clear()
