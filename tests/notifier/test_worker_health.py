"""/healthz after a worker was killed mid-task: the task it held stays RUNNING in
django-tasks-db forever; the health report must say so instead of showing a busy worker."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

pytestmark = pytest.mark.django_db


def _task(status: str, **fields) -> DBTaskResult:
    row = DBTaskResult.objects.create(
        status=status, args_kwargs={"args": [1], "kwargs": {}}, priority=0,
        task_path="notifier.tasks.deliver_notice", queue_name="deliveries",
        backend_name="default", run_after=fields.pop("run_after", timezone.now()), **fields)
    if "enqueued_at" in fields:  # auto_now_add ignores the value on create
        DBTaskResult.objects.filter(pk=row.pk).update(enqueued_at=fields["enqueued_at"])
    return row


def test_task_of_a_killed_worker_is_reported_abandoned_not_running(client):
    now = timezone.now()
    _task("RUNNING", started_at=now - timedelta(hours=2), worker_ids=["killed"])
    _task("RUNNING", started_at=now - timedelta(seconds=20), worker_ids=["alive"])
    worker = client.get("/healthz").json()["worker"]
    assert worker["status"] == "degraded"
    assert worker["running"] == 1 and worker["abandoned"] == 1 and worker["abandoned_last_24h"] == 1


def test_old_abandoned_task_is_counted_but_no_longer_degrades(client):
    _task("RUNNING", started_at=timezone.now() - timedelta(days=3))
    worker = client.get("/healthz").json()["worker"]
    assert worker["status"] == "ok" and worker["abandoned"] == 1 and worker["running"] == 0


def test_task_deferred_to_the_end_of_quiet_hours_is_not_stalled(client):
    now = timezone.now()
    _task("READY", enqueued_at=now - timedelta(hours=1), run_after=now + timedelta(hours=6))
    assert client.get("/healthz").json()["worker"]["status"] == "ok"
    _task("READY", enqueued_at=now - timedelta(hours=1), run_after=now - timedelta(minutes=30))
    worker = client.get("/healthz").json()["worker"]
    assert worker["status"] == "stalled" and worker["queued_over_5min"] == 1
