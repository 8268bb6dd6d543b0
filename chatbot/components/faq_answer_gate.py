"""Decides whether the assistant may answer with an FAQ, or must say it is not sure.

Rasa's FallbackClassifier only sees the intent confidence. With a few dozen
well-separated intents, DIET is ≈ 1.0 sure that almost any question is `faq`, so
that check never fires and an out-of-scope question gets a confident wrong answer.
The real uncertainty is in *which* FAQ: this gate looks at the ResponseSelector's
ranking and turns the prediction into `nlu_fallback` when

- the intent itself is unsure (`intent_threshold`), or
- the best FAQ answer is below `threshold`, or
- the best two FAQ answers are closer than `ambiguity_threshold` (the question
  sits between two topics, e.g. 住民票 vs コンビニ交付 without a hint).

One FAQ needs the resident's place: 「晴海の避難場所は？」 is best answered with the
nearest sites, not the general page. When the best FAQ is hinan-basho and the
question names a town or district of the ward, the intent becomes
`ask_evacuation_site` (the action lists the sites, with the page link).

The assistant knows Chuo City only: a question about another municipality's service
(「墨田区の図書館」「横浜市の転入手続き」) is out of scope even though it looks like an
FAQ, so it gets the fallback (site search and the ward's phone) instead of Chuo's answer.

The decision and the best guess are kept in the parse data (`faq_gate`) so the
hub can log unanswered questions with the topic editors should look at.
"""

from __future__ import annotations

import re
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.constants import DEFAULT_NLU_FALLBACK_INTENT_NAME
from rasa.shared.nlu.training_data.message import Message

RETRIEVAL_INTENT = "faq"
OTHER_WARDS = (
    "千代田区", "港区", "新宿区", "文京区", "台東区", "墨田区", "江東区", "品川区", "目黒区",
    "大田区", "世田谷区", "渋谷区", "中野区", "杉並区", "豊島区", "北区", "荒川区", "板橋区",
    "練馬区", "足立区", "葛飾区", "江戸川区",
)
# "<another ward or city>の…" asks about that place's service (not "大阪から越してきた").
ANOTHER_MUNICIPALITY = re.compile(
    "(?:" + "|".join(OTHER_WARDS) + r"|(?<![一-龥])[一-龥]{1,4}市)(?:の|で|に住)"
)
# FAQ key -> the intent that answers it better when the question names a place.
PLACE_QUESTIONS = {"hinan-basho": "ask_evacuation_site"}


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False
)
class FaqAnswerGate(GraphComponent, IntentClassifier):
    """Falls back when the intent, or the choice between FAQ answers, is unsure."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            "intent_threshold": 0.6,
            "threshold": 0.35,
            "ambiguity_threshold": 0.15,
            "place_questions": PLACE_QUESTIONS,
        }

    def __init__(self, config: dict[str, Any]) -> None:
        self.component_config = config

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> FaqAnswerGate:
        return cls(config)

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            self._gate(message)
        return messages

    def _gate(self, message: Message) -> None:
        intent = message.get("intent") or {}
        name = intent.get("name")
        if not name or name == DEFAULT_NLU_FALLBACK_INTENT_NAME:
            return
        faq = self.faq_choice(message)
        message.set("faq_gate", faq, add_to_output=True)
        place_intent = self.component_config.get("place_questions", PLACE_QUESTIONS).get(faq["key"])
        if place_intent and name in (RETRIEVAL_INTENT, place_intent) and self._names_a_place(message):
            message.set("intent", {"name": place_intent, "confidence": intent.get("confidence", 0.0)},
                        add_to_output=True)
            return
        reason = None
        text = message.get("text") or ""
        if name == RETRIEVAL_INTENT and "中央区" not in text and ANOTHER_MUNICIPALITY.search(text):
            reason = "another_municipality"
        elif intent.get("confidence", 0.0) < self.component_config["intent_threshold"]:
            reason = "intent_unsure"
        elif name == RETRIEVAL_INTENT and faq["key"] is None:
            reason = "no_answer"
        elif name == RETRIEVAL_INTENT and faq["confidence"] < self.component_config["threshold"]:
            reason = "answer_unsure"
        elif name == RETRIEVAL_INTENT and faq["margin"] < self.component_config["ambiguity_threshold"]:
            reason = "answers_ambiguous"
        if reason is None:
            return
        faq["fallback_reason"] = reason
        fallback = {"name": DEFAULT_NLU_FALLBACK_INTENT_NAME, "confidence": intent.get("confidence", 0.0)}
        message.set("intent", fallback, add_to_output=True)
        ranking = message.get("intent_ranking") or []
        message.set("intent_ranking", [fallback, *ranking], add_to_output=True)

    @staticmethod
    def _names_a_place(message: Message) -> bool:
        from actions.places import find_place  # the same town list the action uses

        return find_place(message.get("text") or "") is not None

    @staticmethod
    def faq_choice(message: Message) -> dict[str, Any]:
        """The best FAQ answer, its confidence and its lead over the runner-up."""
        selector = (message.get("response_selector") or {}).get(RETRIEVAL_INTENT) or {}
        ranking = selector.get("ranking") or []
        if not ranking:
            return {"key": None, "confidence": 0.0, "margin": 0.0}
        first = ranking[0]
        second = ranking[1]["confidence"] if len(ranking) > 1 else 0.0
        key = first.get("intent_response_key", "")
        return {
            "key": key.split("/", 1)[1] if "/" in key else key,
            "confidence": float(first["confidence"]),
            "margin": float(first["confidence"] - second),
        }
