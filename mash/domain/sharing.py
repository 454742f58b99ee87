"""Rules of lawful information sharing that need no database (DOMAIN.md §4, seed 002 §10-§12, App. F)."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

DECISION_ROLES = frozenset({"decision_maker", "team_manager"})


class ConsentState(StrEnum):
    GIVEN = "given"
    REFUSED = "refused"
    NOT_SOUGHT = "not_sought"


NOT_SOUGHT_REASONS = frozenset({"increase_risk", "prejudice_crime", "undue_delay"})


def override_needed(consent: str) -> bool:
    """Sharing without consent needs a manager's rationale and a lawful basis (seed 002 §6)."""
    return consent != ConsentState.GIVEN


def override_problems(consent: str, not_sought_reason: str, lawful_basis_count: int, rationale: str) -> list[str]:
    """What is missing from a manager's decision to share without consent."""
    problems = []
    if consent == ConsentState.GIVEN:
        problems.append("Consent was given, so there is nothing to override.")
    if consent == ConsentState.NOT_SOUGHT and not_sought_reason not in NOT_SOUGHT_REASONS:
        problems.append("Consent may be left unsought only for one of the three reasons: record which one first.")
    if lawful_basis_count < 1:
        problems.append("Select at least one lawful basis for sharing without consent.")
    if not rationale.strip():
        problems.append("Record the rationale for sharing without consent.")
    return problems


def may_see_sensitive(role: str, user_agency_id: int | None, holder_agency_id: int) -> bool:
    """Sensitive or soft information is for the MASH decision, and for the agency that holds it.

    MASH officers, receiving teams, other agencies, data protection officers and administrators
    see only that it exists and who holds it (seed 002 §11).
    """
    if role in DECISION_ROLES:
        return True
    return role == "partner_practitioner" and user_agency_id is not None and user_agency_id == holder_agency_id


def tightened(current_due: datetime, candidate_due: datetime) -> datetime:
    """A raised rating brings a deadline forward and never pushes it back."""
    return min(current_due, candidate_due)


def is_overdue(due_at: datetime, now: datetime) -> bool:
    return now > due_at


def is_due_soon(due_at: datetime, now: datetime, warning: timedelta) -> bool:
    return not is_overdue(due_at, now) and due_at - now <= warning


def chase_is_due(due_at: datetime, last_chased_at: datetime | None, next_chase_at: datetime | None, now: datetime) -> bool:
    """An overdue request is chased once it is overdue, then again each time the chase interval passes."""
    if not is_overdue(due_at, now):
        return False
    if last_chased_at is None:
        return True
    return next_chase_at is not None and now >= next_chase_at
