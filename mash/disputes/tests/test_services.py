"""Raising, escalating and resolving a professional disagreement (seed 002 §14) through the services."""

from __future__ import annotations

import pytest

from mash.audit.services import verify_chain
from mash.decisions import services as decisions
from mash.decisions.models import Decision
from mash.disputes import services
from mash.disputes.models import Dispute, DisputeStep
from mash.domain.workflow import ContactStatus
from mash.intake.models import StatusChange
from mash.partnership.models import DisputeLevel
from mash.workqueue.models import Alert
from tests.factories import audit_events, london

from .helpers import act_by, at, raise_by, signed_off_nfa

pytestmark = pytest.mark.django_db


def test_a_disputed_nfa_escalated_to_the_service_manager_and_resolved(users):
    contact, decision = signed_off_nfa(users)
    dispute = raise_by(users.police, contact, hour=10)

    # The whole dispute is due one working day after it was raised; the first step two working hours after.
    assert dispute.due_at == london(2026, 11, 24, 10, 0)
    first = dispute.steps.get()
    assert (first.level, first.opened_at, first.due_at) == ("team_manager", london(2026, 11, 23, 10, 0), london(2026, 11, 23, 12, 0))
    assert dispute.raised_by_agency == contact.referring_agency
    alert = Alert.objects.get(contact=contact, kind=Alert.Kind.DISPUTE)
    assert "team manager" in alert.message and "12:00" in alert.message

    # The manager who signed off cannot decide it; the other team manager escalates.
    with pytest.raises(services.DisputeRefused, match="signed off"):
        act_by(users.manager, dispute, "escalate", hour=10, minute=30)
    dispute = act_by(users.second_manager, dispute, "escalate", hour=11)
    first.refresh_from_db()
    assert (first.result, first.handled_by, first.closed_at) == (DisputeStep.Result.ESCALATED, users.second_manager, london(2026, 11, 23, 11, 0))
    second = services.open_step(dispute)
    assert second is not None
    assert (second.level, second.opened_at, second.due_at) == ("service_manager", london(2026, 11, 23, 11, 0), london(2026, 11, 23, 13, 0))

    # The service manager resolves it: the decision stands.
    dispute = act_by(users.service_manager, dispute, "decision_stands", hour=12, minute=15)
    assert dispute.status == Dispute.Status.RESOLVED
    assert dispute.resolution == Dispute.Resolution.DECISION_STANDS
    assert dispute.agreed_outcome == "nfa"
    assert dispute.resolved_by == users.service_manager
    assert dispute.learning == "Share the threshold guidance with the police."
    assert [s.result for s in dispute.steps.all()] == ["escalated", "resolved"]
    contact.refresh_from_db()
    assert contact.status == ContactStatus.SIGNED_OFF  # nothing goes back to the MASH

    # Every step and the resolution are audited, and the chain is intact.
    assert audit_events("dispute.raised").count() == 1
    assert audit_events("dispute.escalated").count() == 1
    assert audit_events("dispute.resolved", actor_id=users.service_manager.pk).count() == 1
    assert verify_chain().ok


def test_a_step_deadline_is_cut_short_by_the_whole_disputes_deadline(users):
    """Raised late on Monday, escalated at the last moment of each step: the whole ladder still ends in one working day."""
    DisputeLevel.objects.filter(level="assistant_director").update(amount=4)
    contact, _ = signed_off_nfa(users)
    dispute = raise_by(users.police, contact, hour=16, minute=30)
    assert dispute.due_at == london(2026, 11, 24, 16, 30)
    ladder = [("team_manager", users.second_manager), ("service_manager", users.service_manager), ("strategic_manager", users.strategic_manager)]
    for level, manager in ladder:
        step = services.open_step(dispute)
        assert step is not None and step.level == level
        when = step.due_at.astimezone(london(2026, 1, 1).tzinfo)
        dispute = act_by(manager, dispute, "escalate", hour=when.hour, minute=when.minute, day=(when.year, when.month, when.day))
    steps = list(dispute.steps.all())
    assert [s.due_at for s in steps] == [
        london(2026, 11, 24, 10, 0),  # 2 working hours from 16:30 Monday: one hour on Monday, one on Tuesday
        london(2026, 11, 24, 12, 0),
        london(2026, 11, 24, 14, 0),
        london(2026, 11, 24, 16, 30),  # 4 working hours would be 18:00: the whole dispute's deadline wins
    ]
    assert all(s.due_at <= dispute.due_at for s in steps)
    assert steps[-1].level == "assistant_director"


def test_the_assistant_director_decides_and_cannot_escalate(users):
    contact, _ = signed_off_nfa(users)
    dispute = raise_by(users.police, contact, hour=10)
    dispute = act_by(users.second_manager, dispute, "escalate", hour=10, minute=30)
    dispute = act_by(users.service_manager, dispute, "escalate", hour=11)
    dispute = act_by(users.strategic_manager, dispute, "escalate", hour=11, minute=30)
    assert not services.can_escalate(dispute)
    with pytest.raises(services.DisputeProblems) as refused:
        act_by(users.assistant_director, dispute, "escalate", hour=12)
    assert "final" in refused.value.problems["action"]
    dispute = act_by(users.assistant_director, dispute, "decision_stands", hour=12, minute=30)
    assert dispute.status == Dispute.Status.RESOLVED
    assert [s.level for s in dispute.steps.all()] == ["team_manager", "service_manager", "strategic_manager", "assistant_director"]


