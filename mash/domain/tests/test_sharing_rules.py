"""The pure rules of lawful sharing: deadlines, chasing, who sees sensitive information, consent overrides."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mash.accounts.models import Role
from mash.domain.sharing import (
    DECISION_ROLES,
    NOT_SOUGHT_REASONS,
    ConsentState,
    chase_is_due,
    is_due_soon,
    is_overdue,
    may_see_sensitive,
    override_needed,
    override_problems,
    tightened,
)

MOMENTS = st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2035, 12, 31), timezones=st.just(UTC))
WARNINGS = st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=3))
NOW = datetime(2026, 11, 11, 12, 0, tzinfo=UTC)

# -- deadlines ----------------------------------------------------------------------------------


@given(MOMENTS, MOMENTS)
def test_a_tightened_deadline_is_never_later_than_either(current, candidate):
    result = tightened(current, candidate)
    assert result <= current and result <= candidate
    assert result in (current, candidate)


def test_a_raised_rating_brings_a_deadline_forward_but_never_back():
    assert tightened(NOW, NOW - timedelta(hours=3)) == NOW - timedelta(hours=3)
    assert tightened(NOW, NOW + timedelta(hours=3)) == NOW


@given(MOMENTS, MOMENTS, WARNINGS)
def test_overdue_due_soon_and_later_partition_every_moment(due, now, warning):
    overdue = is_overdue(due, now)
    soon = is_due_soon(due, now, warning)
    later = not overdue and not soon
    assert [overdue, soon, later].count(True) == 1
    assert overdue == (now > due)
    assert soon == (now <= due and due - now <= warning)
    assert later == (due - now > warning)


def test_due_soon_boundaries():
    warning = timedelta(hours=2)
    assert not is_overdue(NOW, NOW)  # due now is not yet late
    assert is_due_soon(NOW, NOW, warning)
    assert is_due_soon(NOW + warning, NOW, warning)
    assert not is_due_soon(NOW + warning + timedelta(seconds=1), NOW, warning)
    assert is_overdue(NOW, NOW + timedelta(microseconds=1))
    assert not is_due_soon(NOW, NOW + timedelta(microseconds=1), warning)


# -- chasing ------------------------------------------------------------------------------------


def test_a_request_not_yet_overdue_is_never_chased():
    assert not chase_is_due(NOW, None, None, NOW)
    assert not chase_is_due(NOW + timedelta(hours=1), NOW - timedelta(hours=1), NOW - timedelta(minutes=1), NOW)


def test_an_overdue_request_is_chased_once_at_once():
    assert chase_is_due(NOW - timedelta(minutes=1), None, None, NOW)


def test_it_is_chased_again_only_when_the_chase_interval_has_passed():
    due = NOW - timedelta(hours=5)
    chased = NOW - timedelta(hours=1)
    assert not chase_is_due(due, chased, NOW + timedelta(minutes=1), NOW)
    assert chase_is_due(due, chased, NOW, NOW)
    assert chase_is_due(due, chased, NOW - timedelta(minutes=1), NOW)
    # Chased, but no next chase recorded: the service always sets one when it chases.
    assert not chase_is_due(due, chased, None, NOW)



# -- who may see sensitive information ---------------------------------------------------------

OWN, OTHER = 7, 8


@pytest.mark.parametrize("role", list(Role.values))
@pytest.mark.parametrize("same_agency", [True, False])
def test_may_see_sensitive_for_every_role_and_agency(role, same_agency):
    agency = OWN if same_agency else OTHER
    expected = role in {"decision_maker", "team_manager"} or (role == "partner_practitioner" and same_agency)
    assert may_see_sensitive(role, agency, OWN) is expected


def test_decision_roles_are_exactly_the_decision_maker_and_team_manager():
    assert {Role.DECISION_MAKER.value, Role.TEAM_MANAGER.value} == DECISION_ROLES


@pytest.mark.parametrize("role", ["mash_officer", "receiving_practitioner", "data_protection_officer", "administrator", ""])
def test_roles_outside_the_decision_never_see_sensitive_even_in_the_holding_agency(role):
    assert not may_see_sensitive(role, OWN, OWN)


def test_a_partner_without_an_agency_sees_nothing_sensitive():
    assert not may_see_sensitive("partner_practitioner", None, OWN)



# -- consent and the manager's override ---------------------------------------------------------


@pytest.mark.parametrize(("consent", "needed"), [("given", False), ("refused", True), ("not_sought", True)])
def test_override_needed_unless_consent_was_given(consent, needed):
    assert override_needed(consent) is needed


def test_an_override_of_a_refusal_needs_a_basis_and_a_rationale():
    assert override_problems(ConsentState.REFUSED, "", 1, "Risk of harm outweighs the refusal.") == []
    assert override_problems(ConsentState.REFUSED, "", 2, "x") == []


@pytest.mark.parametrize("rationale", ["", "   ", "\n\t"])
def test_the_rationale_is_required(rationale):
    problems = override_problems(ConsentState.REFUSED, "", 1, rationale)
    assert problems == ["Record the rationale for sharing without consent."]


def test_at_least_one_lawful_basis_is_required():
    assert override_problems(ConsentState.REFUSED, "", 0, "Because.") == ["Select at least one lawful basis for sharing without consent."]


def test_both_missing_are_both_reported():
    assert len(override_problems(ConsentState.REFUSED, "", 0, "")) == 2


@pytest.mark.parametrize("reason", sorted(NOT_SOUGHT_REASONS))
def test_not_sought_with_one_of_the_three_reasons_can_be_overridden(reason):
    assert override_problems(ConsentState.NOT_SOUGHT, reason, 1, "Seeking consent would alert the abuser.") == []


@pytest.mark.parametrize("reason", ["", "convenience", "INCREASE_RISK"])
def test_not_sought_needs_one_of_the_three_reasons(reason):
    problems = override_problems(ConsentState.NOT_SOUGHT, reason, 1, "Because.")
    assert len(problems) == 1 and "three reasons" in problems[0]


def test_the_reason_does_not_matter_when_consent_was_refused():
    assert override_problems(ConsentState.REFUSED, "convenience", 1, "Because.") == []


def test_given_consent_has_nothing_to_override():
    problems = override_problems(ConsentState.GIVEN, "", 1, "Because.")
    assert problems == ["Consent was given, so there is nothing to override."]


def test_the_three_reasons_are_those_of_the_guidance():
    assert {"increase_risk", "prejudice_crime", "undue_delay"} == NOT_SOUGHT_REASONS


@given(
    st.sampled_from(["refused", "not_sought"]),
    st.sampled_from(["", "increase_risk", "prejudice_crime", "undue_delay", "other"]),
    st.integers(0, 3),
    st.text(max_size=20),
)
def test_override_problems_are_empty_exactly_when_everything_is_recorded(consent, reason, basis_count, rationale):
    complete = basis_count >= 1 and rationale.strip() != "" and (consent == "refused" or reason in NOT_SOUGHT_REASONS)
    assert (override_problems(consent, reason, basis_count, rationale) == []) is complete
