"""A bad subscription or a platform's refusal is that one delivery's business: with one
subscriber of each fault in the same notice as healthy ones, every healthy resident gets
exactly one message, each fault ends in its documented state, and no delivery is tried
more often than the cap — not even by the sweeper."""

from __future__ import annotations

import time
from email.utils import format_datetime

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from notifier.deliveries import failure_reasons, statistics
from notifier.models import Delivery, LineBatch, Subscriber
from notifier.notices import create_notice
from notifier.sending import drain
from notifier.tasks import sweep

from .conftest import make_resident
from .test_fanout import run_until_done

pytestmark = pytest.mark.django_db
CAP = 4


@pytest.fixture
def capped(settings, channels):
    settings.NOTIFIER_MAX_ATTEMPTS = CAP
    settings.NOTIFIER_RETRY_BASE_SECONDS = 0.1
    settings.WEBPUSH_READ_TIMEOUT = 0.5
    settings.NOTIFIER_SENDING_LEASE_SECONDS = 0.0  # every sweep treats claims as abandoned
    return channels


def http_date(seconds_ahead: float) -> str:
    return format_datetime(timezone.now() + timezone.timedelta(seconds=seconds_ahead), usegmt=True)


# what each fault does at the push service → how its delivery must end
FAULTS = {
    "201": ({"status": 201}, "sent", 1, ""),
    "404": ({"status": 404}, "failed_permanent", 1, "HTTP 404"),
    "410": ({"status": 410}, "failed_permanent", 1, "HTTP 410"),
    "413": ({"status": 413}, "failed_permanent", 1, "HTTP 413"),
    "429 seconds": ({"status": 429, "retry_after": "1"}, "failed_permanent", CAP, "HTTP 429"),
    "429 date": ({"status": 429, "retry_after": "date"}, "failed_permanent", CAP, "HTTP 429"),
    "500": ({"status": 500}, "failed_permanent", CAP, "HTTP 500"),
    "hang": ({"hang": 1.5}, "failed_permanent", CAP, "timed out"),
    "reset": ({"reset": True}, "failed_permanent", CAP, "connection"),
}


def test_each_fault_ends_in_its_state_and_healthy_residents_get_one_message(capped, client):
    push_service, line_api = capped
    healthy_web = [make_resident(push_service, "webpush", ["bosai"]) for _ in range(5)]
    healthy_line = [make_resident(push_service, "line", ["bosai"]) for _ in range(5)]
    faulty = {}
    for name, (behaviour, *_rest) in FAULTS.items():
        resident = make_resident(push_service, "webpush", ["bosai"])
        if name != "201":
            if behaviour.get("retry_after") == "date":
                behaviour = {**behaviour, "retry_after": http_date(3.0)}
            push_service.behave(resident.endpoint, **behaviour)
        faulty[name] = resident
    # stored before validation existed: straight into the table, as an old row would be
    poison = Subscriber.objects.create(
        channel="webpush", endpoint="https://fcm.googleapis.com:99999/fcm/send/x",
        p256dh=healthy_web[0].p256dh, auth=healthy_web[0].auth, topic_mask=1)
    bad_keys = Subscriber.objects.create(
        channel="webpush", endpoint=push_service.subscription()["endpoint"], p256dh="AAAA",
        auth="x", topic_mask=1)
    bad_line_id = Subscriber.objects.create(channel="line", line_user_id="not-a-line-id",
                                            topic_mask=1)

    notice, _ = create_notice(title="避難情報", body="高齢者等避難を発令しました", topics=["bosai"],
                              url="/bosai/", plan_now=True)
    delivery_of = dict(Delivery.objects.filter(notice=notice).values_list("subscriber_id", "pk"))
    run_until_done(notice, timeout=60)
    for _ in range(3):  # the sweeper, again and again: nothing more is sent
        sweep()
        drain(notice.pk)

    for resident in healthy_web:
        assert len(push_service.messages(resident.endpoint)) == 1
        assert len(push_service.attempts_by_sub[resident.endpoint.rsplit("/", 1)[1]]) == 1
    for resident in healthy_line:
        assert len(line_api.messages(resident.line_user_id)) == 1
    for name, (_behaviour, status, attempts, reason) in FAULTS.items():
        resident = faulty[name]
        delivery = Delivery.objects.get(pk=delivery_of[resident.pk])
        if name in ("404", "410"):  # the browser unsubscribed: the resident's data is gone
            assert not Subscriber.objects.filter(pk=resident.pk).exists()
        assert delivery.status == status, (name, delivery.status, delivery.last_error)
        assert delivery.attempts == attempts, (name, delivery.attempts)
        assert reason.lower() in delivery.last_error.lower(), (name, delivery.last_error)
        sub_id = resident.endpoint.rsplit("/", 1)[1]
        assert len(push_service.attempts_by_sub[sub_id]) == attempts, name
        if attempts == CAP:
            assert f"gave up after {CAP} attempts" in delivery.last_error
    for name in ("429 seconds", "429 date"):  # the pause the push service asked for
        times = push_service.attempts_by_sub[faulty[name].endpoint.rsplit("/", 1)[1]]
        assert times[1] - times[0] >= 0.9, (name, times)

    for stored, reason in ((poison, "invalid address"), (bad_keys, "p256dh"),
                           (bad_line_id, "LINE user id")):
        delivery = Delivery.objects.get(notice=notice, subscriber=stored)
        assert delivery.status == "failed_permanent" and delivery.attempts == 1
        assert reason in delivery.last_error
    assert max(Delivery.objects.filter(notice=notice).values_list("attempts", flat=True)) == CAP
    assert max(LineBatch.objects.filter(notice=notice).values_list("attempts", flat=True)) == 1
    assert push_service.errors == []

    # editors see why, in the statistics
    stats = statistics(notice)
    assert stats["webpush"]["sent"] == 6 and stats["line"]["sent"] == 5
    reasons = " ".join(reason for _, reason, _ in failure_reasons(notice))
    assert "gave up after 4 attempts" in reasons and "invalid address" in reasons
    editor = get_user_model().objects.create_superuser("stats", "s@example.jp", "pw")
    client.force_login(editor)
    page = client.get(f"/admin/notices/{notice.pk}/").content.decode()
    assert "失敗の理由" in page and "invalid address" in page


