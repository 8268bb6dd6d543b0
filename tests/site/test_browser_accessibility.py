"""The site in headless Chromium: every page type passes axe-core at WCAG 2.1 AA, and the
resident tools (furigana, text size, contrast, read-aloud) work from the keyboard."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

pytestmark = pytest.mark.browser

WCAG_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
           "resultTypes": ["violations"]}
PAGE_TYPES = {
    "home": "/",
    "category": "/kurashi/",
    "topic": "/kurashi/juminhyo/",
    "life event index": "/life/",
    "life event": "/life/hikkoshi/",
    "news index": "/news/",
    "news": "/news/kyujitsu-kaicho-2026/",
    "search results": "/search/?q=粗大ごみ",
    "no search results": "/search/?q=ドラゴン退治",
    "English home": "/en/",
    "English topic": "/en/residence-certificate/",
    "404": "/no-such-page/",
}


def assert_no_axe_violations(page, label: str) -> None:
    results = Axe().run(page, options=WCAG_AA)
    assert results.violations_count == 0, f"{label}:\n{results.generate_report()}"


@pytest.mark.parametrize("label", list(PAGE_TYPES))
def test_page_type_has_no_wcag_aa_violations(hub, page, label):
    response = page.goto(hub.url + PAGE_TYPES[label])
    assert response.status == (404 if label == "404" else 200)
    assert page.locator("h1").count() == 1
    assert_no_axe_violations(page, label)


def test_tools_and_their_modes_have_no_violations_either(hub, page):
    page.goto(hub.url + "/kurashi/juminhyo/")
    page.locator("[data-tool=contrast]").click()
    page.locator("[data-tool=furigana]").click()
    page.locator("main ruby").first.wait_for()
    page.locator("[data-text-size='150']").click()
    assert_no_axe_violations(page, "topic page with furigana, high contrast, largest text")


def tab_to(page, selector: str, limit: int = 40) -> None:
    """Press Tab (as a keyboard user does) until `selector` has the focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} is not reachable with Tab")


def test_furigana_button_works_by_keyboard_and_is_remembered(hub, page):
    page.goto(hub.url + "/kurashi/juminhyo/")
    assert page.locator("main ruby").count() == 0
    tab_to(page, "[data-tool=furigana]")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"  # visible focus
    page.keyboard.press("Enter")
    reading = page.locator("main h1 ruby rt").first
    reading.wait_for(state="visible")
    assert reading.inner_text() == "じゅうみんひょう"
    assert page.locator("[data-tool=furigana]").get_attribute("aria-pressed") == "true"
    page.goto(hub.url + "/gomi/sodai-gomi/")  # another page: rendered with ruby by the server
    assert page.locator("main h1 ruby rt").first.is_visible()
    tab_to(page, "[data-tool=furigana]")
    page.keyboard.press("Space")
    assert not page.locator("main h1 ruby rt").first.is_visible()


def test_text_size_and_contrast_work_by_keyboard_and_are_remembered(hub, page):
    page.goto(hub.url + "/")
    tab_to(page, "[data-text-size='150']")
    page.keyboard.press("Enter")
    assert page.evaluate("getComputedStyle(document.documentElement).fontSize") == "24px"
    tab_to(page, "[data-tool=contrast]")
    page.keyboard.press("Enter")
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(0, 0, 0)"
    page.reload()
    assert page.evaluate("getComputedStyle(document.documentElement).fontSize") == "24px"
    assert page.locator("[data-tool=contrast]").get_attribute("aria-pressed") == "true"
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(0, 0, 0)"


