"""Working-time arithmetic for safeguarding timescales.

Safeguarding partnerships set their timescales as "4 working hours",
"1 working day", "72 hours" and so on.  A deadline worked out wrongly is a
child-protection risk, so the rules live in one place with no framework
dependencies and can be tested directly.

Rules
-----
* **Aware datetimes only.**  Every datetime passed in must carry a time zone;
  a naive one raises ``ValueError``, because guessing the zone is how
  deadlines go wrong by an hour.  Results are aware datetimes in the
  calendar's zone (``Europe/London`` by default), whatever zone the input
  used.
* **Office hours are local wall-clock hours.**  A day's opening and closing
  times are applied to the local date in the calendar's zone, so an office
  open 09:00-17:30 is open 09:00-17:30 in both GMT and BST.  Working time is
  then measured as real elapsed time inside those intervals.  For UK office
  hours the two readings agree, because the clocks change at 01:00/02:00 on a
  Sunday; they only differ for an office open through the change itself.
  Local times that do not exist or happen twice on the change day are
  resolved as PEP 495 ``fold=0``.
* **Closed days.**  A weekday without ``DayHours`` is closed all day, as is
  any date in ``closed_dates`` (bank holidays, local closure days).  An
  iterable of dates is copied when the calendar is built; pass a callable to
  look dates up lazily instead.  A calendar with no open weekday raises
  ``ValueError``, and a search that finds no working day in ten years raises
  ``NoWorkingDayError``, so a bad configuration fails rather than hangs.
* **Working hours** are consumed from the open intervals starting at
  ``start``; a start outside office hours begins at the next opening.  If the
  hours run out exactly at a closing time, the deadline is that closing time,
  not the next morning.  Adding zero hours gives ``next_working_moment``.
* **Working days**: from ``next_working_moment(start)``, the deadline is the
  same wall-clock time on the n-th following working day, clamped to that
  day's office hours (a Thursday 17:20 start is due at Friday's 17:00 close
  if Friday closes at 17:00).  Zero days gives ``next_working_moment``.
* **Calendar hours and days** are plain elapsed time, computed in UTC, so
  "24 hours" is 24 real hours across a clock change and a calendar day is
  always 24 hours.
* **Amounts** are held as ``Decimal`` so that fractional hours such as 0.5
  are exact; durations are rounded to the nearest microsecond, the
  resolution of ``datetime``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_EVEN, Context, Decimal
from enum import StrEnum
from itertools import islice
from typing import Final
from zoneinfo import ZoneInfo

import holidays

__all__ = [
    "LONDON",
    "DayHours",
    "NoWorkingDayError",
    "Timescale",
    "TimescaleUnit",
    "WorkingCalendar",
]

LONDON: Final = ZoneInfo("Europe/London")

# A private context so that a caller changing the global decimal context
# (precision, traps) cannot change how deadlines are rounded.
_DECIMAL: Final = Context(prec=50, rounding=ROUND_HALF_EVEN)
_MICROSECONDS_PER_HOUR: Final = Decimal(3_600_000_000)

# A calendar whose closure predicate shuts every day would otherwise make
# searches for the next opening spin forever; ten years of consecutive
# closure is far beyond any real partnership and so is treated as a bug.
_MAX_CLOSED_RUN_DAYS: Final = 3660

Amount = Decimal | int | float


class NoWorkingDayError(ValueError):
    """Raised when no working day can be found, so callers never hang."""


def _to_decimal(value: Amount, what: str) -> Decimal:
    """Normalise an amount to ``Decimal`` so fractional hours are exact.

    Floats go through ``str`` so that ``0.1`` means one tenth, as the person
    who typed it intended, rather than its binary approximation.
    """
    if isinstance(value, bool) or not isinstance(value, Decimal | int | float):
        raise TypeError(f"{what} must be a number, not {type(value).__name__}")
    result = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    if not result.is_finite():
        raise ValueError(f"{what} must be finite, got {value!r}")
    if result < 0:
        raise ValueError(f"{what} must not be negative, got {value!r}")
    return result


def _hours_to_timedelta(hours: Decimal) -> timedelta:
    """Convert hours to a timedelta exactly, to the microsecond."""
    micros = _DECIMAL.multiply(hours, _MICROSECONDS_PER_HOUR)
    return timedelta(microseconds=int(micros.to_integral_value(context=_DECIMAL)))


def _format_amount(value: Decimal) -> str:
    """Render without exponent or trailing zeros ("4", "0.5", "100")."""
    return format(value.normalize(_DECIMAL), "f")


def _require_aware(dt: datetime, what: str) -> None:
    if not isinstance(dt, datetime):
        raise TypeError(f"{what} must be a datetime, not {type(dt).__name__}")
    if dt.tzinfo is None or dt.utcoffset() is None:
        raise ValueError(f"{what} must be timezone-aware, got naive {dt!r}")


class TimescaleUnit(StrEnum):
    """How a timescale's amount is counted."""

    WORKING_HOURS = "working_hours"
    WORKING_DAYS = "working_days"
    CALENDAR_HOURS = "calendar_hours"
    CALENDAR_DAYS = "calendar_days"


