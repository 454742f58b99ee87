"""MASH Stage 2 through the real pages, and the firewall seen from the receiving team.

The decision maker asks police and health; police answer with one sensitive item and one
hearsay item; health escalates heightened risk; the manager raises the RAG rating (every open
deadline tightens) and answers the escalation; the decision maker recommends an assessment and
a second manager signs it off. The receiving team's view, its PDF and JSON exports and the
outcome letter must not contain the sensitive text. Each new page is checked with axe-core.
"""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from playwright.sync_api import expect

from .conftest import assert_accessible, record_contact_via_services, sign_in, sign_out

CHILD_FIRST = "Marisol"
CHILD_LAST = "Petrakis-Dunn"
SENSITIVE = "Live operation Kestrel: covert observation of the address continues until 30 November."
HEARSAY = "A neighbour told the PCSO that she hears shouting most nights."
FACT = "Police attended a domestic incident at the address on 2 October; no arrests."
ESCALATION = "The health visitor saw a new bruise on the baby's ear this afternoon."
POLICE = "Demoshire Constabulary"
HEALTH = "Demoshire Integrated Care Board"
RECEIVING_TEAM = "First Response Team North"


def _triaged_contact(users: Any) -> Any:
    from mash.domain.workflow import ContactEvent
    from mash.intake.workflow import apply_event
    from mash.partnership.models import LawfulBasis, LevelOfNeed, RagRating
    from mash.sharing import services as sharing
    from mash.triage import services as triage

    contact = record_contact_via_services(users, forenames=CHILD_FIRST, surname=CHILD_LAST)
    apply_event(contact, ContactEvent.SUBMIT_FOR_TRIAGE, users.officer)
    triage.triage(
        contact, users.decision_maker, level=LevelOfNeed.objects.get(level=3), rag=RagRating.objects.get(code="AMBER"),
        reason="Unclear picture: bruising and reports of domestic abuse.",
    )
    # Consent was not sought (it would increase the risk): the manager has recorded why sharing goes ahead.
    sharing.override_consent(
        contact, users.manager, bases=list(LawfulBasis.objects.filter(code__in=["ca-1989-s47", "dpa-2018-sch1-para18"])),
        rationale="Asking the parents could put the child at greater risk of harm.",
    )
    contact.refresh_from_db()
    return contact


