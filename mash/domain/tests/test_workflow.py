"""The contact state machine, tested exhaustively and without a database.

The expected flow is written out here by hand from the documented procedure (DOMAIN.md §2,
seed 002 §9-§13), as plain strings, so that a change to TRANSITIONS that breaks the
procedure is caught rather than copied.
"""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mash.domain.workflow import (
    INITIAL_STATUS,
    OPEN_STATUSES,
    RATEABLE_STATUSES,
    STATUS_LABELS,
    TRANSITIONS,
    ContactEvent,
    ContactStatus,
    Guards,
    TransitionRefused,
    allowed_events,
    next_status,
)

OFFICER, DM, MANAGER = "mash_officer", "decision_maker", "team_manager"
PARTNER, ADMIN = "partner_practitioner", "administrator"
SERVICE, STRATEGIC, DIRECTOR = "service_manager", "strategic_manager", "assistant_director"
ALL_ROLES = (OFFICER, DM, MANAGER, PARTNER, ADMIN, SERVICE, STRATEGIC, DIRECTOR, "", "superuser", "Team_Manager")
MASH = {OFFICER, DM, MANAGER}
DECIDERS = {DM, MANAGER}
# Whoever resolves a professional disagreement (seed 002 §14) may send a changed decision back.
RESOLVERS = {MANAGER, SERVICE, STRATEGIC, DIRECTOR}

# (status, event) -> (target, roles allowed): the documented flow, independent of the module.
DOCUMENTED_FLOW: dict[tuple[str, str], tuple[str, set[str]]] = {
    ("recorded", "submit_for_triage"): ("awaiting_triage", MASH),
    ("awaiting_triage", "triage"): ("triaged", DECIDERS),
    ("triaged", "recommend"): ("awaiting_sign_off", DECIDERS),
    ("challenged", "recommend"): ("awaiting_sign_off", DECIDERS),
    ("awaiting_sign_off", "challenge"): ("challenged", {MANAGER}),
    ("awaiting_sign_off", "sign_off"): ("signed_off", {MANAGER}),
    ("signed_off", "close"): ("closed", MASH),
    ("signed_off", "reopen_after_dispute"): ("challenged", RESOLVERS),
    ("closed", "reopen_after_dispute"): ("challenged", RESOLVERS),
}
ALL_STATUSES = ("recorded", "awaiting_triage", "triaged", "awaiting_sign_off", "challenged", "signed_off", "closed")
ALL_EVENTS = ("submit_for_triage", "triage", "recommend", "challenge", "sign_off", "close", "reopen_after_dispute")

EXPECTED_LEGAL = {(status, event, role): target for (status, event), (target, roles) in DOCUMENTED_FLOW.items() for role in roles}

# Guards that let every step through, so only status and role decide.
PERMISSIVE = Guards(
    all_subjects_linked=True, has_rating=True, actor_made_recommendation=False, comment="reason", feedback_sent=True
)


def test_the_enums_hold_exactly_the_documented_statuses_and_events():
    assert {s.value for s in ContactStatus} == set(ALL_STATUSES)
    assert {e.value for e in ContactEvent} == set(ALL_EVENTS)
    assert INITIAL_STATUS.value == "recorded"
    assert {s.value for s in OPEN_STATUSES} == set(ALL_STATUSES) - {"closed"}
    assert {s.value for s in RATEABLE_STATUSES} == {"triaged", "challenged", "awaiting_sign_off"}
    assert set(STATUS_LABELS) == set(ContactStatus)


def test_transitions_table_matches_the_documented_flow():
    derived: dict[tuple[str, str], tuple[str, set[str]]] = {}
    for event, transition in TRANSITIONS.items():
        assert transition.event is event
        for source in transition.sources:
            derived[(source.value, event.value)] = (transition.target.value, set(transition.roles))
    assert derived == DOCUMENTED_FLOW


@pytest.mark.parametrize(
    ("status", "event", "role"),
    list(itertools.product(ALL_STATUSES, ALL_EVENTS, ALL_ROLES)),
)
def test_every_status_event_role_combination(status, event, role):
    key = (status, event, role)
    if key in EXPECTED_LEGAL:
        result = next_status(ContactStatus(status), ContactEvent(event), role, PERMISSIVE)
        assert result == ContactStatus(EXPECTED_LEGAL[key])
        assert result is TRANSITIONS[ContactEvent(event)].target
    else:
        with pytest.raises(TransitionRefused) as refused:
            next_status(ContactStatus(status), ContactEvent(event), role, PERMISSIVE)
        assert str(refused.value).strip(), "a refusal must explain itself"


def test_exactly_the_documented_number_of_legal_combinations():
    legal = set()
    for status, event, role in itertools.product(ALL_STATUSES, ALL_EVENTS, ALL_ROLES):
        try:
            next_status(ContactStatus(status), ContactEvent(event), role, PERMISSIVE)
        except TransitionRefused:
            continue
        legal.add((status, event, role))
    assert legal == set(EXPECTED_LEGAL)
    # 3 + 2 + 2 + 2 + 1 + 1 + 3, and 4 resolvers from signed off or closed
    assert len(legal) == 22


