"""The chat widget on the site, driven by keyboard in Chromium, answered by the real Rasa."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.support.hub import HubProcess

pytestmark = [pytest.mark.browser, pytest.mark.rasa]


@pytest.fixture(scope="module")
def chat_hub(rasa, tmp_path_factory):
    with HubProcess(tmp_path_factory.mktemp("chat-hub"), env={"RASA_URL": rasa.url}) as server:
        yield server


def test_resident_asks_by_keyboard_and_gets_the_answer_and_link(chat_hub, page):
    page.goto(chat_hub.url + "/")
    opener = page.get_by_role("button", name="チャットで質問する")
    expect(opener).to_have_attribute("aria-expanded", "false")
    opener.focus()
    page.keyboard.press("Enter")

    dialog = page.get_by_role("dialog", name="くらしの質問チャット")
    expect(dialog).to_be_visible()
    expect(opener).to_have_attribute("aria-expanded", "true")
    assert page.evaluate("document.activeElement.id") == "chat-widget-input"

    page.keyboard.type("粗大ごみってどうやって出すの？")
    page.keyboard.press("Enter")
    log = dialog.get_by_role("log")
    expect(log).to_have_attribute("aria-live", "polite")
    expect(log).to_contain_text("処理券", timeout=15_000)
    link = log.get_by_role("link", name="くわしいページを見る")
    expect(link).to_have_attribute("href", "/gomi/sodai-gomi/")

    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    assert page.evaluate("document.activeElement.classList.contains('chat-widget__open')")


def test_unsure_answer_offers_site_search_in_the_widget(chat_hub, page):
    page.goto(chat_hub.url + "/")
    page.get_by_role("button", name="チャットで質問する").click()
    page.get_by_label("質問", exact=True).fill("おすすめのラーメン屋を教えて")
    page.get_by_role("button", name="送信").click()
    link = page.get_by_role("log").get_by_role("link", name="サイト内検索の結果を見る")
    expect(link).to_be_visible(timeout=15_000)
    assert link.get_attribute("href").startswith("/search/?q=")
    expect(page.get_by_role("log")).to_contain_text("03-3543-0211")


def test_english_pages_get_an_english_answer(chat_hub, page):
    page.goto(chat_hub.url + "/en/")
    page.get_by_role("button", name="Ask a question (chat)").click()
    page.get_by_label("Question", exact=True).fill("Where can I get a residence certificate?")
    page.keyboard.press("Enter")
    log = page.get_by_role("log")
    expect(log).to_contain_text("only understands Japanese", timeout=15_000)
    expect(log.get_by_role("link", name="Read the page")).to_have_attribute("href", "/en/")
