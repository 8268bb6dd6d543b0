"""JMA's real telegrams, end to end: the feed server on 127.0.0.1 -> `watch_jma_feeds
--once` -> the task backend -> the LINE API and Web Push service test servers (the push
service decrypts every message). Each case checks exactly what residents receive, the
alerts published and the site's emergency layout; every drill produces nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from wagtail.models import Site

from alerts.models import Alert, EmergencySwitch, Telegram
from cms.core import clock
from cms.core.models import EmergencySettings
from notifier.targeting import TOKYO
from tests.notifier.conftest import make_resident, received

pytestmark = pytest.mark.django_db

WEATHER = "気象特別警報・警報・注意報"
R06_RAIN = "気象警報・注意報（Ｒ０６）（大雨）"
SOKUHO, SHINGEN = "震度速報", "震源・震度に関する情報"
TSUNAMI, TSUNAMI_INFO = "津波警報・注意報・予報a", "津波情報a"


@pytest.fixture
def residents(channels):
    push, _ = channels
    now = clock.now().astimezone(TOKYO)
    asleep = {"quiet_start": (now - timedelta(hours=1)).time(),
              "quiet_end": (now + timedelta(hours=1)).time()}
    return {
        "line": make_resident(push, "line", ["bosai"]),
        "push_en": make_resident(push, "webpush", ["bosai"], lang="en"),
        "asleep": make_resident(push, "line", ["bosai"], **asleep),
        "gomi_only": make_resident(push, "webpush", ["gomi"]),
    }


def texts(channels, resident) -> list[str]:
    push, line = channels
    got = received(push, line, resident)
    return [m.get("text") or f"{m.get('title')}\n{m.get('body')}" for m in got]


def emergency() -> EmergencySettings:
    return EmergencySettings.for_site(Site.objects.get(is_default_site=True))


def states() -> list[str]:
    return list(Telegram.objects.order_by("received_at", "pk").values_list("state", flat=True))


def test_a_warning_for_chuo_is_one_urgent_message_about_chuo_and_its_lifting_is_news(
        jma, poll, residents, channels):
    jma.add("w1", WEATHER, "vpww53_tokyo_chuo_storm_warning.xml")
    poll()
    for key in ("line", "asleep"):  # urgent: through quiet hours
        [text] = texts(channels, residents[key])
        assert "暴風警報" in text and "波浪警報" in text
        assert "小笠原" not in text and "最大級" not in text  # Tokyo-wide headline is not ours
    [english] = texts(channels, residents["push_en"])
    assert "storm warning" in english and "high waves warning" in english
    assert texts(channels, residents["gomi_only"]) == []
    state = emergency()
    assert state.active and "暴風警報" in state.headline and state.source == "jma"
    alert = Alert.objects.get()
    assert alert.severity == "urgent" and alert.msg_type == "Alert"
    assert alert.notice.title_en == alert.headline_en and "storm warning" in alert.headline_en

    jma.add("w2", WEATHER, "vpww53_tokyo_chuo_nothing.xml")  # 中央区: 発表警報・注意報はなし
    poll()
    assert len(texts(channels, residents["line"])) == 2
    assert "解除" in texts(channels, residents["line"])[1]
    assert len(texts(channels, residents["asleep"])) == 1  # the all-clear waits for morning
    assert not emergency().active
    end = Alert.objects.latest("pk")
    assert (end.status, end.msg_type, end.references_id) == ("ended", "Update", alert.pk)
    assert states() == ["processed", "processed"]


def test_routine_weather_telegram_leaves_an_earthquakes_emergency_alone(jma, poll, residents,
                                                                         channels):
    jma.add("q1", SHINGEN, "vxse53_chuo_int5lower.xml")
    jma.add("w1", WEATHER, "vpww53_tokyo_chuo_nothing.xml")  # 23区西部 特別警報, 中央区 nothing
    poll()
    [text] = texts(channels, residents["asleep"])
    assert "震度5弱" in text
    assert emergency().active and "震度5弱" in emergency().headline
    assert states() == ["processed", "not_for_ward"]


def test_an_upgrade_under_one_event_id_is_one_more_message_and_urgent(jma, poll, residents,
                                                                       channels):
    jma.add("s1", SOKUHO, "vxse51_tokyo23_int4.xml")
    poll()
    assert ["震度4" in t for t in texts(channels, residents["line"])] == [True]
    assert texts(channels, residents["asleep"]) == []  # 震度4: info, not through quiet hours
    assert not emergency().active

    jma.add("s2", SOKUHO, "vxse51_tokyo23_int4_later.xml")  # same quake, same intensity
    poll()
    assert len(texts(channels, residents["line"])) == 1

    jma.add("s3", SHINGEN, "vxse53_chuo_int5lower.xml")  # same EventID: 中央区 震度5弱
    jma.add("s3-again", SHINGEN, path="/data/s3.xml")  # the same telegram, a second entry
    poll()
    line = texts(channels, residents["line"])
    assert len(line) == 2 and "震度5弱" in line[1]
    assert ["震度5弱" in t for t in texts(channels, residents["asleep"])] == [True]
    assert emergency().active
    first, update = Alert.objects.order_by("pk")
    assert (update.msg_type, update.references_id, update.severity) == ("Update", first.pk, "urgent")
    assert states() == ["processed", "unchanged", "processed", "duplicate"]


def test_correction_and_cancellation_each_tell_residents_once(jma, poll, residents, channels):
    jma.add("e1", SHINGEN, "vxse53_tokyo23_int3.xml")
    jma.add("e2", SHINGEN, "vxse53_tokyo23_int3_serial2.xml")
    jma.add("e3", SHINGEN, "vxse53_tokyo23_correction.xml")
    jma.add("e4", SHINGEN, "vxse53_cancel.xml")
    poll()
    line = texts(channels, residents["line"])
    assert len(line) == 3, line
    assert "震度3" in line[0] and "訂正" in line[1] and "震度4" in line[1]
    assert "取り消されました" in line[2]
    assert not emergency().active
    cancel = Alert.objects.latest("pk")
    assert cancel.msg_type == "Cancel" and cancel.status == "cancelled"
    assert states() == ["processed", "not_for_ward", "processed", "processed"]


def test_drills_and_tests_reach_no_one_and_are_logged_as_drills(jma, poll, residents, channels,
                                                                  client):
    jma.add("d1", SHINGEN, "vxse53_drill.xml")
    jma.add("d2", TSUNAMI, "vtse41_drill_tokyo_bay_warning.xml")
    jma.add("d3", WEATHER, "vpww53_tokyo_chuo_storm_warning_test.xml")
    poll()
    for resident in residents.values():
        assert texts(channels, resident) == []
    assert not Alert.objects.exists() and not emergency().active
    assert states() == ["drill", "drill", "drill"]
    assert [t.status for t in Telegram.objects.order_by("pk")] == ["訓練", "訓練", "試験"]
    assert client.get("/api/alerts/").json()["alerts"] == []
    assert b"<entry" not in client.get("/feeds/alerts/").content


def test_tsunami_for_tokyo_bay_warning_downgrade_and_lifting(jma, poll, residents, channels):
    jma.add("t1", TSUNAMI, "vtse41_tokyo_bay_forecast.xml")  # 若干の海面変動: nothing
    jma.add("t2", TSUNAMI, "vtse41_tokyo_bay_warning.xml")
    poll()
    [text] = texts(channels, residents["asleep"])
    assert "津波警報" in text and "東京湾" in text and "逃げて" in text
    assert emergency().active

    jma.add("t3", TSUNAMI_INFO, "vtse51_tokyo_bay.xml")  # an older report: overrides nothing
    jma.add("t4", TSUNAMI, "vtse41_tokyo_bay_advisory.xml")  # 警報 -> 注意報
    poll()
    line = texts(channels, residents["line"])
    assert len(line) == 2 and "津波注意報" in line[1]
    assert len(texts(channels, residents["asleep"])) == 1  # a downgrade is not a new alarm
    assert not emergency().active  # no 警報 left in force

    jma.add("t5", TSUNAMI, "vtse41_tokyo_bay_lifted.xml")
    poll()
    line = texts(channels, residents["line"])
    assert len(line) == 3 and "解除" in line[2]
    assert states() == ["not_for_ward", "processed", "older", "processed", "processed"]


def test_2026_danger_warning_is_urgent_and_its_downgrade_is_not(jma, poll, residents, channels):
    jma.add("r1", R06_RAIN, "vpww55_2026_chuo_danger_warning.xml")
    poll()
    [text] = texts(channels, residents["asleep"])
    assert "レベル４大雨危険警報" in text
    assert emergency().active and "危険警報" in emergency().headline
    jma.add("r2", R06_RAIN, "vpww55_2026_chuo_warning.xml")  # レベル３大雨警報 (継続)
    poll()
    line = texts(channels, residents["line"])
    assert len(line) == 2 and "レベル３大雨警報" in line[1]
    assert len(texts(channels, residents["asleep"])) == 1
    state = emergency()
    assert state.active and "レベル３大雨警報" in state.headline  # the headline follows
    assert Alert.objects.latest("pk").severity == "info"


def test_special_warning_for_chuo(jma, poll, residents, channels):
    jma.add("x1", WEATHER, "vpww53_tokyo_chuo_special_warning.xml")
    poll()
    [text] = texts(channels, residents["asleep"])
    assert "大雨特別警報" in text and "命を 守る" in text


def test_rain_rivers_and_types_not_handled(jma, poll, residents, channels):
    jma.add("h1", "記録的短時間大雨情報", "vpoa50_tokyo.xml")
    jma.add("v1", "指定河川洪水予報", "vxko_arakawa_danger.xml")
    jma.add("v2", "指定河川洪水予報", "vxko_other_river.xml")
    jma.add("n1", "竜巻注意情報", "not_handled_tornado.xml")
    jma.add("q1", SOKUHO, "vxse51_elsewhere.xml")
    jma.add("c1", TSUNAMI, "vtse41_cancel_elsewhere.xml")
    poll()
    line = texts(channels, residents["line"])
    assert len(line) == 2 and "強い 雨" in line[0] and "荒川" in line[1]
    assert ["荒川" in t for t in texts(channels, residents["asleep"])] == [True]  # 氾濫危険: urgent
    assert states() == ["processed", "processed", "not_for_ward", "not_handled", "not_for_ward",
                        "unchanged"]
    assert jma.hits.get("/data/n1.xml") is None  # a type not handled is not even fetched
    assert "大阪" not in line[0]


def test_broken_telegrams_are_retried_then_shown_as_failed_never_marked_read(jma, poll,
                                                                             residents, channels):
    from alerts.feeds import MAX_ATTEMPTS

    jma.add("b1", WEATHER, body=telegram_html(), kind="text/html; charset=utf-8")
    jma.add("b2", WEATHER, "malformed.xml")
    jma.add("b3", SHINGEN, "malformed.xml", path="/data/b3.xml")
    poll()
    assert states() == ["pending", "pending", "pending"]
    jma.serve("/data/b3.xml", (jma_dir() / "vxse53_chuo_int5lower.xml").read_bytes())
    poll()  # b3 is readable now: processed on its retry
    assert [t.state for t in Telegram.objects.order_by("pk")][2] == "processed"
    assert len(texts(channels, residents["line"])) == 1
    for _ in range(MAX_ATTEMPTS + 3):
        poll()
    b1, b2, _ = Telegram.objects.order_by("pk")
    assert (b1.state, b1.attempts) == ("failed", MAX_ATTEMPTS) and "HTML" in b1.last_error
    assert (b2.state, b2.attempts) == ("failed", MAX_ATTEMPTS)
    assert jma.hits["/data/b1.xml"] == MAX_ATTEMPTS  # never fetched forever


def test_feeds_are_polled_with_conditional_get(jma, poll, residents):
    jma.add("w1", WEATHER, "vpww53_tokyo_chuo_advisories.xml")
    poll()
    poll()
    poll()
    assert jma.not_modified == 2 and jma.hits["/data/w1.xml"] == 1


def test_an_editors_switch_wins_until_released(jma, poll, residents, channels):
    site = Site.objects.get(is_default_site=True)
    switch = EmergencySwitch.for_site(site)
    switch.mode = EmergencySwitch.OFF
    switch.save()
    jma.add("w1", WEATHER, "vpww53_tokyo_chuo_storm_warning.xml")
    poll()
    assert len(texts(channels, residents["line"])) == 1  # residents are still warned
    assert not emergency().active
    switch.mode, switch.headline = EmergencySwitch.ON, "区役所からのお知らせ"
    switch.save()
    assert emergency().active and emergency().headline == "区役所からのお知らせ"
    jma.add("w2", WEATHER, "vpww53_tokyo_chuo_nothing.xml")  # lifted: the editor still holds it
    poll()
    assert emergency().active and emergency().headline == "区役所からのお知らせ"
    switch.mode = EmergencySwitch.AUTO
    switch.save()
    assert not emergency().active


def jma_dir():
    from .conftest import TELEGRAMS

    return TELEGRAMS


def telegram_html() -> bytes:
    return (jma_dir() / "error_page.html").read_bytes()


def test_english_subscribers_get_the_english_text(jma, poll, channels):
    push, line = channels
    en_line = make_resident(push, "line", ["bosai"], lang="en")
    en_push = make_resident(push, "webpush", ["bosai"], lang="en")
    ja_push = make_resident(push, "webpush", ["bosai"])
    jma.add("t1", TSUNAMI, "vtse41_tokyo_bay_warning.xml")
    poll()
    [line_text] = texts(channels, en_line)
    assert line_text.startswith("[URGENT] Tsunami warning for inner Tokyo Bay")
    [english] = received(push, line, en_push)
    assert english["title"] == "Tsunami warning for inner Tokyo Bay"
    assert "tall, sturdy building" in english["body"]
    [japanese] = received(push, line, ja_push)
    assert japanese["title"] == "津波警報（東京湾内湾）"


def test_an_unreachable_feed_is_a_warning_not_a_crash(settings, poll, caplog):
    from tests.support.hub import free_port

    settings.JMA_FEED_URLS = [f"http://127.0.0.1:{free_port()}/feed.xml"]  # nothing listens
    poll()
    assert "not reachable" in caplog.text and "Traceback" not in caplog.text
