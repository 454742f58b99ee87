"""When a strategy discussion is due, and which agencies are missing from it."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mash.domain.strategy import END_OF_DAY, is_late, missing_required_agencies, same_day_deadline, strategy_due_by
from mash.domain.worktime import LONDON, DayHours, Timescale, TimescaleUnit, WorkingCalendar

MON_THU = DayHours(time(9), time(17, 30))
FRI = DayHours(time(9), time(17))
CAL = WorkingCalendar.england_and_wales({0: MON_THU, 1: MON_THU, 2: MON_THU, 3: MON_THU, 4: FRI})
ONE_WORKING_DAY = Timescale(1, TimescaleUnit.WORKING_DAYS)


def london(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=LONDON)


def due(decided: datetime, *, same_day: bool = True, last_held_at: datetime | None = None) -> datetime:
    return strategy_due_by(decided, same_day=same_day, timescale=ONE_WORKING_DAY, calendar=CAL, last_held_at=last_held_at)


class TestSameDay:
    def test_red_decided_on_a_working_morning_is_due_at_closing_time(self) -> None:
        assert due(london(2026, 11, 10, 10, 15)) == london(2026, 11, 10, 17, 30)  # Tuesday

    def test_friday_closes_earlier(self) -> None:
        assert due(london(2026, 11, 13, 16, 0)) == london(2026, 11, 13, 17, 0)

    def test_decided_exactly_at_closing_time(self) -> None:
        assert due(london(2026, 11, 10, 17, 30)) == london(2026, 11, 10, 17, 30)

    def test_decided_after_closing_is_due_by_the_end_of_the_same_calendar_day(self) -> None:
        result = due(london(2026, 11, 10, 18, 5))
        assert result.date() == date(2026, 11, 10)
        assert (result.hour, result.minute) == (23, 59)

    def test_weekend_is_the_same_calendar_day_not_monday(self) -> None:
        result = due(london(2026, 11, 14, 11, 0))  # Saturday
        assert result == datetime.combine(date(2026, 11, 14), END_OF_DAY, tzinfo=LONDON)

    def test_bank_holiday_is_the_same_calendar_day(self) -> None:
        result = due(london(2026, 12, 25, 9, 30))  # Christmas Day, a Friday
        assert result.date() == date(2026, 12, 25) and result.hour == 23

    def test_zone_of_the_input_does_not_matter(self) -> None:
        # 09:30 UTC on a summer Tuesday is 10:30 in London: still due at London's closing time.
        decided = datetime(2026, 6, 9, 9, 30, tzinfo=UTC)
        assert due(decided) == london(2026, 6, 9, 17, 30)

    def test_late_evening_in_utc_belongs_to_the_london_day(self) -> None:
        # 23:30 UTC on 30 June is 00:30 on 1 July in London (BST).
        result = due(datetime(2026, 6, 30, 23, 30, tzinfo=UTC))
        assert result.astimezone(LONDON).date() == date(2026, 7, 1)

    def test_naive_datetimes_are_refused(self) -> None:
        with pytest.raises(ValueError):
            same_day_deadline(datetime(2026, 11, 10, 10, 0), CAL)


class TestNotSameDay:
    def test_amber_uses_the_partnership_timescale(self) -> None:
        assert due(london(2026, 11, 10, 10, 15), same_day=False) == london(2026, 11, 11, 10, 15)

    def test_amber_on_friday_evening_runs_over_the_weekend(self) -> None:
        assert due(london(2026, 11, 13, 18, 0), same_day=False) == london(2026, 11, 17, 9, 0)


class TestFurtherDiscussion:
    def test_runs_from_the_last_discussion_held_even_for_red(self) -> None:
        decided = london(2026, 11, 10, 10, 0)
        held = london(2026, 11, 10, 15, 0)
        assert due(decided, last_held_at=held) == london(2026, 11, 11, 15, 0)


class TestLate:
    def test_late_only_after_the_deadline(self) -> None:
        deadline = london(2026, 11, 10, 17, 30)
        assert not is_late(deadline, deadline)
        assert not is_late(deadline - timedelta(minutes=1), deadline)
        assert is_late(deadline + timedelta(minutes=1), deadline)


class TestMissingAgencies:
    def test_health_missing(self) -> None:
        required = {"Children's social care", "Police", "Health"}
        assert missing_required_agencies(required, {"Police", "Children's social care", "Education"}) == ["Health"]

    def test_nobody_attending(self) -> None:
        assert missing_required_agencies({"Police", "Health", "Children's social care"}, set()) == [
            "Children's social care",
            "Health",
            "Police",
        ]

    def test_nothing_required(self) -> None:
        assert missing_required_agencies(set(), {"Police"}) == []


NAMES = st.sets(st.sampled_from(["Children's social care", "Police", "Health", "Education", "Probation", "Housing"]))


@given(required=NAMES, attending=NAMES)
def test_missing_is_exactly_the_required_not_attending(required: set[str], attending: set[str]) -> None:
    missing = missing_required_agencies(required, attending)
    assert set(missing) == required - attending
    assert len(missing) == len(set(missing))
    assert missing == sorted(missing, key=lambda n: (n.casefold(), n))
    # Adding everyone required to the attendance clears every warning.
    assert missing_required_agencies(required, attending | required) == []


MOMENTS = st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2030, 12, 31), timezones=st.just(LONDON))


@settings(max_examples=300, deadline=None)
@given(decided=MOMENTS)
def test_same_day_deadline_is_never_before_the_decision_and_never_the_next_day(decided: datetime) -> None:
    result = due(decided)
    assert result >= decided
    assert result.astimezone(LONDON).date() == decided.astimezone(LONDON).date()
    local = decided.astimezone(LONDON)
    hours = CAL.hours_for(local.weekday())
    if CAL.is_working_day(local.date()) and hours is not None and local.time() <= hours.closes:
        assert result.astimezone(LONDON).time() == hours.closes
    else:
        assert result.astimezone(LONDON).time() == END_OF_DAY


@settings(max_examples=200, deadline=None)
@given(decided=MOMENTS)
def test_same_day_is_never_later_than_the_ordinary_timescale_would_be(decided: datetime) -> None:
    # The RED rule exists to be stricter: on a working day before closing it is never later than a working day.
    local = decided.astimezone(LONDON)
    if CAL.is_working_moment(local):
        assert due(decided) <= due(decided, same_day=False)
