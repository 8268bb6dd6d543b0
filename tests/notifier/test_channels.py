"""The channel interface: a third channel is one module and its registration; the rules
every channel shares (Retry-After, the VAPID audience, the address checks)."""

from __future__ import annotations

import os
import subprocess
import sys
from email.utils import format_datetime

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from hypothesis import given, seed
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from notifier import channels as registry
from notifier.channels.base import ChannelClient, InvalidAddress
from notifier.channels.outcome import Outcome, parse_retry_after
from notifier.channels.webpush import KNOWN_PUSH_HOSTS, check_endpoint, check_vapid_subject, origin
from notifier.deliveries import statistics
from notifier.models import Delivery, Subscriber
from notifier.notices import create_notice
from tests.support.hub import REPO

from .test_fanout import run_until_done

OUTBOX: list[tuple[str, str]] = []


class OutboxChannel(ChannelClient):
    """What an e-mail channel would be, with a list standing in for the mail server."""

    name = "outbox"
    label = "メール"

    def validate_address(self, address):
        if "@" not in (address.get("address") or ""):
            raise InvalidAddress("an e-mail address has an @")

    def render(self, notice, lang):
        return f"{notice.title}\n\n{notice.body}"

    def send_one(self, notice, rendered, recipient):
        OUTBOX.append((recipient.address["address"], rendered))
        return Outcome.sent()


@pytest.mark.django_db
def test_a_third_channel_is_one_class_and_its_registration(channels, settings):
    settings.NOTIFIER_CHANNELS = [*registry.DEFAULT_CHANNELS, "tests.notifier.test_channels.OutboxChannel"]
    OUTBOX.clear()
    resident = Subscriber.objects.create(channel="outbox", address="hanako@example.jp", topic_mask=1)
    bad = Subscriber.objects.create(channel="outbox", address="no-at-sign", topic_mask=1)
    notice, _ = create_notice(title="避難所の開設", body="区民館を開設しました", topics=["bosai"],
                              plan_now=True)
    run_until_done(notice)
    assert OUTBOX == [("hanako@example.jp", "避難所の開設\n\n区民館を開設しました")]
    assert Delivery.objects.get(subscriber=resident).status == "sent"
    assert "an e-mail address has an @" in Delivery.objects.get(subscriber=bad).last_error
    assert statistics(notice)["outbox"]["sent"] == 1
    assert ("outbox", "メール") in registry.channel_choices()


def test_retry_after_in_seconds_or_as_an_http_date():
    assert parse_retry_after("120") == 120.0
    soon = format_datetime(timezone.now() + timezone.timedelta(seconds=90), usegmt=True)
    assert 88 <= parse_retry_after(soon) <= 90
    past = format_datetime(timezone.now() - timezone.timedelta(seconds=90), usegmt=True)
    assert parse_retry_after(past) == 0.0
    assert parse_retry_after("Wed, 21 Oct 2999 07:28:00 GMT") == 3600.0  # capped
    assert parse_retry_after("soon") is None and parse_retry_after(None) is None


@pytest.mark.parametrize("endpoint, expected", [
    ("https://FCM.GoogleAPIs.com/fcm/send/x", "https://fcm.googleapis.com"),
    ("https://fcm.googleapis.com:443/fcm/send/x", "https://fcm.googleapis.com"),
    ("HTTPS://user:pw@updates.push.services.mozilla.com/wpush/v2/x", "https://updates.push.services.mozilla.com"),
    ("http://127.0.0.1:8123/push/x", "http://127.0.0.1:8123"),
    ("http://127.0.0.1:80/push/x", "http://127.0.0.1"),
])
def test_vapid_audience_is_the_endpoints_origin(endpoint, expected):
    assert origin(endpoint) == expected


@pytest.mark.parametrize("subject, ok", [
    ("mailto:info@city.chuo.lg.jp", True), ("https://www.city.chuo.lg.jp/", True),
    ("info@city.chuo.lg.jp", False), ("mailto:", False), ("http://city.chuo.lg.jp", False),
])
def test_vapid_subject_is_a_mailto_or_https_uri(subject, ok):
    if ok:
        check_vapid_subject(subject)
    else:
        with pytest.raises(ImproperlyConfigured, match="VAPID_SUBJECT"):
            check_vapid_subject(subject)


@pytest.mark.parametrize("variable, value, message", [
    ("VAPID_SUBJECT", "info@city.chuo.lg.jp", "VAPID_SUBJECT must be mailto:"),
    ("VAPID_PRIVATE_KEY", "not-a-key", "VAPID_PRIVATE_KEY must be"),
])
def test_the_hub_does_not_start_with_vapid_settings_push_services_refuse(tmp_path, variable, value, message):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "cms.settings.test", "HUB_VAR_DIR": str(tmp_path),
           "DATABASE_URL": f"sqlite:///{tmp_path / 'hub.sqlite3'}", variable: value}
    done = subprocess.run([sys.executable, "manage.py", "check"], cwd=REPO, env=env,
                          capture_output=True, text=True)
    assert done.returncode != 0 and f"ImproperlyConfigured: {message}" in done.stderr, done.stderr[-2000:]


@seed(3)
@hsettings(max_examples=300, deadline=None)
@given(st.one_of(
    st.text(max_size=1200),
    st.builds(lambda scheme, userinfo, host, port, path: f"{scheme}://{userinfo}{host}{port}/{path}",
              st.sampled_from(["https", "HTTPS", "http", "ftp", ""]),
              st.sampled_from(["", "u@", "u:p@", "@"]),
              st.sampled_from(["fcm.googleapis.com", "FCM.googleapis.com", "x.notify.windows.com",
                               "notify.windows.com.evil", "127.0.0.1", "web.push.apple.com."]),
              st.sampled_from(["", ":443", ":99999", ":0", ":abc", ":", ":8443", ":-1"]),
              st.text(max_size=1000)),
))
def test_any_endpoint_is_accepted_only_as_contract_3a_says(endpoint):
    from urllib.parse import urlsplit

    from django.test import override_settings

    with override_settings(WEBPUSH_ALLOW_LOOPBACK=False):
        try:
            check_endpoint(endpoint)
        except InvalidAddress:
            return
    parts = urlsplit(endpoint)
    assert endpoint.isascii() and len(endpoint) <= 1000 and parts.scheme.lower() == "https"
    assert "@" not in parts.netloc and parts.port in (None, 443)
    host = parts.hostname
    assert host in KNOWN_PUSH_HOSTS or any(h.startswith(".") and host.endswith(h) for h in KNOWN_PUSH_HOSTS)
