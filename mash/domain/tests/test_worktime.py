"""Tests for working-time deadlines.

The worked examples come from real partnership timescales; the property
tests guard the invariants that every deadline calculation relies on.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mash.domain.worktime import (
    LONDON,
    DayHours,
    NoWorkingDayError,
    Timescale,
    TimescaleUnit,
    WorkingCalendar,
)

MON_THU = DayHours(time(9), time(17, 30))
FRI = DayHours(time(9), time(17))
OFFICE_HOURS = {0: MON_THU, 1: MON_THU, 2: MON_THU, 3: MON_THU, 4: FRI}

CAL = WorkingCalendar.england_and_wales(OFFICE_HOURS)

FOUR_WORKING_HOURS = Timescale(4, TimescaleUnit.WORKING_HOURS)
EIGHT_WORKING_HOURS = Timescale(8, TimescaleUnit.WORKING_HOURS)
ONE_WORKING_DAY = Timescale(1, TimescaleUnit.WORKING_DAYS)
FOUR_CALENDAR_HOURS = Timescale(4, TimescaleUnit.CALENDAR_HOURS)
TWENTY_FOUR_HOURS = Timescale(24, TimescaleUnit.CALENDAR_HOURS)
SEVENTY_TWO_HOURS = Timescale(72, TimescaleUnit.CALENDAR_HOURS)


def london(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=LONDON)


def assert_same_instant_in_london(actual: datetime, expected: datetime) -> None:
    """Compare instants and the zone, since equal instants can print differently."""
    assert actual == expected
    assert actual.tzinfo is LONDON
    assert actual.utcoffset() == expected.utcoffset()


# -- worked examples -----------------------------------------------------------


class TestRedContactFridayEvening:
    def test_four_working_hours_skips_weekend_and_spring_bank_holiday(self) -> None:
        raised = london(2026, 5, 22, 17, 20)  # Friday, after Friday's 17:00 close
        assert date(2026, 5, 25).weekday() == 0  # Spring bank holiday Monday
        assert not CAL.is_working_day(date(2026, 5, 25))
        deadline = CAL.add(raised, FOUR_WORKING_HOURS)
        assert_same_instant_in_london(deadline, london(2026, 5, 26, 13, 0))

    def test_four_calendar_hours_ignores_office_hours(self) -> None:
        raised = london(2026, 5, 22, 17, 20)
        deadline = CAL.add(raised, FOUR_CALENDAR_HOURS)
        assert_same_instant_in_london(deadline, london(2026, 5, 22, 21, 20))

    def test_ordinary_weekend(self) -> None:
        raised = london(2026, 11, 13, 17, 20)
        deadline = CAL.add(raised, FOUR_WORKING_HOURS)
        assert_same_instant_in_london(deadline, london(2026, 11, 16, 13, 0))


class TestWorkingDays:
    def test_christmas_and_observed_boxing_day(self) -> None:
        for closed in (date(2026, 12, 25), date(2026, 12, 28)):
            assert not CAL.is_working_day(closed)
        deadline = CAL.add(london(2026, 12, 24, 10, 0), ONE_WORKING_DAY)
        assert_same_instant_in_london(deadline, london(2026, 12, 29, 10, 0))

    def test_clamped_to_earlier_friday_close(self) -> None:
        deadline = CAL.add(london(2026, 11, 12, 17, 20), ONE_WORKING_DAY)
        assert_same_instant_in_london(deadline, london(2026, 11, 13, 17, 0))

    def test_clamped_to_later_opening(self) -> None:
        cal = WorkingCalendar(
            {0: DayHours(time(8), time(16)), 1: DayHours(time(10), time(16))}
        )
        deadline = cal.add_working_days(london(2026, 11, 9, 8, 30), 1)
        assert_same_instant_in_london(deadline, london(2026, 11, 10, 10, 0))

    def test_start_after_close_counts_from_next_opening(self) -> None:
        # Thursday evening: the clock starts at Friday 09:00, so one working
        # day later is Monday 09:00.
        deadline = CAL.add_working_days(london(2026, 11, 12, 18, 0), 1)
        assert_same_instant_in_london(deadline, london(2026, 11, 16, 9, 0))

    def test_zero_days_is_next_working_moment(self) -> None:
        start = london(2026, 5, 22, 17, 20)
        assert CAL.add_working_days(start, 0) == london(2026, 5, 26, 9, 0)
        inside = london(2026, 11, 11, 11, 11)
        assert CAL.add_working_days(inside, 0) == inside

    def test_several_days(self) -> None:
        deadline = CAL.add_working_days(london(2026, 12, 23, 14, 0), 3)
        # Thu 24, Tue 29, Wed 30.
        assert_same_instant_in_london(deadline, london(2026, 12, 30, 14, 0))

    @pytest.mark.parametrize("bad", [-1, 1.5, True])
    def test_rejects_bad_day_counts(self, bad: object) -> None:
        with pytest.raises((TypeError, ValueError)):
            CAL.add_working_days(london(2026, 11, 9, 10), bad)  # type: ignore[arg-type]


class TestWorkingHours:
    def test_eight_hours_from_monday_afternoon(self) -> None:
        deadline = CAL.add(london(2026, 11, 2, 16, 0), EIGHT_WORKING_HOURS)
        assert_same_instant_in_london(deadline, london(2026, 11, 3, 15, 30))

    def test_ending_exactly_at_close_stays_that_day(self) -> None:
        deadline = CAL.add_working_hours(london(2026, 11, 2, 13, 30), 4)
        assert_same_instant_in_london(deadline, london(2026, 11, 2, 17, 30))

    def test_zero_hours_is_next_working_moment(self) -> None:
        start = london(2026, 5, 22, 17, 20)
        assert CAL.add_working_hours(start, 0) == london(2026, 5, 26, 9, 0)
        inside = london(2026, 11, 2, 10, 0)
        assert CAL.add_working_hours(inside, 0) == inside

    def test_fractional_hours(self) -> None:
        start = london(2026, 11, 2, 17, 15)
        assert CAL.add_working_hours(start, 0.5) == london(2026, 11, 3, 9, 15)
        assert CAL.add_working_hours(start, Decimal("0.25")) == london(
            2026, 11, 2, 17, 30
        )

    def test_start_in_other_zone_returns_london_time(self) -> None:
        start = datetime(2026, 7, 6, 8, 0, tzinfo=UTC)  # 09:00 BST
        deadline = CAL.add_working_hours(start, 1)
        assert_same_instant_in_london(deadline, london(2026, 7, 6, 10, 0))

    def test_local_closure_days(self) -> None:
        cal = WorkingCalendar.england_and_wales(
            OFFICE_HOURS, extra_closed=[date(2026, 11, 16)]
        )
        deadline = cal.add(london(2026, 11, 13, 17, 20), FOUR_WORKING_HOURS)
        assert_same_instant_in_london(deadline, london(2026, 11, 17, 13, 0))

    def test_callable_closed_dates(self) -> None:
        cal = WorkingCalendar(OFFICE_HOURS, lambda d: d.day == 16)
        deadline = cal.add(london(2026, 11, 13, 17, 20), FOUR_WORKING_HOURS)
        assert_same_instant_in_london(deadline, london(2026, 11, 17, 13, 0))

    @pytest.mark.parametrize(
        "bad", [-1, Decimal("-0.5"), float("nan"), float("inf"), Decimal("NaN")]
    )
    def test_rejects_bad_amounts(self, bad: Decimal | float) -> None:
        with pytest.raises(ValueError, match="hours"):
            CAL.add_working_hours(london(2026, 11, 2, 10), bad)

    def test_hundreds_of_hours_walk_day_by_day(self) -> None:
        lookups: list[date] = []

        def closed(d: date) -> bool:
            lookups.append(d)
            return False

        cal = WorkingCalendar(OFFICE_HOURS, closed)
        start = london(2026, 1, 5, 9, 0)
        deadline = cal.add_working_hours(start, 2000)
        assert cal.working_time_between(start, deadline) == timedelta(hours=2000)
        span_days = (deadline.date() - start.date()).days + 1
        # One lookup per day (plus the walk in working_time_between), never
        # one per minute.
        assert len(lookups) <= 2 * span_days + 2


class TestDaylightSaving:
    def test_working_hours_across_spring_forward(self) -> None:
        # Sunday 29 March 2026: 01:00 GMT becomes 02:00 BST.
        deadline = CAL.add_working_hours(london(2026, 3, 27, 15, 0), 4)
        assert_same_instant_in_london(deadline, london(2026, 3, 30, 11, 0))
        assert deadline.utcoffset() == timedelta(hours=1)

    def test_working_hours_across_fall_back(self) -> None:
        # Sunday 25 October 2026: 02:00 BST becomes 01:00 GMT.
        deadline = CAL.add(london(2026, 10, 23, 16, 0), EIGHT_WORKING_HOURS)
        assert_same_instant_in_london(deadline, london(2026, 10, 26, 16, 0))
        assert deadline.utcoffset() == timedelta(0)

    def test_working_day_keeps_wall_clock_time(self) -> None:
        assert CAL.add(london(2026, 3, 27, 10, 0), ONE_WORKING_DAY) == london(
            2026, 3, 30, 10, 0
        )
        assert CAL.add(london(2026, 10, 23, 10, 0), ONE_WORKING_DAY) == london(
            2026, 10, 26, 10, 0
        )

    def test_calendar_hours_are_real_hours(self) -> None:
        spring = CAL.add(london(2026, 3, 28, 12, 0), TWENTY_FOUR_HOURS)
        assert_same_instant_in_london(spring, london(2026, 3, 29, 13, 0))
        autumn = CAL.add(london(2026, 10, 24, 12, 0), TWENTY_FOUR_HOURS)
        assert_same_instant_in_london(autumn, london(2026, 10, 25, 11, 0))
        days = CAL.add(london(2026, 3, 28, 12, 0), Timescale(1, "calendar_days"))  # type: ignore[arg-type]
        assert days == spring

    def test_seventy_two_hours(self) -> None:
        deadline = CAL.add(london(2026, 3, 27, 17, 20), SEVENTY_TWO_HOURS)
        assert_same_instant_in_london(deadline, london(2026, 3, 30, 18, 20))

    def test_weekend_gap_is_not_working_time(self) -> None:
        assert CAL.working_time_between(
            london(2026, 3, 27, 17, 0), london(2026, 3, 30, 9, 0)
        ) == timedelta(0)

    def test_office_open_through_the_change_counts_real_time(self) -> None:
        # An out-of-hours service open through the night of the change works
        # one hour less in spring and one hour more in autumn.
        night = DayHours(time(0), time(6))
        cal = WorkingCalendar({6: night})
        spring = cal.working_time_between(
            london(2026, 3, 29, 0, 0), london(2026, 3, 29, 6, 0)
        )
        autumn = cal.working_time_between(
            london(2026, 10, 25, 0, 0), london(2026, 10, 25, 6, 0)
        )
        assert spring == timedelta(hours=5)
        assert autumn == timedelta(hours=7)
        assert cal.add_working_hours(london(2026, 3, 29, 0, 0), 5) == london(
            2026, 3, 29, 6, 0
        )


class TestQueries:
    def test_is_working_moment_boundaries(self) -> None:
        assert CAL.is_working_moment(london(2026, 11, 2, 9, 0))
        assert CAL.is_working_moment(london(2026, 11, 2, 17, 29, 59))
        assert not CAL.is_working_moment(london(2026, 11, 2, 17, 30))
        assert not CAL.is_working_moment(london(2026, 11, 2, 8, 59, 59))
        assert not CAL.is_working_moment(london(2026, 11, 7, 12, 0))  # Saturday
        assert not CAL.is_working_moment(london(2026, 12, 25, 12, 0))

    def test_next_working_moment(self) -> None:
        inside = london(2026, 11, 2, 12, 0)
        assert CAL.next_working_moment(inside) == inside
        assert CAL.next_working_moment(london(2026, 11, 2, 7, 0)) == london(
            2026, 11, 2, 9, 0
        )
        assert CAL.next_working_moment(london(2026, 11, 2, 17, 30)) == london(
            2026, 11, 3, 9, 0
        )

    def test_bank_holidays_in_later_years_are_known(self) -> None:
        assert not CAL.is_working_day(date(2031, 12, 25))
        assert not CAL.is_working_day(date(2030, 8, 26))  # Late summer
        assert CAL.is_working_day(date(2031, 12, 23))

    def test_working_time_between(self) -> None:
        start = london(2026, 11, 2, 16, 0)
        end = london(2026, 11, 3, 15, 30)
        assert CAL.working_time_between(start, end) == timedelta(hours=8)
        assert CAL.working_time_between(end, start) == -timedelta(hours=8)
        assert CAL.working_time_between(start, start) == timedelta(0)


class TestValidation:
    def test_naive_datetimes_rejected(self) -> None:
        naive = datetime(2026, 11, 2, 10, 0)  # deliberately naive
        with pytest.raises(ValueError, match="timezone-aware"):
            CAL.add_working_hours(naive, 1)
        with pytest.raises(ValueError, match="timezone-aware"):
            CAL.is_working_moment(naive)
        with pytest.raises(ValueError, match="timezone-aware"):
            CAL.working_time_between(london(2026, 11, 2, 10), naive)
        with pytest.raises(ValueError, match="timezone-aware"):
            CAL.add(naive, FOUR_CALENDAR_HOURS)

    def test_day_hours_must_close_after_opening(self) -> None:
        with pytest.raises(ValueError, match="after opening"):
            DayHours(time(17), time(9))
        with pytest.raises(ValueError, match="after opening"):
            DayHours(time(9), time(9))

    def test_calendar_needs_an_open_day(self) -> None:
        with pytest.raises(ValueError, match="at least one open weekday"):
            WorkingCalendar({})
        with pytest.raises(ValueError, match="at least one open weekday"):
            WorkingCalendar({0: None, 6: None})

    def test_weekday_keys_checked(self) -> None:
        with pytest.raises(ValueError, match="weekday"):
            WorkingCalendar({7: MON_THU})

    def test_always_closed_calendar_raises_instead_of_hanging(self) -> None:
        cal = WorkingCalendar(OFFICE_HOURS, lambda _d: True)
        with pytest.raises(NoWorkingDayError):
            cal.next_working_moment(london(2026, 11, 2, 10))

    def test_closed_dates_must_be_dates(self) -> None:
        with pytest.raises(TypeError):
            WorkingCalendar(OFFICE_HOURS, [london(2026, 11, 2, 0)])

    def test_timescale_validation(self) -> None:
        with pytest.raises(ValueError, match="negative"):
            Timescale(-1, TimescaleUnit.WORKING_HOURS)
        with pytest.raises(ValueError, match="whole number"):
            Timescale(Decimal("1.5"), TimescaleUnit.WORKING_DAYS)
        with pytest.raises(TypeError):
            Timescale(True, TimescaleUnit.WORKING_HOURS)
        with pytest.raises(ValueError, match="not a valid"):
            Timescale(1, "fortnights")  # type: ignore[arg-type]


class TestTimescale:
    @pytest.mark.parametrize(
        ("timescale", "expected"),
        [
            (FOUR_WORKING_HOURS, "4 working hours"),
            (Timescale(1, TimescaleUnit.WORKING_HOURS), "1 working hour"),
            (Timescale(0.5, TimescaleUnit.WORKING_HOURS), "0.5 working hours"),
            (ONE_WORKING_DAY, "1 working day"),
            (Timescale(Decimal("2.0"), TimescaleUnit.WORKING_DAYS), "2 working days"),
            (SEVENTY_TWO_HOURS, "72 hours"),
            (Timescale(100, TimescaleUnit.CALENDAR_HOURS), "100 hours"),
            (Timescale(2, TimescaleUnit.CALENDAR_DAYS), "2 days"),
            (Timescale(1, TimescaleUnit.CALENDAR_DAYS), "1 day"),
        ],
    )
    def test_describe(self, timescale: Timescale, expected: str) -> None:
        assert timescale.describe() == expected
        assert str(timescale) == expected

    def test_amount_is_decimal_and_equal_across_types(self) -> None:
        assert Timescale(0.1, TimescaleUnit.WORKING_HOURS).amount == Decimal("0.1")
        assert isinstance(FOUR_WORKING_HOURS.amount, Decimal)
        assert Timescale(4, TimescaleUnit.WORKING_HOURS) == Timescale(
            Decimal("4.0"), TimescaleUnit.WORKING_HOURS
        )
        assert len({Timescale(4, "working_hours"), FOUR_WORKING_HOURS}) == 1  # type: ignore[arg-type]


# -- properties ----------------------------------------------------------------

starts = st.datetimes(
    min_value=datetime(2025, 1, 1),  # hypothesis wants naive bounds
    max_value=datetime(2028, 12, 31),
    timezones=st.sampled_from([LONDON, UTC, ZoneInfo("America/New_York")]),
    allow_imaginary=False,
)
hour_amounts = st.decimals(min_value=0, max_value=300, places=2)


def as_timedelta(hours: Decimal) -> timedelta:
    return timedelta(seconds=int(hours * 3600))  # exact: two decimal places


def utc(dt: datetime) -> datetime:
    """Python compares same-zone datetimes by wall clock; compare instants."""
    return dt.astimezone(UTC)


def is_closing_time(cal: WorkingCalendar, dt: datetime) -> bool:
    local = dt.astimezone(cal.tz)
    hours = cal.hours_for(local.weekday())
    return (
        hours is not None
        and cal.is_working_day(local.date())
        and local.time() == hours.closes
    )


@settings(deadline=None)
@given(start=starts, hours=hour_amounts)
def test_add_working_hours_invariants(start: datetime, hours: Decimal) -> None:
    deadline = CAL.add_working_hours(start, hours)
    assert deadline.tzinfo is LONDON
    assert utc(deadline) >= utc(start)
    assert CAL.is_working_moment(deadline) or is_closing_time(CAL, deadline)
    begin = CAL.next_working_moment(start)
    assert CAL.working_time_between(begin, deadline) == as_timedelta(hours)
    assert CAL.working_time_between(start, deadline) == as_timedelta(hours)


@settings(deadline=None)
@given(start=starts, a=hour_amounts, b=hour_amounts)
def test_add_working_hours_is_monotonic(
    start: datetime, a: Decimal, b: Decimal
) -> None:
    low, high = sorted((a, b))
    earlier = utc(CAL.add_working_hours(start, low))
    later = utc(CAL.add_working_hours(start, high))
    assert earlier <= later
    if low < high:
        assert earlier < later


@settings(deadline=None)
@given(
    start=starts,
    a=hour_amounts,
    b=st.decimals(min_value=Decimal("0.01"), max_value=300, places=2),
)
def test_add_working_hours_is_additive(start: datetime, a: Decimal, b: Decimal) -> None:
    # b > 0: adding zero to a closing time moves to the next opening.
    in_one_go = CAL.add_working_hours(start, a + b)
    in_two_steps = CAL.add_working_hours(CAL.add_working_hours(start, a), b)
    assert in_one_go == in_two_steps


@settings(deadline=None)
@given(start=starts, end=starts)
def test_working_time_between_is_antisymmetric(start: datetime, end: datetime) -> None:
    forward = CAL.working_time_between(start, end)
    assert forward == -CAL.working_time_between(end, start)
    if utc(end) < utc(start):
        assert forward <= timedelta(0)


@settings(deadline=None)
@given(start=starts, days=st.integers(min_value=0, max_value=60))
def test_add_working_days_invariants(start: datetime, days: int) -> None:
    deadline = CAL.add_working_days(start, days)
    following = CAL.add_working_days(start, days + 1)
    assert utc(start) <= utc(deadline) < utc(following)
    assert CAL.is_working_moment(deadline) or is_closing_time(CAL, deadline)
    assert deadline.tzinfo is LONDON


@settings(deadline=None)
@given(start=starts, hours=hour_amounts)
def test_calendar_hours_are_elapsed_time(start: datetime, hours: Decimal) -> None:
    deadline = CAL.add(start, Timescale(hours, TimescaleUnit.CALENDAR_HOURS))
    assert utc(deadline) - utc(start) == as_timedelta(hours)
