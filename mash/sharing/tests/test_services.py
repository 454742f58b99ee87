"""Stage 2 service rules, without a browser: requests and their deadlines, consent, repeat contacts,
escalation, raised ratings, chasing, agency responses, redaction, what leaves the MASH, and the
audit and sharing-log trail every step leaves.

Default configuration (partnership migrations): AMBER and GREEN partners have 8 working hours,
RED 4 working hours; chase again after 2 working hours; office hours Mon-Thu 09:00-17:30,
Fri 09:00-17:00. 9 November 2026 is a Monday, 13 November a Friday; no bank holidays that month.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine

from mash.audit.models import AuditEvent
from mash.audit.services import verify_chain
from mash.decisions import services as decisions
from mash.domain.redaction import REDACTION_MARK
from mash.intake.models import Contact
from mash.partnership.models import Partnership, RagRating
from mash.partnership.services import deadline, working_calendar
from mash.sharing import services
from mash.sharing.models import (
    Chase,
    ConsentChange,
    Escalation,
    InformationItem,
    InformationRequest,
    PendingEnquiry,
    Redaction,
    RequestNotice,
    RequestStatus,
    SharingLogEntry,
)
from mash.sharing.services import SharingRefused
from mash.triage.services import change_rating
from mash.workqueue.models import Alert
from tests import factories, stage2
from tests.factories import level, london, rag
from tests.stage2 import answer, item, send

pytestmark = pytest.mark.django_db

Kind = SharingLogEntry.Kind
MONDAY_10 = london(2026, 11, 9, 10, 0)


def fresh(obj):  # noqa: ANN001, ANN201
    return type(obj).objects.get(pk=obj.pk)


def actions(**filters) -> list[str]:  # noqa: ANN003
    return list(AuditEvent.objects.filter(**filters).order_by("sequence").values_list("action", flat=True))


def log_kinds(contact) -> list[str]:  # noqa: ANN001
    return list(SharingLogEntry.objects.filter(contact=contact).order_by("occurred_at", "id").values_list("kind", flat=True))


def at(moment):  # noqa: ANN001, ANN201
    return time_machine.travel(moment, tick=False)


def asked_at(users, moment, agencies=("police", "health", "education"), **kwargs):  # noqa: ANN001, ANN003, ANN201
    """A triaged contact (consent given) and its requests, all sent at `moment`."""
    with at(moment - timedelta(minutes=30)):
        contact = stage2.triaged_contact(users, consent="given", **kwargs)
    with at(moment):
        requests = send(users, Contact.objects.get(pk=contact.pk), list(agencies))
    return Contact.objects.get(pk=contact.pk), requests


# =========================================================================== deadlines


def test_amber_request_sent_friday_afternoon_is_due_on_monday(users):
    friday_16 = london(2026, 11, 13, 16, 0)
    contact, requests = asked_at(users, friday_16)
    # 8 working hours: Friday 16:00-17:00 is one, Monday 09:00-16:00 the other seven.
    for info_request in requests:
        assert info_request.due_at == london(2026, 11, 16, 16, 0)
        assert info_request.requested_at == friday_16
        assert info_request.status == RequestStatus.SENT


def test_the_deadline_follows_the_partnerships_configuration_not_a_constant(users):
    friday_16 = london(2026, 11, 13, 16, 0)
    _, before = asked_at(users, friday_16, agencies=["police"], surname="Beforechange")
    RagRating.objects.filter(code="AMBER").update(sharing_amount=Decimal("3"))
    _, after = asked_at(users, friday_16, agencies=["police"], surname="Afterchange")
    assert before[0].due_at == london(2026, 11, 16, 16, 0)
    assert after[0].due_at == london(2026, 11, 16, 11, 0)  # 1 hour on Friday, 2 on Monday
    RagRating.objects.filter(code="AMBER").update(sharing_amount=Decimal("24"), sharing_unit="calendar_hours")
    _, clock = asked_at(users, friday_16, agencies=["police"], surname="Clockhours")
    assert clock[0].due_at == london(2026, 11, 14, 16, 0)


def test_a_red_request_gets_four_working_hours(users):
    _, requests = asked_at(users, london(2026, 11, 13, 16, 0), agencies=["police"], rag_code="RED")
    assert requests[0].due_at == london(2026, 11, 16, 12, 0)


def test_the_deadline_is_the_service_deadline_of_the_rating(users):
    contact, requests = asked_at(users, MONDAY_10, agencies=["police"])
    assert requests[0].due_at == deadline(MONDAY_10, contact.rag_rating.sharing_timescale())


# =========================================================================== sending requests


def test_sending_creates_a_request_response_notice_email_log_and_audit_per_agency(users, mailoutbox):
    contact = stage2.triaged_contact(users, consent="given")
    made = send(users, contact, ["police", "health"], not_asked=[(stage2.agency("education"), "Child is not of school age yet.")])
    assert {r.agency.kind for r in made} == {"police", "health"}
    for info_request in made:
        assert info_request.requested_by == users.decision_maker
        assert info_request.concern_summary == stage2.CONCERN_SUMMARY
        assert {b.code for b in info_request.lawful_bases.all()} == set(stage2.DEFAULT_BASES)
        assert info_request.response.is_submitted is False
        assert info_request.notices.get().kind == RequestNotice.Kind.NEW
        entry = info_request.log_entries.get()
        assert entry.kind == Kind.REQUESTED and entry.shared and entry.to_agency == info_request.agency
        assert {b.code for b in entry.lawful_bases.all()} == set(stage2.DEFAULT_BASES)
    assert actions(action="request.sent") == ["request.sent", "request.sent"]
    not_asked = SharingLogEntry.objects.get(contact=contact, kind=Kind.NOT_REQUESTED)
    assert not_asked.shared is False and not_asked.why == "Child is not of school age yet."
    assert sorted(m.to[0] for m in mailoutbox) == sorted(r.agency.duty_email for r in made)
    child = contact.subject_child
    for message in mailoutbox:
        assert child.surname not in message.body and child.surname not in message.subject
        assert factories.CONCERN_TEXT not in message.body
    assert verify_chain().ok


def test_requests_are_refused_before_triage(users):
    contact = factories.submitted(users, consent="given", consent_not_sought_reason="")
    with pytest.raises(SharingRefused, match="only after triage"):
        send(users, contact, ["police"])
    assert not InformationRequest.objects.exists()
    assert not AuditEvent.objects.filter(action="request.sent").exists()


def test_requests_are_refused_after_the_recommendation_and_allowed_again_when_challenged(users):
    contact, _ = factories.recommended(users, consent="given", consent_not_sought_reason="")
    with pytest.raises(SharingRefused, match="before the outcome is recommended"):
        send(users, contact, ["police"])
    decisions.challenge(fresh(contact), users.manager, comment="Ask the police first.")
    assert len(send(users, fresh(contact), ["police"])) == 1


def test_asking_the_same_agency_twice_is_refused_until_the_request_is_withdrawn(users):
    contact = stage2.triaged_contact(users, consent="given")
    (police,) = send(users, contact, ["police"])
    with pytest.raises(SharingRefused, match="Already asked: Demoshire Constabulary"):
        send(users, contact, ["health", "police"])
    assert InformationRequest.objects.filter(contact=contact).count() == 1  # health was not asked either
    services.withdraw_request(police, users.decision_maker, reason="Asked the wrong question.")
    assert len(send(users, fresh(contact), ["police"])) == 1


@pytest.mark.parametrize("who", ["officer", "police", "receiving", "dpo", "administrator"])
def test_only_decision_makers_and_managers_send_requests(users, who):
    contact = stage2.triaged_contact(users, consent="given")
    with pytest.raises(SharingRefused, match="Only a decision maker or team manager"):
        send(users, contact, ["police"], by=getattr(users, who))
    assert not InformationRequest.objects.exists()


def test_a_manager_may_send_requests(users):
    contact = stage2.triaged_contact(users, consent="given")
    assert send(users, contact, ["police"], by=users.manager)[0].requested_by == users.manager


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"specs": []}, "at least one agency"),
        ({"bases": []}, "lawful basis"),
        ({"concern_summary": "  "}, "Summarise the concern"),
        ({"question": " "}, "Write the question"),
    ],
)
def test_an_incomplete_request_is_refused(users, change, message):
    contact = stage2.triaged_contact(users, consent="given")
    police = stage2.agency("police")
    kwargs = {
        "specs": [services.RequestSpec(police, change.get("question", "What do you hold?"))],
        "concern_summary": change.get("concern_summary", "Concern."),
        "bases": stage2.bases(),
    }
    kwargs.update({k: v for k, v in change.items() if k in ("specs", "bases")})
    with pytest.raises(SharingRefused, match=message):
        services.send_requests(contact, users.decision_maker, **kwargs)


def test_an_agency_outside_mash_sharing_cannot_be_asked(users):
    contact = stage2.triaged_contact(users, consent="given")
    own = users.officer.agency  # the host authority's social care is the MASH itself
    with pytest.raises(SharingRefused, match="does not take part"):
        send(users, contact, [own])


def test_withdrawing_needs_a_reason_and_a_decider_and_is_logged(users):
    contact = stage2.triaged_contact(users, consent="given")
    (police,) = send(users, contact, ["police"])
    with pytest.raises(SharingRefused, match="Say why"):
        services.withdraw_request(police, users.decision_maker, reason=" ")
    with pytest.raises(SharingRefused, match="Only a decision maker"):
        services.withdraw_request(police, users.officer, reason="No longer needed.")
    services.withdraw_request(police, users.decision_maker, reason="No longer needed.")
    police.refresh_from_db()
    assert police.status == RequestStatus.WITHDRAWN and police.withdrawn_reason == "No longer needed."
    assert police.notices.filter(kind=RequestNotice.Kind.WITHDRAWN).exists()
    entry = police.log_entries.get(kind=Kind.WITHDRAWN)
    assert entry.shared is False and entry.why == "No longer needed."
    assert "request.withdrawn" in actions()
    with pytest.raises(SharingRefused, match="Only an open request"):
        services.withdraw_request(police, users.decision_maker, reason="Again.")


# =========================================================================== consent


def test_refused_consent_blocks_requests_until_a_manager_overrides(users):
    contact = stage2.triaged_contact(users, consent="refused", override=False)
    position = services.consent_position(contact)
    assert position.refused and position.override_needed and not position.sharing_permitted
    with pytest.raises(SharingRefused, match="team manager must record the lawful basis"):
        send(users, contact, ["police"])

    with pytest.raises(SharingRefused, match="Record the rationale"):
        services.override_consent(contact, users.manager, bases=stage2.bases(), rationale="   ")
    with pytest.raises(SharingRefused, match="at least one lawful basis"):
        services.override_consent(contact, users.manager, bases=[], rationale="Risk of harm.")
    with pytest.raises(SharingRefused, match="Only a MASH team manager"):
        services.override_consent(contact, users.decision_maker, bases=stage2.bases(), rationale="Risk of harm.")
    assert not contact.consent_overrides.exists()
    assert not SharingLogEntry.objects.filter(kind=Kind.CONSENT_OVERRIDDEN).exists()
    with pytest.raises(SharingRefused):
        send(users, contact, ["police"])

    override = services.override_consent(contact, users.manager, bases=stage2.bases("uk-gdpr-6-1-e"), rationale="  Risk of harm.  ")
    assert override.rationale == "Risk of harm." and override.consent_at_the_time == "refused"
    assert services.consent_position(contact).sharing_permitted
    entry = SharingLogEntry.objects.get(kind=Kind.CONSENT_OVERRIDDEN)
    assert entry.why == "Risk of harm." and entry.from_user == users.manager
    assert [b.code for b in entry.lawful_bases.all()] == ["uk-gdpr-6-1-e"]
    event = AuditEvent.objects.get(action="consent.overridden")
    assert event.reason == "Risk of harm." and event.actor_id == users.manager.pk

    (police,) = send(users, contact, ["police"], lawful=stage2.bases("ca-1989-s47"))
    # The request's log entry carries the override's basis as well as the request's own.
    assert {b.code for b in police.log_entries.get().lawful_bases.all()} == {"ca-1989-s47", "uk-gdpr-6-1-e"}
    # The refusal never blocks again once overridden: later requests go out too.
    assert len(send(users, fresh(contact), ["health"])) == 1
    assert verify_chain().ok


def test_not_sought_consent_needs_its_reason_before_an_override(users):
    contact = stage2.triaged_contact(users, consent="not_sought", override=False)
    Contact.objects.filter(pk=contact.pk).update(consent_not_sought_reason="")
    contact = fresh(contact)
    with pytest.raises(SharingRefused, match="three reasons"):
        services.override_consent(contact, users.manager, bases=stage2.bases(), rationale="Risk.")


def test_given_consent_needs_no_override_and_cannot_be_overridden(users):
    contact = stage2.triaged_contact(users, consent="given")
    assert services.consent_position(contact).sharing_permitted
    with pytest.raises(SharingRefused, match="nothing to override"):
        services.override_consent(contact, users.manager, bases=stage2.bases(), rationale="Because.")


def test_update_consent_requires_a_reason_when_not_sought_and_keeps_each_review(users):
    contact = stage2.triaged_contact(users, consent="given")
    with pytest.raises(SharingRefused, match="which of the three reasons"):
        services.update_consent(contact, users.officer, parents_aware="no", child_aware="no", consent="not_sought")
    with pytest.raises(SharingRefused, match="which of the three reasons"):
        services.update_consent(contact, users.officer, parents_aware="no", child_aware="no", consent="not_sought",
                                consent_not_sought_reason="it was late")
    assert not ConsentChange.objects.exists()
    services.update_consent(contact, users.officer, parents_aware="no", child_aware="no", consent="not_sought",
                            consent_not_sought_reason="prejudice_crime", notes="Police operation live.")
    contact = fresh(contact)
    assert (contact.consent, contact.consent_not_sought_reason) == ("not_sought", "prejudice_crime")
    # A reason given with any other answer is dropped.
    services.update_consent(contact, users.decision_maker, parents_aware="yes", child_aware="yes", consent="refused",
                            consent_not_sought_reason="undue_delay")
    contact = fresh(contact)
    assert (contact.consent, contact.consent_not_sought_reason, contact.parents_aware) == ("refused", "", "yes")
    assert list(ConsentChange.objects.filter(contact=contact).values_list("consent", flat=True)) == ["not_sought", "refused"]
    assert actions(action="consent.recorded") == ["consent.recorded"] * 2


@pytest.mark.parametrize("who", ["police", "receiving", "dpo", "administrator"])
def test_only_mash_staff_record_consent(users, who):
    contact = stage2.triaged_contact(users, consent="given")
    with pytest.raises(SharingRefused, match="does not allow"):
        services.update_consent(contact, getattr(users, who), parents_aware="no", child_aware="no", consent="refused")
    assert fresh(contact).consent == "given"


def test_consent_recorded_again_after_an_override_needs_a_fresh_decision(users):
    contact = stage2.triaged_contact(users, consent="refused", override=False)
    with at(MONDAY_10):
        stage2.override_consent(users, contact)
    with at(MONDAY_10 + timedelta(hours=1)):
        services.update_consent(fresh(contact), users.officer, parents_aware="yes", child_aware="no", consent="given")
    assert services.consent_position(fresh(contact)).sharing_permitted
    with at(MONDAY_10 + timedelta(hours=2)):
        services.update_consent(fresh(contact), users.officer, parents_aware="yes", child_aware="no", consent="refused")
    assert not services.consent_position(fresh(contact)).sharing_permitted


def test_asking_a_manager_about_consent_alerts_once_and_the_override_answers_it(users):
    contact = stage2.triaged_contact(users, consent="refused", override=False)
    alert = services.ask_manager_about_consent(contact, users.decision_maker, note="Father refused on the phone.")
    assert alert.kind == Alert.Kind.CONSENT_OVERRIDE and "Father refused" in alert.message
    with pytest.raises(SharingRefused, match="already been asked"):
        services.ask_manager_about_consent(contact, users.decision_maker)
    stage2.override_consent(users, contact)
    alert.refresh_from_db()
    assert alert.acknowledged_by == users.manager
    assert "consent.override_requested" in actions()


# =========================================================================== repeat contacts


def test_a_repeat_contact_tells_agencies_the_date_of_the_previous_stage2(users, mailoutbox):
    first, (first_police, first_health) = asked_at(users, MONDAY_10, agencies=["police", "health"])
    with at(MONDAY_10 + timedelta(days=2)):
        second = stage2.repeat_contact(users, first)
        police, education = send(users, second, ["police", "education"])
    assert second.subject_child.person == first.subject_child.person
    for info_request in (police, education):
        assert info_request.previous_stage2_at == MONDAY_10
        assert info_request.previous_contact == first
    assert police.previous_request == first_police
    assert education.previous_request is None  # education was not asked last time
    assert "Previous Stage 2: 09 November 2026" in police.notices.get().message
    assert services.previous_stage2(second).contact == first


def test_a_first_contact_has_no_previous_stage2(users):
    _, (police,) = asked_at(users, MONDAY_10, agencies=["police"])
    assert police.previous_stage2_at is None and police.previous_request is None and police.previous_contact is None


# =========================================================================== escalation


def test_escalation_alerts_the_manager_and_is_logged(users):
    contact, (police, health, _) = asked_at(users, MONDAY_10)
    with pytest.raises(SharingRefused, match="what heightens the risk"):
        services.escalate(health, users.health, concern="  ")
    with pytest.raises(SharingRefused, match="agency asked"):
        services.escalate(health, users.police, concern="Not ours to raise.")
    with pytest.raises(SharingRefused, match="agency asked"):
        services.escalate(health, users.decision_maker, concern="Not an agency.")
    escalation = services.escalate(health, users.health, concern="Threat made last night.", phoned_manager=True)
    assert Escalation.objects.get() == escalation and escalation.is_open and escalation.phoned_manager
    alert = escalation.alert
    assert alert.kind == Alert.Kind.ESCALATION and alert.contact == contact and alert.raised_by == users.health
    assert "Threat made last night" not in alert.message  # the concern stays on the escalation itself
    entry = SharingLogEntry.objects.get(kind=Kind.ESCALATED)
    assert entry.from_agency == health.agency and entry.request == health and entry.shared
    assert "Threat made last night" not in entry.what
    assert AuditEvent.objects.filter(action="request.escalated", object_id=str(health.pk)).count() == 1

    with pytest.raises(SharingRefused, match="Only a MASH team manager"):
        services.respond_to_escalation(escalation, users.decision_maker, action_taken="Noted.")
    with pytest.raises(SharingRefused, match="Record what you decided"):
        services.respond_to_escalation(escalation, users.manager, action_taken=" ")
    services.respond_to_escalation(escalation, users.manager, action_taken="Strategy discussion today.")
    escalation.refresh_from_db()
    alert.refresh_from_db()
    assert not escalation.is_open and escalation.responded_by == users.manager
    assert alert.acknowledged_by == users.manager
    assert health.notices.filter(kind=RequestNotice.Kind.ESCALATION_ANSWERED).exists()
    assert "escalation.answered" in actions()
    with pytest.raises(SharingRefused, match="already been answered"):
        services.respond_to_escalation(escalation, users.manager, action_taken="Again.")


# =========================================================================== raised ratings


def test_raising_the_rating_brings_every_open_deadline_forward_and_tells_each_agency(users):
    contact, (police, health, education) = asked_at(users, MONDAY_10)
    assert police.due_at == london(2026, 11, 10, 9, 30)
    with at(MONDAY_10 + timedelta(minutes=30)):
        answer(police, users.police, [item("Nothing of note since 2020.")])
    answered_due = fresh(police).due_at
    before = {r.pk: fresh(r).due_at for r in (health, education)}
    with at(london(2026, 11, 9, 11, 0)):
        change_rating(fresh(contact), users.manager, level=level(4), rag=rag("RED"), reason="Health found a threat.")
    for info_request in (health, education):
        info_request.refresh_from_db()
        assert info_request.due_at == london(2026, 11, 9, 15, 0)  # 4 working hours from 11:00
        assert info_request.due_at <= before[info_request.pk]
        notice = info_request.notices.get(kind=RequestNotice.Kind.DEADLINE_TIGHTENED)
        assert "raised from Amber to Red" in notice.message and "15:00 on Monday 09 November 2026" in notice.message
    # The answered request is left alone.
    police.refresh_from_db()
    assert police.due_at == answered_due
    assert not police.notices.filter(kind=RequestNotice.Kind.DEADLINE_TIGHTENED).exists()
    assert AuditEvent.objects.filter(action="request.deadline_tightened").count() == 2
    assert AuditEvent.objects.filter(action="contact.rating_changed").count() == 1

    # Lowering the rating never relaxes a deadline an agency is working to.
    with at(london(2026, 11, 9, 12, 0)):
        change_rating(fresh(contact), users.manager, level=level(3), rag=rag("AMBER"), reason="Threat withdrawn.")
    for info_request in (health, education):
        assert fresh(info_request).due_at == london(2026, 11, 9, 15, 0)
        assert info_request.notices.filter(kind=RequestNotice.Kind.DEADLINE_TIGHTENED).count() == 1
    assert AuditEvent.objects.filter(action="request.deadline_tightened").count() == 2
    assert verify_chain().ok


def test_a_raised_rating_never_pushes_a_deadline_later(users):
    contact, (police,) = asked_at(users, MONDAY_10, agencies=["police"])
    original = police.due_at
    # A partnership whose RED timescale happens to be longer than what the agency already has.
    RagRating.objects.filter(code="RED").update(sharing_amount=Decimal("40"))
    with at(london(2026, 11, 9, 11, 0)):
        change_rating(fresh(contact), users.manager, level=level(4), rag=rag("RED"), reason="Raised.")
    assert fresh(police).due_at == original
    assert "stays" in police.notices.get(kind=RequestNotice.Kind.DEADLINE_TIGHTENED).message


def test_a_lowered_rating_tells_no_one(users):
    contact, (police,) = asked_at(users, MONDAY_10, agencies=["police"], rag_code="RED")
    original = police.due_at
    with at(london(2026, 11, 9, 11, 0)):
        change_rating(fresh(contact), users.manager, level=level(2), rag=rag("GREEN"), reason="Lowered.")
    assert fresh(police).due_at == original
    assert not police.notices.filter(kind=RequestNotice.Kind.DEADLINE_TIGHTENED).exists()


# =========================================================================== chasing


def chase_mails(mailoutbox):  # noqa: ANN001, ANN201
    return [m for m in mailoutbox if m.subject.endswith("Overdue: chased")]


def test_overdue_requests_are_chased_once_then_after_each_chase_interval(users, mailoutbox):
    contact, (police, health) = asked_at(users, MONDAY_10, agencies=["police", "health"])
    with at(MONDAY_10 + timedelta(minutes=20)):
        answer(health, users.health, [item("Seen by the GP in May.")])
    due = london(2026, 11, 10, 9, 30)
    assert police.due_at == due

    with at(london(2026, 11, 10, 9, 0)):
        assert services.chase_overdue_requests() == []  # not overdue yet
    with at(london(2026, 11, 10, 10, 0)):
        chased = services.chase_overdue_requests()
    assert [c.request for c in chased] == [police]  # the answered request is never chased
    first = chased[0]
    assert first.automatic and first.due_at == due and first.emailed_to == police.agency.duty_email
    police.refresh_from_db()
    assert police.chase_count == 1
    assert police.last_chased_at == london(2026, 11, 10, 10, 0)
    assert police.next_chase_at == london(2026, 11, 10, 12, 0)  # 2 working hours later
    notice = police.notices.get(kind=RequestNotice.Kind.CHASED)
    assert "overdue since 09:30 on Tuesday 10 November 2026" in notice.message
    event = AuditEvent.objects.get(action="request.chased")
    assert event.actor_id is None and "Scheduled chase" in event.summary
    mails = chase_mails(mailoutbox)
    assert [m.to for m in mails] == [[police.agency.duty_email]]
    child = contact.subject_child
    for text in (mails[0].body, mails[0].subject):
        assert child.surname not in text and child.forenames not in text and factories.CONCERN_TEXT not in text
    assert contact.reference in mails[0].subject

    with at(london(2026, 11, 10, 11, 59)):
        assert services.chase_overdue_requests() == []  # not again before the interval
    with at(london(2026, 11, 10, 12, 0)):
        assert [c.request for c in services.chase_overdue_requests()] == [police]
    assert fresh(police).chase_count == 2
    assert Chase.objects.count() == 2 and len(chase_mails(mailoutbox)) == 2
    assert verify_chain().ok


def test_the_chase_interval_is_partnership_configuration(users):
    _, (police,) = asked_at(users, MONDAY_10, agencies=["police"])
    Partnership.objects.update(chase_amount=Decimal("30"), chase_unit="calendar_hours")
    with at(london(2026, 11, 10, 10, 0)):
        services.chase_overdue_requests()
    assert fresh(police).next_chase_at == london(2026, 11, 11, 16, 0)
    with at(london(2026, 11, 11, 15, 59)):
        assert services.chase_overdue_requests() == []
    with at(london(2026, 11, 11, 16, 0)):
        assert len(services.chase_overdue_requests()) == 1


def test_withdrawn_and_answered_requests_are_never_chased(users):
    contact, (police, health) = asked_at(users, MONDAY_10, agencies=["police", "health"])
    with at(MONDAY_10):
        services.withdraw_request(police, users.decision_maker, reason="Not needed.")
        stage2.nothing_held(health, users.health)
    with at(london(2026, 11, 12, 10, 0)):
        assert services.chase_overdue_requests() == []


def test_a_decision_maker_may_chase_by_hand_and_others_may_not(users):
    _, (police,) = asked_at(users, MONDAY_10, agencies=["police"])
    for who in ("officer", "police", "receiving"):
        with pytest.raises(SharingRefused, match="Only a decision maker or team manager"):
            services.chase(police, getattr(users, who))
    with at(london(2026, 11, 9, 15, 0)):
        record = services.chase(police, users.decision_maker)
    assert record.chased_by == users.decision_maker and not record.automatic
    assert "due by" in record.message
    event = AuditEvent.objects.get(action="request.chased")
    assert event.actor_id == users.decision_maker.pk


def test_the_periodic_task_chases_with_the_immediate_backend(users, settings, mailoutbox):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": ["default"]}}
    from mash.sharing.tasks import chase_overdue_requests

    _, (police, health) = asked_at(users, MONDAY_10, agencies=["police", "health"])
    with at(london(2026, 11, 10, 10, 0)):
        result = chase_overdue_requests.enqueue()
    assert result.return_value == 2
    assert Chase.objects.filter(request__in=[police, health]).count() == 2
    assert len(chase_mails(mailoutbox)) == 2
    with at(london(2026, 11, 10, 10, 5)):
        assert chase_overdue_requests.enqueue().return_value == 0


# =========================================================================== the agency's answer


def test_the_first_view_by_the_agency_opens_the_request_and_every_view_is_audited(users):
    _, (police,) = asked_at(users, MONDAY_10, agencies=["police"])
    services.view_request(users.decision_maker, police)
    assert fresh(police).status == RequestStatus.SENT  # only the agency's own view opens it
    services.view_request(users.police, police)
    services.view_request(users.police, police)
    police.refresh_from_db()
    assert police.status == RequestStatus.OPENED and police.opened_at is not None
    assert AuditEvent.objects.filter(action="request.viewed", object_id=str(police.pk)).count() == 3


def test_a_sensitive_item_needs_its_holder(users):
    _, (police,) = asked_at(users, MONDAY_10, agencies=["police"])
    with pytest.raises(SharingRefused, match="who holds the sensitive information"):
        answer(police, users.police, [item("Live operation.", sensitive=True, holder="  ")])
    assert not InformationItem.objects.exists()


@pytest.mark.parametrize(("kind", "ok"), [("fact", True), ("opinion", True), ("unverified", True), ("rumour", False)])
def test_each_item_is_a_fact_an_opinion_or_unverified(users, kind, ok):
    _, (police,) = asked_at(users, MONDAY_10, agencies=["police"])
    if ok:
        answer(police, users.police, [item("Something held.", kind)])
        assert InformationItem.objects.get().kind == kind
    else:
        with pytest.raises(SharingRefused, match="fact, an opinion, or unverified"):
            answer(police, users.police, [item("Something held.", kind)])


def test_nothing_held_with_items_is_refused(users):
    _, (police,) = asked_at(users, MONDAY_10, agencies=["police"])
    with pytest.raises(SharingRefused, match="choose one"):
        answer(police, users.police, [item("Something.")], nothing_held=True)


def test_the_first_answer_needs_information_analysis_and_recommendation(users):
    _, (police,) = asked_at(users, MONDAY_10, agencies=["police"])
    with pytest.raises(SharingRefused, match="or answer 'nothing held'"):
        answer(police, users.police, [])
    with pytest.raises(SharingRefused, match="so what"):
        answer(police, users.police, [item("Something.")], analysis=" ")
    with pytest.raises(SharingRefused, match="recommendation"):
        answer(police, users.police, [item("Something.")], recommendation="")
    assert not InformationItem.objects.exists()
    assert fresh(police).status == RequestStatus.SENT


def test_nothing_held_answers_the_request_and_is_logged(users):
    contact, (police,) = asked_at(users, MONDAY_10, agencies=["police"])
    with at(MONDAY_10 + timedelta(hours=1)):
        stage2.nothing_held(police, users.police)
    police.refresh_from_db()
    assert police.status == RequestStatus.NOTHING_HELD and police.answered_by == users.police
    assert police.answered_at == MONDAY_10 + timedelta(hours=1)
    entry = police.log_entries.get(kind=Kind.NOTHING_HELD)
    assert entry.shared and entry.from_agency == police.agency and entry.to_party == services.MASH_DECISION_MAKERS


def test_draft_items_are_replaced_and_shared_items_kept_with_further_information_appended(users):
    contact, (police,) = asked_at(users, MONDAY_10, agencies=["police"])
    answer(police, users.police, [item("Draft one."), item("Draft two.")], submit=False)
    assert fresh(police).status == RequestStatus.DRAFTING
    assert list(InformationItem.objects.values_list("text", flat=True)) == ["Draft one.", "Draft two."]
    assert not SharingLogEntry.objects.filter(kind=Kind.SHARED_WITH_MASH).exists()  # a draft is not a share
    assert "response.draft_saved" in actions()

    answer(police, users.police, [item("Final one.", "opinion")], submit=False)
    assert list(InformationItem.objects.values_list("text", flat=True)) == ["Final one."]

    with at(MONDAY_10 + timedelta(hours=1)):
        answer(police, users.police, [item("Final one.", "opinion"), item("Secret.", sensitive=True)],
               analysis="First analysis.", recommendation="First recommendation.")
    police.refresh_from_db()
    response = police.response
    assert police.status == RequestStatus.ANSWERED and response.is_submitted
    assert all(i.shared_at == MONDAY_10 + timedelta(hours=1) for i in response.items.all())
    shared = SharingLogEntry.objects.get(kind=Kind.SHARED_WITH_MASH)
    assert shared.what == "Response from Demoshire Constabulary: 2 items, 1 marked sensitive, analysis and recommendation"
    assert "Secret" not in shared.what

    # Later findings add to what was shared; the shared items, analysis and recommendation stand.
    with at(MONDAY_10 + timedelta(hours=2)):
        answer(police, users.police, [item("A later finding.")], analysis="Rewritten.", recommendation="Rewritten.")
    response.refresh_from_db()
    assert list(response.items.values_list("text", flat=True)) == ["Final one.", "Secret.", "A later finding."]
    assert (response.analysis, response.recommendation) == ("First analysis.", "First recommendation.")
    assert fresh(police).answered_at == MONDAY_10 + timedelta(hours=1)
    further = SharingLogEntry.objects.filter(kind=Kind.SHARED_WITH_MASH).order_by("-id").first()
    assert further.what == "Further information from Demoshire Constabulary: 1 item"
    # A draft of further information never removes what was shared.
    answer(police, users.police, [], submit=False)
    assert response.items.count() == 3
    with pytest.raises(SharingRefused, match="already been shared"):
        stage2.nothing_held(police, users.police)


def test_information_held_but_not_shared_needs_a_reason_and_is_logged_as_not_shared(users):
    _, (police,) = asked_at(users, MONDAY_10, agencies=["police"])
    with pytest.raises(SharingRefused, match="why the information held is not shared"):
        answer(police, users.police, [item("Something.")], withheld_summary="An older record.")
    answer(police, users.police, [item("Something.")], withheld_summary="An older record.", withheld_reason="Not relevant.")
    entry = SharingLogEntry.objects.get(kind=Kind.WITHHELD_BY_AGENCY)
    assert entry.shared is False and entry.why == "Not relevant."


@pytest.mark.parametrize("who", ["health", "decision_maker", "manager", "officer", "receiving"])
def test_only_the_agency_asked_answers(users, who):
    _, (police,) = asked_at(users, MONDAY_10, agencies=["police"])
    with pytest.raises(SharingRefused, match="Only a practitioner of the agency asked"):
        answer(police, getattr(users, who), [item("Not mine to say.")])
    assert not InformationItem.objects.exists()


def test_a_withdrawn_request_or_a_decided_contact_takes_no_answer(users):
    s = stage2.build_stage2(users, through="signed_off")
    with pytest.raises(SharingRefused, match="withdrawn"):
        answer(s.education_request, users.education, [item("Late.")])
    with pytest.raises(SharingRefused, match="no longer takes information"):
        answer(s.police_request, users.police, [item("Late.")])


def test_pending_enquiries_record_who_the_agency_is_waiting_for(users):
    _, (police,) = asked_at(users, MONDAY_10, agencies=["police"])
    with at(MONDAY_10 + timedelta(hours=1)):
        with pytest.raises(SharingRefused, match="name and designation"):
            services.record_pending_enquiry(police, users.police, requested_at=MONDAY_10, from_name="", from_designation="PC")
        with pytest.raises(SharingRefused, match="in the past"):
            services.record_pending_enquiry(police, users.police, requested_at=MONDAY_10 + timedelta(hours=2),
                                            from_name="Jo Smith", from_designation="PC")
        with pytest.raises(SharingRefused, match="agency asked"):
            services.record_pending_enquiry(police, users.health, requested_at=MONDAY_10, from_name="Jo", from_designation="PC")
        enquiry = services.record_pending_enquiry(police, users.police, requested_at=MONDAY_10, from_name="Jo Smith",
                                                  from_designation="PC, domestic abuse unit")
    assert enquiry.is_outstanding and fresh(police).status == RequestStatus.DRAFTING
    assert services.request_rows(police.contact)[0].outstanding_enquiries == 1
    services.enquiry_received(enquiry, users.police)
    assert not fresh(enquiry).is_outstanding
    with pytest.raises(SharingRefused, match="already marked"):
        services.enquiry_received(fresh(enquiry), users.police)
    assert actions(action__startswith="request.enquiry") == ["request.enquiry_pending", "request.enquiry_received"]
    assert PendingEnquiry.objects.count() == 1


# =========================================================================== redaction


@pytest.fixture
def answered(users):
    """A scenario stopped once police and health have answered (police redacted and withheld)."""
    return stage2.build_stage2(users, through="answered")


def test_a_redaction_keeps_the_original_and_the_travelling_version(answered, users):
    s = answered
    fact = s.police_items["fact"]
    record = Redaction.objects.get(item=fact)
    assert record.part == Redaction.Part.ITEM and record.redacted_by == users.police
    assert s.markers.redacted_word in record.original and s.markers.redacted_word not in record.redacted
    assert REDACTION_MARK in record.redacted
    assert fact.text == record.original  # what the agency shared stays as shared
    assert fact.redacted and fact.travelling_text() == record.redacted
    entry = SharingLogEntry.objects.get(kind=Kind.REDACTED)
    assert entry.shared is False and entry.why == record.reason and s.markers.redacted_word not in entry.what
    assert AuditEvent.objects.filter(action="response.redacted").count() == 2  # the redaction and the withholding


def test_the_agency_that_shared_or_a_team_manager_may_redact_and_no_one_else(answered, users):
    hearsay = answered.police_items["hearsay"]
    words = hearsay.text.split()
    redacted = " ".join([*words[:-1], REDACTION_MARK])
    for who in ("health", "decision_maker", "officer", "receiving", "dpo"):
        with pytest.raises(SharingRefused, match="Only the agency that shared the information, or a MASH team manager"):
            services.redact_item(hearsay, getattr(users, who), redacted=redacted, reason="Because.")
    assert not Redaction.objects.filter(item=hearsay).exists()
    services.redact_item(hearsay, users.manager, redacted=redacted, reason="Location not needed.")
    assert fresh(hearsay).travelling_text() == redacted


def test_a_sensitive_item_is_never_redacted(answered, users):
    sensitive = answered.sensitive_item
    with pytest.raises(SharingRefused, match="never leaves the MASH"):
        services.redact_item(sensitive, users.police, redacted=REDACTION_MARK + " operation.", reason="x")
    with pytest.raises(SharingRefused, match="already stays inside"):
        services.withhold_item(sensitive, users.police, reason="x")


@pytest.mark.parametrize(
    ("redacted", "message"),
    [
        ("same", "same as the original"),
        ("", "Nothing would be left"),
        ("reworded", "must not add or reword"),
    ],
)
def test_an_invalid_redaction_is_refused(answered, users, redacted, message):
    hearsay = answered.police_items["hearsay"]
    text = {"same": hearsay.text, "": "", "reworded": hearsay.text.replace("knife", "gun")}[redacted]
    with pytest.raises(SharingRefused, match=message):
        services.redact_item(hearsay, users.police, redacted=text, reason="Because.")
    assert not fresh(hearsay).redacted


def test_a_redaction_needs_a_reason(answered, users):
    hearsay = answered.police_items["hearsay"]
    with pytest.raises(SharingRefused, match="Say why"):
        services.redact_item(hearsay, users.police, redacted=REDACTION_MARK + " " + hearsay.text.split()[-1], reason=" ")


def test_the_analysis_and_recommendation_can_be_redacted_and_nothing_else_that_way(answered, users):
    response = answered.police_request.response
    redacted = response.analysis.replace("and intelligence.", REDACTION_MARK)
    services.redact_part(response, users.police, part="analysis", redacted=redacted, reason="Intelligence stays here.")
    response.refresh_from_db()
    assert response.analysis_redacted and response.travelling_analysis() == redacted
    assert "and intelligence" in response.analysis
    with pytest.raises(SharingRefused, match="Only the analysis or the recommendation"):
        services.redact_part(response, users.police, part="item", redacted="x", reason="x")
    with pytest.raises(SharingRefused, match="must not add or reword"):
        services.redact_part(response, users.police, part="recommendation", redacted="Take the child into care.", reason="x")


def test_a_draft_response_cannot_be_redacted(users):
    _, (police,) = asked_at(users, MONDAY_10, agencies=["police"])
    answer(police, users.police, [item("Two words.")], submit=False)
    draft = InformationItem.objects.get()
    with pytest.raises(SharingRefused, match="Only a sent response"):
        services.redact_item(draft, users.police, redacted="Two", reason="x")


def test_redaction_happens_only_before_sign_off(users):
    s = stage2.build_stage2(users, through="signed_off")
    hearsay = s.police_items["hearsay"]
    with pytest.raises(SharingRefused, match="has been signed off"):
        services.redact_item(hearsay, users.police, redacted=REDACTION_MARK + " " + hearsay.text.split()[-1], reason="x")
    with pytest.raises(SharingRefused, match="has been signed off"):
        services.withhold_item(hearsay, users.manager, reason="x")


def test_withholding_keeps_an_item_inside_the_mash(answered, users):
    withheld = answered.police_items["withheld"]
    assert withheld.withheld and not withheld.leaves_the_mash and withheld.withheld_reason == "Not relevant to this child."
    record = Redaction.objects.get(item=withheld)
    assert record.part == Redaction.Part.WITHHOLD and record.original == withheld.text and record.redacted == ""
    entry = SharingLogEntry.objects.get(kind=Kind.KEPT_IN_MASH)
    assert entry.shared is False and answered.markers.withheld not in entry.what
    with pytest.raises(SharingRefused, match="already stays inside"):
        services.withhold_item(withheld, users.police, reason="Again.")
    hearsay = answered.police_items["hearsay"]
    with pytest.raises(SharingRefused, match="Say why"):
        services.withhold_item(hearsay, users.police, reason="")


# =========================================================================== what leaves the MASH


def test_the_outbound_pack_leaves_sensitive_and_withheld_items_behind_and_uses_redacted_text(answered):
    s = answered
    m = s.markers
    pack = services.outbound_pack(s.contact)
    police = next(a for a in pack.agencies if a.agency == "Demoshire Constabulary")
    texts = [i.text for i in police.items]
    assert texts == [s.police_items["fact"].travelling_text(), s.police_items["hearsay"].text]
    assert police.sensitive_held and police.sensitive_holders == [s.sensitive_item.sensitive_holder]
    assert police.items_kept_in_mash == 1
    assert [i.redacted for i in police.items] == [True, False]
    dumped = repr(pack.as_dict())
    for marker in m.never_leaving().values():
        assert marker not in dumped
    for marker in m.travelling().values():
        assert marker in dumped
    assert pack.decision is None


def test_draft_responses_and_withdrawn_requests_are_not_in_the_pack(users):
    contact, (police, health) = asked_at(users, MONDAY_10, agencies=["police", "health"])
    answer(police, users.police, [item("DRAFT-ONLY-TEXT")], submit=False)
    answer(health, users.health, [item("WITHDRAWN-ANSWER-TEXT")])
    InformationRequest.objects.filter(pk=health.pk).update(status=RequestStatus.WITHDRAWN)
    dumped = repr(services.outbound_pack(contact).as_dict())
    assert "DRAFT-ONLY-TEXT" not in dumped and "WITHDRAWN-ANSWER-TEXT" not in dumped


def test_sign_off_releases_the_pack_logs_what_went_and_what_stayed_and_withdraws_open_requests(users, mailoutbox):
    s = stage2.build_stage2(users, through="recommended")
    assert s.education_request.is_open
    contact = s.contact
    decisions.sign_off(fresh(contact), users.second_manager, comment="Agreed.")
    s.refresh()
    assert s.education_request.status == RequestStatus.WITHDRAWN
    assert "made its decision" in s.education_request.withdrawn_reason
    assert s.education_request.notices.filter(kind=RequestNotice.Kind.WITHDRAWN).exists()
    onward = SharingLogEntry.objects.filter(contact=contact, kind=Kind.SHARED_ONWARD).order_by("from_agency__name")
    assert [(e.from_agency.name, e.to_party, e.shared) for e in onward] == [
        ("Demoshire Constabulary", stage2.RECEIVING_TEAM, True),
        ("Demoshire Integrated Care Board", stage2.RECEIVING_TEAM, True),
    ]
    assert onward[0].what == "Demoshire Constabulary's information: 2 items (1 redacted), analysis and recommendation"
    assert {b.code for b in onward[0].lawful_bases.all()} == set(stage2.DEFAULT_BASES)
    kept = SharingLogEntry.objects.get(contact=contact, kind=Kind.KEPT_IN_MASH, to_party=stage2.RECEIVING_TEAM)
    assert kept.shared is False and kept.what.startswith("2 items from Demoshire Constabulary kept inside the MASH")
    assert "1 sensitive" in kept.what
    assert SharingLogEntry.objects.filter(contact=contact, kind=Kind.WITHDRAWN, request=s.education_request).exists()
    assert AuditEvent.objects.filter(action="transfer.released", object_id=str(contact.pk)).count() == 1
    assert sorted(contact.letters.values_list("recipient", flat=True)) == ["family", "referrer"]


def test_an_outcome_without_a_receiving_team_withdraws_requests_but_sends_nothing_on(users):
    contact = stage2.triaged_contact(users, consent="given")
    (police,) = send(users, contact, ["police"])
    decision = decisions.recommend(fresh(contact), users.decision_maker, analysis="a", outcome="nfa", rationale="r")
    decisions.sign_off(fresh(contact), users.manager)
    assert decision.receiving_team is None
    assert fresh(police).status == RequestStatus.WITHDRAWN
    assert not SharingLogEntry.objects.filter(kind=Kind.SHARED_ONWARD).exists()
    assert not AuditEvent.objects.filter(action="transfer.released").exists()


# =========================================================================== the trail


def test_every_step_of_the_journey_is_audited_logged_and_the_chain_verifies(users):
    s = stage2.build_stage2(users)
    contact = s.contact
    recorded = set(actions())
    for action in (
        "consent.overridden", "request.sent", "response.submitted", "response.redacted", "request.escalated",
        "escalation.answered", "request.deadline_tightened", "contact.rating_changed", "decision.recommended",
        "decision.signed_off", "request.withdrawn", "transfer.released", "letter.generated", "letter.sent",
    ):
        assert action in recorded, action
    kinds = set(log_kinds(contact))
    assert kinds >= {
        Kind.CONSENT_OVERRIDDEN, Kind.REQUESTED, Kind.SHARED_WITH_MASH, Kind.REDACTED, Kind.KEPT_IN_MASH,
        Kind.ESCALATED, Kind.WITHDRAWN, Kind.SHARED_ONWARD,
    }
    # Decisions not to share are recorded as not shared; shares as shared.
    for entry in SharingLogEntry.objects.filter(contact=contact):
        assert entry.shared is (entry.kind not in SharingLogEntry.NOT_SHARING_KINDS), entry.kind
        assert entry.from_party and entry.to_party and entry.occurred_at
    assert verify_chain().ok
    assert fresh(contact).status == "closed"


def test_the_sharing_log_search_is_for_the_dpo_and_managers_and_is_audited(users):
    s = stage2.build_stage2(users, through="answered")
    found = services.search_sharing_log(users.dpo, services.LogSearch(reference=s.contact.reference, kind=Kind.REDACTED))
    assert [e.kind for e in found] == [Kind.REDACTED]
    assert services.search_sharing_log(users.manager, services.LogSearch(shared=False)).count() >= 2
    for who in ("officer", "decision_maker", "police", "receiving", "administrator"):
        with pytest.raises(SharingRefused, match="data protection officer"):
            services.search_sharing_log(getattr(users, who), services.LogSearch())
    event = AuditEvent.objects.filter(action="sharing_log.searched").order_by("sequence").first()
    assert event.actor_id == users.dpo.pk and s.contact.reference in event.summary


def test_stage2_progress_and_queues(users):
    contact, (police, health) = asked_at(users, MONDAY_10, agencies=["police", "health"])
    with at(MONDAY_10 + timedelta(minutes=5)):
        answer(health, users.health, [item("Seen in May.")])
    with at(london(2026, 11, 10, 10, 0)):
        progress = services.stage2_progress(fresh(contact))
        assert progress.label == "Stage 2: 1 of 2 agencies answered, 1 overdue"
        rows = services.request_rows(contact)
        assert {r.request.pk: r.overdue for r in rows} == {police.pk: True, health.pk: False}
        assert [r.request for r in services.requests_needing_attention(users.decision_maker)] == [police]
        assert services.requests_needing_attention(users.police) == []  # not a MASH member
        queue = services.agency_queue(users.police)
        assert [r.request for r in queue.to_answer] == [police] and queue.answered == []
        assert [r.request for r in services.agency_queue(users.health).answered] == [health]
        assert services.agency_queue(users.education).to_answer == []
    with at(london(2026, 11, 10, 8, 0)):
        # 09:30 is within the two-hour warning.
        assert services.request_rows(contact)[0].due_soon


def test_a_partner_sees_only_its_own_agencys_requests(users):
    from mash.core.access import request_for_agency, requests_for_agency

    _, (police, health) = asked_at(users, MONDAY_10, agencies=["police", "health"])
    assert list(requests_for_agency(users.police)) == [police]
    assert list(requests_for_agency(users.decision_maker)) == []
    assert list(requests_for_agency(users.probation)) == []
    from django.http import Http404

    with pytest.raises(Http404):
        request_for_agency(users.police, health.pk)
    assert request_for_agency(users.health, health.pk) == health


def test_working_calendar_is_the_partnerships(users):
    """Guard for the deadline tests above: the default office hours are still those of the procedure."""
    calendar = working_calendar()
    assert calendar.hours_for(4).closes.hour == 17 and calendar.hours_for(0).closes.minute == 30
    assert not calendar.is_working_day(date(2026, 11, 14))


# --------------------------------------------------------------------------- review mends


def test_a_request_chased_before_its_deadline_tightened_is_chased_again_when_the_new_one_passes(users):
    contact, (police,) = asked_at(users, MONDAY_10, agencies=["police"])
    with at(london(2026, 11, 9, 11, 0)):
        services.chase(police, users.decision_maker)  # by hand, before the deadline
    with at(london(2026, 11, 9, 11, 30)):
        change_rating(fresh(contact), users.manager, level=level(4), rag=rag("RED"), reason="Escalated.")
    police.refresh_from_db()
    assert police.due_at == london(2026, 11, 9, 15, 30)  # 4 working hours from 11:30
    assert police.next_chase_at == police.due_at
    with at(london(2026, 11, 9, 15, 29)):
        assert services.chase_overdue_requests() == []
    with at(london(2026, 11, 9, 15, 31)):
        assert [c.request for c in services.chase_overdue_requests()] == [police]


def test_a_manager_is_asked_about_consent_only_when_sharing_needs_their_decision(users):
    given = stage2.triaged_contact(users, consent="given")
    with pytest.raises(SharingRefused, match="already permitted"):
        services.ask_manager_about_consent(given, users.decision_maker)
    refused = stage2.triaged_contact(users, surname="Refusedchild", consent="refused", override=False)
    with pytest.raises(SharingRefused, match="role"):
        services.ask_manager_about_consent(refused, users.police)
    services.ask_manager_about_consent(refused, users.officer)
    assert refused.alerts.filter(kind=Alert.Kind.CONSENT_OVERRIDE).count() == 1


def test_a_withdrawn_request_takes_no_more_enquiry_updates(users):
    _, (police,) = asked_at(users, MONDAY_10, agencies=["police"])
    with at(MONDAY_10 + timedelta(minutes=10)):
        enquiry = services.record_pending_enquiry(
            police, users.police, requested_at=MONDAY_10, from_name="PC Dunn", from_designation="Intelligence officer"
        )
        services.withdraw_request(police, users.decision_maker, reason="Not needed after all.")
        with pytest.raises(SharingRefused, match="withdrawn"):
            services.enquiry_received(fresh(enquiry), users.police)
    assert fresh(enquiry).received_at is None
    # A withdrawn request is not "outstanding" for the decision, whatever enquiries it had.
    assert services.outstanding_requests(police.contact) == []


def test_an_item_kept_inside_the_mash_cannot_be_redacted(users):
    _, (police,) = asked_at(users, MONDAY_10, agencies=["police"])
    with at(MONDAY_10 + timedelta(minutes=10)):
        answer(police, users.police, [item("Known to police for shoplifting in 2019.")])
    shared = fresh(police).response.items.get()
    services.withhold_item(shared, users.manager, reason="Not relevant to the referral.")
    with pytest.raises(SharingRefused, match="kept inside"):
        services.redact_item(fresh(shared), users.police, redacted="Known to police for [redacted].", reason="Old.")


def test_information_found_after_nothing_held_replaces_that_answer(users):
    _, (police,) = asked_at(users, MONDAY_10, agencies=["police"])
    with at(MONDAY_10 + timedelta(minutes=10)):
        answer(police, users.police, [], nothing_held=True, analysis="", recommendation="")
    assert fresh(police).status == RequestStatus.NOTHING_HELD
    with at(MONDAY_10 + timedelta(minutes=40)):
        answer(fresh(police), users.police, [item("A later check found a 2024 domestic incident.")])
    assert fresh(police).status == RequestStatus.ANSWERED
    assert fresh(police).response.nothing_held is False
