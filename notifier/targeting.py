"""Who a notice reaches: topic match AND (ward-wide notice, or districts intersect, or
the subscriber chose the whole ward). One SQL condition, shared by the preview count in
the admin and the fan-out itself, so what editors see is what residents get."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import F, Q, QuerySet

from .channels import channel_choices
from .models import Subscriber

TOKYO = ZoneInfo("Asia/Tokyo")


def recipients(topic_mask: int, area_mask: int) -> QuerySet[Subscriber]:
    qs = Subscriber.objects.annotate(topic_hit=F("topic_mask").bitand(topic_mask)).filter(
        topic_hit__gt=0
    )
    if area_mask:
        qs = qs.annotate(area_hit=F("area_mask").bitand(area_mask)).filter(
            Q(area_mask=0) | Q(area_hit__gt=0)
        )
    return qs


def recipient_sql(topic_mask: int, area_mask: int) -> tuple[str, list]:
    """The same condition as recipients(), for INSERT … SELECT (alias s)."""
    sql = "(s.topic_mask & %s) != 0"
    params: list = [topic_mask]
    if area_mask:
        sql += " AND (s.area_mask = 0 OR (s.area_mask & %s) != 0)"
        params.append(area_mask)
    return sql, params


def count_by_channel(topic_mask: int, area_mask: int) -> dict[str, int]:
    counts = {name: 0 for name, _ in channel_choices()}
    for channel in counts:
        counts[channel] = recipients(topic_mask, area_mask).filter(channel=channel).count()
    return counts


def quiet_until(start: time, end: time, now: datetime) -> datetime | None:
    """When the subscriber's quiet hours (Tokyo time) end, if `now` falls inside them."""
    local = now.astimezone(TOKYO)
    t = local.time()
    if start == end:
        return None
    if start < end:  # e.g. 01:00–06:00
        inside = start <= t < end
        end_day = local.date()
    else:  # crosses midnight, e.g. 22:00–07:00
        inside = t >= start or t < end
        end_day = local.date() + timedelta(days=1) if t >= start else local.date()
    if not inside:
        return None
    return datetime.combine(end_day, end, tzinfo=TOKYO)
