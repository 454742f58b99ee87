"""A disputed "no further action" climbing two steps of the ladder to resolution, through the real pages.

Arranged through the services: a contact referred by the police, sent for triage, rated AMBER,
recommended for no further action by the decision maker and signed off by the team manager
(manager). Then, through the pages only: the police officer opens "Our referrals", finds the
reference with the outcome "No further action" and disputes it with her grounds. The manager
who signed the decision off is not offered the decision and is refused if she tries. The other
team manager (manager2) finds it under "Disputes waiting for you" and escalates it with his
reasons; the service manager's step deadline is shown. The service manager resolves it: the
decision stands, with a resolution and the learning. The police officer sees the resolution
on her dispute page (not the MASH's internal learning). Finally the team manager opens this
month's disputes report: the dispute reached the service managers and was resolved within
one working day. Each new page is checked with axe-core.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from .conftest import assert_accessible, record_contact_via_services, sign_in, sign_out

CHILD_FIRST = "Lucan"
CHILD_LAST = "Featherstone-Mbeki"
CHILD_NAME = f"{CHILD_FIRST} {CHILD_LAST}"
GROUNDS = (
    "Third police call-out to this address in a month; the child was present each time and the MASH did not weigh the pattern."
)
ESCALATION_NOTES = "We could not agree: the police see a pattern, I see three unrelated incidents. Needs a service manager."
RESOLUTION = "The decision stands: each incident was assessed and no child was present at the second. Police to share future call-outs the same day."
LEARNING = "Decision makers to set out the full call-out history in the analysis when police refer."


def _signed_off_nfa(users: Any) -> Any:
    from mash.decisions import services as decisions
    from mash.domain.workflow import ContactEvent
    from mash.intake.models import Contact
    from mash.intake.workflow import apply_event
    from mash.partnership.models import LevelOfNeed, RagRating
    from mash.triage import services as triage

    contact = record_contact_via_services(users, forenames=CHILD_FIRST, surname=CHILD_LAST, referrer_name="DC Amir Jalali")
    Contact.objects.filter(pk=contact.pk).update(referring_agency=users.police.agency)
    contact.refresh_from_db()
    apply_event(contact, ContactEvent.SUBMIT_FOR_TRIAGE, users.officer)
    triage.triage(
        contact,
        users.decision_maker,
        level=LevelOfNeed.objects.get(level=2),
        rag=RagRating.objects.get(code="AMBER"),
        reason="Police notification of a domestic incident; child reported present.",
    )
    decisions.recommend(
        contact,
        users.decision_maker,
        analysis="A single verbal argument; no injuries; parents separated since and engaging with support.",
        outcome="nfa",
        rationale="No evidence of unmet need or risk of significant harm on current information.",
    )
    decisions.sign_off(contact, users.manager, comment="Agreed.")
    contact.refresh_from_db()
    return contact


def _waiting_for_you(page: Any) -> Any:
    page.get_by_role("link", name="Disputes", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Professional disagreements")
    return page.get_by_role("table", name="Disputes waiting for you")


def _long(value: Any) -> str:
    from django.utils import timezone

    local = timezone.localtime(value)
    return f"{local:%H:%M} on {local:%A} {local.day} {local:%B %Y}"


@pytest.mark.browser
def test_disputed_nfa_escalates_to_the_service_manager_and_is_resolved(page: Any, mash_users: Any) -> None:
    from mash.disputes.models import Dispute, DisputeStep

    contact = _signed_off_nfa(mash_users)
    reference = contact.reference

    # The police officer finds the outcome of her agency's referral and disputes it.
    sign_in(page, "police")
    page.get_by_role("link", name="Our referrals").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Outcomes of your agency's referrals")
    row = page.get_by_role("table", name=re.compile("with an agreed outcome")).get_by_role("row").filter(has_text=reference)
    expect(row).to_contain_text("No further action")
    expect(row).to_contain_text(CHILD_NAME)
    assert_accessible(page, "the outcomes of the agency's referrals")
    row.get_by_role("link", name=f"Dispute this outcome for {reference}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Dispute the decision")
    expect(page.locator("#decision-summary")).to_contain_text("No further action")
    assert_accessible(page, "the page to raise a dispute")
    page.get_by_label("Why do you disagree with the decision?").fill(GROUNDS)
    page.get_by_role("button", name="Raise the dispute").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(f"Dispute raised on {reference}")
    dispute = Dispute.objects.get(contact=contact)
    expect(page.locator("#dispute-waiting")).to_contain_text("Waiting for the team manager")
    expect(page.locator("#dispute-summary")).to_contain_text(GROUNDS)
    assert_accessible(page, "the police officer's dispute page")
    sign_out(page)

    # The manager who signed the decision off is not offered it, and is refused if she tries.
    sign_in(page, "manager")
    page.get_by_role("link", name="Disputes", exact=True).click()
    expect(page.get_by_role("table", name="Disputes waiting for you")).to_have_count(0)
    expect(page.locator("main")).to_contain_text("Nothing waiting for you.")
    page.goto(f"/disputes/{dispute.pk}/")
    expect(page.locator("#dispute-waiting")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("Resolve or escalate"))).to_have_count(0)
    page.goto(f"/disputes/{dispute.pk}/act/")
    expect(page.locator(".govuk-warning-text")).to_contain_text("You signed off the disputed decision")
    expect(page.get_by_role("button", name="Record your decision")).to_have_count(0)
    csrf = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    refused = page.request.post(
        f"/disputes/{dispute.pk}/act/",
        form={"action": "decision_stands", "resolution_summary": "Mine.", "learning": "None identified."},
        headers={"X-CSRFToken": csrf, "Referer": page.url},
    )
    assert refused.status == 403, "the manager who signed off must not decide the dispute"
    dispute.refresh_from_db()
    assert dispute.is_open
    sign_out(page)

    # The other team manager escalates it.
    sign_in(page, "second_manager")
    waiting = _waiting_for_you(page)
    expect(waiting).to_contain_text(CHILD_NAME)
    assert_accessible(page, "the disputes page")
    waiting.get_by_role("link", name=re.compile(reference)).click()
    assert_accessible(page, "the MASH view of the dispute")
    page.get_by_role("link", name=re.compile("Resolve or escalate")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Resolve or escalate the dispute")
    team_step = DisputeStep.objects.get(dispute=dispute, level="team_manager")
    expect(page.locator(".govuk-inset-text")).to_contain_text(f"Team manager step: due by {_long(team_step.due_at)}")
    assert_accessible(page, "the page to resolve or escalate a dispute")
    page.get_by_role("group", name="What is your decision?").get_by_label("Escalate to the next level").check()
    page.get_by_label("Discussion and reasons").fill(ESCALATION_NOTES)
    page.get_by_role("button", name="Record your decision").click()
    service_step = DisputeStep.objects.get(dispute=dispute, level="service_manager")
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Escalated to the service manager, who must resolve or escalate it by"
    )
    expect(page.locator("#dispute-waiting")).to_contain_text(
        f"Waiting for the service manager: to be resolved or escalated by {_long(service_step.due_at)}"
    )
    expect(page.locator("#dispute-steps")).to_contain_text("Escalated")
    expect(page.get_by_role("link", name=re.compile("Resolve or escalate"))).to_have_count(0)
    sign_out(page)

    # The service manager resolves it: the decision stands.
    sign_in(page, "service_manager")
    waiting = _waiting_for_you(page)
    waiting.get_by_role("link", name=re.compile(reference)).click()
    expect(page.locator("#dispute-steps")).to_contain_text(ESCALATION_NOTES)
    page.get_by_role("link", name=re.compile("Resolve or escalate")).click()
    expect(page.locator(".govuk-inset-text")).to_contain_text(f"Service manager step: due by {_long(service_step.due_at)}")
    page.get_by_role("group", name="What is your decision?").get_by_label("Resolve: the decision stands").check()
    page.get_by_label("Resolution (when you resolve)").fill(RESOLUTION)
    page.get_by_label("Learning for the monthly review").fill(LEARNING)
    page.get_by_role("button", name="Record your decision").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Dispute resolved: the decision stands.")
    expect(page.locator("#dispute-resolution")).to_contain_text("The decision stands")
    expect(page.locator("#dispute-resolution")).to_contain_text("within the deadline")
    assert_accessible(page, "the resolved dispute page")
    dispute.refresh_from_db()
    assert dispute.resolution == Dispute.Resolution.DECISION_STANDS and dispute.resolved_by == mash_users.service_manager
    sign_out(page)

    # The police officer sees the resolution (not the MASH's internal learning or reasons).
    sign_in(page, "police")
    page.get_by_role("link", name="Our referrals").click()
    page.get_by_role("link", name=f"Disputed: the decision stands ({reference})").click()
    main = page.locator("main")
    expect(main).to_contain_text(RESOLUTION)
    expect(page.locator("#dispute-resolution")).to_contain_text("The decision stands")
    assert LEARNING not in page.content()
    assert ESCALATION_NOTES not in page.content()
    sign_out(page)

    # The team manager's monthly report: it reached the service managers, resolved within one working day.
    sign_in(page, "manager")
    page.get_by_role("link", name="Disputes", exact=True).click()
    page.get_by_role("link", name="Monthly disputes report").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Disputes report")
    table = page.locator("#report-rows")
    expect(table.get_by_role("columnheader", name="Within 1 working day?")).to_be_visible()
    row = table.get_by_role("row").filter(has_text=reference)
    cells = row.get_by_role("cell")
    expect(cells.nth(3)).to_have_text("Service manager")
    expect(cells.nth(5)).to_have_text("Yes")
    expect(row).to_contain_text(RESOLUTION)
    expect(row).to_contain_text(LEARNING)
    expect(page.locator("#report-totals")).to_contain_text("Resolved at service manager level")
    assert_accessible(page, "the monthly disputes report")
