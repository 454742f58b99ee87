"""Recommendation, manager challenge and sign-off, the outcome letter, and closing."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine
from django.urls import reverse

from mash.audit.services import verify_chain
from mash.decisions import services
from mash.decisions.models import Decision, LetterTemplate, Outcome, OutcomeLetter
from mash.domain.workflow import ContactEvent, TransitionRefused
from mash.intake.models import Contact, StatusChange
from mash.intake.workflow import apply_event
from mash.partnership.models import Team
from mash.people.models import Involvement
from mash.triage.services import triage
from tests import factories
from tests.factories import level, london, rag

pytestmark = pytest.mark.django_db


def _recommend(contact, actor, outcome="nfa", team=None, rationale="Threshold not met."):  # noqa: ANN001, ANN201
    return services.recommend(
        Contact.objects.get(pk=contact.pk),
        actor,
        analysis="Analysis of the history.",
        outcome=outcome,
        rationale=rationale,
        receiving_team=team,
    )


def fresh(contact):  # noqa: ANN001, ANN201
    return Contact.objects.get(pk=contact.pk)


def test_full_path_with_a_challenge(users):
    # record -> link -> submit -> triage
    with time_machine.travel(london(2026, 11, 11, 9, 0), tick=False):
        contact = factories.record(users.officer, received_at=london(2026, 11, 11, 8, 45))
        factories.link_everyone_new(users.officer, contact)
        apply_event(contact, ContactEvent.SUBMIT_FOR_TRIAGE, users.officer)
    with time_machine.travel(london(2026, 11, 11, 10, 0), tick=False):
        triage(fresh(contact), users.decision_maker, level=level(3), rag=rag("AMBER"), reason="Needs a view.")
    assert fresh(contact).status == "triaged"

    # recommend -> challenge
    with time_machine.travel(london(2026, 11, 11, 11, 0), tick=False):
        first = _recommend(contact, users.decision_maker, outcome="nfa")
    assert fresh(contact).status == "awaiting_sign_off"
    assert first.review == Decision.Review.PENDING
    with time_machine.travel(london(2026, 11, 11, 12, 0), tick=False):
        challenged = services.challenge(fresh(contact), users.manager, comment="Consider the sibling's attendance.")
    assert challenged.pk == first.pk
    first.refresh_from_db()
    assert first.review == Decision.Review.CHALLENGED
    assert first.reviewed_by == users.manager
    assert first.manager_comment == "Consider the sibling's attendance."
    assert first.reviewed_at == london(2026, 11, 11, 12, 0)
    assert fresh(contact).status == "challenged"
    assert fresh(contact).decided_at is None

    # recommend again -> sign off
    team = Team.objects.get(name="Early Help Hub")
    with time_machine.travel(london(2026, 11, 11, 13, 0), tick=False):
        second = _recommend(
            contact, users.decision_maker, outcome="early_help", team=team, rationale="Needs support, not statutory."
        )
    assert second.pk != first.pk
    assert fresh(contact).status == "awaiting_sign_off"
    with time_machine.travel(london(2026, 11, 11, 14, 0), tick=False):
        agreed = services.sign_off(fresh(contact), users.manager, comment="Agreed.")
    assert agreed.pk == second.pk
    second.refresh_from_db()
    assert second.review == Decision.Review.AGREED
    first.refresh_from_db()
    assert first.review == Decision.Review.CHALLENGED, "the challenged round stays on record"
    contact = fresh(contact)
    assert contact.status == "signed_off"
    assert contact.decided_at == london(2026, 11, 11, 14, 0)
    assert services.agreed_decision(contact) == second

    # the letters: one to the referrer, one to the family
    assert set(contact.letters.values_list("recipient", flat=True)) == {"referrer", "family"}
    letter = contact.letters.get(recipient="referrer")
    template = LetterTemplate.objects.get(outcome="early_help", recipient="referrer")
    assert letter.decision == second
    assert "Amelia Testcase" in letter.body
    assert contact.reference in letter.body
    assert contact.reference in letter.subject
    assert "Early Help Hub" in letter.body
    assert "Dear Joan Referrer" in letter.body
    assert "11 November 2026" in letter.body
    assert "born 27 March 2015" in letter.body
    assert letter.subject.startswith(template.subject.split(" (ref.")[0])
    assert "{{" not in letter.body and "{%" not in letter.body
    assert letter.recipient_name == "Joan Referrer"
    assert letter.generated_by == users.manager
    assert not letter.is_sent

    # the history
    events = list(StatusChange.objects.filter(contact=contact).values_list("event", "from_status", "to_status"))
    assert events == [
        ("submit_for_triage", "recorded", "awaiting_triage"),
        ("triage", "awaiting_triage", "triaged"),
        ("recommend", "triaged", "awaiting_sign_off"),
        ("challenge", "awaiting_sign_off", "challenged"),
        ("recommend", "challenged", "awaiting_sign_off"),
        ("sign_off", "awaiting_sign_off", "signed_off"),
    ]
    for action in ("decision.recommended", "decision.challenged", "decision.signed_off", "letter.generated"):
        assert factories.audit_events(action, object_id=str(contact.pk)).exists(), action

    # send both -> closed when the last one goes
    with time_machine.travel(london(2026, 11, 11, 15, 0), tick=False):
        services.mark_letter_sent(letter, users.officer, method="secure_email")
    assert fresh(contact).status == "signed_off", "the family has not been told yet"
    with time_machine.travel(london(2026, 11, 11, 15, 0), tick=False):
        services.mark_letter_sent(contact.letters.get(recipient="family"), users.officer, method="post")
    contact = fresh(contact)
    letter.refresh_from_db()
    assert contact.status == "closed"
    assert contact.closed_at == london(2026, 11, 11, 15, 0)
    assert (letter.sent_by, letter.sent_method, letter.sent_at) == (users.officer, "secure_email", london(2026, 11, 11, 15, 0))
    assert StatusChange.objects.filter(contact=contact).last().to_status == "closed"
    assert verify_chain().ok


def test_letter_never_contains_the_concern_details(users):
    contact, _, letter = factories.signed_off(users)
    for secret in (factories.CONCERN_TEXT, "SECRET-CONCERN-MARKER", "IMPACT-MARKER", "VOICE-MARKER", "Otherman"):
        assert secret not in letter.body, secret
        assert secret not in letter.subject, secret


LETTER_OUTCOMES = [o for o in Outcome.values if o != "s47_strategy"]


@pytest.mark.parametrize("outcome", LETTER_OUTCOMES)
def test_every_outcome_has_letters_with_name_and_reference(users, outcome):
    team = Team.objects.get(name="First Response Team North")
    extra = {"destination": "Demoshire adult social care", "dash_score": 15}
    if outcome.startswith("transfer_"):
        contact, _ = factories.recommended(users, outcome="nfa")  # a child whose history decides the transfer rules
        person = contact.subject_child.person
        Involvement.objects.create(
            person=person, kind="social_care", team=team, started_on=date.today() - timedelta(days=200),
            closed_on=None if outcome == "transfer_allocated" else date.today() - timedelta(days=30),
        )
        services.challenge(fresh(contact), users.manager, comment="Check the history.")
        services.recommend(fresh(contact), users.decision_maker, analysis="a", outcome=outcome, rationale="r", receiving_team=team)
        services.sign_off(fresh(contact), users.manager)
        contact = fresh(contact)
        letter = contact.letters.get(recipient="referrer")
    else:
        contact, _, letter = factories.signed_off(users, outcome=outcome, team=team, **extra)
    family = contact.letters.get(recipient="family")
    for each in (letter, family):
        assert "Amelia Testcase" in each.body
        assert contact.reference in each.body
        assert contact.reference in each.subject
        assert "SECRET-CONCERN-MARKER" not in each.body
        assert "{{" not in each.body and "{%" not in each.body
    assert "Joan Referrer" in letter.body and "Joan Referrer" not in family.body
    assert family.recipient_name == "Kelly Testcase"


def test_section_47_has_no_letters(users):
    team = Team.objects.get(name="First Response Team North")
    contact, _, letter = factories.signed_off(users, outcome="s47_strategy", team=team)
    assert letter is None
    assert not contact.letters.exists()


def test_letter_uses_the_administrators_wording(users):
    template = LetterTemplate.objects.get(outcome="nfa", recipient="referrer")
    template.subject = "Closed: {{ contact_reference }}"
    template.body = "About {{ child_name }} ({{ contact_reference }}). Ring {{ mash_phone }}."
    template.save()
    contact, _, letter = factories.signed_off(users)
    assert letter.subject == f"Closed: {contact.reference}"
    assert letter.body == f"About Amelia Testcase ({contact.reference}). Ring 01632 960000."


def test_letter_template_cannot_reach_the_concern(users):
    """Even an administrator's template asking for it gets nothing: it is not in the context."""
    template = LetterTemplate.objects.get(outcome="nfa", recipient="referrer")
    template.body = "[{{ contact.concern_details }}][{{ concern_details }}][{{ impact_on_child }}]"
    template.save()
    _, _, letter = factories.signed_off(users)
    assert letter.body == "[][][]"


