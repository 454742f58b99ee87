"""The life of a contact, as a state machine that knows nothing about HTTP or databases.

Every path that moves a contact on (web page, admin, API, shell) ends in
`mash.intake.workflow.apply_event`, which asks this module whether the step is allowed.
Keeping the rules pure means they are tested exhaustively without a browser.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class ContactStatus(StrEnum):
    RECORDED = "recorded"
    AWAITING_TRIAGE = "awaiting_triage"
    TRIAGED = "triaged"
    AWAITING_SIGN_OFF = "awaiting_sign_off"
    CHALLENGED = "challenged"
    SIGNED_OFF = "signed_off"
    CLOSED = "closed"


STATUS_LABELS: dict[ContactStatus, str] = {
    ContactStatus.RECORDED: "Being recorded",
    ContactStatus.AWAITING_TRIAGE: "Awaiting triage",
    ContactStatus.TRIAGED: "Triaged: awaiting decision",
    ContactStatus.AWAITING_SIGN_OFF: "Awaiting manager sign-off",
    ContactStatus.CHALLENGED: "Challenged by manager",
    ContactStatus.SIGNED_OFF: "Outcome signed off: feedback due",
    ContactStatus.CLOSED: "Closed",
}

INITIAL_STATUS = ContactStatus.RECORDED
OPEN_STATUSES = frozenset(set(ContactStatus) - {ContactStatus.CLOSED})
# While a contact is in one of these, the decision maker may still change its rating.
RATEABLE_STATUSES = frozenset({ContactStatus.TRIAGED, ContactStatus.CHALLENGED, ContactStatus.AWAITING_SIGN_OFF})


class ContactEvent(StrEnum):
    SUBMIT_FOR_TRIAGE = "submit_for_triage"
    TRIAGE = "triage"
    RECOMMEND = "recommend"
    CHALLENGE = "challenge"
    SIGN_OFF = "sign_off"
    CLOSE = "close"
    REOPEN_AFTER_DISPUTE = "reopen_after_dispute"


OFFICER = "mash_officer"
DECISION_MAKER = "decision_maker"
MANAGER = "team_manager"
# The professional disagreement ladder (seed 002 §14): whoever resolves a dispute may send
# the decision back to the MASH when it does not stand.
DISPUTE_RESOLVERS = frozenset({MANAGER, "service_manager", "strategic_manager", "assistant_director"})


@dataclass(frozen=True)
class Transition:
    event: ContactEvent
    sources: frozenset[ContactStatus]
    target: ContactStatus
    roles: frozenset[str]
    description: str


TRANSITIONS: dict[ContactEvent, Transition] = {
    t.event: t
    for t in (
        Transition(
            ContactEvent.SUBMIT_FOR_TRIAGE,
            frozenset({ContactStatus.RECORDED}),
            ContactStatus.AWAITING_TRIAGE,
            frozenset({OFFICER, DECISION_MAKER, MANAGER}),
            "send the recorded contact to the decision makers",
        ),
        Transition(
            ContactEvent.TRIAGE,
            frozenset({ContactStatus.AWAITING_TRIAGE}),
            ContactStatus.TRIAGED,
            frozenset({DECISION_MAKER, MANAGER}),
            "triage: set level of need and RAG rating",
        ),
        Transition(
            ContactEvent.RECOMMEND,
            frozenset({ContactStatus.TRIAGED, ContactStatus.CHALLENGED}),
            ContactStatus.AWAITING_SIGN_OFF,
            frozenset({DECISION_MAKER, MANAGER}),
            "recommend an outcome for a manager to sign off",
        ),
        Transition(
            ContactEvent.CHALLENGE,
            frozenset({ContactStatus.AWAITING_SIGN_OFF}),
            ContactStatus.CHALLENGED,
            frozenset({MANAGER}),
            "challenge the recommendation and send it back",
        ),
        Transition(
            ContactEvent.SIGN_OFF,
            frozenset({ContactStatus.AWAITING_SIGN_OFF}),
            ContactStatus.SIGNED_OFF,
            frozenset({MANAGER}),
            "agree the recommendation: the outcome takes effect",
        ),
        Transition(
            ContactEvent.CLOSE,
            frozenset({ContactStatus.SIGNED_OFF}),
            ContactStatus.CLOSED,
            frozenset({OFFICER, DECISION_MAKER, MANAGER}),
            "close the contact once feedback has been sent",
        ),
        Transition(
            ContactEvent.REOPEN_AFTER_DISPUTE,
            frozenset({ContactStatus.SIGNED_OFF, ContactStatus.CLOSED}),
            ContactStatus.CHALLENGED,
            DISPUTE_RESOLVERS,
            "send the decision back to the MASH after a professional disagreement",
        ),
    )
}


class TransitionRefused(Exception):
    """The step is not allowed; the message says why in words a practitioner understands."""


@dataclass(frozen=True)
class Guards:
    """Facts about the contact that some steps depend on, gathered by the caller."""

    all_subjects_linked: bool = True
    has_rating: bool = True
    actor_made_recommendation: bool = False
    comment: str = ""
    feedback_sent: bool = True


def next_status(current: ContactStatus, event: ContactEvent, role: str, guards: Guards = Guards()) -> ContactStatus:
    """Return the status after `event`, or raise TransitionRefused explaining why not."""
    transition = TRANSITIONS[event]
    if current not in transition.sources:
        raise TransitionRefused(
            f"You cannot {transition.description} while the contact is '{STATUS_LABELS[current].lower()}'."
        )
    if role not in transition.roles:
        raise TransitionRefused(f"Your role does not allow you to {transition.description}.")
    if event is ContactEvent.SUBMIT_FOR_TRIAGE and not guards.all_subjects_linked:
        raise TransitionRefused(
            "Link every person on the contact to an existing record, or create a new one, before sending it for triage."
        )
    if event is ContactEvent.TRIAGE and not guards.has_rating:
        raise TransitionRefused("Set the level of need and the RAG rating to triage the contact.")
    if event is ContactEvent.CHALLENGE and not guards.comment.strip():
        raise TransitionRefused("Say why you are challenging the recommendation.")
    if event is ContactEvent.REOPEN_AFTER_DISPUTE and not guards.comment.strip():
        raise TransitionRefused("Record the resolution of the disagreement before sending the decision back.")
    if event is ContactEvent.SIGN_OFF and guards.actor_made_recommendation:
        raise TransitionRefused("A different manager must sign off an outcome that you recommended yourself.")
    if event is ContactEvent.CLOSE and not guards.feedback_sent:
        raise TransitionRefused("Give feedback to the referrer and the family (a letter sent, a call recorded, or a manager's decision to withhold it) before closing the contact.")
    return transition.target


def allowed_events(current: ContactStatus, role: str) -> list[ContactEvent]:
    """Events the role could attempt from here (guards are checked when attempted)."""
    return [t.event for t in TRANSITIONS.values() if current in t.sources and role in t.roles]
