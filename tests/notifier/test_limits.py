"""Platform limits as each platform defines them: LINE counts UTF-16 code units (≤ 5,000
per text), Web Push carries one record of ≤ 4,096 bytes. The body is cut with 「…」, the
link never is, and a notice whose link alone cannot fit is refused when it is written."""

from __future__ import annotations

from io import StringIO

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.core.management import call_command
from django.core.management.base import CommandError
from hypothesis import HealthCheck, given, seed
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from notifier.channels.line import notice_messages
from notifier.channels.text import DoesNotFit, utf16_units
from notifier.channels.webpush import MAX_PAYLOAD, RECORD_SIZE, encrypt, push_payload
from notifier.line_conversation import answer_with_assistant
from notifier.models import Delivery, Notice
from notifier.notices import InvalidNotice, create_notice

from .conftest import make_resident
from .servers import b64url
from .test_fanout import run_until_done

pytestmark = pytest.mark.django_db

EMOJI_TITLE = "🌀🌊 大雨・洪水警報 🚨"


def test_urgent_emoji_notice_with_8000_character_body_reaches_line_once_with_its_link(channels, settings):
    push_service, line_api = channels
    friends = [make_resident(push_service, "line", ["bosai"]) for _ in range(3)]
    browser = make_resident(push_service, "webpush", ["bosai"])
    body = ("浸水に警戒してください🏠。" * 700)[:8000]
    notice, _ = create_notice(title=EMOJI_TITLE, body=body, topics=["bosai"], severity="urgent",
                              url="/bosai/keihou/", plan_now=True)
    run_until_done(notice)
    link = f"{settings.HUB_BASE_URL}/bosai/keihou/"
    for friend in friends:
        [message] = line_api.messages(friend.line_user_id)
        text = message["text"]
        assert utf16_units(text) <= 5000 < utf16_units(body)
        assert text.startswith(f"【緊急】{EMOJI_TITLE}") and text.endswith(f"…\n\n{link}")
    assert [s for _, s in line_api.attempts] == [200]  # once, no 400 and no retry
    [pushed] = push_service.messages(browser.endpoint)
    assert pushed["title"] == EMOJI_TITLE and pushed["url"] == link and pushed["body"].endswith("…")
    assert Delivery.objects.filter(notice=notice, status="sent").count() == 4


def test_english_subscribers_get_the_english_text(channels):
    push_service, line_api = channels
    ja_friend = make_resident(push_service, "line", ["bosai"])
    en_friend = make_resident(push_service, "line", ["bosai"], lang="en")
    en_browser = make_resident(push_service, "webpush", ["bosai"], lang="en")
    notice, _ = create_notice(title="大雨警報", body="警戒してください", title_en="Heavy rain warning",
                              body_en="Stay alert.", topics=["bosai"], severity="urgent",
                              plan_now=True)
    run_until_done(notice)
    assert line_api.messages(ja_friend.line_user_id)[0]["text"].startswith("【緊急】大雨警報")
    assert line_api.messages(en_friend.line_user_id)[0]["text"].startswith("[URGENT] Heavy rain warning\n\nStay alert.")
    assert push_service.messages(en_browser.endpoint)[0]["title"] == "Heavy rain warning"
    # Japanese only: English subscribers get the Japanese text rather than nothing
    plain, _ = create_notice(title="防災訓練", body="実施します", topics=["bosai"], plan_now=True)
    run_until_done(plain)
    assert line_api.messages(en_friend.line_user_id)[-1]["text"].startswith("防災訓練")


def test_a_link_too_long_to_send_is_refused_when_composed(channels):
    long_url = "/bosai/" + "a" * 1200
    with pytest.raises(InvalidNotice, match="URL"):
        create_notice(title="警報", body="本文", topics=["bosai"], url=long_url)
    with pytest.raises(CommandError, match="URL"):
        call_command("send_notice", "--topics", "bosai", "--title", "警報", "--body", "本文",
                     "--url", long_url, stdout=StringIO())
    assert not Notice.objects.exists()


@seed(9)
@hsettings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(title=st.text(min_size=1, max_size=120), body=st.text(max_size=9000),
       path=st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-_/%", max_size=990),
       lang=st.sampled_from(["ja", "en"]))
def test_rendering_always_ends_fits_and_keeps_the_link(settings, title, body, path, lang):
    notice = Notice(pk=2**31 - 1, title=title, body=body, title_en=title, body_en=body,
                    url="/" + path, severity="urgent", topics=["bosai"])
    link = settings.HUB_BASE_URL + "/" + path
    try:
        [message] = notice_messages(notice, lang)
    except DoesNotFit:
        assert utf16_units(title + link) > 4900
    else:
        assert 0 < utf16_units(message.text) <= 5000 and message.text.endswith(link)
    payload = push_payload(notice, lang)  # would raise DoesNotFit only for a huge title+link
    assert len(payload) <= MAX_PAYLOAD
    assert len(encrypt(*_keys(), payload)) <= RECORD_SIZE


_BROWSER = ec.generate_private_key(ec.SECP256R1())  # a browser's subscription keys


def _keys() -> tuple[str, str]:
    point = _BROWSER.public_key().public_bytes(serialization.Encoding.X962,
                                               serialization.PublicFormat.UncompressedPoint)
    return b64url(point), b64url(b"0123456789abcdef")


def test_a_long_assistant_answer_is_cut_before_its_link(monkeypatch, settings):
    from cms.assistant import service

    answer = "ご案内します。" * 1000
    monkeypatch.setattr(service, "ask", lambda sender, message, lang="ja": {
        "replies": [{"text": answer, "url": "/gomi/sodai-gomi/",
                     "buttons": [{"title": f"選択肢{i}" * 5} for i in range(20)]}]})
    [message] = answer_with_assistant("U" + "0" * 32, "粗大ごみ")
    assert utf16_units(message.text) <= 5000
    assert message.text.endswith(f"…\n{settings.HUB_BASE_URL}/gomi/sodai-gomi/")
    items = message.quick_reply.items
    assert len(items) == 13 and all(len(i.action.label) <= 20 for i in items)
