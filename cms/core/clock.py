"""The hub's clock.

Whatever depends on the time of day (quiet hours, how long an alert stays in force,
"the last 72 hours") asks `now()` here instead of the wall clock, so a test can say what
time it is for every process it starts (web and workers alike) and pass at any hour.

`HUB_CLOCK_OFFSET_SECONDS` (test settings only, from the environment) shifts the clock by
a fixed amount: processes started at different moments still agree, and time still
passes, so retries and timeouts behave as they do in production.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone


def offset() -> timedelta:
    return timedelta(seconds=float(getattr(settings, "HUB_CLOCK_OFFSET_SECONDS", 0) or 0))


def now() -> datetime:
    return timezone.now() + offset()


def to_wall_clock(moment: datetime) -> datetime:
    """The real time at which the hub's clock shows `moment` (for task schedules, which the
    task runner compares with the wall clock)."""
    return moment - offset()


def offset_for(moment: datetime) -> float:
    """The `HUB_CLOCK_OFFSET_SECONDS` that makes the hub's clock show `moment` now."""
    return (moment - timezone.now()).total_seconds()
