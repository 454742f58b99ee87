"""The monthly dip-sample draw on the Tasks API (database backend: SQLite and PostgreSQL alike).

`draw_previous_month` runs on the 1st of each month and draws the month that has just ended
(seed 002 §16). It schedules its own next run for the 1st of the following month at 06:00
(`schedule_next_month`), rather than a fixed interval, because months differ in length.
`manage.py schedule_tasks` finds it through `PERIODIC` (the interval registered there is only a
fallback description) and starts the chain when no run is pending; the first run draws the
previous month at once, which does no harm: drawing is idempotent.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from django.utils import timezone
from django_tasks import task

from mash.core.scheduling import periodic

from . import services

DRAW_AT = time(6, 0)


def next_first_of_month(now: datetime | None = None) -> datetime:
    """06:00 local time on the 1st of the month after `now`."""
    local = timezone.localtime(now or timezone.now())
    month = services.add_months(local.date().replace(day=1), 1)
    return timezone.make_aware(datetime.combine(month, DRAW_AT))


def schedule_next_month(task_: Any, now: datetime | None = None) -> datetime | None:
    """Enqueue the next run for the 1st of next month; returns when, or None if the backend cannot defer."""
    backend = task_.get_backend()
    if not backend.supports_defer:
        return None
    when = next_first_of_month(now)
    task_.using(run_after=when).enqueue()
    return when


@periodic(timedelta(days=31))
@task()
def draw_previous_month() -> int:
    """Draw last month's dip samples; returns how many new cases were drawn."""
    try:
        return len(services.draw_previous_month())
    finally:
        schedule_next_month(draw_previous_month)
