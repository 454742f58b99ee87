"""Outcome rules in the service, the conversion to a referral, and feedback to the referrer and the family."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from mash.audit.services import verify_chain
from mash.decisions import services
from mash.decisions.models import Decision, FeedbackCall, FeedbackWithheld, LetterTemplate
from mash.domain.workflow import ContactEvent, TransitionRefused
from mash.intake.models import Contact
from mash.intake.workflow import apply_event
from mash.partnership.models import Partnership, Team
from mash.people.models import Involvement
from tests import factories
from tests.factories import london

pytestmark = pytest.mark.django_db

NORTH = "First Response Team North"


def fresh(contact):  # noqa: ANN001, ANN201
    return Contact.objects.get(pk=contact.pk)


def team(name: str = NORTH) -> Team:
    return Team.objects.get(name=name)


def recommend(contact, actor, outcome, **kwargs):  # noqa: ANN001, ANN201
    return services.recommend(fresh(contact), actor, analysis="Analysis.", outcome=outcome, rationale="Rationale.", **kwargs)


def s47(users, **kwargs):  # noqa: ANN001, ANN201
    contact, decision, letter = factories.signed_off(users, outcome="s47_strategy", team=team(), rag_code="RED", level_number=4, **kwargs)
    assert letter is None
    return fresh(contact), decision


def give_involvement(contact, *, closed_days_ago=None, kind="social_care"):  # noqa: ANN001, ANN201
    return Involvement.objects.create(
        person=contact.subject_child.person, kind=kind, team=team(), started_on=date.today() - timedelta(days=300),
        closed_on=None if closed_days_ago is None else date.today() - timedelta(days=closed_days_ago),
    )


# -- the service enforces the outcome rules ------------------------------------------------------


def test_recommend_refuses_a_missing_team_or_destination(users):
    contact = factories.triaged(users)
    with pytest.raises(services.RecommendationRefused) as refused:
        recommend(contact, users.decision_maker, "s17_assessment")
    assert refused.value.problems == {"receiving_team": "Choose the team that will receive the child."}
    with pytest.raises(services.RecommendationRefused) as refused:
        recommend(contact, users.decision_maker, "other_local_authority", destination="  ")
    assert "destination" in refused.value.problems
    assert not Decision.objects.exists()
    assert fresh(contact).status == "triaged"


def test_recommend_marac_needs_dash_threshold_or_judgement(users):
    contact = factories.triaged(users)
    for kwargs in ({}, {"dash_score": 13}, {"dash_score": 25}):
        with pytest.raises(services.RecommendationRefused) as refused:
            recommend(contact, users.decision_maker, "marac", destination="Demoshire MARAC", **kwargs)
        assert "dash_score" in refused.value.problems
    assert not Decision.objects.exists()
    decision = recommend(contact, users.decision_maker, "marac", destination="Demoshire MARAC", dash_score=13, marac_professional_judgement=True)
    assert (decision.dash_score, decision.marac_professional_judgement, decision.destination) == (13, True, "Demoshire MARAC")


def test_marac_at_the_threshold_is_accepted(users):
    contact = factories.triaged(users)
    decision = recommend(contact, users.decision_maker, "marac", destination="Demoshire MARAC", dash_score=14)
    assert decision.dash_score == 14


def test_transfer_to_the_allocated_worker_needs_an_open_case(users):
    contact = factories.triaged(users)
    with pytest.raises(services.RecommendationRefused, match="no open social work involvement"):
        recommend(contact, users.decision_maker, "transfer_allocated", receiving_team=team())
    give_involvement(contact, closed_days_ago=10)
    with pytest.raises(services.RecommendationRefused):
        recommend(contact, users.decision_maker, "transfer_allocated", receiving_team=team())
    give_involvement(contact, closed_days_ago=None)
    recommend(contact, users.decision_maker, "transfer_allocated", receiving_team=team())
    assert fresh(contact).status == "awaiting_sign_off"


def test_transfer_to_the_previous_team_uses_the_partnerships_weeks(users):
    contact = factories.triaged(users)
    with pytest.raises(services.RecommendationRefused, match="12-week rule"):
        recommend(contact, users.decision_maker, "transfer_previous_team", receiving_team=team())
    give_involvement(contact, closed_days_ago=100)  # over 12 weeks
    give_involvement(contact, closed_days_ago=30, kind="early_help")  # early help is not social work
    with pytest.raises(services.RecommendationRefused, match="last 12 weeks"):
        recommend(contact, users.decision_maker, "transfer_previous_team", receiving_team=team())
    Partnership.objects.update(twelve_week_rule_weeks=16)
    recommend(contact, users.decision_maker, "transfer_previous_team", receiving_team=team())
    assert fresh(contact).status == "awaiting_sign_off"


def test_transfer_to_the_previous_team_refused_while_a_case_is_open(users):
    contact = factories.triaged(users)
    give_involvement(contact, closed_days_ago=20)
    give_involvement(contact, closed_days_ago=None)
    with pytest.raises(services.RecommendationRefused, match="still open"):
        recommend(contact, users.decision_maker, "transfer_previous_team", receiving_team=team())


# -- conversion to a referral --------------------------------------------------------------------


def test_sign_off_of_a_referral_outcome_records_the_conversion(users):
    with time_machine.travel(london(2026, 11, 11, 9, 0), tick=False):
        contact, _ = factories.recommended(users, outcome="s17_assessment", team=team(), received_at=london(2026, 11, 11, 8, 0))
    assert fresh(contact).referral_at is None
    with time_machine.travel(london(2026, 11, 11, 14, 0), tick=False):
        services.sign_off(fresh(contact), users.manager)
    contact = fresh(contact)
    assert contact.referral_at == london(2026, 11, 11, 14, 0) == contact.decided_at
    event = factories.audit_events("decision.converted_to_referral", object_id=str(contact.pk)).get()
    assert contact.reference in event.summary


@pytest.mark.parametrize("outcome", ["nfa", "advice_signpost", "early_help"])
def test_other_outcomes_are_not_referrals(users, outcome):
    contact, _, _ = factories.signed_off(users, outcome=outcome, team=team("Early Help Hub"))
    assert fresh(contact).referral_at is None
    assert not factories.audit_events("decision.converted_to_referral").exists()


def test_a_redecision_after_a_dispute_keeps_the_first_date_or_clears_it(users):
    with time_machine.travel(london(2026, 11, 11, 9, 0), tick=False):
        contact, _ = factories.recommended(users, outcome="s17_assessment", team=team(), received_at=london(2026, 11, 11, 8, 0))
        services.sign_off(fresh(contact), users.manager)
    first = fresh(contact).referral_at
    assert first == london(2026, 11, 11, 9, 0)

    # Disputed: sent back, re-decided as a section 47 (still a referral): the first date stands.
    with time_machine.travel(london(2026, 11, 12, 10, 0), tick=False):
        apply_event(fresh(contact), ContactEvent.REOPEN_AFTER_DISPUTE, users.service_manager, comment="Police information changes the picture.")
        recommend(contact, users.decision_maker, "s47_strategy", receiving_team=team())
        services.sign_off(fresh(contact), users.manager)
    assert fresh(contact).referral_at == first
    assert factories.audit_events("decision.converted_to_referral").count() == 1

    # Disputed again and re-decided as NFA: no longer a referral.
    with time_machine.travel(london(2026, 11, 13, 10, 0), tick=False):
        apply_event(fresh(contact), ContactEvent.REOPEN_AFTER_DISPUTE, users.service_manager, comment="Resolved: not met.")
        recommend(contact, users.decision_maker, "nfa")
        services.sign_off(fresh(contact), users.second_manager)
    assert fresh(contact).referral_at is None
    assert factories.audit_events("decision.referral_withdrawn", object_id=str(contact.pk)).count() == 1
    assert verify_chain().ok


# -- letters to the referrer and the family ------------------------------------------------------


def test_family_letter_goes_to_the_parents_at_the_childs_address(users):
    contact, decision, referrer = factories.signed_off(users)
    family = contact.letters.get(recipient="family")
    assert family.decision == decision
    assert family.recipient_name == "Kelly Testcase"  # the mother, not "mother's boyfriend"
    assert family.recipient_address == "12 Example Street, Demotown\nNN4 7SL"
    assert "Dear Kelly Testcase" in family.body
    for forbidden in ("Joan Referrer", "Demotown Primary School", "Designated safeguarding lead", "SECRET-CONCERN-MARKER", "Otherman"):
        assert forbidden not in family.body and forbidden not in family.subject, forbidden
    assert referrer.recipient_name == "Joan Referrer"
    assert factories.audit_events("letter.generated", object_id=str(contact.pk)).count() == 2


def test_family_letter_falls_back_to_the_parent_or_carer(users):
    contact, _, _ = factories.signed_off(
        users, others=[{"role": "household_member", "forenames": "Sam", "surname": "Testcase", "relationship": "brother"}]
    )
    assert contact.letters.get(recipient="family").recipient_name == "The parent or carer of Amelia Testcase"


def test_both_parents_are_named(users):
    contact, _, _ = factories.signed_off(
        users,
        others=[
            {"role": "household_member", "forenames": "Kelly", "surname": "Testcase", "relationship": "mother"},
            {"role": "household_member", "forenames": "Tom", "surname": "Testcase", "relationship": "step-father"},
            {"role": "significant_adult", "forenames": "Rob", "surname": "Away", "relationship": "father"},
        ],
    )
    assert contact.letters.get(recipient="family").recipient_name == "Kelly Testcase and Tom Testcase"


@pytest.mark.parametrize("recipient", ["referrer", "family"])
def test_a_template_cannot_include_pages_or_load_tags(users, recipient):
    template = LetterTemplate.objects.get(outcome="nfa", recipient=recipient)
    for body in ('{% include "intake/detail.html" %}', "{% load sharing_tags %}{% information_item item %}"):
        template.body = body
        template.save()
        contact, _ = factories.recommended(users)
        with pytest.raises(services.DecisionRefused, match="Ask an administrator to correct"):
            services.sign_off(fresh(contact), users.manager)
        assert fresh(contact).status == "awaiting_sign_off"


# -- feedback due, completeness and closing --------------------------------------------------------


def test_feedback_is_due_within_the_partnership_timescale(users):
    with time_machine.travel(london(2026, 11, 11, 10, 0), tick=False):
        contact, _, _ = factories.signed_off(users, received_at=london(2026, 11, 11, 9, 0))
    assert services.feedback_due(fresh(contact)) == london(2026, 11, 12, 10, 0)
    Partnership.objects.update(feedback_amount=Decimal("48"))
    assert services.feedback_due(fresh(contact)) == london(2026, 11, 13, 10, 0)
    assert services.feedback_due(factories.triaged(users)) is None
    rows = services.feedback_rows(fresh(contact))
    assert [r.due_at for r in rows] == [london(2026, 11, 13, 10, 0)] * 2


def test_the_contact_closes_when_the_last_feedback_is_given(users):
    contact, _, referrer = factories.signed_off(users)
    assert not services.feedback_complete(fresh(contact))
    with pytest.raises(TransitionRefused):
        apply_event(fresh(contact), ContactEvent.CLOSE, users.officer)
    services.mark_letter_sent(referrer, users.officer, method="email")
    assert fresh(contact).status == "signed_off"
    assert [r.recipient for r in services.feedback_rows(fresh(contact)) if not r.done] == ["family"]
    services.mark_letter_sent(fresh(contact).letters.get(recipient="family"), users.officer, method="post")
    contact = fresh(contact)
    assert contact.status == "closed"
    assert services.feedback_complete(contact)
    assert factories.audit_events("letter.sent", object_id=str(contact.pk)).count() == 2
    assert contact.status_changes.last().comment == "Feedback given to the referrer and the family"


def test_section_47_gives_calls_not_letters(users):
    contact, decision = s47(users)
    assert not contact.letters.exists()
    rows = services.feedback_rows(contact)
    assert [(r.recipient, r.by_phone, r.done) for r in rows] == [("referrer", True, False), ("family", True, False)]
    services.record_call(
        contact, users.officer, recipient="referrer", spoken_to="Joan Referrer", telephone="01632 960999",
        called_at=timezone.now() - timedelta(minutes=10), summary="Told her a strategy discussion is being held today.",
    )
    assert fresh(contact).status == "signed_off"
    services.record_call(
        fresh(contact), users.decision_maker, recipient="family", spoken_to="Kelly Testcase (mother)",
        called_at=timezone.now() - timedelta(minutes=5), summary="Explained that a social worker will visit today.",
    )
    contact = fresh(contact)
    assert contact.status == "closed"
    calls = FeedbackCall.objects.filter(decision=decision)
    assert sorted(calls.values_list("recipient", flat=True)) == ["family", "referrer"]
    assert factories.audit_events("feedback.call_recorded", object_id=str(contact.pk)).count() == 2
    # What the family was told stays on the call record, not in the audit log.
    assert not factories.audit_events("feedback.call_recorded", summary__contains="social worker will visit").exists()


def test_call_refusals(users):
    contact, _, _ = factories.signed_off(users)
    with pytest.raises(services.DecisionRefused, match="by letter"):
        services.record_call(contact, users.officer, recipient="referrer", spoken_to="Joan", called_at=timezone.now(), summary="Told.")
    contact, _ = s47(users, child=factories.child_fields(surname="Phonecase"))
    with pytest.raises(services.DecisionRefused, match="name of the person"):
        services.record_call(contact, users.officer, recipient="referrer", spoken_to=" ", called_at=timezone.now(), summary="Told.")
    with pytest.raises(services.DecisionRefused, match="future"):
        services.record_call(contact, users.officer, recipient="referrer", spoken_to="Joan", called_at=timezone.now() + timedelta(hours=2), summary="x")
    with pytest.raises(services.DecisionRefused, match="role"):
        services.record_call(contact, users.police, recipient="referrer", spoken_to="Joan", called_at=timezone.now(), summary="x")
    with pytest.raises(services.DecisionRefused, match="Choose who"):
        services.record_call(contact, users.officer, recipient="neighbour", spoken_to="Joan", called_at=timezone.now(), summary="x")
    assert not FeedbackCall.objects.exists()


def test_no_feedback_before_sign_off(users):
    contact, _ = factories.recommended(users, outcome="s47_strategy", team=team())
    with pytest.raises(services.DecisionRefused, match="signed off"):
        services.record_call(contact, users.officer, recipient="referrer", spoken_to="Joan", called_at=timezone.now(), summary="x")
    with pytest.raises(services.DecisionRefused, match="signed off"):
        services.withhold_feedback(contact, users.manager, recipient="family", reason="Risk.")


def test_only_a_team_manager_may_withhold_feedback(users):
    contact, _, referrer = factories.signed_off(users)
    for role in ("officer", "decision_maker", "service_manager", "police", "administrator"):
        with pytest.raises(services.DecisionRefused, match="Only a team manager"):
            services.withhold_feedback(fresh(contact), getattr(users, role), recipient="family", reason="Risk to the child.")
    with pytest.raises(services.DecisionRefused, match="Say why"):
        services.withhold_feedback(fresh(contact), users.manager, recipient="family", reason="  ")
    assert not FeedbackWithheld.objects.exists()

    services.withhold_feedback(fresh(contact), users.manager, recipient="family", reason="Telling the family would put the child at risk.")
    with pytest.raises(services.DecisionRefused, match="already withheld"):
        services.withhold_feedback(fresh(contact), users.second_manager, recipient="family", reason="Again.")
    with pytest.raises(services.DecisionRefused, match="do not send"):
        services.mark_letter_sent(fresh(contact).letters.get(recipient="family"), users.officer, method="post")
    assert fresh(contact).status == "signed_off"
    services.mark_letter_sent(referrer, users.officer, method="email")
    assert fresh(contact).status == "closed"
    event = factories.audit_events("feedback.withheld", object_id=str(contact.pk)).get()
    assert event.reason == "Telling the family would put the child at risk."


def test_feedback_already_given_cannot_be_withheld(users):
    contact, _, referrer = factories.signed_off(users)
    services.mark_letter_sent(referrer, users.officer, method="email")
    with pytest.raises(services.DecisionRefused, match="already been given"):
        services.withhold_feedback(fresh(contact), users.manager, recipient="referrer", reason="Anonymous.")


def test_withholding_the_last_recipient_closes_the_contact(users):
    contact, _ = s47(users)
    services.withhold_feedback(contact, users.manager, recipient="referrer", reason="Anonymous referrer: no way to reach them.")
    services.record_call(fresh(contact), users.officer, recipient="family", spoken_to="Kelly Testcase", called_at=timezone.now(), summary="Told.")
    assert fresh(contact).status == "closed"


def test_an_old_letter_cannot_be_sent_after_a_redecision(users):
    contact, _, old_referrer = factories.signed_off(users)
    apply_event(fresh(contact), ContactEvent.REOPEN_AFTER_DISPUTE, users.service_manager, comment="Disputed by the school.")
    recommend(contact, users.decision_maker, "early_help", receiving_team=team("Early Help Hub"))
    services.sign_off(fresh(contact), users.manager)
    with pytest.raises(services.DecisionRefused, match="earlier decision"):
        services.mark_letter_sent(old_referrer, users.officer, method="email")
    rows = services.feedback_rows(fresh(contact))
    assert all(r.letter.decision.outcome == "early_help" for r in rows)


# -- the queue and the panel -----------------------------------------------------------------------


def test_feedback_queue_has_one_row_per_outstanding_recipient(users):
    letters_contact, _, referrer = factories.signed_off(users)
    calls_contact, _ = s47(users, child=factories.child_fields(surname="Callcase"))
    services.mark_letter_sent(referrer, users.officer, method="email")
    (queue,) = services.queue_items(users.officer)
    assert queue.title == "Feedback to give"
    rows = {(i.contact.pk, i.task) for i in queue.items}
    assert rows == {
        (letters_contact.pk, "Send the outcome letter to the family"),
        (calls_contact.pk, "Phone the referrer with the section 47 outcome and record the call"),
        (calls_contact.pk, "Phone the family with the section 47 outcome and record the call"),
    }
    family_letter = letters_contact.letters.get(recipient="family")
    urls = {i.url for i in queue.items}
    assert f"/contacts/{letters_contact.pk}/letters/{family_letter.pk}/" in urls
    assert f"/contacts/{calls_contact.pk}/feedback/family/call/" in urls
    assert all(i.due_at == services.feedback_due(i.contact) for i in queue.items)
    for role in ("police", "receiving", "dpo", "administrator", "service_manager", "strategic_manager"):
        assert services.queue_items(getattr(users, role)) == [], role


def test_queue_is_lean(users, django_assert_max_num_queries):
    for n in range(3):
        factories.signed_off(users, child=factories.child_fields(surname=f"Lean{n}"))
    with django_assert_max_num_queries(12):
        (queue,) = services.queue_items(users.officer)
    assert len(queue.items) == 6


def test_contact_panel(users):
    contact, decision, _ = factories.signed_off(users, outcome="s17_assessment", team=team())
    panel = services.contact_panel(fresh(contact), users.manager)
    assert panel["decision"] == decision
    assert panel["referral_at"] is not None
    assert panel["referral_at"] == fresh(contact).referral_at
    assert panel["next_steps"] == decision.spec.next_steps
    assert [r.state for r in panel["feedback"]] == ["Letter not sent yet", "Letter not sent yet"]
    assert panel["can_withhold"] is True
    assert services.contact_panel(fresh(contact), users.officer)["can_withhold"] is False
    assert services.contact_panel(factories.triaged(users), users.manager) == {}


@pytest.mark.parametrize("outcome", ["marac", "police_action"])
def test_only_a_team_manager_sends_the_family_a_marac_or_police_action_letter(users, outcome):
    contact = factories.triaged(users)
    services.recommend(
        contact, users.decision_maker, analysis="High-risk domestic abuse.", outcome=outcome, rationale="Risk to the mother and child.",
        destination="Demoshire MARAC" if outcome == "marac" else "Public protection unit", dash_score=16 if outcome == "marac" else None,
    )
    services.sign_off(contact, users.manager, comment="Agreed.")
    family = contact.letters.get(recipient="family")
    for person in (users.officer, users.decision_maker):
        with pytest.raises(services.DecisionRefused, match="Only a team manager"):
            services.mark_letter_sent(family, person, method="post")
    services.mark_letter_sent(contact.letters.get(recipient="referrer"), users.officer, method="post")  # the referrer's is ordinary
    services.mark_letter_sent(family, users.second_manager, method="hand")
    family.refresh_from_db()
    assert family.is_sent


def test_the_letter_page_offers_the_send_form_only_to_who_may_send_it(client, users):
    contact = factories.triaged(users)
    services.recommend(
        contact, users.decision_maker, analysis="High-risk domestic abuse.", outcome="marac", rationale="Risk to the mother and child.",
        destination="Demoshire MARAC", dash_score=16,
    )
    services.sign_off(contact, users.manager, comment="Agreed.")
    family = contact.letters.get(recipient="family")
    url = f"/contacts/{contact.pk}/letters/{family.pk}/"
    client.force_login(users.officer)
    assert "Record the letter as sent" not in client.get(url).content.decode()
    client.force_login(users.manager)
    assert "Record the letter as sent" in client.get(url).content.decode()
