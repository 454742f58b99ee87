"""Periodic work on the Tasks API: each periodic task schedules its own next run.

django-tasks has no scheduler of its own, so a periodic task re-enqueues itself with
`run_after` when it finishes, and `manage.py schedule_tasks` (run by `make run` and
`make worker`) starts any chain that is missing. Running a chain twice does no harm:
the work each task does is idempotent.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone
from django_tasks import TaskResultStatus, task_backends

PERIODIC: dict[str, timedelta] = {}


def periodic(interval: timedelta):  # type: ignore[no-untyped-def]
    """Register a task to be kept scheduled every `interval`."""

    def register(task: Any) -> Any:
        PERIODIC[task.module_path] = interval
        return task

    return register


def schedule_next(task: Any) -> None:
    interval = PERIODIC.get(task.module_path)
    backend = task.get_backend()
    if interval is None or not backend.supports_defer:
        return
    task.using(run_after=timezone.now() + interval).enqueue()


def is_scheduled(task: Any) -> bool:
    try:
        from django_tasks_db.models import DBTaskResult
    except ImportError:  # another backend: nothing to inspect, so schedule
        return False
    return DBTaskResult.objects.filter(task_path=task.module_path, status=TaskResultStatus.READY).exists()


def ensure_scheduled() -> list[str]:
    """Enqueue each periodic task that has no pending run; returns the paths it started."""
    from django.utils.module_loading import import_string

    started = []
    for path in PERIODIC:
        task = import_string(path)
        if task_backends[task.backend].supports_defer and not is_scheduled(task):
            task.enqueue()
            started.append(path)
    return started
