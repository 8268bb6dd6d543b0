"""Browser subscriptions (contract §2): validate everything, then create or update."""

from __future__ import annotations

from datetime import time

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


def _quiet_hours(quiet: object) -> tuple[time | None, time | None]:
    """(start, end) in the ward's local time; an offset ("22:00+09:00") is refused, as the
    quiet hours are the resident's evening in Chuo City, not a moment somewhere else."""
    if not quiet:
        return None, None
    message = "quiet_hours must be {start: 'HH:MM', end: 'HH:MM'} in Japan time, no offset"
    if not isinstance(quiet, dict):
        raise BadSubscription(message)
    try:
        start, end = time.fromisoformat(quiet["start"]), time.fromisoformat(quiet["end"])
    except (TypeError, KeyError, ValueError) as exc:
        raise BadSubscription(message) from exc
    if start.tzinfo is not None or end.tzinfo is not None:
        raise BadSubscription(message)
    return start, end


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
    quiet_start, quiet_end = _quiet_hours(data.get("quiet_hours"))
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
