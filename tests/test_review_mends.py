"""Configuration changes are audited, actions come from the state machine, letter timescale is configuration."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from mash.audit.models import AuditEvent
from mash.decisions.services import feedback_due as letter_due
from mash.intake.services import available_actions
from mash.partnership.models import Partnership, RagRating
from tests import factories


def test_admin_change_of_a_rag_timescale_is_audited(client, users):
    client.force_login(users.administrator)
    red = RagRating.objects.get(code="RED")
    url = reverse("admin:partnership_ragrating_change", args=[red.pk])
    form = client.get(url).context["adminform"].form
    data = {name: form[name].value() for name in form.fields}
    data = {k: ("" if v is None else v) for k, v in data.items()}
    data["outcome_amount"] = "3"
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    red.refresh_from_db()
    assert red.outcome_amount == Decimal("3")
    event = AuditEvent.objects.get(action="config.changed", object_type="partnership.ragrating", object_id=str(red.pk))
    assert event.actor_username == users.administrator.username
    assert "outcome_amount" in event.summary


def test_officer_cannot_reach_the_configuration(client, users):
    client.force_login(users.officer)
    red = RagRating.objects.get(code="RED")
    response = client.get(reverse("admin:partnership_ragrating_change", args=[red.pk]))
    assert response.status_code == 302  # the admin sends non-staff users to its sign-in page
    assert not AuditEvent.objects.filter(action__startswith="config.").exists()


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("officer", {"can_link": True, "can_submit": True, "can_triage": False, "can_recommend": False, "can_sign_off": False}),
        ("decision_maker", {"can_link": True, "can_submit": True, "can_triage": False, "can_recommend": False, "can_sign_off": False}),
        ("police", {"can_link": False, "can_submit": False, "can_triage": False, "can_recommend": False, "can_sign_off": False}),
    ],
)
def test_actions_on_a_recorded_contact_follow_the_state_machine(users, role, expected):
    contact = factories.record(users.officer)
    actions = available_actions(contact, getattr(users, role))
    assert {k: actions[k] for k in expected} == expected


def test_only_a_manager_is_offered_sign_off(users):
    contact, _decision = factories.recommended(users)
    assert available_actions(contact, users.manager)["can_sign_off"] is True
    assert available_actions(contact, users.decision_maker)["can_sign_off"] is False
    assert available_actions(contact, users.officer)["can_sign_off"] is False


def test_letter_due_uses_the_partnership_feedback_timescale(partnership):
    contact = type("C", (), {"decided_at": timezone.now()})()
    assert letter_due(contact) == contact.decided_at + timedelta(hours=24)
    Partnership.objects.update(feedback_amount=Decimal("48"))
    assert letter_due(contact) == contact.decided_at + timedelta(hours=48)
