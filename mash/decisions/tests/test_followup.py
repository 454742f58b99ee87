"""Early help tracking (seed 001 case 3) and the malicious-referral guard (seed 001 §8): the services."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from mash.accounts.models import Role, User
from mash.audit.services import verify_chain
from mash.decisions import followup
from mash.decisions import services as decisions
from mash.decisions.models import EarlyHelpReferral, MaliciousFinding
from mash.domain import malicious as guard
from mash.domain.workflow import ContactEvent
from mash.intake.models import Channel, Contact, ContactPerson
from mash.intake.workflow import apply_event
from mash.people.models import Involvement, InvolvementKind
from mash.people.services import history_warnings
from mash.strategy.models import StrategyDiscussion
from mash.workqueue.models import Alert
from tests import factories, stage2

pytestmark = pytest.mark.django_db

EARLY_HELP_HUB = "Early Help Hub"


def early_help_user(username: str = "eh.worker", team_name: str = EARLY_HELP_HUB) -> User:
    return User.objects.create_user(
        username=username, password="test-password-123", role=Role.RECEIVING_PRACTITIONER, team=stage2.team(team_name),
        first_name="Erin", last_name="Helper",
    )


def signed_off(users, **kwargs):  # noqa: ANN001, ANN201
    """Like factories.signed_off, without assuming how many letters sign-off generates."""
    contact, _ = factories.recommended(users, **kwargs)
    decision = decisions.sign_off(contact, users.manager, comment="Agreed.")
    contact.refresh_from_db()
    return contact, decision


def stepped_down(users, **kwargs):  # noqa: ANN001, ANN201
    contact, decision = signed_off(users, outcome="early_help", team=stage2.team(EARLY_HELP_HUB), **kwargs)
    return contact, decision, EarlyHelpReferral.objects.get(decision=decision)


def titles(user):  # noqa: ANN001, ANN201
    return {queue.title: queue for queue in followup.queue_items(user)}


# -- early help at sign-off -------------------------------------------------------------------


def test_sign_off_of_early_help_opens_a_referral_and_an_involvement_the_next_contact_sees(users):
    contact, decision, referral = stepped_down(users)
    child = contact.people.get(role=ContactPerson.Role.SUBJECT_CHILD).person
    assert referral.contact == contact and referral.person == child
    assert referral.team.name == EARLY_HELP_HUB
    assert referral.status == EarlyHelpReferral.Status.OFFERED

    involvement = Involvement.objects.get(person=child, kind=InvolvementKind.EARLY_HELP)
    assert involvement.team.name == EARLY_HELP_HUB
    assert involvement.started_on == timezone.localdate()
    assert contact.reference in involvement.summary
    assert involvement.is_open
    # The history check on the next contact about the child shows it.
    assert history_warnings(child).open_early_help == involvement
    assert factories.audit_events("early_help.referred", object_id=str(contact.pk)).count() == 1
    # Calling again (e.g. a retry) does not open a second referral.
    assert followup.start_early_help(decision, users.manager) == referral
    assert EarlyHelpReferral.objects.count() == 1
    assert verify_chain().ok


def test_other_outcomes_open_no_early_help_referral(users):
    signed_off(users, outcome="nfa")
    assert not EarlyHelpReferral.objects.exists()
    assert not Involvement.objects.filter(kind=InvolvementKind.EARLY_HELP).exists()


def test_the_early_help_team_sees_the_referral_waiting_for_the_familys_answer(users):
    _, _, referral = stepped_down(users)
    worker, other_team = early_help_user(), users.receiving
    queue = titles(worker)["Early help referrals waiting for the family's answer"]
    assert [item.contact.pk for item in queue.items] == [referral.contact_id]
    assert queue.items[0].url == f"/contacts/{referral.contact_id}/early-help/{referral.pk}/response/"
    assert titles(other_team) == {}
    assert list(followup.referrals_for_team(other_team)) == []


# -- the family's answer --------------------------------------------------------------------------


def test_accepted_keeps_the_involvement_open_and_raises_nothing(users):
    _, _, referral = stepped_down(users)
    worker = early_help_user()
    followup.record_response(referral, worker, status="accepted", notes="Mum welcomed the offer.")
    referral.refresh_from_db()
    assert referral.status == EarlyHelpReferral.Status.ACCEPTED
    assert referral.response_recorded_by == worker
    assert not Alert.objects.filter(kind=Alert.Kind.EARLY_HELP_DECLINED).exists()
    involvement = followup.involvement_for(referral)
    assert involvement.is_open and "Accepted by the family" in involvement.summary
    assert titles(users.decision_maker).get(followup.ESCALATION_QUEUE) is None
    assert factories.audit_events("early_help.response_recorded").count() == 1


def test_declined_raises_an_alert_and_puts_escalation_on_deciders_queues(users):
    contact, _, referral = stepped_down(users)
    followup.record_response(referral, users.officer, status="declined", notes="Dad said they do not need help.")
    referral.refresh_from_db()
    assert referral.status == EarlyHelpReferral.Status.DECLINED

    alert = Alert.objects.get(kind=Alert.Kind.EARLY_HELP_DECLINED)
    assert alert.contact == contact and alert.is_open
    assert "left without any support" in alert.message
    # The involvement is closed: no lead professional is working with the child.
    involvement = followup.involvement_for(referral)
    assert involvement.closed_on == timezone.localdate()
    assert "Declined" in involvement.closure_reason

    for user in (users.decision_maker, users.manager):
        (item,) = titles(user)[followup.ESCALATION_QUEUE].items
        assert item.contact == contact
        assert item.task == "Early help declined: consider escalation"
        assert item.url.endswith(f"/early-help/{referral.pk}/escalation/")
        assert item.due_at is not None
    for user in (users.officer, users.police, users.receiving, users.service_manager, users.dpo):
        assert followup.ESCALATION_QUEUE not in titles(user)


def test_not_reached_also_needs_an_escalation_decision_and_can_later_be_answered(users):
    _, _, referral = stepped_down(users)
    worker = early_help_user()
    followup.record_response(referral, worker, status="no_contact", notes="Three calls and a letter; no reply.")
    (item,) = titles(users.decision_maker)[followup.ESCALATION_QUEUE].items
    assert item.task == "Family not reached for early help: consider escalation"
    assert Alert.objects.filter(kind=Alert.Kind.EARLY_HELP_DECLINED).count() == 1
    # The family gets in touch later and accepts: nothing left to escalate.
    followup.record_response(referral, worker, status="accepted", notes="Mum rang back and accepted.")
    referral.refresh_from_db()
    assert referral.status == EarlyHelpReferral.Status.ACCEPTED
    assert followup.involvement_for(referral).is_open
    assert followup.ESCALATION_QUEUE not in titles(users.decision_maker)


def test_declining_needs_notes_and_an_answer_is_recorded_once(users):
    _, _, referral = stepped_down(users)
    with pytest.raises(followup.FollowupRefused, match="what the family said"):
        followup.record_response(referral, users.officer, status="declined", notes="  ")
    with pytest.raises(followup.FollowupRefused, match="Choose"):
        followup.record_response(referral, users.officer, status="offered")
    followup.record_response(referral, users.officer, status="accepted")
    with pytest.raises(followup.FollowupRefused, match="already recorded"):
        followup.record_response(referral, users.officer, status="declined", notes="Changed their mind.")


def test_only_the_mash_and_the_referral_team_may_record_the_answer(users):
    _, _, referral = stepped_down(users)
    for outsider in (users.receiving, users.police, users.dpo, users.administrator, users.strategic_manager):
        with pytest.raises(followup.FollowupRefused):
            followup.record_response(referral, outsider, status="accepted")
    referral.refresh_from_db()
    assert referral.status == EarlyHelpReferral.Status.OFFERED


# -- escalation ---------------------------------------------------------------------------------------


def declined(users, **kwargs):  # noqa: ANN001, ANN201
    contact, decision, referral = stepped_down(users, **kwargs)
    followup.record_response(referral, users.officer, status="declined", notes="Mum said the family will manage on their own.")
    referral.refresh_from_db()
    return contact, referral


def test_escalation_records_a_new_contact_about_the_same_people_sent_for_triage(users):
    contact, referral = declined(users)
    followup.decide_escalation(referral, users.decision_maker, escalation="escalate", rationale="Bruising plus refusal: re-assess.")
    referral.refresh_from_db()
    assert referral.escalation == EarlyHelpReferral.Escalation.ESCALATE
    assert referral.escalation_decided_by == users.decision_maker
    new = referral.reassessment_contact
    assert new is not None and new.pk != contact.pk
    assert new.status == "awaiting_triage"
    assert new.channel == Channel.IN_PERSON
    assert new.contact_type == "new_concern"
    assert new.referrer_name == users.decision_maker.display_name
    assert f"Early help was declined after {contact.reference}" in new.concern_details
    assert factories.CONCERN_TEXT[:40] in new.concern_details
    assert "Mum said the family will manage" in new.concern_details

    old_people = {(cp.role, cp.person_id) for cp in contact.people.all()}
    new_people = {(cp.role, cp.person_id) for cp in new.people.all()}
    assert new_people == old_people
    assert None not in {person for _, person in new_people}
    assert new.status_changes.filter(event="submit_for_triage", actor=users.decision_maker).exists()
    # Off the queue once decided; audited on both contacts.
    assert followup.ESCALATION_QUEUE not in titles(users.manager)
    assert factories.audit_events("early_help.escalated", object_id=str(contact.pk)).count() == 1
    assert factories.audit_events("early_help.reassessment_opened", object_id=str(new.pk)).count() == 1
    assert verify_chain().ok


def test_a_team_managers_decision_acknowledges_the_alert(users):
    _, referral = declined(users)
    followup.decide_escalation(referral, users.manager, escalation="not_needed", rationale="Grandmother now lives with them.")
    alert = Alert.objects.get(kind=Alert.Kind.EARLY_HELP_DECLINED)
    assert alert.acknowledged_by == users.manager


def test_not_needed_requires_a_rationale(users):
    contact, referral = declined(users)
    with pytest.raises(followup.FollowupRefused, match="why escalation is not needed"):
        followup.decide_escalation(referral, users.decision_maker, escalation="not_needed", rationale="  ")
    referral.refresh_from_db()
    assert referral.escalation == ""
    followup.decide_escalation(referral, users.decision_maker, escalation="not_needed", rationale="The school will support her.")
    referral.refresh_from_db()
    assert referral.escalation == EarlyHelpReferral.Escalation.NOT_NEEDED
    assert referral.reassessment_contact is None
    assert Contact.objects.count() == 1
    assert factories.audit_events("early_help.escalation_not_needed", object_id=str(contact.pk)).count() == 1
    with pytest.raises(followup.FollowupRefused, match="already been considered"):
        followup.decide_escalation(referral, users.decision_maker, escalation="escalate")


def test_escalation_only_by_deciders_and_only_after_a_refusal(users):
    _, _, referral = stepped_down(users)
    with pytest.raises(followup.FollowupRefused, match="only when the family declined"):
        followup.decide_escalation(referral, users.decision_maker, escalation="escalate")
    followup.record_response(referral, users.officer, status="declined", notes="No thank you.")
    for user in (users.officer, users.service_manager, users.receiving, users.police):
        with pytest.raises(followup.FollowupRefused, match="decision maker or a team manager"):
            followup.decide_escalation(referral, user, escalation="escalate")
    assert Contact.objects.count() == 1


def test_the_next_contact_shows_the_earlier_declined_referral(users):
    contact, referral = declined(users)
    followup.decide_escalation(referral, users.decision_maker, escalation="escalate")
    referral.refresh_from_db()
    panel = followup.contact_panel(referral.reassessment_contact, users.decision_maker)
    assert panel["reassessment_of"] == referral
    assert panel["earlier_referrals"] == [referral]
    own = followup.contact_panel(contact, users.decision_maker)
    assert own["early_help"][0]["referral"] == referral
    assert followup.contact_panel(contact, users.police) == {}


# -- the malicious-referral guard ----------------------------------------------------------------


def assessed(users, *, answers: int = 2, surname: str = "Malicetest"):  # noqa: ANN001, ANN201
    """A contact where police and health were asked (`answers` of them answered), then NFA signed off."""
    contact = stage2.triaged_contact(users, surname=surname, consent="given")
    police, health = stage2.send(users, contact, ["police", "health"])
    if answers >= 1:
        stage2.answer(police, users.police, [stage2.item("One call to the address, no offences.")])
    if answers >= 2:
        stage2.nothing_held(health, users.health)
    decisions.recommend(
        Contact.objects.get(pk=contact.pk), users.decision_maker, analysis="Nothing found.", outcome="nfa", rationale="No concern substantiated."
    )
    decisions.sign_off(Contact.objects.get(pk=contact.pk), users.manager, comment="Agreed.")
    return Contact.objects.get(pk=contact.pk)


def propose(contact, actor, *, spoken: bool = True, **overrides):  # noqa: ANN001, ANN201
    fields = {
        "assessment_summary": "Police and health checked: nothing held that supports the allegation.",
        "rationale": "Third anonymous-style call from the ex-partner during a contact dispute; every detail was disproved.",
        "referrer_spoken_at": timezone.now() - timedelta(hours=1) if spoken else None,
        "referrer_spoken_by": actor if spoken else None,
        "referrer_conversation": "He accepted he had not seen the child for months and said he wanted 'to cause trouble'." if spoken else "",
    }
    fields.update(overrides)
    return followup.propose_malicious(contact, actor, **fields)


def test_full_assessment_facts_come_from_stage2_and_strategy_discussions(users):
    contact = assessed(users, answers=1)
    facts = followup.assessment_facts(contact)
    # The open health request was withdrawn at sign-off: one answer, nothing outstanding.
    assert (facts.agencies_responded, facts.requests_outstanding, facts.strategy_discussion_held) == (1, 0, False)
    assert not facts.full
    StrategyDiscussion.objects.create(
        contact=contact, scheduled_for=timezone.now(), due_by=timezone.now(), convened_by=users.decision_maker, status="held"
    )
    assert followup.assessment_facts(contact).full


def test_outstanding_requests_mean_no_full_assessment(users):
    contact = stage2.triaged_contact(users, surname="Outstanding", consent="given")
    police, health, education = stage2.send(users, contact, ["police", "health", "education"])
    stage2.answer(police, users.police, [stage2.item("Known to police.")])
    stage2.nothing_held(health, users.health)
    facts = followup.assessment_facts(contact)
    assert (facts.agencies_responded, facts.requests_outstanding) == (2, 1)
    assert not facts.full


def test_a_proposal_with_everything_raises_an_alert_and_a_queue_item_for_other_managers(users):
    contact = assessed(users)
    finding = propose(contact, users.decision_maker)
    assert finding.status == MaliciousFinding.Status.PROPOSED
    alert = Alert.objects.get(kind=Alert.Kind.MALICIOUS_PROPOSED)
    assert alert.contact == contact
    (item,) = titles(users.manager)["Referrals proposed as malicious"].items
    assert item.url == f"/contacts/{contact.pk}/malicious/{finding.pk}/decide/"
    assert "Referrals proposed as malicious" not in titles(users.decision_maker)
    assert factories.audit_events("malicious.proposed", object_id=str(contact.pk)).count() == 1


def test_a_proposal_is_refused_before_an_outcome_is_agreed(users):
    contact = stage2.triaged_contact(users, surname="Undecided", consent="given")
    with pytest.raises(followup.FollowupRefused, match="only once an outcome has been agreed"):
        propose(contact, users.decision_maker)
    assert not MaliciousFinding.objects.exists()


def test_a_proposal_is_refused_without_a_full_assessment(users):
    contact = assessed(users, answers=1)
    with pytest.raises(followup.MaliciousRefused) as refused:
        propose(contact, users.decision_maker)
    assert guard.NO_FULL_ASSESSMENT in refused.value.problems
    assert any("Only 1 agency" in p for p in refused.value.problems)
    assert not MaliciousFinding.objects.exists()
    assert not Alert.objects.filter(kind=Alert.Kind.MALICIOUS_PROPOSED).exists()
    # The refused attempt is on record.
    event = factories.audit_events("malicious.proposal_refused", object_id=str(contact.pk)).get()
    assert "full multi-agency assessment" in event.reason


@pytest.mark.parametrize(
    "missing", ["referrer_spoken_at", "referrer_spoken_by", "referrer_conversation"]
)
def test_a_proposal_is_refused_without_the_conversation_with_the_referrer(users, missing):
    contact = assessed(users)
    blank = {"referrer_spoken_at": None, "referrer_spoken_by": None, "referrer_conversation": "   "}[missing]
    with pytest.raises(followup.MaliciousRefused) as refused:
        propose(contact, users.decision_maker, **{missing: blank})
    assert refused.value.problems == [guard.REFERRER_NOT_SPOKEN_TO]
    assert not MaliciousFinding.objects.exists()


def test_a_proposal_needs_the_summary_and_rationale_and_no_future_conversation(users):
    contact = assessed(users)
    with pytest.raises(followup.MaliciousRefused) as refused:
        propose(contact, users.decision_maker, assessment_summary=" ", rationale="", referrer_spoken_at=timezone.now() + timedelta(days=1))
    assert refused.value.problems == [
        "Describe the multi-agency assessment that was done.",
        "Explain why you believe the referral was malicious.",
        "The conversation with the referrer cannot be in the future.",
    ]


def test_officers_and_others_cannot_propose(users):
    contact = assessed(users)
    for user in (users.officer, users.service_manager, users.police, users.receiving, users.dpo, users.administrator):
        with pytest.raises(followup.FollowupRefused, match="Only a decision maker or a team manager"):
            propose(contact, user)
    assert not MaliciousFinding.objects.exists()


def test_one_live_proposal_at_a_time(users):
    contact = assessed(users)
    propose(contact, users.decision_maker)
    with pytest.raises(followup.FollowupRefused, match="already been proposed"):
        propose(contact, users.manager)


def test_a_different_manager_agrees_and_the_referral_is_recorded_as_malicious(users):
    contact = assessed(users)
    finding = propose(contact, users.decision_maker)
    followup.decide_malicious(finding, users.manager, agree=True, comment="Agreed after reading the assessment.")
    finding.refresh_from_db()
    assert finding.status == MaliciousFinding.Status.AGREED
    assert finding.manager == users.manager
    assert Alert.objects.get(kind=Alert.Kind.MALICIOUS_PROPOSED).acknowledged_by == users.manager
    panel = followup.contact_panel(contact, users.officer)
    assert [c.met for c in panel["conditions"]] == [True, True, True]
    assert panel["live_finding"] == finding and not panel["can_propose"]
    assert factories.audit_events("malicious.agreed", object_id=str(contact.pk)).count() == 1
    with pytest.raises(followup.FollowupRefused, match="already decided"):
        followup.decide_malicious(finding, users.second_manager, agree=False, comment="No.")


def test_the_proposer_cannot_agree_or_refuse(users):
    contact = assessed(users)
    finding = propose(contact, users.manager)
    with pytest.raises(followup.MaliciousRefused) as refused:
        followup.decide_malicious(finding, users.manager, agree=True, comment="I agree with myself.")
    assert refused.value.problems == [guard.MANAGER_IS_PROPOSER]
    with pytest.raises(followup.FollowupRefused, match="different team manager"):
        followup.decide_malicious(finding, users.manager, agree=False, comment="Withdrawn.")
    finding.refresh_from_db()
    assert finding.status == MaliciousFinding.Status.PROPOSED
    assert factories.audit_events("malicious.agreement_refused", object_id=str(contact.pk)).count() == 1
    followup.decide_malicious(finding, users.second_manager, agree=True, comment="Agreed.")
    finding.refresh_from_db()
    assert finding.status == MaliciousFinding.Status.AGREED


def test_agreement_is_refused_when_the_assessment_is_no_longer_full(users):
    contact = assessed(users)
    finding = propose(contact, users.decision_maker)
    # A disagreement sends the decision back and more information is asked for: the assessment is not finished.
    apply_event(contact, ContactEvent.REOPEN_AFTER_DISPUTE, users.service_manager, comment="The school disputes the NFA.")
    stage2.send(users, Contact.objects.get(pk=contact.pk), ["education"])
    with pytest.raises(followup.MaliciousRefused) as refused:
        followup.decide_malicious(finding, users.manager, agree=True, comment="Agreed.")
    assert guard.NO_FULL_ASSESSMENT in refused.value.problems
    finding.refresh_from_db()
    assert finding.status == MaliciousFinding.Status.PROPOSED


def test_agreement_is_refused_by_the_service_when_the_conversation_is_missing(users):
    """Even a proposal stored by another path (admin, shell) cannot be agreed without the conversation."""
    contact = assessed(users)
    finding = MaliciousFinding.objects.create(
        contact=contact, proposed_by=users.decision_maker, rationale="Sure of it.", assessment_summary="Checks done."
    )
    with pytest.raises(followup.MaliciousRefused) as refused:
        followup.decide_malicious(finding, users.manager, agree=True, comment="Agreed.")
    assert refused.value.problems == [guard.REFERRER_NOT_SPOKEN_TO]
    finding.refresh_from_db()
    assert finding.status == MaliciousFinding.Status.PROPOSED


def test_only_team_managers_decide_and_a_comment_is_required(users):
    contact = assessed(users)
    finding = propose(contact, users.decision_maker)
    for user in (users.decision_maker, users.officer, users.service_manager, users.police):
        with pytest.raises(followup.FollowupRefused, match="Only a team manager"):
            followup.decide_malicious(finding, user, agree=True, comment="Agreed.")
    with pytest.raises(followup.FollowupRefused, match="Give your reasons"):
        followup.decide_malicious(finding, users.manager, agree=False, comment=" ")


def test_a_refused_proposal_is_history_and_a_new_one_may_follow(users):
    contact = assessed(users)
    finding = propose(contact, users.decision_maker)
    followup.decide_malicious(finding, users.manager, agree=False, comment="The referrer herself was never spoken to.")
    finding.refresh_from_db()
    assert finding.status == MaliciousFinding.Status.REFUSED
    panel = followup.contact_panel(contact, users.manager)
    assert panel["live_finding"] is None and panel["can_propose"]
    assert [c.met for c in panel["conditions"]] == [True, True, False]
    assert factories.audit_events("malicious.refused", object_id=str(contact.pk)).count() == 1
    assert propose(contact, users.decision_maker).status == MaliciousFinding.Status.PROPOSED
