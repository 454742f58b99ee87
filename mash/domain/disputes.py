"""Professional disagreement about a MASH decision: the escalation ladder (seed 002 §14, DOMAIN §6).

"If it is not possible to resolve the issues the matter should be escalated to the relevant
Service managers ... Failure to reach a resolution at this stage should prompt an immediate
escalation to the relevant Strategic Managers and if necessary the Assistant Director who will
make a final decision. This escalation process should be resolved within 1 working day."

Rules kept here, with no framework, so they are tested on their own:

* the ladder is the configured levels in their configured order (normally team manager →
  service manager → strategic manager → assistant director); the last rung decides and cannot
  escalate;
* the whole dispute is due one working day (configurable) after it was raised; each step is
  due by the sooner of its own timescale and the whole dispute's deadline, so no step may
  outlive the ladder;
* only somebody whose role *is* the level may act on a step; nobody may judge their own
  dispute, and the manager who signed off the disputed decision may not decide the first step;
* who may raise a dispute (MASH members, the referring agency, the receiving team) and what an
  answer must contain.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Final


class Level(StrEnum):
    TEAM_MANAGER = "team_manager"
    SERVICE_MANAGER = "service_manager"
    STRATEGIC_MANAGER = "strategic_manager"
    ASSISTANT_DIRECTOR = "assistant_director"


LEVEL_LABELS: Final[dict[str, str]] = {
    Level.TEAM_MANAGER: "team manager",
    Level.SERVICE_MANAGER: "service manager",
    Level.STRATEGIC_MANAGER: "strategic manager",
    Level.ASSISTANT_DIRECTOR: "assistant director",
}

# Seed 002 §14, in order.
DEFAULT_LADDER: Final[tuple[str, ...]] = tuple(level.value for level in Level)

# Who may raise a dispute (issue #4 point 3: "any MASH member or the referrer's agency"; the
# receiving team may dispute the MASH recommendation too, seed 002 §14).
MASH_ROLES: Final = frozenset({"mash_officer", "decision_maker", "team_manager", "service_manager"})
PARTNER_ROLE: Final = "partner_practitioner"
RECEIVING_ROLE: Final = "receiving_practitioner"


class Action(StrEnum):
    DECISION_STANDS = "decision_stands"
    DECISION_CHANGED = "decision_changed"
    ESCALATE = "escalate"


class LadderError(ValueError):
    """The configured ladder cannot be used (no rungs, a repeated or unknown level)."""


def ladder(configured: Iterable[tuple[int, str]]) -> tuple[str, ...]:
    """The rungs as (order, level) pairs sorted into the order the dispute climbs them."""
    rows = sorted(configured)
    levels = tuple(level for _, level in rows)
    if not levels:
        raise LadderError("No dispute levels are configured: an administrator must add them.")
    unknown = [level for level in levels if level not in DEFAULT_LADDER]
    if unknown:
        raise LadderError(f"Unknown dispute level {unknown[0]!r}.")
    if len(set(levels)) != len(levels):
        raise LadderError("A dispute level appears twice in the ladder.")
    orders = [order for order, _ in rows]
    if len(set(orders)) != len(orders):
        raise LadderError("Two dispute levels have the same order.")
    return levels


def first_level(rungs: Sequence[str]) -> str:
    if not rungs:
        raise LadderError("No dispute levels are configured: an administrator must add them.")
    return rungs[0]


def next_level(rungs: Sequence[str], current: str) -> str | None:
    """The rung above `current`, or None at the top (the final decision)."""
    if current not in rungs:
        raise LadderError(f"{current!r} is not on the ladder.")
    index = list(rungs).index(current)
    return rungs[index + 1] if index + 1 < len(rungs) else None


def can_escalate(rungs: Sequence[str], current: str) -> bool:
    return next_level(rungs, current) is not None


def step_due(opened: datetime, step_timescale_end: datetime, dispute_due: datetime) -> datetime:
    """A step is due by the sooner of its own timescale and the whole dispute's deadline.

    `opened` is when the step began; `step_timescale_end` is `opened` plus the level's
    timescale in working time. A step opened after the dispute fell due is due at once
    (its deadline is the dispute's, already passed).
    """
    for value, what in ((opened, "opened"), (step_timescale_end, "step_timescale_end"), (dispute_due, "dispute_due")):
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"{what} must be timezone-aware")
    if step_timescale_end < opened:
        raise ValueError("a step's timescale cannot end before the step opens")
    return min(step_timescale_end, dispute_due)


def is_late(due: datetime, finished: datetime | None, now: datetime) -> bool:
    """Finished after its deadline, or still unfinished and past it."""
    return (finished if finished is not None else now) > due


# -- who may act ---------------------------------------------------------------------------


@dataclass(frozen=True)
class StepFacts:
    """What the rule needs to know about a dispute's open step."""

    level: str
    raised_by_id: int
    signed_off_by_id: int | None
    dispute_open: bool = True


def act_refusal(role: str, user_id: int, step: StepFacts) -> str | None:
    """Why this person may not resolve or escalate the step, or None if they may."""
    if not step.dispute_open:
        return "This dispute has already been resolved."
    if role != step.level:
        return f"This dispute is waiting for a {LEVEL_LABELS.get(step.level, step.level)}: only they can resolve or escalate it now."
    if user_id == step.raised_by_id:
        return "You raised this dispute, so somebody else must decide it."
    if step.level == Level.TEAM_MANAGER and user_id == step.signed_off_by_id:
        return "You signed off the disputed decision, so a different team manager must consider the dispute."
    return None


def may_act(role: str, user_id: int, step: StepFacts) -> bool:
    return act_refusal(role, user_id, step) is None


# -- who may raise -------------------------------------------------------------------------


@dataclass(frozen=True)
class RaiseFacts:
    """What the rule needs to know about the contact, its decision and the person raising."""

    decision_agreed: bool
    decision_is_current: bool  # the contact is signed off or closed on this decision, not back in the MASH
    open_dispute: bool
    from_referring_agency: bool  # the user's agency referred the child
    from_receiving_team: bool  # the user's team received the child


def raise_refusal(role: str, facts: RaiseFacts) -> str | None:
    """Why this person may not dispute the decision, or None if they may."""
    if role in MASH_ROLES:
        allowed = True
    elif role == PARTNER_ROLE:
        allowed = facts.from_referring_agency
    elif role == RECEIVING_ROLE:
        allowed = facts.from_receiving_team
    else:
        allowed = False
    if not allowed:
        return "Only the MASH, the agency that made the referral or the team that received the child can dispute this decision."
    if not facts.decision_agreed:
        return "Only a decision a manager has signed off can be disputed."
    if not facts.decision_is_current:
        return "This decision is already being reconsidered by the MASH."
    if facts.open_dispute:
        return "This decision is already disputed: the dispute must be resolved before another is raised."
    return None


# -- what an answer needs ------------------------------------------------------------------


def action_problems(
    action: str,
    *,
    notes: str,
    agreed_outcome: str,
    disputed_outcome: str,
    summary: str,
    learning: str,
    can_escalate: bool,
) -> dict[str, str]:
    """Field name → what is missing, for resolving or escalating a step."""
    problems: dict[str, str] = {}
    if action not in set(Action):
        problems["action"] = "Choose whether the decision stands, changes, or the dispute is escalated."
        return problems
    if action == Action.ESCALATE:
        if not can_escalate:
            problems["action"] = "This is the final level: the assistant director makes the final decision."
        if not notes.strip():
            problems["notes"] = "Say why the disagreement could not be resolved at this level."
        return problems
    if action == Action.DECISION_CHANGED:
        if not agreed_outcome:
            problems["agreed_outcome"] = "Choose the outcome that has been agreed."
        elif agreed_outcome == disputed_outcome:
            problems["agreed_outcome"] = "The agreed outcome is the disputed one: choose 'the decision stands' instead."
    if not summary.strip():
        problems["resolution_summary"] = "Summarise the resolution for the person who raised the dispute."
    if not learning.strip():
        problems["learning"] = "Record the learning for the monthly review (write 'none identified' if there is none)."
    return problems
