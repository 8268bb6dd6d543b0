"""Who residents contact (担当課), from the CMS's departments and topic pages.

actions/contacts.json is written by `manage.py export_chatbot_data` together with
the FAQ training data, so the action answers with what editors keep in the CMS.
"""

from __future__ import annotations

import json
import os
import re
from functools import cache
from pathlib import Path

CONTACTS_FILE = Path(
    os.environ.get("CHATBOT_CONTACTS", Path(__file__).resolve().parent / "contacts.json")
)
# The FAQ training data exported from the CMS: how residents name each topic.
FAQ_EXAMPLES_FILE = Path(__file__).resolve().parents[1] / "data" / "nlu" / "faq.yml"
# Words that say "who do I contact" rather than what about; removed before matching.
CONTACT_WORDS = re.compile(
    r"どこの課|どの課|何課|どこに|どこへ|どこ|問い合わせ(?:先|れば|たい|窓口)?|担当(?:課|部署|窓口|者)?|"
    r"電話(?:番号|したい|すれば)?|連絡(?:先|したい)?|相談(?:したい|先)?|窓口|部署|について|のこと|"
    r"教えて(?:ください)?|知りたい|いい(?:ですか)?|ですか|ます|は|を|に|の|が|、|。|？|\?|！|\s"
)


@cache
def contacts() -> dict:
    return json.loads(CONTACTS_FILE.read_text(encoding="utf-8"))


def main_phone() -> str:
    return contacts()["main_phone"]


def page_url(faq_id: str) -> str | None:
    page = contacts()["faq_pages"].get(faq_id)
    return page["url"] if page else None


def _bigrams(text: str) -> set[str]:
    return {text[i:i + 2] for i in range(len(text) - 1)} or ({text} if text else set())


@cache
def _topic_examples() -> dict[str, list[set[str]]]:
    import yaml

    data = yaml.safe_load(FAQ_EXAMPLES_FILE.read_text(encoding="utf-8"))
    topics: dict[str, list[set[str]]] = {}
    for block in data["nlu"]:
        key = block["intent"].split("/", 1)[1].split("--")[0]
        for line in block["examples"].splitlines():
            example = CONTACT_WORDS.sub("", line[2:].strip())
            if example:
                topics.setdefault(key, []).append(_bigrams(example))
    return topics


def topic_named_in(text: str, minimum: float = 0.5) -> str | None:
    """The FAQ topic whose residents' wordings best cover what the question is about.

    The NLU model hears "どこに問い合わせれば" and thinks of 問い合わせ先 (toiawase);
    here the contact words are removed and the rest (保育園, 介護保険 …) is matched
    against each topic's examples by shared character pairs.
    """
    subject = _bigrams(CONTACT_WORDS.sub("", text))
    if not subject:
        return None
    best, best_score = None, 0.0
    for key, examples in _topic_examples().items():
        if key == "toiawase":
            continue
        # Dice overlap: the example must cover the subject and not be much more than it.
        score = max(2 * len(subject & ex) / (len(subject) + len(ex)) for ex in examples)
        if score > best_score:
            best, best_score = key, score
    return best if best_score >= minimum else None


def department_named_in(text: str) -> str | None:
    """A department the question names itself (保育課, 税務課 …)."""
    for key, department in contacts()["departments"].items():
        units = re.findall(r"[\s　]?([^\s　（）]+?(?:課|センター|事務所|所))(?:[\s　（]|$)", department["name"])
        if any(unit in text for unit in units):
            return key
    return None


def describe(department_key: str, topic_title: str | None = None) -> str:
    department = contacts()["departments"][department_key]
    lead = f"「{topic_title}」は、{department['name']}の担当です。" if topic_title else f"{department['name']}です。"
    parts = [lead, f"電話：{department['phone']}"]
    if department.get("phone_note"):
        parts[-1] += f"（{department['phone_note']}）"
    if department.get("hours"):
        parts.append(f"受付：{department['hours']}")
    if department.get("location"):
        parts.append(f"場所：{department['location']}")
    if department.get("email"):
        parts.append(f"メール：{department['email']}")
    return "\n".join(parts)
