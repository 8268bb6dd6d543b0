import pytest

pytestmark = pytest.mark.browser


def test_home_page_renders_japanese_in_chromium(hub, page):
    page.goto(hub.url + "/")
    assert page.locator("h2").first.inner_text() == "くらしの出来事から探す"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "本文へ移動"
