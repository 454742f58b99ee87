"""The outcome pages: who may open them, what they show, and that errors keep what was typed."""

from __future__ import annotations

import pytest
from django.urls import reverse

from mash.decisions import services
from mash.decisions.models import Decision, FeedbackCall, FeedbackWithheld
from mash.intake.models import Contact
from mash.partnership.models import Team
from tests import factories

pytestmark = pytest.mark.django_db

OUTSIDERS = ("police", "health", "education", "probation", "receiving", "dpo", "administrator", "strategic_manager", "assistant_director")


def fresh(contact):  # noqa: ANN001, ANN201
    return Contact.objects.get(pk=contact.pk)


def team(name: str = "First Response Team North") -> Team:
    return Team.objects.get(name=name)


@pytest.fixture
def world(users):  # noqa: ANN001, ANN201
    recommended, _ = factories.recommended(users, child=factories.child_fields(surname="Pendingcase"))
    lettered, _, referrer = factories.signed_off(users, child=factories.child_fields(surname="Lettercase"))
    phoned, _, _ = factories.signed_off(users, outcome="s47_strategy", team=team(), child=factories.child_fields(surname="Phonecase"))
    family = lettered.letters.get(recipient="family")
    return {
        "recommend": reverse("decisions:recommend", args=[recommended.pk]),
        "review": reverse("decisions:review", args=[recommended.pk]),
        "letter": reverse("decisions:letter", args=[lettered.pk, referrer.pk]),
        "family letter": reverse("decisions:letter", args=[lettered.pk, family.pk]),
        "letter pdf": reverse("decisions:letter-pdf", args=[lettered.pk, family.pk]),
        "call": reverse("decisions:feedback-call", args=[phoned.pk, "referrer"]),
        "withhold": reverse("decisions:feedback-withhold", args=[lettered.pk, "family"]),
        "withhold call": reverse("decisions:feedback-withhold", args=[phoned.pk, "family"]),
        "contacts": (recommended, lettered, phoned),
    }


PAGES = ("recommend", "review", "letter", "family letter", "letter pdf", "call", "withhold", "withhold call")


@pytest.mark.parametrize("role", OUTSIDERS)
def test_outsiders_never_learn_the_contact_exists(client, users, world, role):
    client.force_login(getattr(users, role))
    for page in PAGES:
        assert client.get(world[page]).status_code == 404, page
        assert client.post(world[page], {"method": "email", "reason": "x", "verdict": "agree"}).status_code == 404, page
    recommended, lettered, phoned = world["contacts"]
    assert fresh(lettered).status == "signed_off" and fresh(phoned).status == "signed_off"
    assert not FeedbackWithheld.objects.exists() and not FeedbackCall.objects.exists()


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("officer", {"recommend": 403, "review": 403, "withhold": 403, "withhold call": 403, "letter": 200, "call": 200, "letter pdf": 200}),
        ("decision_maker", {"recommend": 200, "review": 403, "withhold": 403, "letter": 200, "call": 200}),
        ("manager", {"recommend": 200, "review": 200, "withhold": 200, "withhold call": 200, "letter": 200, "call": 200}),
        ("service_manager", {"recommend": 403, "review": 403, "withhold": 403, "letter": 200, "call": 200}),
    ],
)
def test_mash_roles(client, users, world, role, expected):
    client.force_login(getattr(users, role))
    for page, status in expected.items():
        assert client.get(world[page]).status_code == status, page


def test_service_manager_may_read_but_not_record_feedback(client, users, world):
    client.force_login(users.service_manager)
    assert client.post(world["letter"], {"method": "email"}).status_code == 403
    assert client.post(world["call"], {"spoken_to": "Joan"}).status_code == 403
    assert "Record the letter as sent" not in client.get(world["letter"]).content.decode()


def test_unknown_recipient_and_letter_outcomes_have_no_call_page(client, users, world):
    _, lettered, phoned = world["contacts"]
    client.force_login(users.officer)
    assert client.get(reverse("decisions:feedback-call", args=[phoned.pk, "neighbour"])).status_code == 404
    assert client.get(reverse("decisions:feedback-call", args=[lettered.pk, "referrer"])).status_code == 404


# -- the recommendation page ----------------------------------------------------------------------


def test_recommend_page_shows_every_outcome_with_its_next_steps(client, users):
    contact = factories.triaged(users)
    client.force_login(users.decision_maker)
    page = client.get(reverse("decisions:recommend", args=[contact.pk])).content.decode()
    for value in ("nfa", "marac", "transfer_previous_team", "police_action"):
        assert f'value="{value}"' in page
    assert "Complete the DASH risk checklist" in page
    assert "Phone the referrer and the family (not a letter)" in page
    assert 'aria-describedby="id_outcome_4-hint"' in page
    assert "DASH risk checklist score" in page and "High risk on professional judgement" in page