@pytest.mark.parametrize("role", [PARTNER, ADMIN])
def test_partner_and_administrator_can_do_nothing(role):
    for status, event in itertools.product(ALL_STATUSES, ALL_EVENTS):
        with pytest.raises(TransitionRefused):
            next_status(ContactStatus(status), ContactEvent(event), role, PERMISSIVE)
    for status in ContactStatus:
        assert allowed_events(status, role) == []


def test_closed_is_terminal_except_for_a_dispute_that_changes_the_decision():
    for event, role in itertools.product(ContactEvent, ALL_ROLES):
        if event is ContactEvent.REOPEN_AFTER_DISPUTE and role in RESOLVERS:
            assert next_status(ContactStatus.CLOSED, event, role, PERMISSIVE) is ContactStatus.CHALLENGED
            continue
        with pytest.raises(TransitionRefused):
            next_status(ContactStatus.CLOSED, event, role, PERMISSIVE)


@pytest.mark.parametrize("comment", ["", "  \n "])
def test_reopening_after_a_dispute_needs_the_recorded_resolution(comment):
    with pytest.raises(TransitionRefused, match="Record the resolution"):
        next_status(ContactStatus.CLOSED, ContactEvent.REOPEN_AFTER_DISPUTE, SERVICE, Guards(comment=comment))


@pytest.mark.parametrize(("status", "role"), list(itertools.product(ALL_STATUSES, ALL_ROLES)))
def test_allowed_events_lists_exactly_the_documented_steps(status, role):
    expected = {event for (s, event, r) in EXPECTED_LEGAL if s == status and r == role}
    assert {e.value for e in allowed_events(ContactStatus(status), role)} == expected


def test_wrong_status_message_names_the_current_status():
    with pytest.raises(TransitionRefused, match="awaiting triage"):
        next_status(ContactStatus.AWAITING_TRIAGE, ContactEvent.SIGN_OFF, MANAGER, PERMISSIVE)


def test_wrong_role_message_says_the_role_is_not_allowed():
    with pytest.raises(TransitionRefused, match="role does not allow"):
        next_status(ContactStatus.AWAITING_SIGN_OFF, ContactEvent.SIGN_OFF, DM, PERMISSIVE)


# -- guards ---------------------------------------------------------------------------


@pytest.mark.parametrize("role", sorted(MASH))
def test_unlinked_subjects_refuse_submit(role):
    with pytest.raises(TransitionRefused, match="Link every person"):
        next_status(ContactStatus.RECORDED, ContactEvent.SUBMIT_FOR_TRIAGE, role, Guards(all_subjects_linked=False))
    assert (
        next_status(ContactStatus.RECORDED, ContactEvent.SUBMIT_FOR_TRIAGE, role, Guards(all_subjects_linked=True))
        is ContactStatus.AWAITING_TRIAGE
    )


@pytest.mark.parametrize("role", sorted(DECIDERS))
def test_missing_rating_refuses_triage(role):
    with pytest.raises(TransitionRefused, match="RAG rating"):
        next_status(ContactStatus.AWAITING_TRIAGE, ContactEvent.TRIAGE, role, Guards(has_rating=False))
    assert next_status(ContactStatus.AWAITING_TRIAGE, ContactEvent.TRIAGE, role, Guards(has_rating=True)) is ContactStatus.TRIAGED


@pytest.mark.parametrize("comment", ["", "   ", "\n\t "])
def test_empty_comment_refuses_challenge(comment):
    with pytest.raises(TransitionRefused, match="Say why"):
        next_status(ContactStatus.AWAITING_SIGN_OFF, ContactEvent.CHALLENGE, MANAGER, Guards(comment=comment))


def test_challenge_with_a_comment_is_allowed():
    assert (
        next_status(ContactStatus.AWAITING_SIGN_OFF, ContactEvent.CHALLENGE, MANAGER, Guards(comment="Consider the sibling"))
        is ContactStatus.CHALLENGED
    )


def test_manager_who_recommended_cannot_sign_off():
    with pytest.raises(TransitionRefused, match="different manager"):
        next_status(ContactStatus.AWAITING_SIGN_OFF, ContactEvent.SIGN_OFF, MANAGER, Guards(actor_made_recommendation=True))
    assert (
        next_status(ContactStatus.AWAITING_SIGN_OFF, ContactEvent.SIGN_OFF, MANAGER, Guards(actor_made_recommendation=False))
        is ContactStatus.SIGNED_OFF
    )


@pytest.mark.parametrize("role", sorted(MASH))
def test_close_refused_until_feedback_sent(role):
    with pytest.raises(TransitionRefused, match="Give feedback to the referrer and the family"):
        next_status(ContactStatus.SIGNED_OFF, ContactEvent.CLOSE, role, Guards(feedback_sent=False))
    assert next_status(ContactStatus.SIGNED_OFF, ContactEvent.CLOSE, role, Guards(feedback_sent=True)) is ContactStatus.CLOSED


