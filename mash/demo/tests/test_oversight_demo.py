"""The oversight demo loads through the real services: checklists, notes, an assessment result, last month's audits."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine

from mash.audit.services import verify_chain
from mash.demo import oversight as demo
from mash.domain.workflow import ContactStatus
from mash.intake.models import Contact
from mash.oversight import services
from mash.oversight.models import AssessmentOutcome, AuditSample, CaseAudit, ManagementNote, StandardCheck
from tests.factories import london

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("moment", "last_month"),
    [
        (london(2026, 11, 25, 11, 20), date(2026, 10, 1)),  # a Wednesday morning
        (london(2026, 12, 1, 7, 40), date(2026, 11, 1)),  # early on the 1st of a month
        (london(2027, 1, 3, 15, 0), date(2026, 12, 1)),  # a Sunday after the Christmas holidays
    ],
)
def test_the_oversight_demo_loads(users, client, moment, last_month):
    with time_machine.travel(moment, tick=True):
        line = demo.load(users)

        contacts = list(Contact.objects.filter(people__role="subject_child", people__surname__in=[
            "Pemberton", "Whitcombe", "Tolland", "Brackley"]).distinct())
        assert len(contacts) == 4
        for contact in contacts:
            assert contact.reference in line
            assert contact.status == ContactStatus.CLOSED
            assert contact.decided_at is not None and services.month_start(contact.decided_at.date()) == last_month

        elsie = Contact.objects.get(people__surname="Pemberton", people__role="subject_child")
        assert services.checklist(elsie).progress == "16 of 16 met" and services.checklist(elsie).complete
        isaac = Contact.objects.get(people__surname="Brackley", people__role="subject_child")
        assert 0 < StandardCheck.objects.filter(contact=isaac).count() < 18
        assert ManagementNote.objects.filter(contact=isaac).exists()
        outcome = AssessmentOutcome.objects.get(contact=isaac)
        assert outcome.result == "nfa" and outcome.recorded_by == users.receiving
        assert services.month_start(outcome.completed_on) == last_month

        samples = AuditSample.objects.filter(month=last_month)
        assert {s.stream for s in samples} == {"per_worker", "nfa", "assessment_nfa"}
        assert {s.worker for s in samples.filter(stream="per_worker")} == {users.decision_maker, users.second_manager}
        assert samples.filter(stream="assessment_nfa", contact=isaac).exists()
        grades = set(CaseAudit.objects.values_list("grade", flat=True))
        assert grades == {"good", "requires_improvement", "outstanding"}
        assert samples.filter(audit__isnull=True).exists()  # some still on the auditors' queues
        assert f"{samples.count()} cases drawn" in line
        # Drawing again (the scheduled task on the 1st) keeps the demo's samples.
        assert services.draw_month(last_month) == []

        # The pages show it.
        footprint = [e.what for e in services.footprint(isaac, users.manager)]
        assert "Management oversight note" in footprint and any(w.startswith("Signed off") for w in footprint)
        client.force_login(users.strategic_manager)
        page = client.get(f"/oversight/audits/?month={last_month:%Y-%m}")
        assert page.status_code == 200 and "Record the views of the parents" in page.content.decode()
        queues = {q.title: q.items for q in services.queue_items(users.manager)}
        assert queues["Case audits to complete"]
    assert verify_chain().ok
