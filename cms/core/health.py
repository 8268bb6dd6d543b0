"""What /healthz reports: can we serve, is background work moving, is the assistant up."""

from __future__ import annotations

from datetime import timedelta

import requests
from django.conf import settings
from django.db import connection
from django.utils import timezone


def database_state() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return {"status": "ok", "vendor": connection.vendor}
    except Exception as exc:  # any DB failure is a health fact, not a crash
        return {"status": "error", "error": exc.__class__.__name__}


def worker_state() -> dict:
    """Queued work older than a few minutes means no worker is taking it."""
    try:
        from django_tasks_db.models import DBTaskResult

        waiting = DBTaskResult.objects.filter(status="READY")
        stale = waiting.filter(enqueued_at__lt=timezone.now() - timedelta(minutes=5)).count()
        return {
            "status": "stalled" if stale else "ok",
            "queued": waiting.count(),
            "queued_over_5min": stale,
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
