"""Cumulative harm: which contacts are low-level, the window, the threshold and the household."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mash.domain.cumulative import (
    LOW_LEVEL_OUTCOMES,
    CumulativeRule,
    DatedContact,
    assess,
    describe_window,
    in_window,
    is_low_level,
)

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
RULE = CumulativeRule(window_days=365, threshold=3, max_level=2)
AMY, BEN = 1, 2
NAMES = {AMY: "Amy Smith", BEN: "Ben Smith"}


def contact(pk: int, days_ago: float, *, child: int = AMY, level: int | None = 2, outcome: str | None = None) -> DatedContact:
    return DatedContact(
        contact_id=pk,
        reference=f"MASH-{pk:04d}",
        child_id=child,
        child_name=NAMES[child],
        received_at=NOW - timedelta(days=days_ago),
        level=level,
        agreed_outcome=outcome,
    )


def amy(contacts: list[DatedContact], rule: CumulativeRule = RULE):  # noqa: ANN201
    return assess(contacts, child_id=AMY, child_name="Amy Smith", as_of=NOW, rule=rule)


# -- what is low-level -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("level", "outcome", "low"),
    [
        (1, None, True),
        (2, None, True),
        (3, None, False),
        (4, None, False),
        (None, None, True),  # not yet rated: counts until a decision maker says otherwise
        (4, "nfa", True),  # the agreed outcome decides once there is one
        (3, "advice_signpost", True),
        (3, "early_help", True),
        (1, "s17_assessment", False),
        (2, "s47_strategy", False),
        (None, "transfer_allocated", False),
    ],
)
def test_what_counts_as_low_level(level, outcome, low):
    assert is_low_level(level, outcome, max_level=2) is low


def test_the_low_level_outcomes_are_nfa_advice_and_early_help():
    assert frozenset({"nfa", "advice_signpost", "early_help"}) == LOW_LEVEL_OUTCOMES


# -- the threshold ------------------------------------------------------------------------


def test_below_the_threshold_no_alert():
    finding = amy([contact(1, 200), contact(2, 10)])
    assert not finding.alert
    assert finding.household_total == 2


def test_at_the_threshold_an_alert_with_counts_and_dates():
    finding = amy([contact(1, 300), contact(2, 100), contact(3, 0, level=None)])
    assert finding.alert
    assert (finding.child_count, finding.household_total) == (3, 3)
    assert finding.dates == ((NOW - timedelta(days=300)).date(), (NOW - timedelta(days=100)).date(), NOW.date())
    assert finding.references == ("MASH-0001", "MASH-0002", "MASH-0003")
    assert finding.message() == (
        "3 low-level contacts about Amy Smith in the last 12 months (14 May 2025, 30 November 2025, 10 March 2026): "
        "consider cumulative harm."
    )


def test_higher_level_contacts_do_not_count():
    finding = amy([contact(1, 300, level=4), contact(2, 100, level=3), contact(3, 0)])
    assert not finding.alert
    assert finding.household_total == 1


def test_a_contact_referred_for_assessment_is_not_low_level_even_if_first_rated_low():
    finding = amy([contact(1, 300, level=1, outcome="s17_assessment"), contact(2, 100), contact(3, 0)])
    assert not finding.alert


def test_a_high_rating_that_ended_in_nfa_counts():
    finding = amy([contact(1, 300, level=4, outcome="nfa"), contact(2, 100), contact(3, 0)])
    assert finding.alert


# -- the household -------------------------------------------------------------------------


def test_the_household_counts_the_other_childrens_contacts():
    finding = amy([contact(1, 250), contact(2, 120, child=BEN), contact(3, 40, child=BEN), contact(4, 0)])
    assert finding.alert
    assert (finding.child_count, finding.household_total) == (2, 4)
    assert [(c.child_name, c.count) for c in finding.per_child] == [("Amy Smith", 2), ("Ben Smith", 2)]
    assert finding.includes_others
    assert finding.message().startswith("4 low-level contacts about Amy Smith's household in the last 12 months (Amy Smith 2, Ben Smith 2; ")
    assert finding.message().endswith("): consider cumulative harm.")


def test_one_contact_about_two_children_counts_once_and_for_this_child():
    finding = amy([contact(1, 250, child=BEN), contact(1, 250, child=AMY), contact(2, 10, child=BEN)])
    assert finding.household_total == 2
    assert finding.child_count == 1
    assert not finding.alert


# -- the window -----------------------------------------------------------------------------


def test_the_window_includes_both_ends():
    assert in_window(NOW - timedelta(days=365), NOW, 365)
    assert in_window(NOW, NOW, 365)
    assert not in_window(NOW - timedelta(days=365, seconds=1), NOW, 365)
    assert not in_window(NOW + timedelta(seconds=1), NOW, 365)


def test_contacts_outside_the_window_do_not_count():
    finding = amy([contact(1, 400), contact(2, 366), contact(3, 100), contact(4, 0)])
    assert not finding.alert
    assert finding.household_total == 2


def test_a_shorter_window_is_named_in_the_message():
    rule = CumulativeRule(window_days=90, threshold=2, max_level=2)
    finding = amy([contact(1, 60), contact(2, 0)], rule)
    assert "in the last 3 months" in finding.message()


@pytest.mark.parametrize(
    ("days", "words"),
    [(365, "12 months"), (730, "24 months"), (180, "6 months"), (30, "month"), (28, "4 weeks"), (7, "week"), (45, "45 days"), (1, "day")],
)
def test_windows_are_described_in_plain_words(days, words):
    assert describe_window(days) == words


def test_many_dates_are_summarised_as_a_range():
    finding = amy([contact(i, 300 - i * 50) for i in range(5)])
    assert f"({date(2025, 5, 14).day} May 2025 to " in finding.message()


# -- properties -----------------------------------------------------------------------------

CONTACTS = st.lists(
    st.builds(
        DatedContact,
        contact_id=st.integers(1, 40),
        reference=st.just("MASH-X"),
        child_id=st.sampled_from([AMY, BEN]),
        child_name=st.sampled_from(["Amy Smith", "Ben Smith"]),
        received_at=st.integers(-30, 800).map(lambda d: NOW - timedelta(days=d)),
        level=st.one_of(st.none(), st.integers(1, 4)),
        agreed_outcome=st.one_of(st.none(), st.sampled_from(["nfa", "advice_signpost", "early_help", "s17_assessment", "s47_strategy"])),
    ),
    max_size=12,
)
RULES = st.builds(CumulativeRule, window_days=st.integers(1, 800), threshold=st.integers(2, 6), max_level=st.integers(1, 4))


@given(CONTACTS, RULES, st.integers(0, 800), st.integers(1, 4))
def test_adding_a_contact_inside_the_window_never_removes_an_alert(contacts, rule, days_ago, level):
    before = amy(contacts, rule)
    extra = DatedContact(999, "MASH-NEW", AMY, "Amy Smith", NOW - timedelta(days=min(days_ago, rule.window_days)), level)
    after = amy([*contacts, extra], rule)
    assert after.household_total >= before.household_total
    assert after.child_count >= before.child_count
    if before.alert:
        assert after.alert


@given(CONTACTS, RULES, st.lists(st.integers(1, 400), max_size=5))
def test_contacts_outside_the_window_never_count(contacts, rule, beyond):
    outside = [
        DatedContact(1000 + i, "MASH-OLD", AMY, "Amy Smith", NOW - timedelta(days=rule.window_days + d), None)
        for i, d in enumerate(beyond)
    ] + [DatedContact(2000 + i, "MASH-LATER", BEN, "Ben Smith", NOW + timedelta(days=d), None) for i, d in enumerate(beyond)]
    assert amy(contacts, rule) == amy([*contacts, *outside], rule)


@given(CONTACTS, RULES)
def test_the_alert_is_exactly_the_household_total_reaching_the_threshold(contacts, rule):
    finding = amy(contacts, rule)
    assert finding.alert == (finding.household_total >= rule.threshold)
    assert finding.child_count <= finding.household_total
    assert sum(c.count for c in finding.per_child) == finding.household_total
    assert list(finding.dates) == sorted(finding.dates)
