"""The manager's footprint on the record, and management oversight notes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from mash.audit.models import AuditEvent
from mash.disputes.models import Dispute, DisputeStep
from mash.oversight import services
from mash.oversight.models import AuditSample, CaseAudit, ManagementNote
from mash.oversight.services import OversightRefused
from tests import factories, stage2


def test_every_manager_action_in_time_order(users):
    from mash.decisions.services import sign_off

    s = stage2.build_stage2(users, through="recommended")
    contact = s.contact
    contact.refresh_from_db()
    decision = sign_off(contact, users.second_manager, comment="Agreed: section 17 by First Response North.")
    services.add_management_note(contact, users.service_manager, text="Reviewed the consent override and the RED rating: agreed.")
    now = timezone.now()
    dispute = Dispute.objects.create(
        contact=contact, decision=decision, raised_by=users.police, grounds="Should be s47.", due_at=now + timedelta(hours=8)
    )
    DisputeStep.objects.create(
        dispute=dispute, level="team_manager", due_at=now + timedelta(hours=2), handled_by=users.manager,
        closed_at=now + timedelta(minutes=1), result="escalated", notes="Could not agree with police.",
    )
    DisputeStep.objects.create(dispute=dispute, level="service_manager", due_at=now + timedelta(hours=4))  # not handled yet
    sample = AuditSample.objects.create(month=now.date().replace(day=1), contact=contact, stream="nfa", worker=users.decision_maker)
    CaseAudit.objects.create(
        sample=sample, auditor=users.service_manager, grade="good", findings="Clear.", learning="Good use of police information.",
        completed_at=now + timedelta(minutes=2),
    )

    entries = services.footprint(contact, users.manager)
    whats = [e.what for e in entries]
    assert whats[0] == "Agreed to share information without consent"
    assert whats[1].startswith("Responded to the escalation from")
    assert whats[2].startswith("Rating changed: Amber → Red")
    assert whats[3] == "Signed off the recommendation 'Section 17 child in need assessment'"
    assert whats[4] == "Management oversight note"
    assert whats[5] == "Professional disagreement at team managers level: escalated to the next level"
    assert whats[6].startswith("Dip-sample audit completed (share of nfa outcomes")
    assert len(entries) == 7
    assert [e.who for e in entries] == [users.manager, users.manager, users.manager, users.second_manager, users.service_manager,
                                        users.manager, users.service_manager]
    assert [e.at for e in entries] == sorted(e.at for e in entries)
    assert entries[6].url == f"/oversight/audits/{sample.pk}/"
    # The triage by the decision maker is not a manager's action.
    assert not any("Daniel" in str(e.who) for e in entries)
    # An officer sees that the audit happened, not a link to its findings.
    assert services.footprint(contact, users.officer)[6].url == ""


def test_a_challenge_is_on_the_footprint(users):
    contact, _ = factories.recommended(users)
    from mash.decisions.services import challenge

    challenge(contact, users.manager, comment="Consider the previous contact.")
    (entry,) = services.footprint(contact)
    assert entry.what == "Challenged the recommendation 'No further action'"
    assert entry.detail == "Consider the previous contact."


@pytest.mark.parametrize("who", ["manager", "second_manager", "service_manager"])
def test_managers_add_oversight_notes(users, who):
    contact = factories.record(users.officer)
    note = services.add_management_note(contact, getattr(users, who), text="  Spoke to the DSL; agreed the plan.  ")
    assert note.text == "Spoke to the DSL; agreed the plan."
    event = AuditEvent.objects.get(action="oversight.note_added")
    assert event.object_id == str(contact.pk) and event.actor_id == getattr(users, who).pk


@pytest.mark.parametrize("who", ["officer", "decision_maker", "strategic_manager", "police", "receiving"])
def test_others_do_not_add_oversight_notes(users, who):
    contact = factories.record(users.officer)
    with pytest.raises(OversightRefused):
        services.add_management_note(contact, getattr(users, who), text="A note.")
    assert not ManagementNote.objects.exists()


def test_the_note_page(users, client):
    contact = factories.record(users.officer)
    client.force_login(users.manager)
    assert client.get(f"/contacts/{contact.pk}/management-note/").status_code == 200
    response = client.post(f"/contacts/{contact.pk}/management-note/", {"text": ""})
    assert response.status_code == 200 and "Write the management oversight note." in response.content.decode()
    response = client.post(f"/contacts/{contact.pk}/management-note/", {"text": "Agreed to keep open another day: police checks due."})
    assert response.status_code == 302
    detail = client.get(f"/contacts/{contact.pk}/").content.decode()
    assert "Agreed to keep open another day: police checks due." in detail
    assert "Manager&#x27;s footprint" in detail or "Manager's footprint" in detail


@pytest.mark.parametrize(("who", "status"), [("officer", 403), ("decision_maker", 403), ("police", 404), ("strategic_manager", 404)])
def test_the_note_page_refuses_others(users, client, who, status):
    contact = factories.record(users.officer)
    client.force_login(getattr(users, who))
    assert client.get(f"/contacts/{contact.pk}/management-note/").status_code == status
    assert client.post(f"/contacts/{contact.pk}/management-note/", {"text": "x"}).status_code == status
    assert not ManagementNote.objects.exists()
