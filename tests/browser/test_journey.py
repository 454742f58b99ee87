"""The main MASH journey through the real pages, from the telephone call to the closed contact.

Officer records a telephone contact (first with a mistake), links the child to a new person
record and sends it for triage; the decision maker triages it AMBER with an urgent criterion
and recommends a section 17 assessment; the manager challenges, the decision maker
re-submits, the manager signs off (the contact becomes a referral); the letters to the referrer and
to the family are downloaded as PDF, their text checked (the family is never told who referred, and
neither letter repeats the concern), and recorded as sent, which closes the contact.
Every distinct page is checked with axe-core on the way.
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from .conftest import assert_accessible, sign_in, sign_out

CHILD_FIRST = "Tobias"
CHILD_LAST = "Greenfield-Amos"
CHILD_NAME = f"{CHILD_FIRST} {CHILD_LAST}"
REFERRER = "Margaret Oyelaran"
CONCERN = "Tobias arrived at school with a bruise on his cheek and said his stepfather hit him last night."
IMPACT = "He is withdrawn, hungry on arrival and flinches when adults raise their voices."
WHEREABOUTS = "In school until 15:30, then collected by his mother."
TRIAGE_REASON = "Disclosure of physical chastisement with a visible injury; no previous involvement."
ANALYSIS = "A single disclosure of being hit, a visible injury and a worried school: needs a social work assessment."
RATIONALE = "Section 17 because the threshold for section 47 is not met on current information."
CHALLENGE = "Please check with the health visitor about the younger sibling before this goes to assessment."
RATIONALE_AFTER_CHALLENGE = RATIONALE + " Health visitor spoken to: no concerns about the sibling."
URGENT_TRIGGER = "Suspicious injury without a disclosure"
RECEIVING_TEAM = "First Response Team North"
TIME_LEFT = re.compile(r"(\d+ (day|hour|minute)s?( \d+ (hour|minute)s?)? left|less than a minute left|Overdue by)")
REFERENCE = re.compile(r"MASH-\d{4}-\d{6}")


def downloaded_pdf_text(page: Any, filename: str) -> str:
    """Download the letter as PDF from the page and return its text (read with pypdf)."""
    import io

    import pypdf

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download as PDF").click()
    download = download_info.value
    assert download.suggested_filename == filename
    pdf = Path(download.path()).read_bytes()
    assert pdf.startswith(b"%PDF"), pdf[:20]
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join((p.extract_text() or "").split()) for p in reader.pages)


def group(page: Any, legend: str) -> Any:
    """A fieldset (radios, checkboxes, date parts) found by its legend."""
    return page.get_by_role("group", name=legend)


def child_field(page: Any, name: str) -> Any:
    """The form group of one field of the subject child (labels like 'Postcode' repeat per person)."""
    return page.locator(f"#id_child-{name}-group")


def fill_telephone_contact(page: Any, received: Any, *, impact: str) -> None:
    group(page, "How did the contact arrive?").get_by_label("Telephone", exact=True).check()
    group(page, "Type of contact").get_by_label("New concern").check()
    received_group = group(page, "Date and time received")
    received_group.get_by_label("Date", exact=True).fill(received.strftime("%Y-%m-%d"))
    received_group.get_by_label("Time", exact=True).fill(received.strftime("%H:%M"))

    page.get_by_label("Who is the referrer?").select_option(label="School")
    page.get_by_label("Referrer's name").fill(REFERRER)
    page.get_by_label("Referrer's role").fill("Designated safeguarding lead")
    page.get_by_label("Referrer's telephone number").fill("01632 960555")

    child_field(page, "forenames").get_by_label("First name(s)").fill(CHILD_FIRST)
    child_field(page, "surname").get_by_label("Last name").fill(CHILD_LAST)
    dob = child_field(page, "date_of_birth")
    dob.get_by_label("Day").fill("14")
    dob.get_by_label("Month").fill("5")
    dob.get_by_label("Year").fill("2016")
    child_field(page, "postcode").get_by_label("Postcode").fill("DM1 1AA")

    group(page, "What kind of concern is it?").get_by_label("Physical abuse", exact=True).check()
    page.get_by_label("1. What are your safeguarding concerns and what is your evidence?").fill(CONCERN)
    page.get_by_label("3. How are these concerns affecting the child?").fill(impact)
    group(page, "5. On a scale of 0 to 10, how safe is the child?").get_by_label("3", exact=True).check()
    page.get_by_label("Where is the child now?").fill(WHEREABOUTS)
    group(page, "Do the parents or carers know about this contact?").get_by_label("No", exact=True).check()
    group(page, "Consent to share information").get_by_label("Not sought", exact=True).check()
    group(page, "If consent was not sought, why not?").get_by_label(
        "Seeking consent would increase the risk of harm to the child"
    ).check()


def expect_typed_values_kept(page: Any, received: Any) -> None:
    expect(group(page, "How did the contact arrive?").get_by_label("Telephone", exact=True)).to_be_checked()
    expect(group(page, "Type of contact").get_by_label("New concern")).to_be_checked()
    received_group = group(page, "Date and time received")
    expect(received_group.get_by_label("Date", exact=True)).to_have_value(received.strftime("%Y-%m-%d"))
    expect(received_group.get_by_label("Time", exact=True)).to_have_value(received.strftime("%H:%M"))
    expect(page.get_by_label("Who is the referrer?")).to_have_value("2A")
    expect(page.get_by_label("Referrer's name")).to_have_value(REFERRER)
    expect(page.get_by_label("Referrer's role")).to_have_value("Designated safeguarding lead")
    expect(page.get_by_label("Referrer's telephone number")).to_have_value("01632 960555")
    expect(child_field(page, "forenames").get_by_label("First name(s)")).to_have_value(CHILD_FIRST)
    expect(child_field(page, "surname").get_by_label("Last name")).to_have_value(CHILD_LAST)
    dob = child_field(page, "date_of_birth")
    expect(dob.get_by_label("Day")).to_have_value("14")
    expect(dob.get_by_label("Month")).to_have_value("5")
    expect(dob.get_by_label("Year")).to_have_value("2016")
    expect(child_field(page, "postcode").get_by_label("Postcode")).to_have_value("DM1 1AA")
    expect(group(page, "What kind of concern is it?").get_by_label("Physical abuse", exact=True)).to_be_checked()
    expect(page.get_by_label("1. What are your safeguarding concerns and what is your evidence?")).to_have_value(CONCERN)
    expect(group(page, "5. On a scale of 0 to 10, how safe is the child?").get_by_label("3", exact=True)).to_be_checked()
    expect(page.get_by_label("Where is the child now?")).to_have_value(WHEREABOUTS)
    expect(group(page, "Do the parents or carers know about this contact?").get_by_label("No", exact=True)).to_be_checked()
    expect(group(page, "Consent to share information").get_by_label("Not sought", exact=True)).to_be_checked()
    expect(
        group(page, "If consent was not sought, why not?").get_by_label(
            "Seeking consent would increase the risk of harm to the child"
        )
    ).to_be_checked()


def expect_success(page: Any, text: str | re.Pattern[str]) -> None:
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(text)


def open_contact_from_queue(page: Any, queue_caption: str, reference: str) -> None:
    table = page.get_by_role("table", name=queue_caption)
    row = table.get_by_role("row").filter(has_text=reference)
    expect(row).to_contain_text(CHILD_NAME)
    expect(row).to_contain_text(TIME_LEFT)
    row.get_by_role("link", name=reference).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Contact {reference}")


@pytest.mark.browser
def test_contact_journey_from_call_to_closed(page: Any, mash_users: Any) -> None:
    from django.utils import timezone

    # ---------------------------------------------------------------- officer records the call
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/accounts/sign-in/"))
    expect(page.get_by_role("heading", name="Sign in", level=1)).to_be_visible()
    assert_accessible(page, "the sign-in page")
    sign_in(page, "officer")

    expect(page.get_by_role("heading", level=1)).to_contain_text("My work")
    expect(page.get_by_role("heading", name=re.compile("Contacts to finish recording and check"))).to_be_visible()
    assert_accessible(page, "the officer's home page")

    page.get_by_role("link", name="Record a telephone contact").click()
    expect(page.get_by_role("heading", name="Telephone contact", level=1)).to_be_visible()
    assert_accessible(page, "the telephone contact form")

    received = timezone.localtime(timezone.now() - timedelta(minutes=10))
    fill_telephone_contact(page, received, impact="")
    page.get_by_role("button", name="Save contact and check records").click()

    # One mistake: the error summary, the inline error and everything else still typed in.
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary.get_by_role("heading", name="There is a problem")).to_be_visible()
    summary_links = summary.get_by_role("link")
    expect(summary_links).to_have_count(1)
    expect(summary_links.first).to_have_attribute("href", "#id_impact_on_child")
    inline_error = page.locator("#id_impact_on_child-error")
    expect(inline_error).to_be_visible()
    expect(inline_error).to_contain_text("Error:")
    expect(page.locator("#id_impact_on_child-group")).to_have_class(re.compile(r"govuk-form-group--error"))
    impact_box = page.get_by_label("3. How are these concerns affecting the child?")
    expect(impact_box).to_have_class(re.compile(r"govuk-textarea--error"))
    expect(impact_box).to_have_value("")
    expect(page).to_have_title(re.compile(r"\(error\)"))
    expect_typed_values_kept(page, received)
    assert_accessible(page, "the telephone contact form showing an error")

    # The summary link takes the keyboard user straight to the field.
    summary_links.first.click()
    expect(impact_box).to_be_focused()
    impact_box.fill(IMPACT)
    page.get_by_role("button", name="Save contact and check records").click()

    # ---------------------------------------------------------------- officer links the child
    expect(page).to_have_url(re.compile(r"/contacts/\d+/people/$"))
    contact_pk = int(re.search(r"/contacts/(\d+)/people/", page.url).group(1))
    expect_success(page, re.compile(r"Contact MASH-\d{4}-\d{6} recorded"))
    reference = REFERENCE.search(page.locator(".govuk-notification-banner--success").inner_text()).group(0)
    expect(page.get_by_role("heading", name="Is anyone on this contact already known?")).to_be_visible()
    person_panel = page.locator(".mash-info-panel").filter(has=page.get_by_role("heading", name=CHILD_NAME))
    expect(person_panel).to_contain_text("born 14/05/2016")
    assert_accessible(page, "the people check page")

    person_panel.get_by_role("button", name=re.compile(r"(None of these: c|C)reate a new record")).click()
    expect_success(page, f"New person record created for {CHILD_NAME}")
    expect(person_panel).to_contain_text("(new record)")
    assert_accessible(page, "the people check page after linking")

    page.get_by_role("button", name="Send for triage").click()
    expect(page).to_have_url(re.compile(r"/$"))
    expect_success(page, f"{reference} sent to the decision makers for triage")
    sign_out(page)

    # ---------------------------------------------------------------- decision maker triages
    sign_in(page, "decision_maker")
    expect(page.get_by_role("heading", name=re.compile("Awaiting triage"))).to_be_visible()
    assert_accessible(page, "the decision maker's home page")
    open_contact_from_queue(page, "Awaiting triage, soonest deadline first", reference)
    expect(page.locator("main")).to_contain_text(CONCERN)
    expect(page.locator("main")).to_contain_text("3 out of 10")
    assert_accessible(page, "the contact page")

    page.get_by_role("link", name="Triage this contact").click()
    expect(page).to_have_url(re.compile(rf"/contacts/{contact_pk}/triage/$"))
    expect(page.get_by_role("heading", name="Triage", level=1)).to_be_visible()
    assert_accessible(page, "the triage page")
    group(page, "Level of need").get_by_label("Level 3: Complex needs").check()
    group(page, "RAG rating").get_by_label(re.compile(r"^Amber")).check()
    page.get_by_label("Why this rating?").fill(TRIAGE_REASON)
    group(page, "Do any urgent referral criteria apply?").get_by_label(URGENT_TRIGGER).check()
    page.get_by_role("button", name="Save rating").click()

    expect(page).to_have_url(re.compile(rf"/contacts/{contact_pk}/$"))
    expect_success(page, f"{reference} triaged as Amber")
    expect(page.locator(".mash-warning-panel")).to_contain_text(URGENT_TRIGGER)
    expect(page.locator("main")).to_contain_text("Level 3: Complex needs")

    page.get_by_role("link", name="Record the decision").click()
    expect(page.get_by_role("heading", name="Record the decision", level=1)).to_be_visible()
    assert_accessible(page, "the decision page")
    page.get_by_label("Analysis").fill(ANALYSIS)
    group(page, "Recommended outcome").get_by_label("Section 17 child in need assessment").check()
    page.get_by_label("Receiving team").select_option(label=RECEIVING_TEAM)
    page.get_by_label("Rationale").fill(RATIONALE)
    page.get_by_role("button", name="Send to a manager for sign-off").click()
    expect_success(page, f"Recommendation for {reference} sent to a manager for sign-off")
    expect(page.locator("main")).to_contain_text("Awaiting manager sign-off")
    sign_out(page)

    # ---------------------------------------------------------------- manager challenges
    sign_in(page, "manager")
    alerts = page.get_by_role("region", name=re.compile(r"Urgent alerts"))
    expect(alerts).to_contain_text(reference)
    expect(alerts).to_contain_text(URGENT_TRIGGER)
    expect(page.get_by_role("heading", name=re.compile("Awaiting your sign-off"))).to_be_visible()
    assert_accessible(page, "the manager's home page with an urgent alert")
    open_contact_from_queue(page, "Awaiting your sign-off, soonest deadline first", reference)

    page.get_by_role("link", name="Review and sign off").click()
    expect(page.get_by_role("heading", name="Review the recommendation", level=1)).to_be_visible()
    expect(page.locator("main")).to_contain_text("Section 17 child in need assessment")
    expect(page.locator("main")).to_contain_text(RECEIVING_TEAM)
    assert_accessible(page, "the sign-off page")
    group(page, "Do you agree with the recommendation?").get_by_label("No, challenge it").check()
    page.get_by_label("Manager's comment").fill(CHALLENGE)
    page.get_by_role("button", name="Save", exact=True).click()
    expect_success(page, "Recommendation challenged and sent back to the decision maker")
    expect(page.locator("main")).to_contain_text(CHALLENGE)
    sign_out(page)

    # ---------------------------------------------------------------- decision maker re-submits
    sign_in(page, "decision_maker")
    queue = page.get_by_role("table", name="Awaiting a decision, soonest deadline first")
    expect(queue.get_by_role("row").filter(has_text=reference)).to_contain_text("Challenged: reconsider the decision")
    open_contact_from_queue(page, "Awaiting a decision, soonest deadline first", reference)
    expect(page.locator("main")).to_contain_text(CHALLENGE)

    page.get_by_role("link", name="Record the decision").click()
    challenge_panel = page.locator(".mash-warning-panel")
    expect(challenge_panel).to_contain_text("Challenged by Priya Raman")
    expect(challenge_panel).to_contain_text(CHALLENGE)
    expect(page.get_by_label("Analysis")).to_have_value(ANALYSIS)
    expect(page.get_by_label("Receiving team")).to_have_value(re.compile(r"\d+"))
    assert_accessible(page, "the decision page after a challenge")
    page.get_by_label("Rationale").fill(RATIONALE_AFTER_CHALLENGE)
    page.get_by_role("button", name="Send to a manager for sign-off").click()
    expect_success(page, f"Recommendation for {reference} sent to a manager for sign-off")
    sign_out(page)

    # ---------------------------------------------------------------- manager signs off
    sign_in(page, "manager")
    open_contact_from_queue(page, "Awaiting your sign-off, soonest deadline first", reference)
    page.get_by_role("link", name="Review and sign off").click()
    expect(page.locator("main")).to_contain_text(RATIONALE_AFTER_CHALLENGE)
    group(page, "Do you agree with the recommendation?").get_by_label("Yes, sign off the outcome").check()
    page.get_by_role("button", name="Save", exact=True).click()
    expect_success(page, "Outcome signed off. The letters to the referrer and the family are ready to send.")
    expect(page.locator(".govuk-panel")).to_contain_text("Outcome: Section 17 child in need assessment")
    expect(page.locator(".govuk-panel")).to_contain_text(RECEIVING_TEAM)
    expect(page.locator(".govuk-panel")).to_contain_text("Became a referral on")

    # ---------------------------------------------------------------- the letter to the referrer
    page.get_by_role("link", name="Outcome letter to the referrer (not sent yet)").click()
    expect(page.get_by_role("heading", name="Outcome letter to the referrer", level=1)).to_be_visible()
    letter = page.get_by_role("article", name="Letter")
    expect(letter).to_contain_text(CHILD_NAME)
    expect(letter).to_contain_text(reference)
    expect(letter).to_contain_text(f"Dear {REFERRER}")
    expect(letter).to_contain_text(RECEIVING_TEAM)
    assert_accessible(page, "the outcome letter page")

    text = downloaded_pdf_text(page, f"{reference}-outcome-letter-referrer.pdf")
    for expected in (CHILD_NAME, reference, f"Dear {REFERRER}", RECEIVING_TEAM):
        assert expected in text, expected
    assert CONCERN not in text and IMPACT not in text  # what was reported stays in the record

    group(page, "How was the letter sent?").get_by_label("Post", exact=True).check()
    page.get_by_role("button", name="Record the letter as sent").click()
    expect(page).to_have_url(re.compile(rf"/contacts/{contact_pk}/$"))
    expect_success(page, "Letter to the referrer recorded as sent.")
    expect(page.get_by_role("link", name="Outcome letter to the referrer (sent)")).to_be_visible()

    # ---------------------------------------------------------------- the letter to the family
    page.get_by_role("link", name="Outcome letter to the family (not sent yet)").click()
    expect(page.get_by_role("heading", name="Outcome letter to the family", level=1)).to_be_visible()
    letter = page.get_by_role("article", name="Letter")
    expect(letter).to_contain_text(CHILD_NAME)
    expect(letter).not_to_contain_text(REFERRER)  # the family is never told who referred
    text = downloaded_pdf_text(page, f"{reference}-outcome-letter-family.pdf")
    assert CHILD_NAME in text and reference in text and RECEIVING_TEAM in text
    for secret in (REFERRER, CONCERN, IMPACT, "Oyelaran"):
        assert secret not in text, secret
    group(page, "How was the letter sent?").get_by_label("Post", exact=True).check()
    page.get_by_role("button", name="Record the letter as sent").click()
    expect_success(page, "Letter to the family recorded as sent. The contact is closed: feedback is complete.")
    expect(page.locator("main .govuk-tag").first).to_have_text("Closed")
    expect(page.get_by_role("link", name="Outcome letter to the family (sent)")).to_be_visible()
    sign_out(page)
    expect(page.get_by_role("heading", name="Sign in", level=1)).to_be_visible()


@pytest.mark.browser
def test_record_form_errors_say_what_is_missing(page: Any, mash_users: Any) -> None:
    """Each message in the error summary must name what to fix, not repeat 'This field is required.'"""
    sign_in(page, "officer")
    page.goto("/contacts/record/telephone/")
    page.get_by_role("button", name="Save contact and check records").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    links = summary.get_by_role("link")
    messages = [text.strip() for text in links.all_inner_texts()]
    assert len(messages) >= 5, messages
    by_target = dict(zip([links.nth(i).get_attribute("href") for i in range(links.count())], messages, strict=True))
    generic = {target: message for target, message in by_target.items() if message == "This field is required."}
    assert not generic, (
        "Error messages that do not say which answer is missing (GOV.UK: 'Enter ...', 'Select ...'):\n"
        + "\n".join(f"{target}: {message}" for target, message in generic.items())
    )
    assert len(set(messages)) == len(messages), f"Repeated messages in the error summary: {messages}"
    assert_accessible(page, "the empty telephone contact form showing errors")


@pytest.mark.browser
def test_saved_contact_is_not_restored_as_a_draft(page: Any, mash_users: Any) -> None:
    """form-drafts.js keeps typing in sessionStorage until a page clears it; saving (and signing out) must clear it."""
    from django.utils import timezone

    sign_in(page, "officer")
    page.goto("/contacts/record/telephone/")
    fill_telephone_contact(page, timezone.localtime(timezone.now() - timedelta(minutes=10)), impact=IMPACT)
    page.get_by_role("button", name="Save contact and check records").click()
    expect(page).to_have_url(re.compile(r"/contacts/\d+/people/$"))

    # The officer's next call starts from an empty form, not from the last child's details.
    page.goto("/contacts/record/telephone/")
    expect(page.locator("[data-draft-restored]")).to_be_hidden()
    expect(child_field(page, "surname").get_by_label("Last name")).to_have_value("")
    expect(page.get_by_label("1. What are your safeguarding concerns and what is your evidence?")).to_have_value("")

    # Nor does the next person to use this browser tab see it after signing out.
    sign_out(page)
    sign_in(page, "manager")
    page.goto("/contacts/record/telephone/")
    expect(page.locator("[data-draft-restored]")).to_be_hidden()
    expect(child_field(page, "surname").get_by_label("Last name")).to_have_value("")
    assert CHILD_LAST not in page.locator("form[data-draft-key]").evaluate(
        "(form) => Array.from(form.elements).map((el) => el.value).join(' ')"
    ), "The previous user's draft (the child's name) was restored into the form"
