"""The outcome catalogue and the rules of a complete recommendation (pure, no database)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mash.domain.outcomes import (
    CATALOGUE,
    DASH_HIGH_RISK,
    FEEDBACK_RECIPIENTS,
    OutcomeCode,
    family_addressee,
    feedback_is_complete,
    is_parent_or_carer,
    outstanding_recipients,
    recently_closed,
    recommendation_problems,
    spec_for,
)

CODES = st.sampled_from(list(OutcomeCode))
TODAY = date(2026, 11, 11)


def problems(outcome: str, **facts: object) -> dict[str, str]:
    defaults: dict[str, object] = {"team_chosen": True, "destination": "Somewhere", "open_involvement": False, "closed_recently": False}
    defaults.update(facts)
    return recommendation_problems(outcome, **defaults)  # type: ignore[arg-type]


# -- the catalogue ------------------------------------------------------------------------------


def test_the_catalogue_covers_every_outcome_of_the_decisions_app():
    from mash.decisions.models import REFERRAL_OUTCOMES, Outcome

    assert {c.value for c in CATALOGUE} == set(Outcome.values)
    assert {c.value for c, s in CATALOGUE.items() if s.becomes_referral} == {str(o) for o in REFERRAL_OUTCOMES}


def test_the_catalogue_says_what_each_outcome_needs():
    referral = {c for c, s in CATALOGUE.items() if s.becomes_referral}
    assert referral == {OutcomeCode.S17_ASSESSMENT, OutcomeCode.S47_STRATEGY, OutcomeCode.TRANSFER_ALLOCATED, OutcomeCode.TRANSFER_PREVIOUS_TEAM}
    team = {c for c, s in CATALOGUE.items() if s.needs_team}
    assert team == referral | {OutcomeCode.EARLY_HELP}
    destination = {c for c, s in CATALOGUE.items() if s.needs_destination}
    assert destination == {OutcomeCode.ADULT_SOCIAL_CARE, OutcomeCode.OTHER_LOCAL_AUTHORITY, OutcomeCode.POLICE_ACTION, OutcomeCode.MARAC}
    assert not team & destination
    assert [c for c, s in CATALOGUE.items() if s.feedback_by_phone] == [OutcomeCode.S47_STRATEGY]
    assert [c for c, s in CATALOGUE.items() if s.starts_strategy] == [OutcomeCode.S47_STRATEGY]
    assert [c for c, s in CATALOGUE.items() if s.tracks_early_help] == [OutcomeCode.EARLY_HELP]
    assert spec_for("s47_strategy").feedback_method == "phone"
    assert spec_for("nfa").feedback_method == "letter"


@given(CODES)
def test_every_outcome_has_plain_next_steps(code):
    spec = spec_for(code.value)
    assert spec.code is code
    assert len(spec.next_steps) >= 2
    assert all(step.strip() and step.endswith(".") for step in spec.next_steps)


def test_next_steps_say_what_matters():
    assert any("not a referral" in step.lower() or "does not become a referral" in step.lower() for step in spec_for("nfa").next_steps)
    s47 = " ".join(spec_for("s47_strategy").next_steps)
    assert "strategy discussion" in s47 and "today" in s47 and "Phone the referrer and the family" in s47
    marac = " ".join(spec_for("marac").next_steps)
    assert "DASH" in marac and "MARAC" in marac and "Operation Encompass" in marac


def test_unknown_outcome_is_refused():
    with pytest.raises(ValueError):
        spec_for("burn_the_file")
    assert problems("burn_the_file") == {"outcome": "Choose the recommended outcome."}


# -- team and destination -----------------------------------------------------------------------


@given(CODES, st.booleans(), st.sampled_from(["", "   ", "Northshire County Council"]))
def test_team_and_destination_are_required_exactly_when_needed(code, team_chosen, destination):
    spec = spec_for(code.value)
    found = problems(code.value, team_chosen=team_chosen, destination=destination, dash_score=20, open_involvement=True, closed_recently=True)
    assert ("receiving_team" in found) == (spec.needs_team and not team_chosen)
    assert ("destination" in found) == (spec.needs_destination and not destination.strip())


# -- MARAC and the DASH checklist ----------------------------------------------------------------


@given(st.integers(min_value=0, max_value=24), st.booleans())
def test_marac_needs_the_dash_threshold_or_professional_judgement(score, judgement):
    found = problems("marac", dash_score=score, professional_judgement=judgement)
    assert ("dash_score" in found) == (score < DASH_HIGH_RISK and not judgement)


@given(st.integers(min_value=0, max_value=24), st.integers(min_value=1, max_value=24))
def test_the_dash_threshold_is_a_parameter(score, threshold):
    found = recommendation_problems("marac", team_chosen=False, destination="MARAC", dash_score=score, dash_threshold=threshold)
    assert ("dash_score" in found) == (score < threshold)


def test_marac_without_a_score_or_judgement_explains_both_ways():
    message = problems("marac")["dash_score"]
    assert "DASH" in message and "professional judgement" in message and "14" in message
    assert problems("marac", professional_judgement=True) == {}
    assert problems("marac", dash_score=14) == {}
    assert "below the MARAC threshold of 14" in problems("marac", dash_score=13)["dash_score"]


@given(CODES, st.one_of(st.integers(max_value=-1), st.integers(min_value=25)), st.booleans())
def test_a_dash_score_outside_0_to_24_is_refused_for_any_outcome(code, score, judgement):
    found = problems(code.value, dash_score=score, professional_judgement=judgement, open_involvement=True, closed_recently=True)
    assert "0 to 24" in found["dash_score"]


@given(st.sampled_from([c for c in OutcomeCode if c is not OutcomeCode.MARAC]), st.integers(min_value=0, max_value=24))
def test_a_dash_score_is_optional_information_for_other_outcomes(code, score):
    assert "dash_score" not in problems(code.value, dash_score=score, open_involvement=code is not OutcomeCode.TRANSFER_PREVIOUS_TEAM)


# -- the transfers and the 12-week rule -----------------------------------------------------------


@given(st.booleans(), st.booleans())
def test_transfer_to_the_allocated_worker_needs_an_open_case(open_involvement, closed_recently):
    found = problems("transfer_allocated", open_involvement=open_involvement, closed_recently=closed_recently)
    assert ("outcome" in found) == (not open_involvement)


@given(st.booleans(), st.booleans(), st.integers(min_value=1, max_value=52))
def test_transfer_to_the_previous_team_needs_a_recent_closure_and_no_open_case(open_involvement, closed_recently, weeks):
    found = problems("transfer_previous_team", open_involvement=open_involvement, closed_recently=closed_recently, weeks=weeks)
    assert ("outcome" in found) == (open_involvement or not closed_recently)
    if not open_involvement and not closed_recently:
        assert f"last {weeks} weeks" in found["outcome"]
    if open_involvement:
        assert "allocated worker" in found["outcome"]


@given(st.lists(st.one_of(st.none(), st.integers(min_value=-400, max_value=30)), max_size=5), st.integers(min_value=1, max_value=52))
def test_recently_closed_is_a_closure_within_the_window(offsets, weeks):
    days = [None if o is None else TODAY - timedelta(days=o) for o in offsets]
    expected = any(o is not None and 0 <= o <= weeks * 7 for o in offsets)
    assert recently_closed(days, TODAY, weeks) is expected


def test_recently_closed_edges():
    assert recently_closed([TODAY - timedelta(weeks=12)], TODAY, 12)
    assert not recently_closed([TODAY - timedelta(weeks=12, days=1)], TODAY, 12)
    assert not recently_closed([TODAY + timedelta(days=1)], TODAY, 12)
    assert not recently_closed([None], TODAY, 12)
    assert not recently_closed([], TODAY, 12)


@given(st.sampled_from([c for c in OutcomeCode if not c.value.startswith("transfer_")]), st.booleans(), st.booleans())
def test_history_matters_only_to_the_transfers(code, open_involvement, closed_recently):
    found = problems(code.value, dash_score=20, open_involvement=open_involvement, closed_recently=closed_recently)
    assert "outcome" not in found


# -- who the family letter is addressed to ------------------------------------------------------


@pytest.mark.parametrize(
    ("relationship", "expected"),
    [
        ("mother", True), ("Father", True), ("parent", True), ("carer", True), ("step-parent", True), ("Step-father", True),
        ("stepmother", True), ("guardian", True), ("special guardian", True), ("foster carer", True),
        ("maternal grandmother (kinship carer)", True), ("mum", True),
        ("mother's boyfriend", False), ("mother's partner", False), ("brother", False), ("sister", False), ("grandmother", False),
        ("lodger", False), ("", False),
    ],
)
def test_parents_and_carers(relationship, expected):
    assert is_parent_or_carer(relationship) is expected


def test_family_addressee():
    assert family_addressee([("Kelly Testcase", "mother"), ("Dean Otherman", "mother's boyfriend")], "Amelia Testcase") == "Kelly Testcase"
    assert family_addressee([("Kelly Testcase", "mother"), ("Jon Testcase", "father"), ("Sam Testcase", "brother")], "Amelia") == (
        "Kelly Testcase and Jon Testcase"
    )
    assert family_addressee([("A One", "mother"), ("B Two", "step-father"), ("C Three", "guardian")], "X") == "A One, B Two and C Three"
    assert family_addressee([("Sam Testcase", "brother")], "Amelia Testcase") == "The parent or carer of Amelia Testcase"
    assert family_addressee([], "Amelia Testcase") == "The parent or carer of Amelia Testcase"
    assert family_addressee([("  ", "mother")], "Amelia") == "The parent or carer of Amelia"


@given(st.lists(st.tuples(st.text(min_size=1, max_size=20), st.sampled_from(["mother", "father", "brother", "lodger", "carer"])), max_size=6))
def test_family_addressee_names_only_parents_and_carers(household):
    result = family_addressee(household, "the child")
    parents = [name.strip() for name, rel in household if name.strip() and rel in {"mother", "father", "carer"}]
    if not parents:
        assert result == "The parent or carer of the child"
    else:
        assert all(name in result for name in parents)


# -- feedback completeness ----------------------------------------------------------------------


@given(st.dictionaries(st.sampled_from(["referrer", "family"]), st.booleans()))
def test_feedback_is_complete_when_every_recipient_is_done(done):
    expected = [r.value for r in FEEDBACK_RECIPIENTS if not done.get(r.value, False)]
    assert outstanding_recipients(done) == expected
    assert feedback_is_complete(done) is (not expected)


def test_both_recipients_are_owed_feedback():
    assert [r.value for r in FEEDBACK_RECIPIENTS] == ["referrer", "family"]
    assert not feedback_is_complete({"referrer": True})
    assert feedback_is_complete({"referrer": True, "family": True})
