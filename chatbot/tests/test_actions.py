"""Unit tests of the custom actions, run in the Rasa venv (`make chatbot-test-actions`).

They run the real actions on the real data (evacuation-site CSV, taxonomy, the CMS
export in actions/contacts.json) with rasa-sdk's own Tracker and dispatcher.
"""

from __future__ import annotations

import pytest
from actions import contacts, evacuation, places
from actions.actions import ActionContact, ActionEvacuationSite
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher


def tracker(text: str, intent: str = "ask_evacuation_site", events: list | None = None,
            faq_gate: dict | None = None) -> Tracker:
    latest = {"text": text, "intent": {"name": intent, "confidence": 0.99}, "entities": []}
    if faq_gate is not None:
        latest["faq_gate"] = faq_gate
    return Tracker("test-sender", {}, latest, events or [], False, None, {}, "action_listen")


def run(action, tracker_: Tracker) -> list[dict]:
    dispatcher = CollectingDispatcher()
    action.run(dispatcher, tracker_, {})
    return dispatcher.messages


def test_every_site_in_the_csv_is_placed_in_a_town_of_the_taxonomy():
    all_towns = {t for a in places.areas() for t in a.towns}
    assert len(evacuation.sites()) == 31
    for site in evacuation.sites():
        assert site.towns, site.address
        assert all(town in all_towns for town, _ in site.towns), site.address


@pytest.mark.parametrize(
    "question, town, area",
    [
        ("晴海5丁目の近くの避難場所", "晴海", "tsukishima"),
        ("日本橋人形町の避難所を教えて", "日本橋人形町", "nihonbashi"),
        ("人形町の避難所", "日本橋人形町", "nihonbashi"),
        ("八重洲二丁目の避難場所", "八重洲二丁目", "kyobashi"),
        ("八重洲一丁目の避難場所", "八重洲一丁目", "nihonbashi"),
        ("はるみのひなんばしょ", "晴海", "tsukishima"),
        ("銀座で地震が起きたら", "銀座", "kyobashi"),
    ],
)
def test_towns_are_found_in_how_residents_write_them(question, town, area):
    place = places.find_place(question)
    assert place is not None
    assert (place.town, place.area.key) == (town, area)


def test_a_district_name_gives_the_district():
    place = places.find_place("月島地域の避難場所を知りたい")
    assert place.town is None and place.area.key == "tsukishima"


def test_nearest_site_is_in_the_residents_town_and_closest_chome_first():
    text = run(ActionEvacuationSite(), tracker("晴海5丁目から近い避難所は？"))[0]["text"]
    lines = [line for line in text.splitlines() if line.startswith("・")]
    assert len(lines) == 3
    assert "晴海5" in lines[0]  # (旧)ほっとプラザはるみ, 晴海5-2-3
    assert all("晴海" in line for line in lines)


def test_tsunami_question_lists_only_tsunami_sites():
    text = run(ActionEvacuationSite(), tracker("佃で津波が来たらどこに逃げる"))[0]["text"]
    lines = [line for line in text.splitlines() if line.startswith("・")]
    assert lines and all("津波" in line for line in lines)
    assert "佃" in lines[0]


def test_town_without_a_site_gets_the_sites_of_its_district():
    text = run(ActionEvacuationSite(), tracker("入船から近い避難場所を教えてください"))[0]["text"]
    kyobashi = places.areas()[0]
    lines = [line for line in text.splitlines() if line.startswith("・")]
    assert len(lines) == 3
    assert all(any(town in line for town in kyobashi.towns) for line in lines)


def test_evacuation_answer_links_to_the_evacuation_page():
    message = run(ActionEvacuationSite(), tracker("月島の避難場所"))[0]
    assert message["custom"]["url"] == contacts.page_url("hinan-basho")
    assert message["custom"]["faq_id"] is None


def test_no_town_asks_for_one():
    message = run(ActionEvacuationSite(), tracker("近くの避難所はどこ"))[0]
    assert "町名を教えてください" in message["text"]


def test_contact_names_the_department_of_the_topic_asked_about():
    message = run(ActionContact(), tracker(
        "保育園のことはどこに問い合わせればいい", "ask_contact",
        faq_gate={"key": "hoikuen", "confidence": 0.93, "margin": 0.9},
    ))[0]
    assert "保育課" in message["text"]
    assert "03-3543-0211" in message["text"]
    assert message["custom"]["url"] == contacts.page_url("hoikuen")


def test_contact_by_department_name():
    message = run(ActionContact(), tracker("税務課に電話したい", "ask_contact"))[0]
    assert "税務課" in message["text"]


def test_contact_after_an_faq_answer_uses_that_topic():
    events = [{"event": "bot", "text": "…", "data": {"custom": {"faq_id": "sodai-gomi", "url": "/gomi/sodai-gomi/"}}}]
    message = run(ActionContact(), tracker(
        "担当課を教えて", "ask_contact", events=events,
        faq_gate={"key": "toiawase", "confidence": 0.1, "margin": 0.01},
    ))[0]
    department = contacts.contacts()["faq_pages"]["sodai-gomi"]["department"]
    assert contacts.contacts()["departments"][department]["name"] in message["text"]


def test_contact_without_any_topic_gives_the_main_phone():
    message = run(ActionContact(), tracker("どこの課に聞けばいいですか", "ask_contact",
                                           faq_gate={"key": "kenshin", "confidence": 0.05}))[0]
    assert "03-3543-0211" in message["text"]
    assert message["custom"]["url"] == contacts.page_url("toiawase")


@pytest.mark.parametrize(
    "question, topic",
    [
        ("保育園のことはどこの課に問い合わせればいい？", "hoikuen"),
        ("介護保険の担当部署に電話したい", "kaigo-hoken"),
        ("マイナンバーカードの担当課", "mynumber-card"),
        ("担当課を教えて", None),
    ],
)
def test_the_topic_of_a_contact_question_is_what_it_is_about(question, topic):
    """The NLU hears 問い合わせ (→ toiawase); the action finds 保育園 etc. in the FAQ data."""
    assert contacts.topic_named_in(question) == topic
