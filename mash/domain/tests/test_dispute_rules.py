"""The professional disagreement ladder (seed 002 §14): deadlines, order, who may act and raise."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mash.domain.disputes import (
    DEFAULT_LADDER,
    Action,
    LadderError,
    Level,
    RaiseFacts,
    StepFacts,
    act_refusal,
    action_problems,
    can_escalate,
    first_level,
    is_late,
    ladder,
    may_act,
    next_level,
    raise_refusal,
    step_due,
)
from mash.domain.worktime import LONDON, DayHours, Timescale, TimescaleUnit, WorkingCalendar

MOMENTS = st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2035, 12, 31), timezones=st.just(UTC))
SPANS = st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=10))
ROLES = st.sampled_from(
    ["mash_officer", "decision_maker", "team_manager", "service_manager", "strategic_manager", "assistant_director",
     "partner_practitioner", "receiving_practitioner", "administrator", "data_protection_officer"]
)

CALENDAR = WorkingCalendar.england_and_wales(
    {
        0: DayHours(time(9), time(17, 30)),
        1: DayHours(time(9), time(17, 30)),
        2: DayHours(time(9), time(17, 30)),
        3: DayHours(time(9), time(17, 30)),
        4: DayHours(time(9), time(17)),
    }
)
ONE_WORKING_DAY = Timescale(1, TimescaleUnit.WORKING_DAYS)

# -- deadlines ------------------------------------------------------------------------------


@given(MOMENTS, SPANS, SPANS)
def test_a_step_is_never_due_after_the_whole_dispute(opened, step_length, dispute_length):
    dispute_due = opened + dispute_length
    due = step_due(opened, opened + step_length, dispute_due)
    assert due <= dispute_due
    assert due <= opened + step_length
    assert due in (opened + step_length, dispute_due)


def test_the_sooner_of_the_two_deadlines_wins():
    opened = datetime(2026, 11, 23, 10, 0, tzinfo=LONDON)
    assert step_due(opened, opened + timedelta(hours=2), opened + timedelta(hours=8)) == opened + timedelta(hours=2)
    assert step_due(opened, opened + timedelta(hours=2), opened + timedelta(hours=1)) == opened + timedelta(hours=1)


def test_a_step_opened_after_the_dispute_fell_due_is_due_at_once():
    opened = datetime(2026, 11, 23, 16, 0, tzinfo=LONDON)
    assert step_due(opened, opened + timedelta(hours=2), opened - timedelta(hours=1)) == opened - timedelta(hours=1)


def test_step_due_refuses_naive_or_backward_times():
    naive = datetime(2026, 11, 23, 10, 0)
    aware = naive.replace(tzinfo=LONDON)
    with pytest.raises(ValueError, match="aware"):
        step_due(naive, aware, aware)
    with pytest.raises(ValueError, match="before"):
        step_due(aware, aware - timedelta(minutes=1), aware)


@given(
    st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2030, 12, 31), timezones=st.just(LONDON)),
    st.lists(st.integers(min_value=0, max_value=240), min_size=4, max_size=4),
    st.lists(st.decimals(min_value=Decimal("0.25"), max_value=Decimal("6"), places=2), min_size=4, max_size=4),
)
def test_the_whole_ladder_fits_in_one_working_day_however_each_step_is_used(raised, delays, step_hours):
    """Each step opens when the last closed (after any delay); every step is still due within the day."""
    dispute_due = CALENDAR.add(raised, ONE_WORKING_DAY)
    opened = raised
    for delay, hours in zip(delays, step_hours, strict=True):
        opened = opened + timedelta(minutes=delay)
        due = step_due(opened, CALENDAR.add_working_hours(opened, hours), dispute_due)
        assert due <= dispute_due
        opened = min(due, opened + timedelta(minutes=delay))


def test_late_means_finished_after_the_deadline_or_still_open_past_it():
    due = datetime(2026, 11, 24, 10, 0, tzinfo=LONDON)
    assert not is_late(due, due, due + timedelta(days=3))
    assert is_late(due, due + timedelta(minutes=1), due)
    assert not is_late(due, None, due - timedelta(minutes=1))
    assert is_late(due, None, due + timedelta(minutes=1))


# -- the ladder -----------------------------------------------------------------------------


def test_the_default_ladder_is_the_order_of_seed_002_section_14():
    assert DEFAULT_LADDER == ("team_manager", "service_manager", "strategic_manager", "assistant_director")


@given(st.permutations(list(DEFAULT_LADDER)), st.lists(st.integers(min_value=1, max_value=99), min_size=4, max_size=4, unique=True))
def test_the_ladder_is_climbed_in_configured_order(levels, orders):
    rungs = ladder(zip(orders, levels, strict=True))
    expected = [level for _, level in sorted(zip(orders, levels, strict=True))]
    assert list(rungs) == expected
    # Climbing from the first rung visits every rung once, in order, and stops at the top.
    climbed = [first_level(rungs)]
    while (following := next_level(rungs, climbed[-1])) is not None:
        climbed.append(following)
    assert climbed == expected
    assert not can_escalate(rungs, climbed[-1])
    assert all(can_escalate(rungs, level) for level in climbed[:-1])


def test_the_assistant_director_makes_the_final_decision():
    rungs = ladder([(1, "team_manager"), (2, "service_manager"), (3, "strategic_manager"), (4, "assistant_director")])
    assert next_level(rungs, "team_manager") == "service_manager"
    assert next_level(rungs, "strategic_manager") == "assistant_director"
    assert next_level(rungs, "assistant_director") is None


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([], "No dispute levels"),
        ([(1, "team_manager"), (2, "team_manager")], "twice"),
        ([(1, "team_manager"), (2, "head_teacher")], "Unknown"),
        ([(1, "team_manager"), (1, "service_manager")], "same order"),
    ],
)
def test_a_broken_ladder_is_refused(rows, message):
    with pytest.raises(LadderError, match=message):
        ladder(rows)


def test_a_level_not_on_the_ladder_has_no_next_level():
    with pytest.raises(LadderError):
        next_level(("team_manager", "service_manager"), "assistant_director")


# -- who may act ----------------------------------------------------------------------------

RAISER, SIGNER, OTHER = 1, 2, 3


def step(level: str, *, open_: bool = True) -> StepFacts:
    return StepFacts(level=level, raised_by_id=RAISER, signed_off_by_id=SIGNER, dispute_open=open_)


@given(ROLES, st.sampled_from(DEFAULT_LADDER))
def test_only_the_role_of_the_level_may_act(role, level):
    assert may_act(role, OTHER, step(level)) == (role == level)


def test_the_manager_who_signed_off_may_not_decide_the_first_step():
    refusal = act_refusal("team_manager", SIGNER, step(Level.TEAM_MANAGER))
    assert refusal is not None and "signed off" in refusal
    assert may_act("team_manager", OTHER, step(Level.TEAM_MANAGER))


@pytest.mark.parametrize("level", DEFAULT_LADDER)
def test_nobody_decides_a_dispute_they_raised(level):
    refusal = act_refusal(level, RAISER, step(level))
    assert refusal is not None and "raised" in refusal


def test_a_service_manager_cannot_act_on_the_team_manager_step():
    refusal = act_refusal("service_manager", OTHER, step(Level.TEAM_MANAGER))
    assert refusal is not None and "team manager" in refusal


@given(ROLES, st.sampled_from(DEFAULT_LADDER))
def test_nobody_acts_on_a_resolved_dispute(role, level):
    assert not may_act(role, OTHER, step(level, open_=False))


@pytest.mark.parametrize("role", ["decision_maker", "mash_officer", "partner_practitioner", "receiving_practitioner", "administrator"])
def test_practitioners_never_act_on_any_step(role):
    assert all(not may_act(role, OTHER, step(level)) for level in DEFAULT_LADDER)


# -- who may raise --------------------------------------------------------------------------

OPEN_TO_ALL = RaiseFacts(decision_agreed=True, decision_is_current=True, open_dispute=False, from_referring_agency=False, from_receiving_team=False)


@pytest.mark.parametrize("role", ["mash_officer", "decision_maker", "team_manager", "service_manager"])
def test_any_mash_member_may_dispute_an_agreed_decision(role):
    assert raise_refusal(role, OPEN_TO_ALL) is None


def test_a_partner_may_dispute_only_their_own_agencys_referral():
    assert raise_refusal("partner_practitioner", OPEN_TO_ALL) is not None
    facts = RaiseFacts(True, True, False, from_referring_agency=True, from_receiving_team=False)
    assert raise_refusal("partner_practitioner", facts) is None


def test_a_receiving_practitioner_may_dispute_only_what_their_team_received():
    assert raise_refusal("receiving_practitioner", OPEN_TO_ALL) is not None
    facts = RaiseFacts(True, True, False, from_referring_agency=False, from_receiving_team=True)
    assert raise_refusal("receiving_practitioner", facts) is None


@pytest.mark.parametrize("role", ["strategic_manager", "assistant_director", "administrator", "data_protection_officer"])
def test_the_ladder_and_others_do_not_raise_disputes(role):
    assert raise_refusal(role, RaiseFacts(True, True, False, True, True)) is not None


@pytest.mark.parametrize(
    ("facts", "message"),
    [
        (RaiseFacts(False, True, False, False, False), "signed off"),
        (RaiseFacts(True, False, False, False, False), "reconsidered"),
        (RaiseFacts(True, True, True, False, False), "already disputed"),
    ],
)
def test_only_a_current_agreed_undisputed_decision_can_be_disputed(facts, message):
    refusal = raise_refusal("team_manager", facts)
    assert refusal is not None and message in refusal


# -- what an answer needs -------------------------------------------------------------------


def answer(action: str, **overrides: object) -> dict[str, str]:
    fields: dict[str, object] = {
        "notes": "", "agreed_outcome": "", "disputed_outcome": "nfa", "summary": "Agreed after discussion.",
        "learning": "Share the threshold guidance.", "can_escalate": True,
    }
    fields.update(overrides)
    return action_problems(action, **fields)  # type: ignore[arg-type]


def test_escalation_needs_a_reason():
    assert answer(Action.ESCALATE) == {"notes": "Say why the disagreement could not be resolved at this level."}
    assert answer(Action.ESCALATE, notes="Could not agree on the risk.") == {}


def test_the_final_level_cannot_escalate():
    assert "action" in answer(Action.ESCALATE, notes="Still disagree.", can_escalate=False)


def test_a_changed_decision_needs_a_different_agreed_outcome():
    assert "agreed_outcome" in answer(Action.DECISION_CHANGED)
    assert "agreed_outcome" in answer(Action.DECISION_CHANGED, agreed_outcome="nfa")
    assert answer(Action.DECISION_CHANGED, agreed_outcome="s17_assessment") == {}


def test_a_resolution_needs_a_summary_and_learning():
    problems = answer(Action.DECISION_STANDS, summary=" ", learning="")
    assert set(problems) == {"resolution_summary", "learning"}
    assert answer(Action.DECISION_STANDS) == {}


def test_an_unknown_action_is_refused():
    assert set(answer("shrug")) == {"action"}
