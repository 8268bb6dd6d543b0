from __future__ import annotations

import itertools

import pytest

from notifier import vocabulary
from notifier.models import Subscriber

from .servers import LineApi, PushService, line_user_id

_line_ids = itertools.count(1)


@pytest.fixture
def push_service():
    with PushService() as service:
        yield service


@pytest.fixture
def line_api():
    with LineApi() as api:
        yield api


@pytest.fixture
def channels(settings, push_service, line_api):
    """The hub pointed at the local LINE API and push service."""
    settings.LINE_API_BASE = line_api.origin
    settings.LINE_CHANNEL_ACCESS_TOKEN = line_api.access_token
    settings.LINE_CHANNEL_SECRET = "test-line-secret"
    settings.WEBPUSH_ALLOW_LOOPBACK = True
    settings.NOTIFIER_RETRY_BASE_SECONDS = 0.2
    return push_service, line_api


def make_resident(push_service, channel: str, topics: list[str], areas: list[str] | None = None,
                  **extra) -> Subscriber:
    subscriber = Subscriber(channel=channel, topic_mask=vocabulary.topic_mask(topics),
                            area_mask=vocabulary.area_mask(areas or []), **extra)
    if channel == "line":
        subscriber.line_user_id = line_user_id(next(_line_ids) + 10_000_000)
    else:
        sub = push_service.subscription()
        subscriber.endpoint = sub["endpoint"]
        subscriber.p256dh = sub["keys"]["p256dh"]
        subscriber.auth = sub["keys"]["auth"]
    subscriber.save()
    return subscriber


def received(push_service, line_api, subscriber: Subscriber) -> list[dict]:
    if subscriber.channel == "line":
        return line_api.messages(subscriber.line_user_id)
    return push_service.messages(subscriber.endpoint)
