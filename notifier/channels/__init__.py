"""The channels residents can subscribe on, registered by name in settings.NOTIFIER_CHANNELS
(dotted paths of ChannelClient subclasses). Everything outside this package asks here."""

from __future__ import annotations

from functools import cache

from django.conf import settings
from django.utils.module_loading import import_string

from .base import ChannelClient

DEFAULT_CHANNELS = [
    "notifier.channels.line.LineChannel",
    "notifier.channels.webpush.WebPushChannel",
]


@cache
def _registry(paths: tuple[str, ...]) -> dict[str, ChannelClient]:
    registry: dict[str, ChannelClient] = {}
    for path in paths:
        client = import_string(path)()
        if client.name in registry:
            raise ValueError(f"two channels are named {client.name!r}")
        registry[client.name] = client
    return registry


def registry() -> dict[str, ChannelClient]:
    return _registry(tuple(getattr(settings, "NOTIFIER_CHANNELS", DEFAULT_CHANNELS)))


def get(name: str) -> ChannelClient:
    try:
        return registry()[name]
    except KeyError:
        raise LookupError(f"no channel {name!r} is registered (NOTIFIER_CHANNELS)") from None


def all_channels() -> list[ChannelClient]:
    return list(registry().values())


def channel_choices() -> list[tuple[str, str]]:
    """Model field choices (a callable: registering a channel needs no migration)."""
    return [(c.name, c.label) for c in all_channels()]