_UNIT_NOUNS: Final[Mapping[TimescaleUnit, tuple[str, str]]] = {
    TimescaleUnit.WORKING_HOURS: ("working hour", "working hours"),
    TimescaleUnit.WORKING_DAYS: ("working day", "working days"),
    TimescaleUnit.CALENDAR_HOURS: ("hour", "hours"),
    TimescaleUnit.CALENDAR_DAYS: ("day", "days"),
}


@dataclass(frozen=True)
class Timescale:
    """A configured timescale such as "4 working hours" or "72 hours".

    ``amount`` accepts ``int``, ``float`` or ``Decimal`` for convenience when
    loading configuration, but is always stored as ``Decimal`` so that
    equality and arithmetic are exact.  Working days must be whole, because
    "half a working day" has no agreed meaning across offices whose days
    differ in length.
    """

    amount: Amount
    unit: TimescaleUnit

    def __post_init__(self) -> None:
        amount = _to_decimal(self.amount, "Timescale amount")
        # Accepting the plain string lets values come straight from JSON or a
        # database column without every caller converting first.
        unit = TimescaleUnit(self.unit)
        if unit is TimescaleUnit.WORKING_DAYS and amount != amount.to_integral_value():
            raise ValueError(
                f"working days must be a whole number, got {self.amount!r}"
            )
        object.__setattr__(self, "amount", amount)
        object.__setattr__(self, "unit", unit)

    @property
    def decimal_amount(self) -> Decimal:
        """The amount as ``Decimal``, so callers need not narrow the type."""
        return _to_decimal(self.amount, "Timescale amount")

    def describe(self) -> str:
        """Human wording for screens and letters, e.g. "1 working day"."""
        amount = self.decimal_amount
        singular, plural = _UNIT_NOUNS[self.unit]
        return f"{_format_amount(amount)} {singular if amount == 1 else plural}"

    def __str__(self) -> str:
        return self.describe()


@dataclass(frozen=True)
class DayHours:
    """Opening and closing wall-clock times for one weekday.

    Times are naive local wall-clock times; the calendar supplies the zone so
    that one configuration serves both GMT and BST.  An office open past
    midnight is not supported, because the day it belongs to would be
    ambiguous.
    """

    opens: time
    closes: time

    def __post_init__(self) -> None:
        if self.opens.tzinfo is not None or self.closes.tzinfo is not None:
            raise ValueError("office hours are local wall-clock times; omit tzinfo")
        if self.closes <= self.opens:
            raise ValueError(
                f"closing time {self.closes} must be after opening time {self.opens}"
            )


class _EnglandWalesClosures:
    """Bank holidays plus local closures, looked up lazily by year.

    ``holidays`` fills in a year on first lookup, which mutates the object;
    the lock keeps that safe when several request threads share a calendar.
    """

    def __init__(self, extra_closed: Iterable[date]) -> None:
        self._bank_holidays = holidays.country_holidays("GB", subdiv="ENG")
        self._extra = _freeze_dates(extra_closed)
        self._lock = threading.Lock()

    def __call__(self, d: date) -> bool:
        if d in self._extra:
            return True
        with self._lock:
            return d in self._bank_holidays


def _freeze_dates(dates: Iterable[date]) -> frozenset[date]:
    """Copy closure dates so later mutation by the caller cannot move deadlines.

    Datetimes are rejected because a ``datetime`` never equals a ``date`` and
    so would silently fail to close anything.
    """
    frozen: set[date] = set()
    for d in dates:
        if isinstance(d, datetime) or not isinstance(d, date):
            raise TypeError(f"closed dates must be dates, got {d!r}")
        frozen.add(d)
    return frozenset(frozen)


