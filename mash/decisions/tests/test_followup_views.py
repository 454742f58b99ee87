"""Early help and malicious-referral pages: who may use them (both ways), and what they show."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from mash.decisions import followup
from mash.decisions.models import EarlyHelpReferral, MaliciousFinding
from mash.intake.models import Contact
from mash.workqueue.models import Alert
from tests import factories

from .test_followup import assessed, early_help_user, propose, stepped_down

pytestmark = pytest.mark.django_db


def response_url(referral: EarlyHelpReferral) -> str:
    return reverse("decisions:early-help-response", args=[referral.contact_id, referral.pk])


def escalation_url(referral: EarlyHelpReferral) -> str:
    return reverse("decisions:early-help-escalation", args=[referral.contact_id, referral.pk])


def status_for(client, user, url, method="get", data=None):  # noqa: ANN001, ANN201
    client.force_login(user)
    response = client.post(url, data or {}) if method == "post" else client.get(url)
    client.logout()
    return response.status_code


# -- the family's answer ---------------------------------------------------------------------


def test_the_early_help_team_gets_a_purpose_built_page_without_the_mash_record(client, users):
    contact, _, referral = stepped_down(users)
    worker = early_help_user()
    client.force_login(worker)
    page = client.get(response_url(referral)).content.decode()
    assert "Amelia Testcase" in page
    assert "27 March 2015" in page
    assert "Step down to early help" in page
    assert "Early Help Hub" in page
    # Nothing of the MASH record: not the concern, the child's words, the household or the analysis.
    for secret in (factories.CONCERN_TEXT, "VOICE-MARKER", "IMPACT-MARKER", "Dean Otherman", "Kelly Testcase", "Single unexplained bruise"):
        assert secret not in page
    assert factories.audit_events("early_help.viewed", object_id=str(contact.pk)).count() == 1

    listing = client.get(reverse("decisions:early-help-list")).content.decode()
    assert "Amelia Testcase" in listing and response_url(referral) in listing
    assert factories.CONCERN_TEXT not in listing

    response = client.post(response_url(referral), {"status": "declined", "notes": "Mum said no thank you."})
    assert response.status_code == 302 and response.url == reverse("decisions:early-help-list")
    referral.refresh_from_db()
    assert referral.status == EarlyHelpReferral.Status.DECLINED and referral.response_recorded_by == worker
    assert Alert.objects.filter(kind=Alert.Kind.EARLY_HELP_DECLINED, contact=contact).exists()


def test_declined_without_notes_shows_the_error_and_keeps_the_answer(client, users):
    _, _, referral = stepped_down(users)
    client.force_login(users.officer)
    response = client.post(response_url(referral), {"status": "declined", "notes": ""})
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page and "Say what the family said" in page
    assert re.search(r'value="declined" id="[^"]+" checked', page)
    referral.refresh_from_db()
    assert referral.status == EarlyHelpReferral.Status.OFFERED


def test_who_may_open_and_answer_the_early_help_referral(client, users):
    _, _, referral = stepped_down(users)
    url = response_url(referral)
    for user in (users.officer, users.decision_maker, users.manager, users.service_manager, early_help_user()):
        assert status_for(client, user, url) == 200, user.role
    # A receiving practitioner of another team: the referral does not exist for them.
    assert status_for(client, users.receiving, url) == 404
    assert status_for(client, users.receiving, url, "post", {"status": "accepted"}) == 404
    for user in (users.police, users.health, users.dpo, users.administrator, users.strategic_manager, users.assistant_director):
        assert status_for(client, user, url) == 403, user.role
        assert status_for(client, user, url, "post", {"status": "accepted"}) == 403, user.role
    referral.refresh_from_db()
    assert referral.status == EarlyHelpReferral.Status.OFFERED


def test_the_referral_is_not_reachable_under_another_contact(client, users):
    _, _, referral = stepped_down(users)
    other = factories.record(users.officer)
    url = reverse("decisions:early-help-response", args=[other.pk, referral.pk])
    assert status_for(client, users.officer, url) == 404
    assert status_for(client, early_help_user(), url) == 404


def test_early_help_list_is_for_the_early_help_team_only(client, users):
    stepped_down(users)
    url = reverse("decisions:early-help-list")
    client.force_login(users.early_help)
    assert "Amelia Testcase" in client.get(url).content.decode()
    # A receiving practitioner in a social work team has no early help list, nor does anyone else.
    for user in (users.receiving, users.officer, users.manager, users.police, users.dpo, users.administrator, users.service_manager):
        assert status_for(client, user, url) == 403, user.role


# -- escalation ----------------------------------------------------------------------------------


def declined_referral(users):  # noqa: ANN001, ANN201
    contact, _, referral = stepped_down(users)
    followup.record_response(referral, users.officer, status="declined", notes="Dad refused.")
    return contact, referral


def test_decision_maker_escalates_from_the_page_and_lands_on_the_new_contact(client, users):
    contact, referral = declined_referral(users)
    client.force_login(users.decision_maker)
    page = client.get(escalation_url(referral)).content.decode()
    assert "left without any support" in page and "Dad refused." in page
    response = client.post(escalation_url(referral), {"escalation": "escalate", "rationale": "Re-assess with the school."})
    referral.refresh_from_db()
    new = referral.reassessment_contact
    assert new is not None
    assert response.status_code == 302 and response.url == reverse("intake:detail", args=[new.pk])
    detail = client.get(response.url).content.decode()
    assert "after the family declined early help on" in detail and contact.reference in detail


def test_not_needed_without_a_rationale_is_an_error_on_the_page(client, users):
    _, referral = declined_referral(users)
    client.force_login(users.manager)
    response = client.post(escalation_url(referral), {"escalation": "not_needed", "rationale": ""})
    assert response.status_code == 200
    assert "Explain why escalation is not needed" in response.content.decode()
    referral.refresh_from_db()
    assert referral.escalation == ""


def test_who_may_decide_on_escalation(client, users):
    _, referral = declined_referral(users)
    url = escalation_url(referral)
    for user in (users.decision_maker, users.manager):
        assert status_for(client, user, url) == 200
    for user in (users.officer, users.service_manager):
        assert status_for(client, user, url) == 403, user.role
        assert status_for(client, user, url, "post", {"escalation": "escalate"}) == 403
    for user in (early_help_user(), users.receiving, users.police, users.dpo, users.administrator, users.strategic_manager):
        assert status_for(client, user, url) == 404, user.role
        assert status_for(client, user, url, "post", {"escalation": "escalate"}) == 404
    referral.refresh_from_db()
    assert referral.escalation == "" and Contact.objects.count() == 1


# -- malicious referrals ------------------------------------------------------------------------------


def proposal_data(user, *, spoken: bool = True) -> dict[str, str]:  # noqa: ANN001
    when = timezone.localtime(timezone.now() - timedelta(hours=2))
    data = {
        "assessment_summary": "Police answered; health holds nothing. TYPED-SUMMARY",
        "rationale": "Every detail was disproved. TYPED-RATIONALE",
        "referrer_conversation": "",
        "referrer_spoken_by": "",
        "referrer_spoken_at_date": "",
        "referrer_spoken_at_time": "",
    }
    if spoken:
        data.update(
            referrer_conversation="He admitted he had not seen the child.",
            referrer_spoken_by=str(user.pk),
            referrer_spoken_at_date=when.strftime("%Y-%m-%d"),
            referrer_spoken_at_time=when.strftime("%H:%M"),
        )
    return data


def test_a_proposal_without_the_conversation_is_refused_with_reasons_and_nothing_typed_is_lost(client, users):
    contact = assessed(users)
    url = reverse("decisions:malicious-propose", args=[contact.pk])
    client.force_login(users.decision_maker)
    page = client.get(url).content.decode()
    assert "Star Hobson" in page and "source bias" in page.lower()
    response = client.post(url, proposal_data(users.decision_maker, spoken=False))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Nobody has spoken to the referrer" in page
    assert "TYPED-SUMMARY" in page and "TYPED-RATIONALE" in page
    assert not MaliciousFinding.objects.exists()

    response = client.post(url, proposal_data(users.decision_maker))
    assert response.status_code == 302
    finding = MaliciousFinding.objects.get()
    assert finding.referrer_spoken_by == users.decision_maker and finding.referrer_spoken_at is not None


def test_who_may_propose(client, users):
    contact = assessed(users)
    url = reverse("decisions:malicious-propose", args=[contact.pk])
    for user in (users.decision_maker, users.manager):
        assert status_for(client, user, url) == 200
    for user in (users.officer, users.service_manager):
        assert status_for(client, user, url) == 403, user.role
        assert status_for(client, user, url, "post", proposal_data(user)) == 403
    for user in (users.police, users.receiving, users.dpo, users.administrator, users.strategic_manager, users.assistant_director):
        assert status_for(client, user, url) == 404, user.role
        assert status_for(client, user, url, "post", proposal_data(user)) == 404
    assert not MaliciousFinding.objects.exists()


def test_the_proposer_sees_no_decision_form_and_cannot_decide(client, users):
    contact = assessed(users)
    finding = propose(contact, users.manager)
    url = reverse("decisions:malicious-decide", args=[contact.pk, finding.pk])
    client.force_login(users.manager)
    page = client.get(url).content.decode()
    assert "a different team manager must decide" in page and "Record your decision" not in page
    response = client.post(url, {"verdict": "agree", "comment": "Agreed."})
    assert response.status_code == 200
    finding.refresh_from_db()
    assert finding.status == MaliciousFinding.Status.PROPOSED


def test_another_manager_agrees_from_the_page(client, users):
    contact = assessed(users)
    finding = propose(contact, users.decision_maker)
    url = reverse("decisions:malicious-decide", args=[contact.pk, finding.pk])
    client.force_login(users.manager)
    page = client.get(url).content.decode()
    assert "Star Hobson" in page and "He accepted he had not seen the child" in page
    response = client.post(url, {"verdict": "agree", "comment": "Agreed: assessment thorough."})
    assert response.status_code == 302
    finding.refresh_from_db()
    assert finding.status == MaliciousFinding.Status.AGREED
    detail = client.get(reverse("intake:detail", args=[contact.pk])).content.decode()
    assert "Malicious referral check" in detail and "Agreed by a manager: recorded as malicious" in detail


def test_agreement_refused_by_the_service_shows_the_reasons(client, users):
    contact = assessed(users)
    finding = MaliciousFinding.objects.create(
        contact=contact, proposed_by=users.decision_maker, rationale="Sure.", assessment_summary="Checks done."
    )
    client.force_login(users.manager)
    response = client.post(reverse("decisions:malicious-decide", args=[contact.pk, finding.pk]), {"verdict": "agree", "comment": "Agreed."})
    assert response.status_code == 200
    assert "Nobody has spoken to the referrer" in response.content.decode()
    finding.refresh_from_db()
    assert finding.status == MaliciousFinding.Status.PROPOSED


def test_who_may_open_the_decision_page(client, users):
    contact = assessed(users)
    finding = propose(contact, users.decision_maker)
    url = reverse("decisions:malicious-decide", args=[contact.pk, finding.pk])
    assert status_for(client, users.second_manager, url) == 200
    for user in (users.decision_maker, users.officer, users.service_manager):
        assert status_for(client, user, url) == 403, user.role
        assert status_for(client, user, url, "post", {"verdict": "agree", "comment": "Yes."}) == 403
    for user in (users.police, users.receiving, users.dpo, users.administrator, users.strategic_manager):
        assert status_for(client, user, url) == 404, user.role
    finding.refresh_from_db()
    assert finding.status == MaliciousFinding.Status.PROPOSED


# -- the contact page panel -------------------------------------------------------------------------


def test_contact_page_shows_early_help_status_and_actions(client, users):
    contact, referral = declined_referral(users)
    client.force_login(users.decision_maker)
    page = client.get(reverse("intake:detail", args=[contact.pk])).content.decode()
    assert "Declined by the family" in page
    assert escalation_url(referral) in page
    assert "Malicious referral check" in page
    assert reverse("decisions:malicious-propose", args=[contact.pk]) in page
    client.force_login(users.officer)
    page = client.get(reverse("intake:detail", args=[contact.pk])).content.decode()
    assert escalation_url(referral) not in page
    assert reverse("decisions:malicious-propose", args=[contact.pk]) not in page
