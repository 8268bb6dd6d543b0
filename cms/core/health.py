"""What /healthz reports: can we serve, is background work moving, is the assistant up."""

from __future__ import annotations

from datetime import timedelta

import requests
from django.conf import settings
from django.db import connection
from django.utils import timezone

RUNNING_LIMIT = timedelta(minutes=15)  # far longer than any task of the hub runs


def database_state() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return {"status": "ok", "vendor": connection.vendor}
    except Exception as exc:  # any DB failure is a health fact, not a crash
        return {"status": "error", "error": exc.__class__.__name__}


def worker_state() -> dict:
    """Work due for more than a few minutes and not taken means no worker is running.

    django-tasks-db has no heartbeat: a worker killed mid-task (SIGKILL, OOM) leaves its
    task RUNNING forever. Tasks here finish in minutes (a 220,000-resident fan-out takes
    about a minute), so one still RUNNING after RUNNING_LIMIT is counted as abandoned, not
    as a busy worker; abandoned in the last day makes the status "degraded" (look at the
    worker logs; notifier deliveries it held are re-sent by the sweeper, not lost)."""
    try:
        from django.db.models import Q
        from django_tasks_db.models import DBTaskResult, get_date_max

        now = timezone.now()
        waiting = DBTaskResult.objects.filter(status="READY")
        cutoff = now - timedelta(minutes=5)
        # due for over 5 minutes; a task deferred to later (run_after, e.g. the end of
        # residents' quiet hours) is not late just because it was queued long ago
        stale = waiting.filter(Q(run_after=get_date_max(), enqueued_at__lt=cutoff)
                               | Q(run_after__lt=cutoff)).count()
        running = DBTaskResult.objects.filter(status="RUNNING")
        limit = now - RUNNING_LIMIT
        abandoned = running.filter(started_at__lt=limit)
        recent = abandoned.filter(started_at__gte=now - timedelta(days=1)).count()
        status = "stalled" if stale else "degraded" if recent else "ok"
        return {
            "status": status,
            "queued": waiting.count(),
            "queued_over_5min": stale,
            "running": running.filter(started_at__gte=limit).count(),
            "abandoned": abandoned.count(),  # RUNNING longer than RUNNING_LIMIT: worker gone
            "abandoned_last_24h": recent,
        }
    except Exception as exc:
        return {"status": "error", "error": exc.__class__.__name__}


def chatbot_state(timeout: float = 0.5) -> dict:
    try:
        response = requests.get(f"{settings.RASA_URL}/status", timeout=timeout)
        if response.ok:
            return {"status": "ok"}
        return {"status": "error", "http": response.status_code}
    except requests.RequestException:
        return {"status": "down"}
