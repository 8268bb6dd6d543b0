"""Browser subscriptions (contract §2): validate everything, then create or update."""

from __future__ import annotations

from django.db import transaction

from . import channels, vocabulary
from .channels.base import InvalidAddress
from .models import Channel, Subscriber


class BadSubscription(ValueError):
    """Input a resident's browser sent that we cannot store; the message says why."""


def _keys(value, what: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise BadSubscription(f"{what} must be a list of keys")
    return value


def save_browser_subscription(data: object) -> tuple[Subscriber, bool]:
    if not isinstance(data, dict):
        raise BadSubscription("body must be a JSON object")
    sub = data.get("subscription")
    if not isinstance(sub, dict) or not isinstance(sub.get("keys"), dict):
        raise BadSubscription("subscription must be {endpoint, keys: {p256dh, auth}}")
    endpoint, keys = sub.get("endpoint"), sub["keys"]
    p256dh, auth = keys.get("p256dh"), keys.get("auth")
    if not isinstance(p256dh, str) or not isinstance(auth, str):
        raise BadSubscription("subscription.keys needs p256dh and auth strings")
    try:  # contract §3a, as the channel checks it again before every send
        channels.get(Channel.WEBPUSH).validate_address(
            {"endpoint": endpoint, "p256dh": p256dh, "auth": auth})
    except InvalidAddress as exc:
        raise BadSubscription(str(exc)) from exc
    topics = _keys(data.get("topics"), "topics")
    areas = _keys(data.get("areas"), "areas")
    if not topics:
        raise BadSubscription("choose at least one topic")
    lang = data.get("lang", "ja")
    if lang not in ("ja", "en"):
        raise BadSubscription("lang must be 'ja' or 'en'")
    try:
        topic_mask, area_mask = vocabulary.topic_mask(topics), vocabulary.area_mask(areas)
    except vocabulary.UnknownKey as exc:
        raise BadSubscription(str(exc)) from exc
    quiet = data.get("quiet_hours")
    quiet_start = quiet_end = None
    if quiet:
        from datetime import time

        try:
            quiet_start = time.fromisoformat(quiet["start"])
            quiet_end = time.fromisoformat(quiet["end"])
        except (TypeError, KeyError, ValueError) as exc:
            raise BadSubscription("quiet_hours must be {start: 'HH:MM', end: 'HH:MM'}") from exc
    with transaction.atomic():
        subscriber, created = Subscriber.objects.update_or_create(
            endpoint=endpoint,
            defaults={"channel": Channel.WEBPUSH, "p256dh": p256dh, "auth": auth,
                      "topic_mask": topic_mask, "area_mask": area_mask, "lang": lang,
                      "quiet_start": quiet_start, "quiet_end": quiet_end},
        )
    return subscriber, created


def delete_browser_subscription(endpoint: object) -> int:
    if not isinstance(endpoint, str) or not endpoint:
        raise BadSubscription("endpoint is required")
    deleted, _ = Subscriber.objects.filter(endpoint=endpoint).delete()
    return deleted