def test_a_changed_decision_goes_back_to_the_mash_for_a_new_recommendation_and_sign_off(users):
    contact, decision = signed_off_nfa(users)
    dispute = raise_by(users.police, contact, hour=10)
    dispute = act_by(users.second_manager, dispute, "decision_changed", hour=11, agreed_outcome="s17_assessment")
    assert dispute.resolution == Dispute.Resolution.DECISION_CHANGED
    assert dispute.agreed_outcome == "s17_assessment"

    contact.refresh_from_db()
    assert contact.status == ContactStatus.CHALLENGED
    change = StatusChange.objects.filter(contact=contact).order_by("-id").first()
    assert change.event == "reopen_after_dispute" and change.actor == users.second_manager
    assert "Section 17" in change.comment and "An assessment is needed." in change.comment
    assert audit_events("contact.reopen_after_dispute").count() == 1

    # The decision maker records the agreed outcome and a manager signs off again.
    from tests.stage2 import team

    with at(13):
        decisions.recommend(contact, users.decision_maker, analysis="As agreed in the dispute.", outcome="s17_assessment", rationale="Agreed at dispute.", receiving_team=team())
    with at(14):
        decisions.sign_off(contact, users.manager, comment="Signed off after the dispute.")
    contact.refresh_from_db()
    assert contact.status == ContactStatus.SIGNED_OFF
    assert services.current_decision(contact).outcome == "s17_assessment"
    # The disputed decision stays on record, marked as changed, and no longer takes effect.
    assert Decision.objects.get(pk=decision.pk).review == Decision.Review.SUPERSEDED
    # The new decision can itself be disputed; the old one no longer can.
    assert services.raise_refusal(contact, users.police) is None


def test_while_the_decision_is_back_with_the_mash_it_cannot_be_disputed_again(users):
    contact, _ = signed_off_nfa(users)
    dispute = raise_by(users.police, contact, hour=10)
    act_by(users.second_manager, dispute, "decision_changed", hour=11)
    contact.refresh_from_db()
    with pytest.raises(services.DisputeRefused, match="reconsidered"), at(12):
        services.raise_dispute(contact, users.officer, grounds="Again.")


def test_one_open_dispute_per_decision(users):
    contact, _ = signed_off_nfa(users)
    raise_by(users.police, contact, hour=10)
    with pytest.raises(services.DisputeRefused, match="already disputed"), at(10, 5):
        services.raise_dispute(contact, users.officer, grounds="I disagree too.")
    assert Dispute.objects.count() == 1


def test_a_resolved_dispute_allows_a_new_one(users):
    contact, _ = signed_off_nfa(users)
    dispute = raise_by(users.police, contact, hour=10)
    act_by(users.second_manager, dispute, "decision_stands", hour=11)
    again = raise_by(users.officer, contact, hour=12, grounds="New information from school.")
    assert again.is_open and Dispute.objects.count() == 2


def test_escalation_needs_a_reason_and_resolution_needs_summary_and_learning(users):
    contact, _ = signed_off_nfa(users)
    dispute = raise_by(users.police, contact, hour=10)
    with pytest.raises(services.DisputeProblems) as refused:
        act_by(users.second_manager, dispute, "escalate", hour=10, minute=30, notes="  ")
    assert set(refused.value.problems) == {"notes"}
    with pytest.raises(services.DisputeProblems) as refused:
        act_by(users.second_manager, dispute, "decision_stands", hour=10, minute=30, resolution_summary="", learning="")
    assert set(refused.value.problems) == {"resolution_summary", "learning"}
    with pytest.raises(services.DisputeProblems) as refused:
        act_by(users.second_manager, dispute, "decision_changed", hour=10, minute=30, agreed_outcome="nfa")
    assert set(refused.value.problems) == {"agreed_outcome"}
    assert services.open_step(Dispute.objects.get(pk=dispute.pk)).closed_at is None


def test_grounds_are_required(users):
    contact, _ = signed_off_nfa(users)
    with pytest.raises(services.DisputeProblems) as refused, at(10):
        services.raise_dispute(contact, users.police, grounds=" ")
    assert set(refused.value.problems) == {"grounds"}


def test_only_a_signed_off_decision_can_be_disputed(users):
    from tests.factories import recommended

    contact, _ = recommended(users)
    with pytest.raises(services.DisputeRefused, match="signed off"):
        services.raise_dispute(contact, users.officer, grounds="Too early.")


def test_who_may_raise(users):
    from tests.stage2 import team

    contact, _ = signed_off_nfa(users)
    assert services.raise_refusal(contact, users.police) is None  # the referring agency
    assert services.raise_refusal(contact, users.health) is not None  # another agency
    for mash_member in (users.officer, users.decision_maker, users.manager, users.service_manager):
        assert services.raise_refusal(contact, mash_member) is None
    for other in (users.strategic_manager, users.assistant_director, users.administrator, users.dpo, users.receiving):
        assert services.raise_refusal(contact, other) is not None
    transferred, _ = signed_off_nfa(users, outcome="s17_assessment", team=team())
    assert services.raise_refusal(transferred, users.receiving) is None  # the receiving team


