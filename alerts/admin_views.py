"""「防災情報の受信履歴」: every telegram received, what it meant for Chuo City, what the hub
did and why, and how long it took from feed arrival to queueing and to last delivery."""

from __future__ import annotations

from django.contrib.auth.decorators import permission_required
from django.db.models import Max
from django.shortcuts import render

from notifier.models import Delivery

from .models import Telegram

PAGE = 200


def _seconds(later, earlier) -> str:
    if later is None or earlier is None:
        return "—"
    return f"{(later - earlier).total_seconds():.1f} 秒"


@permission_required("wagtailadmin.access_admin", raise_exception=True)
def history(request):
    telegrams = list(Telegram.objects.select_related("alert", "alert__notice")[:PAGE])
    notices = {t.alert.notice_id for t in telegrams if t.alert and t.alert.notice_id}
    last_sent = dict(Delivery.objects.filter(notice_id__in=notices, sent_at__isnull=False)
                     .values("notice_id").annotate(last=Max("sent_at"))
                     .values_list("notice_id", "last"))
    rows = []
    for t in telegrams:
        notice_id = t.alert.notice_id if t.alert and t.queued_at else None
        rows.append({
            "t": t,
            "to_queue": _seconds(t.queued_at, t.received_at),
            "to_last": _seconds(last_sent.get(notice_id), t.received_at) if notice_id else "—",
        })
    return render(request, "alerts/admin/history.html", {"rows": rows})
