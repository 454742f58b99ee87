"""Cumulative harm: several low-level contacts about a child or a household, "pieces of the same puzzle".

Seed 001 quotes the National Panel (2022): agencies "hold pieces of the same puzzle but no one
holds all of the pieces". Seed 000 (P3/4): early help referrals are tracked "so that cumulative
harm is identified". No single low-level contact meets a threshold; together they may.

What counts as a low-level contact (the partnership configures the numbers):

* a contact whose **agreed outcome** is no further action, advice and signposting or early help
  (the MASH's final view of the contact decides once there is one: a contact that was referred
  for an assessment or a section 47 enquiry is already known to social care and is not "low-level",
  whatever its first rating);
* otherwise, a contact whose **level of need** is at or below the partnership's highest
  low-level level;
* otherwise, a contact **not yet rated** (just submitted, as the new contact itself is when the
  check first runs): until a decision maker says otherwise it is one more piece of the puzzle.

A contact is counted for a child when the child is its subject; the household total counts each
contact about any child of the household once. The window runs back `window_days` from the moment
the check is made for (the new contact's receipt), both ends included; contacts outside it never
count. The alert is raised when the household total (which includes the child's own contacts)
reaches the threshold.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

LOW_LEVEL_OUTCOMES = frozenset({"nfa", "advice_signpost", "early_help"})


@dataclass(frozen=True)
class CumulativeRule:
    window_days: int
    threshold: int
    max_level: int


@dataclass(frozen=True)
class DatedContact:
    """One contact about one child of the household, as the rule needs to see it."""

    contact_id: int
    reference: str
    child_id: int
    child_name: str
    received_at: datetime
    level: int | None = None
    agreed_outcome: str | None = None


@dataclass(frozen=True)
class ChildCount:
    child_id: int
    child_name: str
    count: int


@dataclass(frozen=True)
class CumulativeFinding:
    alert: bool
    child_id: int
    child_name: str
    child_count: int
    household_total: int
    per_child: tuple[ChildCount, ...]
    dates: tuple[date, ...]
    references: tuple[str, ...]
    window_days: int
    threshold: int

    @property
    def includes_others(self) -> bool:
        return self.household_total > self.child_count

    @property
    def window(self) -> str:
        return describe_window(self.window_days)

    def message(self) -> str:
        """What the alert and the warning say, e.g. '4 low-level contacts about Amy Smith's household in the last
        12 months (Amy Smith 2, Ben Smith 2; 3 March 2025 to 1 February 2026): consider cumulative harm.'"""
        if self.includes_others:
            about = f"{self.child_name}'s household"
            counts = ", ".join(f"{c.child_name} {c.count}" for c in self.per_child)
            detail = f"{counts}; {_span(self.dates)}"
        else:
            about = self.child_name
            detail = _span(self.dates)
        noun = "contact" if self.household_total == 1 else "contacts"
        return (
            f"{self.household_total} low-level {noun} about {about} in the last {self.window} ({detail}): "
            "consider cumulative harm."
        )


def is_low_level(level: int | None, agreed_outcome: str | None, max_level: int) -> bool:
    if agreed_outcome:
        return agreed_outcome in LOW_LEVEL_OUTCOMES
    if level is not None:
        return level <= max_level
    return True


def in_window(received_at: datetime, as_of: datetime, window_days: int) -> bool:
    return as_of - timedelta(days=window_days) <= received_at <= as_of


def assess(
    contacts: Iterable[DatedContact], *, child_id: int, child_name: str, as_of: datetime, rule: CumulativeRule
) -> CumulativeFinding:
    """Count the low-level contacts in the window for the child and the household; alert at the threshold."""
    counted: dict[int, DatedContact] = {}
    for contact in contacts:
        if not in_window(contact.received_at, as_of, rule.window_days):
            continue
        if not is_low_level(contact.level, contact.agreed_outcome, rule.max_level):
            continue
        # One contact about two children of the household is one piece of the puzzle; it is
        # credited to this child when it is about them.
        existing = counted.get(contact.contact_id)
        if existing is None or (contact.child_id == child_id and existing.child_id != child_id):
            counted[contact.contact_id] = contact
    ordered = sorted(counted.values(), key=lambda c: (c.received_at, c.contact_id))
    names: dict[int, str] = {}
    tallies: dict[int, int] = {}
    for contact in ordered:
        names.setdefault(contact.child_id, contact.child_name)
        tallies[contact.child_id] = tallies.get(contact.child_id, 0) + 1
    per_child = sorted(
        (ChildCount(cid, names[cid], n) for cid, n in tallies.items()),
        key=lambda c: (c.child_id != child_id, -c.count, c.child_name),
    )
    total = len(ordered)
    return CumulativeFinding(
        alert=total >= rule.threshold,
        child_id=child_id,
        child_name=child_name,
        child_count=tallies.get(child_id, 0),
        household_total=total,
        per_child=tuple(per_child),
        dates=tuple(c.received_at.date() for c in ordered),
        references=tuple(c.reference for c in ordered),
        window_days=rule.window_days,
        threshold=rule.threshold,
    )


def describe_window(days: int) -> str:
    if days % 365 == 0:
        months = days // 365 * 12
        return f"{months} months"
    if days % 30 == 0:
        months = days // 30
        return "month" if months == 1 else f"{months} months"
    if days % 7 == 0:
        weeks = days // 7
        return "week" if weeks == 1 else f"{weeks} weeks"
    return "day" if days == 1 else f"{days} days"


def long_date(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def _span(dates: tuple[date, ...]) -> str:
    if not dates:
        return "none"
    if len(dates) <= 3:
        return ", ".join(long_date(d) for d in dates)
    return f"{long_date(dates[0])} to {long_date(dates[-1])}"
