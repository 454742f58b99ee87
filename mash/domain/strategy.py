"""Rules for child protection strategy discussions and meetings (no Django).

Working Together to Safeguard Children: when there is reasonable cause to suspect a child is
suffering, or likely to suffer, significant harm, children's social care convenes a strategy
discussion with the police, health and other relevant agencies. Seed 002 §9 point 5 and App. B:
for a RED contact it is arranged and its actions are completed *that day*; more than one
discussion or meeting may be needed.

When a strategy discussion is due
---------------------------------
* **Same day** (the contact's RAG rating is marked "strategy discussion the same day", RED in
  the demo): by the end of the *same local calendar day* as the section 47 decision. On a
  working day that is the MASH's closing time, provided the decision was made before it closed;
  a decision made after closing time, or on a day the MASH is closed (weekend, bank holiday,
  local closure), is due by the end of that same calendar day (23:59:59.999999 local time,
  shown as 23:59). A child at immediate risk does not wait for the office to reopen: the
  out-of-hours service holds the discussion that night.
* **Otherwise**: the partnership's strategy timescale (e.g. 1 working day) from the decision,
  counted with the working calendar.
* **A further discussion** (one has already been held for the contact, e.g. it decided another
  discussion was needed): the partnership's strategy timescale from when the last one was held.
  The same-day rule is about the first response to the decision and is not applied again.

The clock starts when the section 47 outcome was recommended (not when a manager signed it
off), so a manager's sign-off can never push the deadline later; a RED strategy discussion may
be convened before sign-off.
"""

from __future__ import annotations

from collections.abc import Set
from datetime import datetime, time

from mash.domain.worktime import Timescale, WorkingCalendar

__all__ = ["END_OF_DAY", "is_late", "missing_required_agencies", "same_day_deadline", "strategy_due_by"]

# The last moment of a calendar day (displayed as 23:59).
END_OF_DAY = time.max


def _require_aware(value: datetime, what: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{what} must be an aware datetime")


def same_day_deadline(decided_at: datetime, calendar: WorkingCalendar) -> datetime:
    """The end of the local calendar day of `decided_at`: the MASH's closing time that day if it
    is open and has not yet closed, otherwise 23:59:59.999999 that same day."""
    _require_aware(decided_at, "decided_at")
    local = decided_at.astimezone(calendar.tz)
    day = local.date()
    if calendar.is_working_day(day):
        hours = calendar.hours_for(day.weekday())
        if hours is not None:
            closes = datetime.combine(day, hours.closes, tzinfo=calendar.tz)
            if local <= closes:
                return closes
    return datetime.combine(day, END_OF_DAY, tzinfo=calendar.tz)


def strategy_due_by(
    decided_at: datetime,
    *,
    same_day: bool,
    timescale: Timescale,
    calendar: WorkingCalendar,
    last_held_at: datetime | None = None,
) -> datetime:
    """When a strategy discussion must be held by (see the module docstring).

    `decided_at`: when the section 47 outcome was recommended. `last_held_at`: when the most
    recent discussion for the contact was held, for a further discussion (None for the first).
    """
    _require_aware(decided_at, "decided_at")
    if last_held_at is not None:
        _require_aware(last_held_at, "last_held_at")
        return calendar.add(last_held_at, timescale)
    if same_day:
        return same_day_deadline(decided_at, calendar)
    return calendar.add(decided_at, timescale)


def is_late(scheduled_for: datetime, due_by: datetime) -> bool:
    """A discussion planned after its deadline needs a recorded reason for the delay."""
    _require_aware(scheduled_for, "scheduled_for")
    _require_aware(due_by, "due_by")
    return scheduled_for > due_by


def missing_required_agencies(required: Set[str], attending: Set[str]) -> list[str]:
    """The required agencies (or kinds of agency) with no one recorded as attending, sorted.

    A warning, never a block: a discussion may have to go ahead without, say, health, but the
    gap must be visible (Working Together expects police, health and children's social care).
    """
    return sorted(required - attending, key=lambda name: (name.casefold(), name))
