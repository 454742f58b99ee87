"""Dip-sample audit rules (seed 002 §16): counts, populations, determinism, top-ups."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mash.domain.audit_sampling import (
    ASSESSMENT_NFA,
    NFA,
    PER_WORKER,
    Draw,
    MonthCase,
    draw,
    month_seed,
    nfa_sample_size,
)


@st.composite
def months(draw_: st.DrawFn) -> list[MonthCase]:
    ids = draw_(st.lists(st.integers(min_value=1, max_value=10_000), unique=True, max_size=60))
    return [
        MonthCase(
            case_id=case_id,
            worker_id=draw_(st.one_of(st.none(), st.integers(min_value=1, max_value=8))),
            signed_off=draw_(st.booleans()),
            outcome_nfa=draw_(st.booleans()),
            assessment_nfa=draw_(st.booleans()),
        )
        for case_id in ids
    ]


percents = st.integers(min_value=0, max_value=100)
seeds = st.text(min_size=1, max_size=12)


@settings(max_examples=300)
@given(months(), percents, seeds)
def test_each_stream_has_exactly_the_right_count_from_the_right_population(cases, percent, seed):
    result = draw(cases, nfa_percent=percent, seed=seed)
    by_id = {case.case_id: case for case in cases}

    # One case per worker who had an outcome signed off, and that case is the worker's own.
    workers = {case.worker_id for case in cases if case.signed_off and case.worker_id is not None}
    assert set(result.per_worker) == workers
    for worker, case_id in result.per_worker.items():
        assert by_id[case_id].worker_id == worker and by_id[case_id].signed_off

    # ceil(p% x n) of the month's NFA outcomes, all of them NFA outcomes signed off that month.
    nfa_population = {case.case_id for case in cases if case.signed_off and case.outcome_nfa}
    assert len(result.nfa) == math.ceil(percent * len(nfa_population) / 100)
    assert result.nfa <= nfa_population

    # Every assessment that ended in NFA, and nothing else.
    assert result.assessment_nfa == {case.case_id for case in cases if case.assessment_nfa}


@given(months(), percents, seeds)
def test_no_case_twice_in_a_stream(cases, percent, seed):
    result = draw(cases, nfa_percent=percent, seed=seed)
    per_worker = list(result.per_worker.values())
    assert len(per_worker) == len(set(per_worker))  # a case has one worker, so never drawn for two
    assert len(result.nfa) == len(set(result.nfa))


@given(months(), percents, seeds, st.randoms(use_true_random=False))
def test_the_draw_is_deterministic_for_a_seed_whatever_the_order(cases, percent, seed, rnd):
    shuffled = list(cases)
    rnd.shuffle(shuffled)
    assert draw(cases, nfa_percent=percent, seed=seed) == draw(shuffled, nfa_percent=percent, seed=seed)


@given(months(), percents, seeds)
def test_drawing_again_keeps_everything_already_drawn(cases, percent, seed):
    first = draw(cases, nfa_percent=percent, seed=seed)
    again = draw(cases, nfa_percent=percent, seed=seed, already=first)
    assert again == first


@given(months(), months(), percents, seeds)
def test_a_later_draw_tops_up_an_earlier_one_without_changing_it(early, late, percent, seed):
    early_ids = {case.case_id for case in early}
    everything = early + [case for case in late if case.case_id not in early_ids]
    first = draw(early, nfa_percent=percent, seed=seed)
    second = draw(everything, nfa_percent=percent, seed=seed, already=first)
    assert {w: c for w, c in second.per_worker.items() if w in first.per_worker} == dict(first.per_worker)
    assert first.nfa <= second.nfa and first.assessment_nfa <= second.assessment_nfa
    nfa_population = {case.case_id for case in everything if case.signed_off and case.outcome_nfa}
    assert len(second.nfa) == max(len(first.nfa), math.ceil(percent * len(nfa_population) / 100))
    workers = {case.worker_id for case in everything if case.signed_off and case.worker_id is not None}
    assert set(second.per_worker) == workers


def test_twenty_percent_of_the_seed_rule():
    cases = [MonthCase(case_id=i, worker_id=1 + i % 3, signed_off=True, outcome_nfa=i <= 11) for i in range(1, 31)]
    result = draw(cases, nfa_percent=20, seed=month_seed(2026, 10))
    assert len(result.nfa) == 3  # ceil(20% of 11) = ceil(2.2)
    assert len(result.per_worker) == 3
    assert result.assessment_nfa == frozenset()


def test_different_months_draw_differently():
    cases = [MonthCase(case_id=i, worker_id=1, signed_off=True, outcome_nfa=True) for i in range(1, 101)]
    draws = {draw(cases, nfa_percent=20, seed=month_seed(2026, m)).nfa for m in range(1, 13)}
    assert len(draws) > 1


def test_a_case_may_be_in_several_streams():
    case = MonthCase(case_id=7, worker_id=3, signed_off=True, outcome_nfa=True, assessment_nfa=True)
    result = draw([case], nfa_percent=20, seed="s")
    assert result.per_worker == {3: 7}
    assert result.nfa == {7}
    assert result.assessment_nfa == {7}
    assert all(result.cases(stream) == {7} for stream in (PER_WORKER, NFA, ASSESSMENT_NFA))


def test_cases_not_signed_off_in_the_month_feed_only_the_assessment_stream():
    earlier = MonthCase(case_id=1, worker_id=3, signed_off=False, outcome_nfa=False, assessment_nfa=True)
    unsigned = MonthCase(case_id=2, worker_id=4, signed_off=False, outcome_nfa=True)
    result = draw([earlier, unsigned], nfa_percent=100, seed="s")
    assert result == Draw(per_worker={}, nfa=frozenset(), assessment_nfa=frozenset({1}))


@pytest.mark.parametrize(("n", "percent", "expected"), [(0, 20, 0), (1, 20, 1), (5, 20, 1), (6, 20, 2), (10, 20, 2), (11, 20, 3), (7, 0, 0), (7, 100, 7), (3, 34, 2)])
def test_nfa_sample_size(n, percent, expected):
    assert nfa_sample_size(n, percent) == expected


@pytest.mark.parametrize(("n", "percent"), [(-1, 20), (5, 101), (5, -1)])
def test_nfa_sample_size_refuses_nonsense(n, percent):
    with pytest.raises(ValueError):
        nfa_sample_size(n, percent)


def test_month_seed():
    assert month_seed(2026, 3) == "mash-audit-2026-03"
    with pytest.raises(ValueError):
        month_seed(2026, 13)


def test_unknown_stream():
    with pytest.raises(ValueError):
        Draw().cases("everything")