def test_recommend_errors_explain_and_keep_what_was_typed(client, users):
    contact = factories.triaged(users)
    client.force_login(users.decision_maker)
    url = reverse("decisions:recommend", args=[contact.pk])
    data = {"analysis": "ANALYSIS-TYPED", "outcome": "marac", "destination": "Demoshire MARAC", "dash_score": "9", "rationale": "RATIONALE-TYPED"}
    response = client.post(url, data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "below the MARAC threshold of 14" in page
    assert "ANALYSIS-TYPED" in page and "RATIONALE-TYPED" in page and 'value="Demoshire MARAC"' in page and 'value="9"' in page
    assert 'value="marac" id="id_outcome_10" aria-describedby="id_outcome_10-hint" checked' in page
    assert 'href="#id_dash_score"' in page  # the error summary points at the field
    assert not Decision.objects.exists()

    response = client.post(url, {**data, "dash_score": "30"})
    assert "cannot be more than 24" in response.content.decode()

    response = client.post(url, {**data, "outcome": "adult_social_care", "destination": ""})
    assert "Enter the adult social care team" in response.content.decode()

    response = client.post(url, {**data, "marac_professional_judgement": "on"})
    assert response.status_code == 302
    decision = Decision.objects.get()
    assert (decision.outcome, decision.dash_score, decision.marac_professional_judgement) == ("marac", 9, True)


def test_recommend_page_shows_the_history_rule_on_the_outcome(client, users):
    contact = factories.triaged(users)
    client.force_login(users.decision_maker)
    response = client.post(
        reverse("decisions:recommend", args=[contact.pk]),
        {"analysis": "A", "outcome": "transfer_allocated", "receiving_team": team().pk, "rationale": "R"},
    )
    page = response.content.decode()
    assert "no open social work involvement" in page
    assert 'href="#id_outcome_0"' in page
    assert not Decision.objects.exists()


# -- sign-off and the contact page ------------------------------------------------------------------


def test_sign_off_page_says_whether_it_converts_to_a_referral(client, users):
    s17, _ = factories.recommended(users, outcome="s17_assessment", team=team(), child=factories.child_fields(surname="Referralcase"))
    nfa, _ = factories.recommended(users, child=factories.child_fields(surname="Closecase"))
    client.force_login(users.manager)
    assert "Signing off converts this contact to a referral" in client.get(reverse("decisions:review", args=[s17.pk])).content.decode()
    page = client.get(reverse("decisions:review", args=[nfa.pk])).content.decode()
    assert "Signing off converts" not in page and "does not make the contact a referral" in page


def test_contact_page_outcome_panel(client, users):
    contact, _, referrer = factories.signed_off(users, outcome="s17_assessment", team=team())
    client.force_login(users.manager)
    page = client.get(reverse("intake:detail", args=[contact.pk])).content.decode()
    contact = fresh(contact)
    assert f"Became a referral on {contact.referral_at:%-d %B %Y}" in page
    assert "Outcome and feedback" in page
    assert "child in need single assessment (section 17)" in page  # next steps from the catalogue
    assert page.count("Letter not sent yet") == 2
    assert reverse("decisions:letter", args=[contact.pk, referrer.pk]) in page
    assert "Outcome letter to the referrer (not sent yet)" in page
    assert reverse("decisions:feedback-withhold", args=[contact.pk, "family"]) in page
    client.force_login(users.officer)
    assert reverse("decisions:feedback-withhold", args=[contact.pk, "family"]) not in client.get(reverse("intake:detail", args=[contact.pk])).content.decode()


def test_contact_page_shows_marac_details(client, users):
    contact, _, _ = factories.signed_off(users, outcome="marac", destination="Demoshire MARAC", dash_score=17)
    client.force_login(users.officer)
    page = client.get(reverse("intake:detail", args=[contact.pk])).content.decode()
    assert "Demoshire MARAC" in page and "17 of 24" in page and "Not a referral." in page


# -- feedback pages -------------------------------------------------------------------------------


def test_letters_sent_through_the_pages_close_the_contact(client, users):
    contact, _, referrer = factories.signed_off(users)
    client.force_login(users.officer)
    family = contact.letters.get(recipient="family")
    page = client.get(reverse("decisions:letter", args=[contact.pk, family.pk])).content.decode()
    assert "Outcome letter to the family" in page and "Dear Kelly Testcase" in page
    assert factories.audit_events("letter.viewed", object_id=str(contact.pk)).count() == 1
    response = client.post(reverse("decisions:letter", args=[contact.pk, referrer.pk]), {"method": "email"})
    assert response.status_code == 302 and fresh(contact).status == "signed_off"
    response = client.post(reverse("decisions:letter", args=[contact.pk, family.pk]), {"method": "post"})
    assert response.status_code == 302 and fresh(contact).status == "closed"


def test_family_pdf_download(client, users):
    import io

    import pypdf

    contact, _, _ = factories.signed_off(users)
    family = contact.letters.get(recipient="family")
    client.force_login(users.officer)
    response = client.get(reverse("decisions:letter-pdf", args=[contact.pk, family.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{contact.reference}-outcome-letter-family.pdf"'
    text = " ".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(response.content)).pages)
    assert "Kelly Testcase" in text and "Joan Referrer" not in text
    assert factories.audit_events("letter.downloaded", object_id=str(contact.pk)).count() == 1


def test_call_page_records_calls(client, users):
    contact, _, _ = factories.signed_off(users, outcome="s47_strategy", team=team())
    client.force_login(users.officer)
    url = reverse("decisions:feedback-call", args=[contact.pk, "referrer"])
    assert "Phone the referrer" in client.get(url).content.decode()
    response = client.post(url, {"spoken_to": "", "summary": "SUMMARY-TYPED", "called_at_date": "", "called_at_time": ""})
    page = response.content.decode()
    assert response.status_code == 200 and "Enter the name of the person you spoke to." in page and "SUMMARY-TYPED" in page
    from django.utils import timezone

    earlier = timezone.localtime() - timezone.timedelta(minutes=5)
    data = {"spoken_to": "Joan Referrer", "telephone": "01632 960999", "summary": "Strategy discussion today.",
            "called_at_date": earlier.date().isoformat(), "called_at_time": earlier.strftime("%H:%M")}
    response = client.post(url, data)
    assert response.status_code == 302, [e for e in response.context["errors"]]
    assert fresh(contact).status == "signed_off"
    assert "Strategy discussion today." in client.get(url).content.decode()
    assert client.post(reverse("decisions:feedback-call", args=[contact.pk, "family"]), {**data, "spoken_to": "Kelly"}).status_code == 302
    assert fresh(contact).status == "closed"
    assert FeedbackCall.objects.count() == 2


def test_withhold_page(client, users):
    contact, _, _ = factories.signed_off(users)
    url = reverse("decisions:feedback-withhold", args=[contact.pk, "referrer"])
    client.force_login(users.decision_maker)
    assert client.post(url, {"reason": "Anonymous."}).status_code == 403
    client.force_login(users.manager)
    response = client.post(url, {"reason": ""})
    assert response.status_code == 200 and "Say why feedback will not be given." in response.content.decode()
    assert client.post(url, {"reason": "Anonymous referrer: no address."}).status_code == 302
    withheld = FeedbackWithheld.objects.get()
    assert (withheld.recipient, withheld.decided_by) == ("referrer", users.manager)
    letter_page = client.get(reverse("decisions:letter", args=[contact.pk, contact.letters.get(recipient="referrer").pk])).content.decode()
    assert "Not to be sent" in letter_page and "Record the letter as sent" not in letter_page


def test_queue_on_the_home_page_links_to_the_letter(client, users):
    contact, _, referrer = factories.signed_off(users)
    services.mark_letter_sent(referrer, users.officer, method="email")
    client.force_login(users.officer)
    page = client.get("/").content.decode()
    assert "Feedback to give" in page
    assert reverse("decisions:letter", args=[contact.pk, contact.letters.get(recipient="family").pk]) in page


def test_administrator_lists_and_edits_templates_by_recipient(client, users):
    from mash.decisions.models import LetterTemplate

    assert LetterTemplate.objects.filter(recipient="family").count() == 11
    assert LetterTemplate.objects.filter(recipient="referrer").count() == 11
    client.force_login(users.administrator)
    listing = client.get(reverse("admin:decisions_lettertemplate_changelist") + "?recipient__exact=family").content.decode()
    assert "Family (parents or carers)" in listing and "About {{ child_first_name }}: an offer of early help" in listing
    template = LetterTemplate.objects.get(outcome="marac", recipient="family")
    url = reverse("admin:decisions_lettertemplate_change", args=[template.pk])
    page = client.get(url).content.decode()
    assert "family_name" in page and "never names the referrer" in page
    response = client.post(url, {"outcome": "marac", "recipient": "family", "subject": "Support for {{ family_name }}", "body": "Kind words."})
    assert response.status_code == 302
    template.refresh_from_db()
    assert template.subject == "Support for {{ family_name }}"
    assert factories.audit_events("config.changed", object_id=str(template.pk)).exists()