@pytest.mark.browser
def test_stage2_journey_keeps_sensitive_information_inside_the_firewall(page: Any, mash_users: Any) -> None:
    from mash.sharing.models import InformationRequest

    contact = _triaged_contact(mash_users)

    # The decision maker asks police and health.
    sign_in(page, "decision_maker")
    page.goto(f"/contacts/{contact.pk}/")
    page.get_by_role("link", name="Information sharing (Stage 2)").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Information sharing")
    assert_accessible(page, "the Stage 2 overview")
    page.goto(f"/contacts/{contact.pk}/sharing/request/")
    page.get_by_role("button", name="Send the requests").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert_accessible(page, "the request form with errors")
    page.get_by_label(POLICE, exact=True).check()
    page.get_by_label(f"What do you need to know from {POLICE}?").fill("Any domestic abuse call-outs or intelligence about the adults?")
    page.get_by_label(HEALTH, exact=True).check()
    page.get_by_label(f"What do you need to know from {HEALTH}?").fill("Is the baby seen by the health visitor, and any injuries noted?")
    page.get_by_label(re.compile(r"Child protection enquiries")).check()
    page.get_by_role("button", name="Send the requests").click()
    expect(page.locator("main")).to_contain_text(POLICE)
    expect(page.locator("main")).to_contain_text(HEALTH)
    police_request = InformationRequest.objects.get(contact=contact, agency__name=POLICE)
    health_request = InformationRequest.objects.get(contact=contact, agency__name=HEALTH)
    amber_due = health_request.due_at
    sign_out(page)

    # Police answer: one sensitive item, one hearsay item, one fact.
    sign_in(page, "police")
    expect(page.locator("main")).to_contain_text(contact.reference)
    page.goto(f"/agency/requests/{police_request.pk}/")
    expect(page.locator("main")).to_contain_text(CHILD_LAST)
    assert_accessible(page, "the agency's request page")
    page.locator("#id_items-0-text").fill(SENSITIVE)
    page.locator("#id_items-0-kind-group").get_by_label("Fact", exact=True).check()
    page.locator("#id_items-0-is_sensitive").check()
    page.locator("#id_items-0-sensitive_holder").fill("DI Rowe, Serious Organised Crime Unit, 01632 960777")
    page.get_by_role("button", name="Add another item").click()
    page.locator("#id_items-1-text").fill(HEARSAY)
    page.locator("#id_items-1-kind-group").get_by_label(re.compile("Unverified")).check()
    page.get_by_role("button", name="Add another item").click()
    page.locator("#id_items-2-text").fill(FACT)
    page.locator("#id_items-2-kind-group").get_by_label("Fact", exact=True).check()
    page.get_by_label("So what does this mean for this child?").fill("Repeated domestic abuse in the home puts the children at risk.")
    page.get_by_label("What does your agency recommend?").fill("A social work assessment.")
    page.get_by_role("button", name="Send to the MASH").click()
    expect(page.locator(".govuk-notification-banner")).to_be_visible()
    police_request.refresh_from_db()
    assert police_request.status == "answered"
    sign_out(page)

    # Health escalates heightened risk.
    sign_in(page, "health")
    response = page.goto(f"/agency/requests/{police_request.pk}/")
    assert response is not None and response.status == 404, "health must not open the police request"
    assert SENSITIVE not in page.content() and HEARSAY not in page.content()
    page.goto(f"/agency/requests/{health_request.pk}/")
    page.get_by_role("link", name="Escalate heightened risk").click()
    assert_accessible(page, "the escalation form")
    page.get_by_label("What heightens the risk to the child?").fill(ESCALATION)
    page.get_by_label("I have also telephoned the MASH manager").check()
    page.get_by_role("button", name="Alert the MASH team manager").click()
    expect(page.locator(".govuk-notification-banner")).to_be_visible()
    sign_out(page)

    # The manager sees the alert, raises the rating to RED and answers the escalation.
    sign_in(page, "manager")
    page.get_by_role("link", name=re.compile("Respond to the escalation")).click()
    expect(page.locator("main")).to_contain_text(ESCALATION)
    assert_accessible(page, "the escalation response page")
    page.goto(f"/contacts/{contact.pk}/rating/")
    page.get_by_role("group", name="RAG rating").get_by_label(re.compile(r"^Red")).check()
    page.get_by_role("group", name="Level of need").get_by_label(re.compile(r"^Level 4")).check()
    page.get_by_label("Why this rating?").fill("Health escalated a new injury to a baby.")
    page.get_by_role("button", name="Save rating").click()
    health_request.refresh_from_db()
    assert health_request.due_at < amber_due, "raising the rating must bring the open request's deadline forward"
    assert health_request.notices.filter(kind="deadline_tightened").exists()
    escalation = health_request.escalations.get()
    page.goto(f"/contacts/{contact.pk}/sharing/escalations/{escalation.pk}/respond/")
    page.get_by_label("Your response and any immediate action").fill("Raised to RED; strategy discussion being arranged today.")
    page.get_by_role("button", name="Record your response").click()
    page.goto(f"/contacts/{contact.pk}/sharing/requests/{police_request.pk}/")
    expect(page.locator("main")).to_contain_text(SENSITIVE)
    assert_accessible(page, "the MASH view of the police response")
    sign_out(page)

    # The officer sees that sensitive information exists, not what it is.
    sign_in(page, "officer")
    page.goto(f"/contacts/{contact.pk}/sharing/")
    expect(page.locator("main")).to_contain_text(HEARSAY)
    assert SENSITIVE not in page.content()
    sign_out(page)

    # Decision and sign-off.
    sign_in(page, "decision_maker")
    page.goto(f"/contacts/{contact.pk}/")
    page.get_by_role("link", name="Record the decision").click()
    page.get_by_label("Analysis").fill("Police and health information together show escalating risk to both children.")
    page.get_by_role("group", name="Recommended outcome").get_by_label("Section 17 child in need assessment").check()
    page.get_by_label("Receiving team").select_option(label=RECEIVING_TEAM)
    page.get_by_label("Rationale").fill("Assessment needed now; a strategy discussion is being considered in parallel.")
    page.get_by_role("button", name="Send to a manager for sign-off").click()
    sign_out(page)
    sign_in(page, "second_manager")
    page.goto(f"/contacts/{contact.pk}/")
    page.get_by_role("link", name="Review and sign off").click()
    page.get_by_role("group", name="Do you agree with the recommendation?").get_by_label("Yes, sign off the outcome").check()
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator("main")).to_contain_text("Signed off")
    sign_out(page)

    # The receiving team sees what left the MASH, and nothing sensitive.
    sign_in(page, "receiving")
    page.get_by_role("link", name="Transfers").click()
    page.get_by_role("link", name=contact.reference).click()
    main = page.locator("main")
    expect(main).to_contain_text(HEARSAY)
    expect(main).to_contain_text(FACT)
    expect(main).to_contain_text(f"Sensitive information is held by {POLICE}")
    assert SENSITIVE not in page.content()
    assert ESCALATION not in page.content()
    assert_accessible(page, "the receiving team's transfer page")
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("PDF")).click()
    pdf_text = _pdf_text(download.value.path())
    assert HEARSAY.split(",")[0] in " ".join(pdf_text.split())
    assert "Kestrel" not in pdf_text
    json_response = page.request.get(f"/transfers/{contact.pk}/pack.json")
    assert json_response.ok and "Kestrel" not in json_response.text() and "shouting" in json_response.text()
    response = page.goto(f"/contacts/{contact.pk}/")
    assert response is not None and response.status == 404, "the receiving team never opens the MASH record"

    letter = contact.letters.get(recipient="referrer")
    from mash.decisions.services import letter_pdf

    assert "Kestrel" not in letter.body and "Kestrel" not in _pdf_bytes_text(letter_pdf(letter))


def _pdf_text(path: Any) -> str:
    with open(path, "rb") as handle:
        return _pdf_bytes_text(handle.read())


def _pdf_bytes_text(data: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)
