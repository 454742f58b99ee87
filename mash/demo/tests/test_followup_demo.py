"""The early help and malicious-referral demo loads through the real services and shows each state."""

from __future__ import annotations

import random

import pytest
from django.db import transaction

from mash.audit.models import AuditEvent
from mash.audit.services import verify_chain
from mash.decisions import followup as service
from mash.decisions.models import EarlyHelpReferral, MaliciousFinding
from mash.demo import followup, history, stage2
from mash.workqueue.models import Alert

pytestmark = pytest.mark.django_db


def test_the_demo_shows_every_early_help_and_malicious_state(users):
    with transaction.atomic():
        history.load(users, rng=random.Random(history.SEED))
        stage2.load(users)
        line = followup.load(users)
        print(f"\n{line}")

    referrals = EarlyHelpReferral.objects.select_related("contact", "person", "reassessment_contact")
    by_child = {r.person.forenames: r for r in referrals if r.person}
    assert by_child["Arjun"].status == "accepted"
    assert by_child["Ffion"].status == "declined" and by_child["Ffion"].escalation == ""
    johnny = by_child["John"]
    assert johnny.status == "declined" and johnny.escalation == "escalate"
    assert johnny.reassessment_contact.status == "awaiting_triage"
    assert johnny.reassessment_contact.people.filter(person=johnny.person).exists()
    for referral in (by_child["Arjun"], by_child["Ffion"], johnny):
        assert referral.contact.reference in line
        assert referral.referred_at <= referral.response_recorded_at
    assert johnny.reassessment_contact.reference in line
    assert Alert.objects.filter(kind=Alert.Kind.EARLY_HELP_DECLINED, contact=by_child["Ffion"].contact, acknowledged_at__isnull=True).exists()

    # On the decision makers' and managers' queues: Ffion's escalation decision, and the proposal for other managers.
    queues = {q.title: q for q in service.queue_items(users.manager)}
    assert by_child["Ffion"].contact in [i.contact for i in queues[service.ESCALATION_QUEUE].items]
    proposed = MaliciousFinding.objects.get(status="proposed")
    assert proposed.contact in [i.contact for i in queues["Referrals proposed as malicious"].items]
    panel = service.contact_panel(proposed.contact, users.manager)
    assert [c.met for c in panel["conditions"]] == [True, True, False]
    assert panel["can_decide"]
    assert proposed.contact.reference in line

    refused = MaliciousFinding.objects.get(status="refused")
    assert refused.manager == users.manager and "never been spoken to" in refused.manager_comment
    assert AuditEvent.objects.filter(action="malicious.proposal_refused", object_id=str(refused.contact.pk)).exists()
    assert not MaliciousFinding.objects.filter(status="agreed").exists()
    assert refused.contact.reference in line
    assert verify_chain().ok
