"""Reading the partnership's configuration and turning it into deadlines."""

from __future__ import annotations

from datetime import date, datetime

import holidays
from django.db.utils import OperationalError, ProgrammingError
from django.utils import timezone

from mash.domain.worktime import DayHours, Timescale, WorkingCalendar

from .models import ClosureDay, OfficeHours, Partnership


def current_partnership() -> Partnership | None:
    try:
        return Partnership.objects.order_by("id").first()
    except (OperationalError, ProgrammingError):
        # Before the first migration there is no table; pages that need it say so.
        return None


def require_partnership() -> Partnership:
    partnership = current_partnership()
    if partnership is None:
        raise RuntimeError("No partnership is configured. Run `manage.py load_demo` or add one in the admin.")
    return partnership


class _ClosedDates:
    """Bank holidays for the partnership's region plus local closures, looked up lazily."""

    def __init__(self, region: str, extra: set[date]) -> None:
        self._bank_holidays = holidays.country_holidays("GB", subdiv=region)
        self._extra = extra

    def __call__(self, day: date) -> bool:
        return day in self._extra or day in self._bank_holidays


def working_calendar() -> WorkingCalendar:
    partnership = require_partnership()
    hours: dict[int, DayHours | None] = {
        row.weekday: DayHours(row.opens, row.closes) if row.opens and row.closes else None
        for row in OfficeHours.objects.all()
    }
    closed = _ClosedDates(partnership.bank_holiday_region, set(ClosureDay.objects.values_list("date", flat=True)))
    return WorkingCalendar(hours, closed, tz=timezone.get_default_timezone())


def deadline(start: datetime, timescale: Timescale, calendar: WorkingCalendar | None = None) -> datetime:
    return (calendar or working_calendar()).add(start, timescale)
