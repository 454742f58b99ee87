"""The malicious-referral guard: no referral is malicious without a full multi-agency assessment,
a conversation with the referrer and a different manager's agreement (seed 001 §8)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mash.domain.malicious import (
    MANAGER_IS_PROPOSER,
    NO_FULL_ASSESSMENT,
    NO_MANAGER_AGREEMENT,
    REFERRER_NOT_SPOKEN_TO,
    SOURCE_BIAS_CAUTION,
    assessment_shortfall,
    full_assessment_done,
    malicious_problems,
    may_record_malicious,
    proposal_problems,
)

COUNTS = st.integers(min_value=0, max_value=20)

# -- the full multi-agency assessment ------------------------------------------------------------


def test_two_agencies_answered_and_nothing_outstanding_is_a_full_assessment():
    assert full_assessment_done(2, 0, False)
    assert assessment_shortfall(2, 0, False) == []


def test_one_agency_is_not_enough_without_a_strategy_discussion():
    assert not full_assessment_done(1, 0, False)
    assert assessment_shortfall(1, 0, False) == [
        "Only 1 agency has shared what they know: at least 2 must answer, or a strategy discussion must be held, "
        "before the assessment is full."
    ]


def test_no_agency_asked_at_all_is_not_an_assessment():
    (problem,) = assessment_shortfall(0, 0, False)
    assert problem.startswith("No agency has shared what they know")


def test_a_strategy_discussion_counts_as_a_multi_agency_assessment():
    assert full_assessment_done(0, 0, True)


def test_an_outstanding_request_means_the_assessment_is_not_finished_even_after_a_strategy_discussion():
    assert not full_assessment_done(3, 1, True)
    assert assessment_shortfall(3, 2, True) == ["2 agencies have not answered the MASH's request for information yet."]
    assert assessment_shortfall(3, 1, True) == ["1 agency has not answered the MASH's request for information yet."]


def test_the_minimum_number_of_agencies_is_configurable():
    assert not full_assessment_done(2, 0, False, minimum_agencies=3)
    assert full_assessment_done(3, 0, False, minimum_agencies=3)


def test_nonsense_counts_are_refused():
    with pytest.raises(ValueError):
        assessment_shortfall(-1, 0, False)
    with pytest.raises(ValueError):
        assessment_shortfall(1, -1, False)
    with pytest.raises(ValueError):
        assessment_shortfall(1, 0, False, minimum_agencies=0)


@given(COUNTS, COUNTS, st.booleans(), st.integers(min_value=1, max_value=6))
def test_full_assessment_exactly_when_nothing_outstanding_and_enough_answers_or_a_discussion(responded, outstanding, held, minimum):
    expected = outstanding == 0 and (held or responded >= minimum)
    assert full_assessment_done(responded, outstanding, held, minimum) is expected
    assert (assessment_shortfall(responded, outstanding, held, minimum) == []) is expected


@given(COUNTS, COUNTS, st.booleans())
def test_more_answers_never_make_a_full_assessment_incomplete(responded, outstanding, held):
    if full_assessment_done(responded, outstanding, held):
        assert full_assessment_done(responded + 1, outstanding, held)


# -- the three conditions ----------------------------------------------------------------------


def test_all_three_conditions_and_a_different_manager_pass():
    assert malicious_problems(full_assessment=True, referrer_spoken_to=True, manager_agreed=True, manager_is_proposer=False) == []
    assert may_record_malicious(full_assessment=True, referrer_spoken_to=True, manager_agreed=True, manager_is_proposer=False)


def test_each_missing_condition_is_named_in_practitioner_words():
    assert malicious_problems(full_assessment=False, referrer_spoken_to=True, manager_agreed=True, manager_is_proposer=False) == [
        NO_FULL_ASSESSMENT
    ]
    assert malicious_problems(full_assessment=True, referrer_spoken_to=False, manager_agreed=True, manager_is_proposer=False) == [
        REFERRER_NOT_SPOKEN_TO
    ]
    assert malicious_problems(full_assessment=True, referrer_spoken_to=True, manager_agreed=False, manager_is_proposer=False) == [
        NO_MANAGER_AGREEMENT
    ]
    assert malicious_problems(full_assessment=True, referrer_spoken_to=True, manager_agreed=True, manager_is_proposer=True) == [
        MANAGER_IS_PROPOSER
    ]
    assert "talking with the referrer" in REFERRER_NOT_SPOKEN_TO
    assert "different manager" in MANAGER_IS_PROPOSER


def test_a_proposal_needs_the_assessment_and_the_conversation():
    assert proposal_problems(full_assessment=True, referrer_spoken_to=True) == []
    assert proposal_problems(full_assessment=False, referrer_spoken_to=False) == [NO_FULL_ASSESSMENT, REFERRER_NOT_SPOKEN_TO]


def test_the_source_bias_caution_names_the_lesson():
    assert "source bias" in SOURCE_BIAS_CAUTION.lower()
    assert "Star Hobson" in SOURCE_BIAS_CAUTION


@given(st.booleans(), st.booleans(), st.booleans(), st.booleans())
def test_no_combination_with_a_missing_condition_ever_passes(assessed, spoken, agreed, proposer):
    allowed = may_record_malicious(full_assessment=assessed, referrer_spoken_to=spoken, manager_agreed=agreed, manager_is_proposer=proposer)
    assert allowed is (assessed and spoken and agreed and not proposer)
    problems = malicious_problems(full_assessment=assessed, referrer_spoken_to=spoken, manager_agreed=agreed, manager_is_proposer=proposer)
    # One reason per missing condition, never a silent refusal.
    assert len(problems) == [not assessed, not spoken, not agreed, proposer].count(True)


@given(COUNTS, COUNTS, st.booleans(), st.booleans(), st.booleans(), st.booleans())
def test_from_raw_facts_a_referral_is_malicious_only_when_everything_holds(responded, outstanding, held, spoken, agreed, proposer):
    assessed = full_assessment_done(responded, outstanding, held)
    allowed = may_record_malicious(full_assessment=assessed, referrer_spoken_to=spoken, manager_agreed=agreed, manager_is_proposer=proposer)
    if allowed:
        assert outstanding == 0 and (held or responded >= 2) and spoken and agreed and not proposer