def test_letter_pdf_is_a_pdf(users):
    _, _, letter = factories.signed_off(users)
    pdf = services.letter_pdf(letter)
    assert isinstance(pdf, bytes)
    assert pdf.startswith(b"%PDF")
    assert len(pdf) > 1000


def test_letter_pdf_download(client, users):
    contact, _, letter = factories.signed_off(users)
    client.force_login(users.officer)
    response = client.get(reverse("decisions:letter-pdf", args=[contact.pk, letter.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert contact.reference in response["Content-Disposition"]
    assert response.content.startswith(b"%PDF")
    assert factories.audit_events("letter.downloaded", object_id=str(contact.pk)).count() == 1


# -- refusals ------------------------------------------------------------------------------------


def test_officer_cannot_sign_off(users):
    contact, decision = factories.recommended(users)
    with pytest.raises(TransitionRefused):
        services.sign_off(fresh(contact), users.officer)
    contact = fresh(contact)
    assert contact.status == "awaiting_sign_off"
    assert contact.decided_at is None
    decision.refresh_from_db()
    assert decision.review == Decision.Review.PENDING
    assert not OutcomeLetter.objects.exists()


def test_decision_maker_cannot_sign_off_or_challenge(users):
    contact, _ = factories.recommended(users)
    with pytest.raises(TransitionRefused):
        services.sign_off(fresh(contact), users.decision_maker)
    with pytest.raises(TransitionRefused):
        services.challenge(fresh(contact), users.decision_maker, comment="Not my job")
    assert fresh(contact).status == "awaiting_sign_off"


def test_sign_off_without_a_pending_decision_is_refused(users):
    contact = factories.triaged(users)
    with pytest.raises(services.DecisionRefused, match="no recommendation"):
        services.sign_off(contact, users.manager)
    with pytest.raises(services.DecisionRefused):
        services.challenge(contact, users.manager, comment="Why?")
    assert fresh(contact).status == "triaged"


def test_signing_off_twice_is_refused(users):
    contact, _, _ = factories.signed_off(users)
    with pytest.raises(services.DecisionRefused):
        services.sign_off(fresh(contact), users.second_manager)
    assert OutcomeLetter.objects.filter(contact=contact).count() == 2


def test_manager_who_recommended_cannot_sign_off_but_another_can(users):
    contact = factories.triaged(users, actor=users.manager)
    _recommend(contact, users.manager)
    with pytest.raises(TransitionRefused, match="different manager"):
        services.sign_off(fresh(contact), users.manager)
    assert fresh(contact).status == "awaiting_sign_off"
    assert not OutcomeLetter.objects.exists()
    services.sign_off(fresh(contact), users.second_manager, comment="Agreed by a second manager.")
    contact = fresh(contact)
    assert contact.status == "signed_off"
    assert contact.decided_at is not None
    assert services.agreed_decision(contact).reviewed_by == users.second_manager


def test_manager_who_recommended_may_challenge_their_own(users):
    contact = factories.triaged(users, actor=users.manager)
    _recommend(contact, users.manager)
    services.challenge(fresh(contact), users.manager, comment="On reflection, I want police checks first.")
    assert fresh(contact).status == "challenged"


def test_challenge_needs_a_comment(users):
    contact, decision = factories.recommended(users)
    with pytest.raises(TransitionRefused, match="Say why"):
        services.challenge(fresh(contact), users.manager, comment="  ")
    decision.refresh_from_db()
    assert decision.review == Decision.Review.PENDING
    assert fresh(contact).status == "awaiting_sign_off"


def test_recommend_refused_by_officer_leaves_no_decision(users):
    contact = factories.triaged(users)
    with pytest.raises(TransitionRefused):
        _recommend(contact, users.officer)
    assert not Decision.objects.exists()
    assert fresh(contact).status == "triaged"


def test_recommend_refused_before_triage(users):
    contact = factories.submitted(users)
    with pytest.raises(TransitionRefused):
        _recommend(contact, users.decision_maker)
    assert not Decision.objects.exists()


def test_sign_off_is_atomic_when_the_letter_template_is_missing(users):
    contact, decision = factories.recommended(
        users, outcome="s17_assessment", team=Team.objects.get(name="First Response Team North")
    )
    LetterTemplate.objects.filter(outcome="s17_assessment", recipient="family").delete()
    with pytest.raises(services.DecisionRefused, match="no letter template"):
        services.sign_off(fresh(contact), users.manager)
    contact = fresh(contact)
    assert contact.status == "awaiting_sign_off"
    assert contact.decided_at is None
    decision.refresh_from_db()
    assert decision.review == Decision.Review.PENDING
    assert not factories.audit_events("decision.signed_off").exists()


def test_letter_only_after_sign_off(users):
    contact, decision = factories.recommended(users)
    with pytest.raises(services.DecisionRefused):
        services.generate_letter(contact, decision, users.manager)
    assert not OutcomeLetter.objects.exists()


def test_close_refused_until_the_letter_is_sent(users):
    contact, _, _ = factories.signed_off(users)
    with pytest.raises(TransitionRefused, match="Give feedback to the referrer and the family"):
        apply_event(fresh(contact), ContactEvent.CLOSE, users.officer)
    assert fresh(contact).status == "signed_off"


def test_mark_letter_sent_refusals(users):
    contact, _, letter = factories.signed_off(users)
    with pytest.raises(services.DecisionRefused, match="how"):
        services.mark_letter_sent(letter, users.officer, method="carrier pigeon")
    assert fresh(contact).status == "signed_off"
    services.mark_letter_sent(letter, users.officer, method="post")
    with pytest.raises(services.DecisionRefused, match="already"):
        services.mark_letter_sent(letter, users.officer, method="post")
    assert fresh(contact).status == "signed_off"
    services.mark_letter_sent(contact.letters.get(recipient="family"), users.officer, method="post")
    assert fresh(contact).status == "closed"


# -- the pages ----------------------------------------------------------------------------------


def test_officer_cannot_post_a_sign_off(client, users):
    contact, decision = factories.recommended(users)
    client.force_login(users.officer)
    response = client.post(reverse("decisions:review", args=[contact.pk]), {"verdict": "agree", "comment": ""})
    assert response.status_code == 403
    assert fresh(contact).status == "awaiting_sign_off"


def test_manager_signs_off_through_the_page(client, users):
    contact, _ = factories.recommended(users)
    client.force_login(users.manager)
    response = client.post(reverse("decisions:review", args=[contact.pk]), {"verdict": "agree", "comment": "Agreed."})
    assert response.status_code == 302
    assert fresh(contact).status == "signed_off"
    assert fresh(contact).referral_at is None
    for recipient in ("referrer", "family"):
        letter = OutcomeLetter.objects.get(contact=contact, recipient=recipient)
        page = client.get(reverse("decisions:letter", args=[contact.pk, letter.pk]))
        assert page.status_code == 200
        assert "Amelia Testcase" in page.content.decode()
        response = client.post(reverse("decisions:letter", args=[contact.pk, letter.pk]), {"method": "email"})
        assert response.status_code == 302
    assert fresh(contact).status == "closed"


def test_challenge_through_the_page_needs_a_comment(client, users):
    contact, _ = factories.recommended(users)
    client.force_login(users.manager)
    response = client.post(reverse("decisions:review", args=[contact.pk]), {"verdict": "challenge", "comment": ""})
    assert response.status_code == 200
    assert "Say why you are challenging the recommendation." in response.content.decode()
    assert fresh(contact).status == "awaiting_sign_off"


def test_own_recommendation_sign_off_refused_on_the_page(client, users):
    contact = factories.triaged(users, actor=users.manager)
    _recommend(contact, users.manager)
    client.force_login(users.manager)
    response = client.post(reverse("decisions:review", args=[contact.pk]), {"verdict": "agree", "comment": ""})
    assert response.status_code == 200
    assert "A different manager must sign off" in response.content.decode()
    assert fresh(contact).status == "awaiting_sign_off"


def test_recommendation_needing_a_team_requires_one(client, users):
    contact = factories.triaged(users)
    client.force_login(users.decision_maker)
    response = client.post(
        reverse("decisions:recommend", args=[contact.pk]), {"analysis": "a", "outcome": "s17_assessment", "rationale": "r"}
    )
    assert response.status_code == 200
    assert "Choose the team that will receive the child." in response.content.decode()
    assert not Decision.objects.exists()
