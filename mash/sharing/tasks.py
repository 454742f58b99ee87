"""Background work for Stage 2, on the Tasks API (database backend: SQLite and PostgreSQL alike)."""

from __future__ import annotations

from datetime import timedelta

from django_tasks import task

from mash.core.scheduling import periodic, schedule_next

from . import services

CHASE_CHECK_EVERY = timedelta(minutes=5)


@periodic(CHASE_CHECK_EVERY)
@task()
def chase_overdue_requests() -> int:
    """Chase every overdue information request that is due a chase; returns how many were chased."""
    try:
        return len(services.chase_overdue_requests())
    finally:
        schedule_next(chase_overdue_requests)
