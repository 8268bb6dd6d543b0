"""Background work on django-tasks (database backend; `manage.py db_worker`)."""

from __future__ import annotations

from django_tasks import task

from .models import Notice


@task(queue_name="notices")
def plan_notice(notice_id: int) -> None:
    from .notices import plan_deliveries

    notice = Notice.objects.filter(pk=notice_id).first()
    if notice is not None and notice.planned_at is None:
        plan_deliveries(notice)


@task(queue_name="deliveries")
def deliver_notice(notice_id: int) -> int:
    from .sending import drain

    if not Notice.objects.filter(pk=notice_id).exists():
        return 0
    return drain(notice_id)