class WorkingCalendar:
    """Office hours and closures for one partnership, with deadline arithmetic.

    All internal arithmetic is on UTC instants: Python compares and subtracts
    datetimes that share a ``ZoneInfo`` by wall-clock time, which is wrong by
    an hour across a clock change.  Local time is used only to decide which
    day an instant falls on and where that day's office hours lie.
    """

    def __init__(
        self,
        hours: Mapping[int, DayHours | None],
        closed_dates: Iterable[date] | Callable[[date], bool] = (),
        tz: ZoneInfo = LONDON,
    ) -> None:
        week: list[DayHours | None] = [None] * 7
        for weekday, day_hours in hours.items():
            if (
                isinstance(weekday, bool)
                or not isinstance(weekday, int)
                or not 0 <= weekday <= 6
            ):
                raise ValueError(
                    f"weekday keys must be 0 (Monday) to 6 (Sunday), got {weekday!r}"
                )
            if day_hours is not None and not isinstance(day_hours, DayHours):
                raise TypeError(f"hours for weekday {weekday} must be DayHours or None")
            week[weekday] = day_hours
        if all(day_hours is None for day_hours in week):
            raise ValueError("a working calendar needs at least one open weekday")
        if not isinstance(tz, ZoneInfo):
            raise TypeError("tz must be a zoneinfo.ZoneInfo")
        self._week: tuple[DayHours | None, ...] = tuple(week)
        self._tz = tz
        self._is_closed: Callable[[date], bool]
        if callable(closed_dates):
            self._is_closed = closed_dates
        else:
            self._is_closed = _freeze_dates(closed_dates).__contains__

    @classmethod
    def england_and_wales(
        cls,
        hours: Mapping[int, DayHours | None],
        extra_closed: Iterable[date] = (),
        tz: ZoneInfo = LONDON,
    ) -> WorkingCalendar:
        """Calendar closed on England & Wales bank holidays and local closures.

        Bank holidays are looked up lazily, so deadlines in any year work
        without the calendar having to be rebuilt each January.
        """
        return cls(hours, _EnglandWalesClosures(extra_closed), tz)

    @property
    def tz(self) -> ZoneInfo:
        """The zone office hours are read in and results are returned in."""
        return self._tz

    def hours_for(self, weekday: int) -> DayHours | None:
        """Configured hours for a weekday (0=Monday), for display and tests."""
        return self._week[weekday]

    # -- queries -----------------------------------------------------------

    def is_working_day(self, d: date) -> bool:
        """Whether the office opens at all on local date ``d``."""
        if isinstance(d, datetime):
            raise TypeError(
                "is_working_day takes a date; use is_working_moment for datetimes"
            )
        return self._week[d.weekday()] is not None and not self._is_closed(d)

    def is_working_moment(self, dt: datetime) -> bool:
        """Whether ``dt`` is within office hours (opening inclusive, closing exclusive)."""
        instant = self._to_utc(dt, "dt")
        interval = self._interval(self._local_date(instant))
        return interval is not None and interval[0] <= instant < interval[1]

    def next_working_moment(self, dt: datetime) -> datetime:
        """``dt`` itself if the office is open, otherwise the next opening.

        This is where a clock starts when work arrives out of hours.
        """
        instant = self._to_utc(dt, "dt")
        opened, _ = next(self._intervals_from(instant))
        return self._to_local(opened)

    # -- arithmetic --------------------------------------------------------

    def add_working_hours(self, start: datetime, hours: Amount) -> datetime:
        """Deadline ``hours`` of office time after ``start``.

        Walks whole open intervals, a day at a time, so long timescales cost
        one step per day rather than one per minute.
        """
        remaining = _hours_to_timedelta(_to_decimal(hours, "hours"))
        instant = self._to_utc(start, "start")
        if not remaining:
            return self.next_working_moment(start)
        intervals = self._intervals_from(instant)
        while True:
            opened, closes = next(intervals)
            available = closes - opened
            if remaining <= available:
                # "<=" so that hours ending exactly at closing stay that day.
                return self._to_local(opened + remaining)
            remaining -= available

    def add_working_days(self, start: datetime, days: int) -> datetime:
        """Deadline ``days`` working days after ``start``, at the same wall-clock time.

        The time is clamped to the target day's office hours so a deadline
        never falls while the office is closed.
        """
        if isinstance(days, bool) or not isinstance(days, int):
            raise TypeError(f"days must be an int, got {type(days).__name__}")
        if days < 0:
            raise ValueError(f"days must not be negative, got {days}")
        begin = self.next_working_moment(start)
        if days == 0:
            return begin
        wall_clock = begin.time()
        following = self._working_days_after(begin.date())
        d, (opens, closes) = next(islice(following, days - 1, None))
        target = self._wall_clock_to_utc(d, wall_clock)
        return self._to_local(min(max(target, opens), closes))

    def add(self, start: datetime, timescale: Timescale) -> datetime:
        """Deadline for ``timescale`` starting at ``start``, whatever its unit."""
        amount = timescale.decimal_amount
        unit = timescale.unit
        if unit is TimescaleUnit.WORKING_HOURS:
            return self.add_working_hours(start, amount)
        if unit is TimescaleUnit.WORKING_DAYS:
            return self.add_working_days(start, int(amount))
        instant = self._to_utc(start, "start")
        hours = (
            amount
            if unit is TimescaleUnit.CALENDAR_HOURS
            else _DECIMAL.multiply(amount, Decimal(24))
        )
        return self._to_local(instant + _hours_to_timedelta(hours))

    def working_time_between(self, start: datetime, end: datetime) -> timedelta:
        """Office time elapsed from ``start`` to ``end``; negative if ``end`` is earlier.

        The inverse of ``add_working_hours``, used to show how much of a
        timescale has been used and to check deadlines in tests.
        """
        begin = self._to_utc(start, "start")
        finish = self._to_utc(end, "end")
        if finish < begin:
            return -self.working_time_between(end, start)
        total = timedelta(0)
        for opened, closes in self._intervals_from(begin):
            if opened >= finish:
                break
            total += min(closes, finish) - opened
        return total

    # -- internals ---------------------------------------------------------

    def _to_utc(self, dt: datetime, what: str) -> datetime:
        _require_aware(dt, what)
        return dt.astimezone(UTC)

    def _to_local(self, instant: datetime) -> datetime:
        return instant.astimezone(self._tz)

    def _local_date(self, instant: datetime) -> date:
        return instant.astimezone(self._tz).date()

    def _wall_clock_to_utc(self, d: date, t: time) -> datetime:
        return datetime.combine(d, t.replace(fold=0), tzinfo=self._tz).astimezone(UTC)

    def _interval(self, d: date) -> tuple[datetime, datetime] | None:
        """The UTC instants the office opens and closes on local date ``d``."""
        if not self.is_working_day(d):
            return None
        day_hours = self._week[d.weekday()]
        assert day_hours is not None  # is_working_day checked this
        opens = self._wall_clock_to_utc(d, day_hours.opens)
        closes = self._wall_clock_to_utc(d, day_hours.closes)
        # Only an office whose hours straddle a skipped clock-change hour can
        # get here; treat it as closed rather than yield a negative interval.
        return (opens, closes) if opens < closes else None

    def _working_days_after(
        self, d: date
    ) -> Iterator[tuple[date, tuple[datetime, datetime]]]:
        """Working days after ``d`` with their open intervals.

        Gives up after an implausibly long closure so a misconfigured
        calendar raises instead of hanging a request.
        """
        closed_run = 0
        while True:
            d += timedelta(days=1)
            interval = self._interval(d)
            if interval is not None:
                closed_run = 0
                yield d, interval
                continue
            closed_run += 1
            if closed_run > _MAX_CLOSED_RUN_DAYS:
                raise NoWorkingDayError(
                    f"no working day in the {_MAX_CLOSED_RUN_DAYS} days up to {d}; "
                    "check the calendar's closed dates"
                )

    def _intervals_from(self, instant: datetime) -> Iterator[tuple[datetime, datetime]]:
        """Open intervals from ``instant`` onwards, the first trimmed to start there."""
        d = self._local_date(instant)
        first = self._interval(d)
        if first is not None and instant < first[1]:
            yield max(instant, first[0]), first[1]
        for _, interval in self._working_days_after(d):
            yield interval