def test_bad_vapid_subject_fails_push_deliveries_once_each_and_spares_line(capped, settings):
    push_service, line_api = capped
    web = make_resident(push_service, "webpush", ["gomi"])
    friend = make_resident(push_service, "line", ["gomi"])
    settings.VAPID_SUBJECT = "info@city.chuo.lg.jp"  # no mailto:
    notice, _ = create_notice(title="収集日", body="変わります", topics=["gomi"], plan_now=True)
    run_until_done(notice)
    delivery = Delivery.objects.get(notice=notice, subscriber=web)
    assert delivery.status == "failed_permanent" and delivery.attempts == 1
    assert "VAPID_SUBJECT" in delivery.last_error
    assert push_service.messages(web.endpoint) == []
    assert len(line_api.messages(friend.line_user_id)) == 1


def test_retry_after_as_http_date_is_honoured_for_line(capped):
    push_service, line_api = capped
    friend = make_resident(push_service, "line", ["event"])
    line_api.fail_next(1, status=429, retry_after=http_date(3.0))
    notice, _ = create_notice(title="祭り", body="開催", topics=["event"], plan_now=True)
    started = time.monotonic()
    drain(notice.pk)
    batch = LineBatch.objects.get(notice=notice)
    assert batch.status == "failed_temporary"
    assert (batch.due_at - timezone.now()).total_seconds() > 1.0  # not 60 s, not at once
    run_until_done(notice)
    assert time.monotonic() - started >= 1.0
    assert len(line_api.messages(friend.line_user_id)) == 1


def test_the_sweeper_resends_abandoned_claims_only_while_attempts_are_left(capped):
    push_service, _ = capped
    tried_out, fresh = (make_resident(push_service, "webpush", ["gomi"]) for _ in range(2))
    notice, _ = create_notice(title="収集日", body="変わります", topics=["gomi"], plan_now=True)
    long_ago = timezone.now() - timezone.timedelta(hours=1)
    # a worker died holding both: one had used every attempt, one had tried once
    Delivery.objects.filter(notice=notice, subscriber=tried_out).update(
        status="sending", attempts=CAP, claimed_at=long_ago)
    Delivery.objects.filter(notice=notice, subscriber=fresh).update(
        status="sending", attempts=1, claimed_at=long_ago)
    sweep()
    run_until_done(notice)
    done = Delivery.objects.get(notice=notice, subscriber=tried_out)
    assert done.status == "failed_permanent" and done.attempts == CAP
    assert f"gave up after {CAP} attempts" in done.last_error
    assert push_service.messages(tried_out.endpoint) == []
    resent = Delivery.objects.get(notice=notice, subscriber=fresh)
    assert resent.status == "sent" and resent.attempts == 2
    assert len(push_service.messages(fresh.endpoint)) == 1


@pytest.mark.parametrize("fault", [
    {"status": 500}, {"status": 429, "retry_after": "1"}, {"reset": True},
    {"hang": 2.0},  # past LINE_READ_TIMEOUT, answer never comes
])
def test_a_line_batch_that_fails_once_is_sent_once_with_the_same_key(capped, settings, fault):
    push_service, line_api = capped
    settings.LINE_READ_TIMEOUT = 0.5
    friends = [make_resident(push_service, "line", ["event"]) for _ in range(3)]
    line_api.fail_next(1, **fault)
    notice, _ = create_notice(title="祭り", body="開催", topics=["event"], plan_now=True)
    run_until_done(notice)
    assert [len(line_api.messages(f.line_user_id)) for f in friends] == [1, 1, 1]
    assert len({key for key, _ in line_api.attempts}) == 1  # one retry key, reused
    assert Delivery.objects.filter(notice=notice, status="sent", attempts=2).count() == 3


def test_a_line_batch_reclaimed_before_its_deliveries_still_reaches_every_friend(capped):
    """A worker died during a multicast. The sweeper has made the batch claimable again but
    not yet reached its deliveries (still "sending" under the dead claim) when another
    worker takes the batch: every friend must still get the message once, and none wait
    forever (seen under load in the kill -9 test before the fix)."""
    push_service, line_api = capped
    friends = [make_resident(push_service, "line", ["bosai"]) for _ in range(3)]
    notice, _ = create_notice(title="大雨", body="注意", topics=["bosai"], plan_now=True)
    long_ago = timezone.now() - timezone.timedelta(hours=1)
    LineBatch.objects.filter(notice=notice).update(status="failed_temporary", attempts=1,
                                                   due_at=long_ago)
    Delivery.objects.filter(notice=notice).update(status="sending", attempts=1,
                                                  claimed_at=long_ago)
    drain(notice.pk)
    assert [len(line_api.messages(f.line_user_id)) for f in friends] == [1, 1, 1]
    assert Delivery.objects.filter(notice=notice, status="sent", attempts=2).count() == 3