def test_read_aloud_speaks_the_page_in_japanese_by_keyboard(hub, page):
    # Record what reaches the browser's speech synthesis (it still runs as usual).
    page.add_init_script("""
      window.__spoken = [];
      const speak = speechSynthesis.speak.bind(speechSynthesis);
      speechSynthesis.speak = (u) => { window.__spoken.push({text: u.text, lang: u.lang}); speak(u); };
    """)
    page.goto(hub.url + "/kurashi/juminhyo/")
    tab_to(page, "[data-tool=read-aloud]")
    page.keyboard.press("Enter")
    spoken = page.evaluate("window.__spoken")
    assert spoken and spoken[0]["lang"] == "ja-JP"
    assert spoken[0]["text"].startswith("住民票の写しの請求")
    assert "じゅうみんひょう" not in spoken[0]["text"]
    button = page.locator("[data-tool=read-aloud]")
    status = page.locator(".tool-status")
    if button.get_attribute("aria-pressed") == "true":  # a voice is installed: it is reading
        page.keyboard.press("Enter")
        assert button.get_attribute("aria-pressed") == "false"
        page.get_by_text("読み上げを止めました").wait_for(state="attached")
    else:  # headless Chromium without voices: the resident is told, not left waiting
        status.get_by_text("読み上げできませんでした").wait_for(state="attached")


def test_japanese_text_renders_with_a_cjk_font(hub, page):
    page.goto(hub.url + "/")
    # A drawn 住 must differ from the "missing glyph" box a browser draws without fonts.
    differs = page.evaluate("""() => {
      const draw = (ch) => { const c = document.createElement('canvas'); c.width = c.height = 40;
        const x = c.getContext('2d'); x.font = '32px "Noto Sans CJK JP", sans-serif';
        x.fillText(ch, 2, 32); return c.toDataURL(); };
      return draw('住') !== draw('\\uE000') && draw('住') !== draw('民');
    }""")
    assert differs
    assert page.locator("h2").first.inner_text() == "くらしの出来事から探す"


def test_feedback_answer_by_keyboard(hub, page):
    page.goto(hub.url + "/gomi/gomi-dashikata/")
    tab_to(page, "#feedback-comment", limit=200)
    page.keyboard.type("収集日の表がわかりやすかった")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.get_by_text("ご回答ありがとうございました。").wait_for()


def test_zero_result_query_typed_in_the_browser_reaches_the_editors_report(hub, page):
    page.goto(hub.url + "/")
    page.get_by_label("サイト内検索").fill("ドラゴン退治の呪文")
    page.keyboard.press("Enter")
    page.get_by_text("お探しの情報が見つかりませんでした").wait_for()
    hub.manage("shell", "-c",
               "from django.contrib.auth.models import User;"
               "User.objects.filter(username='editor').exists() or "
               "User.objects.create_superuser('editor', 'editor@example.jp', 'editor-pass-123')")
    page.goto(hub.url + "/admin/login/?next=/admin/reports/zero-result-searches/")
    page.get_by_label("Username").fill("editor") if page.get_by_label("Username").count() \
        else page.locator("#id_username").fill("editor")
    page.locator("#id_password").fill("editor-pass-123")
    page.keyboard.press("Enter")
    page.wait_for_url("**/admin/reports/zero-result-searches/")
    page.get_by_role("cell", name="ドラゴン退治の呪文").or_(
        page.get_by_text("ドラゴン退治の呪文")).first.wait_for()


def test_emergency_switch_shows_on_home_within_one_request(hub, page):
    page.goto(hub.url + "/")
    assert page.locator(".emergency-banner").count() == 0
    flip = ("from wagtail.models import Site; from django.utils import timezone;"
            "from cms.core.models import EmergencySettings as E;"
            "s = E.for_site(Site.objects.get(is_default_site=True)); s.active = {active};"
            "s.headline = '震度6弱の地震が発生しました'; s.message = '落ち着いて身の安全を確保してください。';"
            "s.source = 'jma'; s.changed_at = timezone.now(); s.save()")
    hub.manage("shell", "-c", flip.format(active=True))
    try:
        page.goto(hub.url + "/")
        banner = page.locator(".emergency-banner[role=alert]")
        assert "震度6弱の地震が発生しました" in banner.inner_text()
        assert page.locator("h1").inner_text() == "震度6弱の地震が発生しました"
        assert_no_axe_violations(page, "home in emergency mode")
    finally:
        hub.manage("shell", "-c", flip.format(active=False))
    page.goto(hub.url + "/")
    assert page.locator(".emergency-banner").count() == 0
