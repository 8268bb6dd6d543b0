"""A notice reaches exactly the residents whose topics and districts match, once each."""

from __future__ import annotations

import itertools
import time
from datetime import datetime, timedelta
from datetime import time as dtime
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from cms.core import clock
from notifier import vocabulary
from notifier.deliveries import statistics
from notifier.models import Delivery, LineBatch, Notice, Subscriber
from notifier.notices import create_notice
from notifier.sending import drain
from notifier.targeting import TOKYO, quiet_until
from tests.support.clock import offset_to_tokyo

from .conftest import make_resident, received

pytestmark = pytest.mark.django_db


def run_until_done(notice: Notice, timeout: float = 20.0) -> None:
    """What the worker does: drain due work, again after retry delays."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        drain(notice.pk)
        if not Delivery.objects.filter(notice=notice, status__in=["pending", "sending", "failed_temporary"]).exists():
            return
        time.sleep(0.1)
    raise AssertionError(f"deliveries still open: {statistics(notice)}")


def test_every_taxonomy_key_has_a_bit():
    from cms.core.taxonomy import area_keys, topic_keys

    assert topic_keys() == set(vocabulary.TOPIC_BITS)
    assert area_keys() == set(vocabulary.AREA_BITS)


def test_notice_reaches_exactly_the_matching_residents(channels):
    push_service, line_api = channels
    area_options = [[], ["kyobashi"], ["nihonbashi"], ["tsukishima"], ["kyobashi", "tsukishima"]]
    residents = []
    for channel, mine, areas in itertools.product(["line", "webpush"], [["gomi"], ["bosai", "kosodate"], ["gomi", "kosodate"]], area_options):
        residents.append(make_resident(push_service, channel, mine, areas))

    notice, created = create_notice(title="粗大ごみ受付の変更", body="京橋地域の収集日が変わります",
                                    topics=["gomi"], areas=["kyobashi"], url="/gomi/",
                                    plan_now=True)
    assert created
    run_until_done(notice)

    for r in residents:
        wants = "gomi" in r.topics and (r.areas == ["all"] or "kyobashi" in r.areas)
        got = received(push_service, line_api, r)
        assert len(got) == (1 if wants else 0), (r.channel, r.topics, r.areas, got)
    web = [r for r in residents if r.channel == "webpush" and received(push_service, line_api, r)]
    message = received(push_service, line_api, web[0])[0]
    assert message["title"] == "粗大ごみ受付の変更"
    assert message["url"].endswith("/gomi/") and message["tag"] == f"notice-{notice.pk}"
    assert message["_urgency"] == "normal"
    line_user = next(r for r in residents if r.channel == "line" and received(push_service, line_api, r))
    assert "粗大ごみ受付の変更" in received(push_service, line_api, line_user)[0]["text"]
    assert push_service.errors == []

    # a ward-wide notice reaches every subscriber of the topic, whatever their districts
    ward_wide, _ = create_notice(title="防災訓練", body="全域で実施します", topics=["bosai"], plan_now=True)
    run_until_done(ward_wide)
    expected = {r.pk for r in residents if "bosai" in r.topics}
    assert set(Delivery.objects.filter(notice=ward_wide, status="sent").values_list("subscriber_id", flat=True)) == expected


def test_send_notice_command_prints_recipients_per_channel(channels):
    push_service, _ = channels
    make_resident(push_service, "line", ["kenko"], ["tsukishima"])
    make_resident(push_service, "webpush", ["kenko"], [])
    make_resident(push_service, "webpush", ["kenko"], ["kyobashi"])
    out = StringIO()
    call_command("send_notice", "--topics", "kenko", "--areas", "tsukishima", "--title", "健診",
                 "--body", "月島で健診", "--severity", "info", stdout=out)
    lines = out.getvalue().splitlines()
    notice_id = int(lines[0].split()[1])
    assert "line: 1" in lines and "webpush: 1" in lines and "total: 2" in lines
    assert Delivery.objects.filter(notice_id=notice_id).count() == 2
    with pytest.raises(CommandError, match="unknown topic"):
        call_command("send_notice", "--topics", "nope", "--title", "x", "--body", "y")


def test_line_batches_of_at_most_500_with_retry_key_stored_first(channels):
    push_service, line_api = channels
    Subscriber.objects.bulk_create([
        Subscriber(channel="line", line_user_id=f"U{n:032x}", topic_mask=1) for n in range(1, 1202)
    ])
    notice, _ = create_notice(title="大雨", body="注意", topics=["bosai"], plan_now=True)
    batches = list(LineBatch.objects.filter(notice=notice))
    assert [len(b.recipients) for b in batches] == [500, 500, 201]
    keys = {str(b.retry_key) for b in batches}
    line_api.fail_next(1, status=500)  # first batch: server error, retried with the same key
    line_api.fail_next(1, status=429, retry_after=1)
    run_until_done(notice)
    attempts_by_key = {}
    for key, status in line_api.attempts:
        attempts_by_key.setdefault(key, []).append(status)
    assert set(attempts_by_key) == keys
    assert sorted(attempts_by_key.values()) == sorted([[500, 200], [429, 200], [200]])
    counts = line_api.message_counts()
    assert len(counts) == 1201 and set(counts.values()) == {1}
    assert statistics(notice)["line"]["sent"] == 1201


def test_line_timeout_after_accept_is_not_sent_twice(channels, settings):
    push_service, line_api = channels
    settings.LINE_READ_TIMEOUT = 1.0
    resident = make_resident(push_service, "line", ["event"])
    notice, _ = create_notice(title="祭り", body="開催", topics=["event"], plan_now=True)
    line_api.fail_next(1, hang=2.0, after_accept=True)  # LINE took it, the answer never came
    run_until_done(notice)
    assert [s for _, s in line_api.attempts] == [0, 409]
    assert len(line_api.messages(resident.line_user_id)) == 1
    assert Delivery.objects.get(notice=notice).status == "sent"


def test_line_client_error_is_not_retried(channels, settings):
    push_service, line_api = channels
    make_resident(push_service, "line", ["event"])
    notice, _ = create_notice(title="祭り", body="開催", topics=["event"], plan_now=True)
    line_api.fail_next(1, status=400)
    run_until_done(notice)
    delivery = Delivery.objects.get(notice=notice)
    assert delivery.status == "failed_permanent" and "400" in delivery.last_error
    assert len(line_api.attempts) == 1


def test_webpush_retries_and_forgets_expired_subscriptions(channels):
    push_service, line_api = channels
    alive = make_resident(push_service, "webpush", ["zei"])
    expired = make_resident(push_service, "webpush", ["zei"])
    push_service.gone.add(expired.endpoint.rsplit("/", 1)[1])
    push_service.fail_next(1, status=429, retry_after=1)
    notice, _ = create_notice(title="納期限", body="今月末です", topics=["zei"], plan_now=True)
    started = time.monotonic()
    run_until_done(notice)
    assert time.monotonic() - started >= 0.9  # waited as the push service asked
    assert len(push_service.messages(alive.endpoint)) == 1
    assert not Subscriber.objects.filter(pk=expired.pk).exists()  # 410: their data is gone
    stats = statistics(notice)["webpush"]
    assert stats["sent"] == 1 and stats["failed_permanent"] == 1


def test_quiet_hours_defer_except_urgent_disaster_notices(channels, settings):
    push_service, _ = channels
    settings.HUB_CLOCK_OFFSET_SECONDS = offset_to_tokyo(12, 0)  # inside 00:00-23:59:59
    sleeper = make_resident(push_service, "webpush", ["bosai", "event"],
                            quiet_start=dtime(0, 0), quiet_end=dtime(23, 59, 59))
    event, _ = create_notice(title="祭り", body="開催", topics=["event"], plan_now=True)
    urgent, _ = create_notice(title="大津波警報", body="避難してください", topics=["bosai"],
                              severity="urgent", plan_now=True)
    drain(event.pk)
    run_until_done(urgent)
    got = push_service.messages(sleeper.endpoint)
    assert [m["title"] for m in got] == ["大津波警報"] and got[0]["_urgency"] == "high"
    assert Delivery.objects.get(notice=event).status == "pending"


def test_at_night_on_the_hubs_clock_info_waits_and_a_disaster_warning_does_not(channels, settings):
    """22:00-07:00 quiet hours, and the hub's clock says 23:30 in Tokyo: the event notice is
    due at 07:00 (on the wall clock the sender reads), the urgent bosai one goes now."""
    push_service, _ = channels
    settings.HUB_CLOCK_OFFSET_SECONDS = offset_to_tokyo(23, 30)
    resident = make_resident(push_service, "webpush", ["bosai", "event"],
                             quiet_start=dtime(22, 0), quiet_end=dtime(7, 0))
    event, _ = create_notice(title="祭り", body="開催", topics=["event"], plan_now=True)
    urgent, _ = create_notice(title="大津波警報", body="避難してください", topics=["bosai"],
                              severity="urgent", plan_now=True)
    drain(event.pk)
    run_until_done(urgent)
    assert [m["title"] for m in push_service.messages(resident.endpoint)] == ["大津波警報"]
    waiting = Delivery.objects.get(notice=event)
    morning = clock.now().astimezone(TOKYO).replace(hour=7, minute=0, second=0, microsecond=0)
    morning += timedelta(days=1)  # 23:30 -> tomorrow 07:00
    assert waiting.status == "pending" and waiting.due_at == clock.to_wall_clock(morning)

    settings.HUB_CLOCK_OFFSET_SECONDS = offset_to_tokyo(12, 0)  # at noon it goes at once
    lunch, _ = create_notice(title="昼の祭り", body="開催", topics=["event"], plan_now=True)
    run_until_done(lunch)
    assert [m["title"] for m in push_service.messages(resident.endpoint)] == ["大津波警報", "昼の祭り"]


def test_quiet_until_crosses_midnight():
    start, end = dtime(22, 0), dtime(7, 0)
    late = datetime(2026, 5, 1, 23, 30, tzinfo=TOKYO)
    early = datetime(2026, 5, 2, 6, 0, tzinfo=TOKYO)
    noon = datetime(2026, 5, 2, 12, 0, tzinfo=TOKYO)
    assert quiet_until(start, end, late) == datetime(2026, 5, 2, 7, 0, tzinfo=TOKYO)
    assert quiet_until(start, end, early) == datetime(2026, 5, 2, 7, 0, tzinfo=TOKYO)
    assert quiet_until(start, end, noon) is None


def test_same_idempotency_key_sends_once(channels):
    first, created = create_notice(title="a", body="b", topics=["gomi"], idempotency_key="news:1:0")
    again, created_again = create_notice(title="a", body="b", topics=["gomi"], idempotency_key="news:1:0")
    assert created and not created_again and first.pk == again.pk