def test_queues_show_the_waiting_step_to_its_level_and_the_raiser_their_dispute(users):
    contact, _ = signed_off_nfa(users)
    dispute = raise_by(users.police, contact, hour=10)

    def waiting(user):
        queues = {q.title: q for q in services.queue_items(user)}
        return queues["Disputes waiting for you"].items if "Disputes waiting for you" in queues else None

    items = waiting(users.second_manager)
    assert [i.contact for i in items] == [contact]
    assert items[0].due_at == london(2026, 11, 23, 12, 0) and items[0].url == f"/disputes/{dispute.pk}/act/"
    assert waiting(users.manager) == []  # signed off the decision
    assert waiting(users.service_manager) == []
    assert waiting(users.decision_maker) is None
    police_queues = {q.title: q for q in services.queue_items(users.police)}
    assert [i.url for i in police_queues["Your disputes"].items] == [f"/disputes/{dispute.pk}/"]

    act_by(users.second_manager, dispute, "escalate", hour=11)
    assert waiting(users.second_manager) == []
    assert [i.due_at for i in waiting(users.service_manager)] == [london(2026, 11, 23, 13, 0)]

    act_by(users.service_manager, Dispute.objects.get(pk=dispute.pk), "decision_stands", hour=12)
    assert waiting(users.service_manager) == []
    assert "Your disputes" not in {q.title for q in services.queue_items(users.police)}


def test_contact_panel_lists_disputes_and_offers_to_dispute(users):
    contact, _ = signed_off_nfa(users)
    panel = services.contact_panel(contact, users.officer)
    assert panel["may_raise"] and panel["disputes"] == []
    dispute = raise_by(users.police, contact, hour=10)
    panel = services.contact_panel(contact, users.second_manager)
    assert not panel["may_raise"]
    [row] = panel["disputes"]
    assert row["dispute"] == dispute and row["may_act"] and row["open_step"].due_at == london(2026, 11, 23, 12, 0)


def test_late_resolution_is_reported_as_late(users):
    contact, _ = signed_off_nfa(users)
    dispute = raise_by(users.police, contact, hour=10)
    act_by(users.second_manager, dispute, "decision_stands", hour=11, day=(2026, 11, 24))  # Tuesday 11:00 > 10:00
    with at(12, day=(2026, 11, 30)):
        report = services.month_report(users.service_manager, 2026, 11)
    [row] = report.rows
    assert row.late and row.within_timescale is False
    assert row.hours_to_resolve == pytest.approx(9.5)  # 7.5 working hours on Monday from 10:00, 2 on Tuesday
    assert report.late == 1


def test_report_counts_and_working_hours(users):
    first, _ = signed_off_nfa(users)
    second, _ = signed_off_nfa(users)
    third, _ = signed_off_nfa(users)
    a = raise_by(users.police, first, hour=10)
    act_by(users.second_manager, a, "escalate", hour=10, minute=30)
    act_by(users.service_manager, Dispute.objects.get(pk=a.pk), "decision_stands", hour=11, minute=30)
    b = raise_by(users.officer, second, hour=10)
    act_by(users.second_manager, b, "decision_changed", hour=12)
    raise_by(users.police, third, hour=13)
    with at(14):
        report = services.month_report(users.manager, 2026, 11)
    assert report.raised == 3
    assert dict(report.resolved_by_level) == {"Team manager": 1, "Service manager": 1, "Strategic manager": 0, "Assistant director": 0}
    assert report.changed == 1 and report.late == 0 and report.open == 1
    hours = {row.reference: row.hours_to_resolve for row in report.rows}
    assert hours[first.reference] == pytest.approx(1.5) and hours[second.reference] == 2 and hours[third.reference] is None
    csv_text = services.report_csv(report)
    assert first.reference in csv_text and "Disputes raised,3" in csv_text and "Decisions changed,1" in csv_text
    assert services.month_report(users.manager, 2026, 10).raised == 0


def test_report_csv_neutralises_formulae(users):
    contact, _ = signed_off_nfa(users)
    dispute = raise_by(users.police, contact, hour=10)
    act_by(users.second_manager, dispute, "decision_stands", hour=11, learning="=HYPERLINK(\"http://x\")")
    with at(12):
        text = services.report_csv(services.month_report(users.manager, 2026, 11))
    assert "'=HYPERLINK" in text


@pytest.mark.parametrize(("text", "expected"), [("2026-11", (2026, 11)), ("2026-01", (2026, 1))])
def test_parse_month(text, expected):
    assert services.parse_month(text) == expected


@pytest.mark.parametrize("text", ["2026-13", "2026-00", "November", "2026-1", "26-11", "2026-11-01"])
def test_parse_month_refuses_nonsense_clearly(text):
    with pytest.raises(services.BadMonth, match="for example|year"):
        services.parse_month(text)
