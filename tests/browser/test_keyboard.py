"""The sign-in and record pages work with a keyboard alone (WCAG 2.1.1, 2.4.1, 2.4.3)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from .conftest import PASSWORD, USERNAMES, sign_in

FOCUSED = """() => {
    const el = document.activeElement;
    if (!el || el === document.body) return 'body';
    const label = el.labels && el.labels.length ? el.labels[0].innerText.trim() : '';
    const text = (label || el.innerText || el.value || '').trim().replace(/\\s+/g, ' ');
    return `${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}|${el.type || ''}|${text}`;
}"""


def focused(page: Any) -> str:
    return page.evaluate(FOCUSED)


def tab_until(page: Any, predicate: Any, limit: int = 40) -> list[str]:
    """Press Tab until the focused element matches; returns every stop on the way (for messages)."""
    stops = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        stops.append(focused(page))
        if predicate(stops[-1]):
            return stops
    raise AssertionError("Tab never reached the expected element. Focus went:\n" + "\n".join(stops))


def expect_skip_link_first(page: Any) -> None:
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()  # the skip link appears when it has focus
    expect(skip).to_have_attribute("href", "#content")


@pytest.mark.browser
def test_skip_link_is_the_first_tab_stop_on_the_sign_in_page(page: Any, mash_users: Any) -> None:
    """Fails while the username box has `autofocus`: the first Tab then lands on the password."""
    page.goto("/accounts/sign-in/")
    autofocus = page.get_by_label("Username").get_attribute("autofocus")
    assert autofocus is None, "The username box has the autofocus attribute, so the first Tab skips the skip link and the header"
    expect_skip_link_first(page)


@pytest.mark.browser
def test_sign_in_by_keyboard(page: Any, mash_users: Any) -> None:
    page.goto("/accounts/sign-in/")
    skip = page.get_by_role("link", name="Skip to main content")
    skip.focus()
    expect(skip).to_be_visible()  # the skip link appears when it has focus

    # Enter on the skip link moves focus to the main content, past the header.
    page.keyboard.press("Enter")
    expect(page.locator("main#content")).to_be_focused()

    # From there the form is next, in reading order: username, password, the Sign in button.
    page.keyboard.press("Tab")
    expect(page.get_by_label("Username")).to_be_focused()
    page.keyboard.type(USERNAMES["officer"])
    page.keyboard.press("Tab")
    expect(page.get_by_label("Password")).to_be_focused()
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Sign in")).to_be_focused()

    # Back to the password box, and Enter submits the form.
    page.keyboard.press("Shift+Tab")
    expect(page.get_by_label("Password")).to_be_focused()
    page.keyboard.press("Enter")
    # (The browser carries the skip link's #content over the redirect to the home page.)
    expect(page).to_have_url(re.compile(r"/(#content)?$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("My work")


@pytest.mark.browser
def test_sign_in_error_summary_by_keyboard(page: Any, mash_users: Any) -> None:
    page.goto("/accounts/sign-in/")
    page.get_by_label("Username").fill(USERNAMES["officer"])
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_label("Password").press("Enter")

    # The error summary takes focus on load, and each of its links leads to something on the page.
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Enter a correct username and password")
    links = summary.get_by_role("link")
    for index in range(links.count()):
        href = links.nth(index).get_attribute("href") or ""
        assert href.startswith("#") and page.locator(href).count() == 1, (
            f"The error summary links to {href!r}, which is not on the page"
        )
    page.keyboard.press("Tab")
    expect(links.first).to_be_focused()
    # The form-wide error points at the first field, which the summary link focuses directly.
    page.keyboard.press("Enter")
    expect(page.get_by_label("Username")).to_be_focused()
    expect(page.get_by_label("Username")).to_have_value(USERNAMES["officer"])
    expect(page.get_by_label("Password")).to_have_value("")


@pytest.mark.browser
def test_skip_link_on_the_record_page(page: Any, mash_users: Any) -> None:
    sign_in(page, "officer")
    page.goto("/contacts/record/telephone/")
    expect_skip_link_first(page)
    page.keyboard.press("Enter")
    expect(page.locator("main#content")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Record a written referral instead")).to_be_focused()


@pytest.mark.browser
def test_record_form_by_keyboard(page: Any, mash_users: Any) -> None:
    sign_in(page, "officer")
    page.goto("/contacts/record/telephone/")

    # Through the header and menu to the form; its first questions follow the page order.
    tab_until(page, lambda stop: stop.startswith("a|") and stop.endswith("Record a written referral instead"), limit=15)
    channel = page.get_by_role("group", name="How did the contact arrive?")
    contact_type = page.get_by_role("group", name="Type of contact")
    received = page.get_by_role("group", name="Date and time received")
    page.keyboard.press("Tab")
    expect(channel.get_by_label("Telephone", exact=True)).to_be_focused()
    page.keyboard.press("Tab")
    expect(contact_type.get_by_label("New concern")).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(contact_type.get_by_label("Request for advice or consultation")).to_be_checked()
    page.keyboard.press("ArrowUp")
    expect(contact_type.get_by_label("New concern")).to_be_checked()
    page.keyboard.press("Tab")
    expect(received.get_by_label("Date", exact=True)).to_be_focused()
    # (Tab also steps through the day, month and year parts of the native date and time inputs.)
    tab_until(page, lambda stop: stop.startswith("input#id_received_at_1"), limit=4)
    tab_until(page, lambda stop: stop.startswith("select#id_referrer_source"), limit=4)
    page.keyboard.press("Tab")
    expect(page.get_by_label("Referrer's name")).to_be_focused()
    page.keyboard.type("Margaret Oyelaran")

    # The safety scale radios move with the arrow keys.
    scale = page.get_by_role("group", name="5. On a scale of 0 to 10, how safe is the child?")
    tab_until(page, lambda stop: stop.startswith("input#id_safety_scale_"), limit=80)
    page.keyboard.press("Space")
    expect(scale.get_by_label("0", exact=True)).to_be_checked()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    expect(scale.get_by_label("2", exact=True)).to_be_checked()

    # The primary button is reachable and Enter on it submits: the errors come back summarised.
    save = page.get_by_role("button", name="Save contact and check records")
    tab_until(page, lambda stop: stop.startswith("button|submit|Save contact and check records"), limit=80)
    expect(save).to_be_focused()
    page.keyboard.press("Enter")
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(page.get_by_label("Referrer's name")).to_have_value("Margaret Oyelaran")
    expect(scale.get_by_label("2", exact=True)).to_be_checked()

    # Following a summary link by keyboard puts the cursor in the field with the error.
    page.keyboard.press("Tab")
    first_link = summary.get_by_role("link").first
    expect(first_link).to_be_focused()
    target = first_link.get_attribute("href")
    page.keyboard.press("Enter")
    expect(page.locator(target)).to_be_focused()


@pytest.mark.browser
def test_error_summary_takes_focus_after_the_skip_link_was_used(page: Any, mash_users: Any) -> None:
    """The skip link leaves #content in the address; forms without an action post back to it."""
    sign_in(page, "officer")
    page.goto("/contacts/record/telephone/")
    page.get_by_role("link", name="Skip to main content").focus()
    page.keyboard.press("Enter")
    expect(page.locator("main#content")).to_be_focused()
    tab_until(page, lambda stop: stop.startswith("button|submit|Save contact and check records"), limit=120)
    page.keyboard.press("Enter")
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()


@pytest.mark.browser
def test_enter_in_a_record_form_field_saves_rather_than_adding_a_person(page: Any, mash_users: Any) -> None:
    """Implicit submission uses the form's first submit button, which must be the primary action."""
    sign_in(page, "officer")
    page.goto("/contacts/record/telephone/")
    page.get_by_label("Referrer's name").fill("Margaret Oyelaran")
    page.get_by_label("Referrer's name").press("Enter")
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    expect(page.get_by_role("group", name="Person 2")).to_have_count(0)
