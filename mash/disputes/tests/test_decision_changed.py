"""A dispute that changes the decision stops the old decision taking effect at once."""

from __future__ import annotations

import pytest

from mash.decisions.models import Decision
from mash.decisions.services import agreed_decision
from mash.people.models import Involvement, InvolvementKind
from mash.sharing.services import transfers_for
from tests.stage2 import team

from .helpers import act_by, at, raise_by, signed_off_nfa

pytestmark = pytest.mark.django_db


def test_the_old_receiving_team_loses_the_transfer_when_the_decision_changes(client, users):
    contact, decision = signed_off_nfa(users, outcome="s17_assessment", team=team("First Response Team North"))
    with at(10):
        client.force_login(users.receiving)
        assert client.get(f"/transfers/{contact.pk}/").status_code == 200
    dispute = raise_by(users.police, contact, proposed="nfa")
    act_by(users.second_manager, dispute, "decision_changed", hour=11, agreed_outcome="nfa")

    decision.refresh_from_db()
    assert decision.review == Decision.Review.SUPERSEDED
    assert agreed_decision(contact) is None  # nothing in force until a manager signs off the agreed outcome
    with at(12):
        client.force_login(users.receiving)
        assert client.get(f"/transfers/{contact.pk}/").status_code == 404
        assert client.get(f"/transfers/{contact.pk}/pack.pdf").status_code == 404
    assert contact.pk not in {c.pk for c in transfers_for(users.receiving)}


def test_an_overturned_early_help_step_down_is_withdrawn(users):
    contact, decision = signed_off_nfa(users, outcome="early_help", team=team("Early Help Hub"))
    child = contact.subject_child.person
    assert Involvement.objects.filter(person=child, kind=InvolvementKind.EARLY_HELP, closed_on__isnull=True).exists()
    dispute = raise_by(users.police, contact, proposed="s17_assessment")
    act_by(users.second_manager, dispute, "decision_changed", hour=11, agreed_outcome="s17_assessment")

    assert not Involvement.objects.filter(person=child, kind=InvolvementKind.EARLY_HELP, closed_on__isnull=True).exists()
    from mash.decisions.followup import referrals_for_team

    assert not referrals_for_team(users.early_help).filter(contact=contact).exists()
