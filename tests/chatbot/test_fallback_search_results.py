"""When the assistant cannot answer, it lists the site search's top 3 pages itself.

Same retriever as /search/: the widget, LINE and /api/chat/ show the pages the results
page would show first (contract §2 shape: each result is one more reply, its title as
`text` and its page as `url`).
"""

from __future__ import annotations

import json

import pytest

from cms.core.links import absolute_url
from cms.sitesearch import service as sitesearch

pytestmark = pytest.mark.django_db

PHONE = "03-3543-0211"


def post(client, message: str):
    return client.post("/api/chat/", data=json.dumps({"sender": "t-fb", "message": message},
                                                      ensure_ascii=False),
                       content_type="application/json")


def top3(question: str) -> list[tuple[str, str]]:
    outcome = sitesearch.search(question)
    shown = sitesearch.SearchOutcome(outcome.query, outcome.page_ids[:3])
    return [(p.title, p.url) for p in sitesearch.ranked_pages(shown)]


def test_chatbot_down_still_lists_the_top_three_pages(client, settings):
    settings.RASA_URL = "http://127.0.0.1:9"  # nothing listens there
    response = post(client, "粗大ごみの出し方")
    assert response.status_code == 503
    replies = response.json()["replies"]
    assert PHONE in replies[0]["text"] and replies[0]["url"].startswith("/search/?q=")
    results = [(r["text"], r["url"]) for r in replies[1:]]
    assert results == top3("粗大ごみの出し方")
    assert len(results) == 3
    assert results[0][1].endswith("/sodai-gomi/")
    assert all(set(r) == {"text", "faq_id", "url", "buttons"} and r["faq_id"] is None
               for r in replies)


def test_no_pages_listed_when_search_finds_nothing(client, settings):
    settings.RASA_URL = "http://127.0.0.1:9"
    replies = post(client, "ドラゴン退治").json()["replies"]
    assert len(replies) == 1 and PHONE in replies[0]["text"]


def test_line_shows_the_result_titles_with_full_links(settings):
    from notifier.line_conversation import answer_with_assistant

    settings.RASA_URL = "http://127.0.0.1:9"
    texts = [m.text for m in answer_with_assistant("U" + "0" * 32, "住民票の写しがほしい")]
    expected = top3("住民票の写しがほしい")
    assert len(texts) == 1 + len(expected) and expected
    for (title, url), text in zip(expected, texts[1:], strict=True):
        assert text == f"{title}\n{absolute_url(url)}"


@pytest.mark.rasa
def test_assistant_not_sure_adds_the_search_results(client, rasa_settings):
    question = "宇宙人は区役所に住民登録できますか"
    body = post(client, question).json()
    assert body["intent"] in {"out_of_scope", "nlu_fallback"}
    assert [(r["text"], r["url"]) for r in body["replies"][1:]] == top3(question)
