"""The disputes demo loads through the real services and gives the report content in two months."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
import time_machine

from mash.audit.services import verify_chain
from mash.demo import disputes as demo
from mash.disputes import services
from mash.disputes.models import Dispute
from mash.domain.workflow import ContactStatus
from tests.factories import london

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "moment",
    [
        london(2026, 11, 25, 11, 20),  # a Wednesday morning
        london(2026, 12, 1, 9, 40),  # the first working morning of a month
        london(2026, 11, 29, 15, 0),  # a Sunday
    ],
)
def test_the_disputes_demo_loads(users, moment):
    with time_machine.travel(moment, tick=True):
        started = time.monotonic()
        line = demo.load(users)
        elapsed = time.monotonic() - started
        now = moment + timedelta(seconds=elapsed + 1)  # the clock ticks

        disputes = {d.contact.reference: d for d in Dispute.objects.select_related("contact").prefetch_related("steps")}
        assert len(disputes) == 4
        for reference in disputes:
            assert reference in line

        by_state = {
            "open": [d for d in disputes.values() if d.is_open],
            "stands": [d for d in disputes.values() if d.resolution == "decision_stands"],
            "changed": [d for d in disputes.values() if d.resolution == "decision_changed"],
        }
        [open_dispute] = by_state["open"]
        assert [s.level for s in open_dispute.steps.all()] == ["team_manager"]
        assert open_dispute.raised_by == users.police and open_dispute.raised_at < now
        [changed] = by_state["changed"]
        assert changed.contact.status == ContactStatus.CHALLENGED and changed.agreed_outcome == "early_help"
        levels = sorted(d.steps.last().level for d in by_state["stands"])
        assert levels == ["assistant_director", "service_manager"]
        assert all(d.contact.referring_agency is not None for d in disputes.values())

        # Every step is due no later than its dispute, and nothing happened in the future.
        for dispute in disputes.values():
            for step in dispute.steps.all():
                assert step.due_at <= dispute.due_at and step.opened_at <= now
                assert step.closed_at is None or step.closed_at <= now
            assert dispute.resolved_at is None or dispute.raised_at < dispute.resolved_at <= now

        # The report has content this month and last month, with one late dispute.
        this = services.month_report(users.service_manager, now.year, now.month)
        last_month = now.replace(day=1) - timedelta(days=1)
        last = services.month_report(users.service_manager, last_month.year, last_month.month)
        assert this.raised >= 1 and last.raised >= 2 and this.raised + last.raised == 4
        assert this.late + last.late == 1

        # The open dispute is on a team manager's queue (not the one who signed off), and the police's.
        waiting = {q.title: q for q in services.queue_items(users.second_manager)}["Disputes waiting for you"].items
        assert [i.contact for i in waiting] == [open_dispute.contact]
        assert "Your disputes" in {q.title for q in services.queue_items(users.police)}
        assert verify_chain().ok
