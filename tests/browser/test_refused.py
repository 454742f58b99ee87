"""Need to know in the browser: a partner practitioner is refused every page of the journey.

A police user has not been asked about the contact, so its pages answer 404 (not 403, so
the existence of a child's record is not disclosed) and the child's name is never shown.
The MASH-only lists answer 403. An officer may see the contact but not sign it off.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from .conftest import assert_accessible, sign_in, sign_out, signed_off_contact_via_services

CHILD_FIRST = "Zephyrine"
CHILD_LAST = "Quillfeather"


def journey_urls(contact: Any, letter: Any) -> dict[str, str]:
    return {
        "contact": f"/contacts/{contact.pk}/",
        "people": f"/contacts/{contact.pk}/people/",
        "triage": f"/contacts/{contact.pk}/triage/",
        "decision": f"/contacts/{contact.pk}/decision/",
        "sign-off": f"/contacts/{contact.pk}/sign-off/",
        "letter": f"/contacts/{contact.pk}/letters/{letter.pk}/",
        "letter PDF": f"/contacts/{contact.pk}/letters/{letter.pk}/pdf/",
    }


def assert_name_absent(page: Any, where: str) -> None:
    html = page.content()
    for part in (CHILD_FIRST, CHILD_LAST):
        assert part not in html, f"{part!r} (the child's name) appears on {where} ({page.url})"


@pytest.mark.browser
def test_partner_is_refused_every_page_of_the_journey(page: Any, mash_users: Any) -> None:
    contact, letter = signed_off_contact_via_services(mash_users, forenames=CHILD_FIRST, surname=CHILD_LAST)
    person = contact.people.get().person
    urls = journey_urls(contact, letter)

    sign_in(page, "police")
    expect(page.get_by_role("heading", level=1)).to_contain_text("My work")
    expect(page.locator("main")).to_contain_text("There are no requests addressed to Demoshire Constabulary at the moment.")
    expect(page.get_by_role("navigation", name="Main menu").get_by_role("link", name="Contacts")).to_have_count(0)
    assert_name_absent(page, "the partner's home page")
    assert_accessible(page, "the partner's home page")

    for what, url in urls.items():
        response = page.goto(url)
        assert response is not None and response.status == 404, (
            f"{what} page {url}: expected 404, got {response and response.status}"
        )
        expect(page.get_by_role("heading", name="Page not found", level=1)).to_be_visible()
        assert_name_absent(page, f"the {what} page")
    assert_accessible(page, "the 'Page not found' page")

    response = page.goto(f"/people/{person.pk}/")
    assert response is not None and response.status == 404, f"person page: expected 404, got {response and response.status}"
    assert_name_absent(page, "the person page")

    for url in ("/contacts/", "/people/", f"/people/?surname={CHILD_LAST}"):
        response = page.goto(url)
        assert response is not None and response.status == 403, f"{url}: expected 403, got {response and response.status}"
        expect(page.get_by_role("heading", name="You do not have permission to see this page", level=1)).to_be_visible()
        assert_name_absent(page, url)
    assert_accessible(page, "the 'permission' page")

    # Nor can the partner act on the contact by posting to it.
    for url in (urls["triage"], urls["decision"], urls["sign-off"], urls["letter"]):
        status = page.evaluate(
            """async (url) => {
                const token = document.cookie.split('; ').find((c) => c.startsWith('csrftoken='));
                const body = new URLSearchParams({csrfmiddlewaretoken: token ? token.split('=')[1] : '', verdict: 'agree', method: 'post'});
                return (await fetch(url, {method: 'POST', body, redirect: 'manual'})).status;
            }""",
            url,
        )
        assert status == 404, f"POST {url}: expected 404, got {status}"
    contact.refresh_from_db()
    assert contact.status == "signed_off"
    assert not contact.letters.filter(sent_at__isnull=False).exists()

    sign_out(page)


@pytest.mark.browser
def test_officer_sees_the_contact_but_is_refused_sign_off(page: Any, mash_users: Any) -> None:
    contact, letter = signed_off_contact_via_services(mash_users, forenames=CHILD_FIRST, surname=CHILD_LAST)
    urls = journey_urls(contact, letter)

    sign_in(page, "officer")
    # The same addresses open for a MASH member, so the partner's 404s above are real refusals.
    for what in ("contact", "people", "letter"):
        response = page.goto(urls[what])
        assert response is not None and response.status == 200, f"{what} page for the officer: got {response and response.status}"
        expect(page.locator("main")).to_contain_text(CHILD_LAST)

    for what in ("sign-off", "triage", "decision"):
        response = page.goto(urls[what])
        assert response is not None and response.status == 403, (
            f"{what} page for the officer: expected 403, got {response and response.status}"
        )
        expect(page.get_by_role("heading", name="You do not have permission to see this page", level=1)).to_be_visible()
        assert_name_absent(page, f"the refused {what} page")
    expect(page.get_by_role("link", name="Go to your work queue")).to_have_attribute("href", "/")

    page.goto(urls["contact"])
    expect(page.get_by_role("link", name="Review and sign off")).to_have_count(0)
    expect(page.get_by_role("link", name=re.compile("Triage this contact|Record the decision"))).to_have_count(0)
