"""Saying what time of day it is for the hub (cms.core.clock), in-process or in a hub the
test starts (HUB_CLOCK_OFFSET_SECONDS), so a test passes at any hour."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

from django.utils import timezone

from cms.core import clock

TOKYO = ZoneInfo("Asia/Tokyo")


def offset_to_tokyo(hour: int, minute: int = 0) -> float:
    """The HUB_CLOCK_OFFSET_SECONDS that makes the hub's clock show today's hour:minute
    in Tokyo (time then passes as usual)."""
    today = timezone.now().astimezone(TOKYO).date()
    return clock.offset_for(datetime.combine(today, time(hour, minute), tzinfo=TOKYO))
