"""The assistant's custom actions: nearest evacuation sites, who to contact.

(The honest fallback is the plain response utter_not_sure: no action-server round trip.)
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from . import contacts, evacuation, places

# The ResponseSelector's best guess must be at least this sure before "who do I
# contact about <topic>" names that topic's department.
CONTACT_TOPIC_CONFIDENCE = 0.4


class ActionEvacuationSite(Action):
    """The nearest designated evacuation sites for the town or district in the question."""

    def name(self) -> str:
        return "action_evacuation_site"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list:
        text = tracker.latest_message.get("text") or ""
        guide_url = contacts.page_url("hinan-basho")
        place = places.find_place(text)
        if place is None:
            dispatcher.utter_message(
                text=(
                    "近くの避難場所をお探しします。お住まいの町名を教えてください"
                    "（例：晴海、月島、日本橋人形町、銀座）。"
                ),
                json_message={"url": guide_url, "faq_id": None},
            )
            return []
        disasters = evacuation.disasters_in(text)
        found = evacuation.nearest_sites(place, disasters)
        kind = "・".join(evacuation.DISASTER_LABELS[d] for d in disasters)
        lines = [f"{place.label}の近くの指定緊急避難場所{f'（{kind}）' if kind else ''}です。"]
        for site in found:
            lines.append(f"・{site.name}（{site.address.replace('東京都中央区', '')}）対象：{site.disaster_label}")
        lines.append(
            "災害の種類によって避難できる場所が違います。避難所との違いや最新の情報は、"
            "リンク先のページで確認してください。"
        )
        dispatcher.utter_message(text="\n".join(lines), json_message={"url": guide_url, "faq_id": None})
        return []


class ActionContact(Action):
    """Which department to contact about a topic, with phone number and hours."""

    def name(self) -> str:
        return "action_contact"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list:
        text = tracker.latest_message.get("text") or ""
        department = contacts.department_named_in(text)
        if department:
            dispatcher.utter_message(text=contacts.describe(department), json_message={"url": None, "faq_id": None})
            return []
        faq_id = self._topic(tracker)
        page = contacts.contacts()["faq_pages"].get(faq_id) if faq_id else None
        if page and page.get("department"):
            dispatcher.utter_message(
                text=contacts.describe(page["department"], page["title"]),
                json_message={"url": page["url"], "faq_id": None},
            )
            return []
        dispatcher.utter_message(
            text=(
                "担当課がわからないときは、区役所の代表電話 "
                f"{contacts.main_phone()} にお電話ください。担当課におつなぎします。"
                "手続きの名前を添えて聞いていただくと、担当課をお調べします（例：「保育園の担当課は？」）。"
            ),
            json_message={"url": contacts.page_url("toiawase"), "faq_id": None},
        )
        return []

    @staticmethod
    def _topic(tracker: Tracker) -> str | None:
        """The topic asked about now, or else the FAQ the assistant just answered."""
        named = contacts.topic_named_in(tracker.latest_message.get("text") or "")
        if named:
            return named
        guess: dict[str, Any] = tracker.latest_message.get("faq_gate") or {}
        if guess.get("key") not in (None, "toiawase") and guess.get("confidence", 0.0) >= CONTACT_TOPIC_CONFIDENCE:
            return str(guess["key"]).split("--")[0]
        for event in reversed(tracker.events):
            if event.get("event") == "bot":
                custom = (event.get("data") or {}).get("custom") or {}
                if custom.get("faq_id"):
                    return custom["faq_id"]
        return None