def test_guards_apply_only_to_their_own_step():
    """A failing guard for one step does not block another step."""
    blocking = Guards(all_subjects_linked=False, has_rating=True, comment="", actor_made_recommendation=True, feedback_sent=False)
    # recommend has no guard of its own
    assert next_status(ContactStatus.TRIAGED, ContactEvent.RECOMMEND, DM, blocking) is ContactStatus.AWAITING_SIGN_OFF
    # triage needs only the rating
    assert next_status(ContactStatus.AWAITING_TRIAGE, ContactEvent.TRIAGE, DM, blocking) is ContactStatus.TRIAGED
    # a manager who recommended may still challenge (with a reason)
    assert (
        next_status(
            ContactStatus.AWAITING_SIGN_OFF, ContactEvent.CHALLENGE, MANAGER, Guards(actor_made_recommendation=True, comment="x")
        )
        is ContactStatus.CHALLENGED
    )


def test_status_and_role_are_checked_before_guards():
    """A partner is told about the role, not asked to link people first."""
    with pytest.raises(TransitionRefused, match="role does not allow"):
        next_status(ContactStatus.RECORDED, ContactEvent.SUBMIT_FOR_TRIAGE, PARTNER, Guards(all_subjects_linked=False))


# -- random walks ---------------------------------------------------------------------

guards_strategy = st.builds(
    Guards,
    all_subjects_linked=st.booleans(),
    has_rating=st.booleans(),
    actor_made_recommendation=st.booleans(),
    comment=st.sampled_from(["", "  ", "Please reconsider the sibling's school attendance"]),
    feedback_sent=st.booleans(),
)
step_strategy = st.tuples(st.sampled_from(list(ContactEvent)), st.sampled_from(ALL_ROLES), guards_strategy)


def _guard_passes(event: str, guards: Guards) -> bool:
    return {
        "submit_for_triage": guards.all_subjects_linked,
        "triage": guards.has_rating,
        "recommend": True,
        "challenge": bool(guards.comment.strip()),
        "sign_off": not guards.actor_made_recommendation,
        "close": guards.feedback_sent,
        "reopen_after_dispute": bool(guards.comment.strip()),
    }[event]


@settings(max_examples=400, deadline=None, database=None)
@given(st.lists(step_strategy, min_size=1, max_size=60))
def test_random_walk_moves_only_along_the_documented_flow(steps):
    status = ContactStatus.RECORDED
    closed_at_step = None
    for index, (event, role, guards) in enumerate(steps):
        expected_target = EXPECTED_LEGAL.get((status.value, event.value, role))
        should_move = expected_target is not None and _guard_passes(event.value, guards)
        try:
            after = next_status(status, event, role, guards)
        except TransitionRefused:
            assert not should_move, f"{status} --{event}/{role}--> refused but the flow allows it"
            continue
        assert should_move, f"{status} --{event}/{role}--> {after} is not in the documented flow"
        assert after.value == expected_target
        assert status in TRANSITIONS[event].sources and after is TRANSITIONS[event].target
        if closed_at_step is not None and event is not ContactEvent.REOPEN_AFTER_DISPUTE:
            pytest.fail("a closed contact moved again other than by a dispute")
        status = after
        closed_at_step = index if status is ContactStatus.CLOSED else None


@settings(max_examples=200, deadline=None, database=None)
@given(st.lists(st.sampled_from(list(ContactEvent)), max_size=40), st.sampled_from(ALL_ROLES))
def test_random_walk_after_closed_nothing_moves(events, role):
    for event in events:
        if event is ContactEvent.REOPEN_AFTER_DISPUTE and role in RESOLVERS:
            continue  # tested above: the one way back
        with pytest.raises(TransitionRefused):
            next_status(ContactStatus.CLOSED, event, role, PERMISSIVE)


def test_happy_path_reaches_closed_through_a_challenge():
    path = [
        (ContactEvent.SUBMIT_FOR_TRIAGE, OFFICER, ContactStatus.AWAITING_TRIAGE),
        (ContactEvent.TRIAGE, DM, ContactStatus.TRIAGED),
        (ContactEvent.RECOMMEND, DM, ContactStatus.AWAITING_SIGN_OFF),
        (ContactEvent.CHALLENGE, MANAGER, ContactStatus.CHALLENGED),
        (ContactEvent.RECOMMEND, DM, ContactStatus.AWAITING_SIGN_OFF),
        (ContactEvent.SIGN_OFF, MANAGER, ContactStatus.SIGNED_OFF),
        (ContactEvent.CLOSE, OFFICER, ContactStatus.CLOSED),
    ]
    status = INITIAL_STATUS
    for event, role, expected in path:
        status = next_status(status, event, role, PERMISSIVE)
        assert status is expected
