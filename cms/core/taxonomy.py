"""The shared vocabulary (taxonomy.yaml, faq-topics.yaml) as plain Python data.

Read once per process; the files are the contract shared with the chatbot,
the notifier and the tests, so nothing here may rename a key.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml
from django.conf import settings


@dataclass(frozen=True)
class FaqTopic:
    key: str
    topic: str
    ja: str
    covers: str


@cache
def taxonomy() -> dict:
    return yaml.safe_load(Path(settings.TAXONOMY_FILE).read_text(encoding="utf-8"))


@cache
def faq_topics() -> tuple[FaqTopic, ...]:
    data = yaml.safe_load(Path(settings.FAQ_TOPICS_FILE).read_text(encoding="utf-8"))
    return tuple(FaqTopic(**row) for row in data["topics"])


def ward() -> dict:
    return taxonomy()["ward"]


def topic_keys() -> set[str]:
    return {t["key"] for t in taxonomy()["topics"]}


def area_keys() -> set[str]:
    return {a["key"] for a in taxonomy()["areas"]}


def faq_keys() -> list[str]:
    return [t.key for t in faq_topics()]


def area_for_town(text: str) -> str | None:
    """The district (地域) of an address or town name, longest town name first."""
    best: tuple[int, str] | None = None
    for area in taxonomy()["areas"]:
        for town in area["towns"]:
            if town in text and (best is None or len(town) > best[0]):
                best = (len(town), area["key"])
    return best[1] if best else None
