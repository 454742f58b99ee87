"""A RED section 47 through the real pages: the strategy discussion, a missing agency, the actions.

A RED, level 4 contact is arranged through the services (recorded, sent for triage, triaged).
Then, through the pages only: the decision maker records the decision "Section 47" for
Safeguarding Team East; from the contact page arranges the strategy discussion for later
today (RED: the page says it is due the same day); invites someone from children's social care
and someone from the police with the real attendee form (no one from health); records the
discussion as held with the information considered and the decision "Joint section 47 enquiry";
the page warns, in words and not by colour alone, that no one from health attended; two actions
are added, one for the police officer (Kate Whitfield) and one for the decision maker, each with
a deadline. The police officer finds her action on her home page's "Strategy discussion
actions" queue with the child's name, opens the purpose-built action page (which never shows
the information the discussion considered) and marks it done with a note; the decision maker's
home page shows his own action. Each new page is checked with axe-core.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

import pytest
from playwright.sync_api import expect

from .conftest import assert_accessible, record_contact_via_services, sign_in, sign_out

CHILD_FIRST = "Ottilie"
CHILD_LAST = "Brannigan-Osei"
CHILD_NAME = f"{CHILD_FIRST} {CHILD_LAST}"
RECEIVING_TEAM = "Safeguarding Team East"
ANALYSIS = "A non-mobile baby with bruising to both upper arms and no explanation from the carers."
RATIONALE = "Reasonable cause to suspect significant harm: a strategy discussion is needed today."
ARRANGEMENTS = "Telephone conference, MASH bridge line"
INFORMATION = "Police: two domestic abuse call-outs this year. Paediatric opinion awaited on the bruising pattern."
STRATEGY_REASONS = "Injuries to a non-mobile baby and domestic abuse in the home: joint enquiry with police."
POLICE_ACTION = "Visit the home jointly with the social worker and speak to both carers."
DECIDER_ACTION = "Arrange a child protection medical at the children's hospital."
DONE_NOTE = "Joint visit completed at 18:10; both carers spoken to separately."
SOCIAL_CARE = "Demoshire Children's Services"
POLICE = "Demoshire Constabulary"
DECIDER_OPTION = "Daniel Hughes (Social worker, decision maker, Demoshire Children's Services)"
POLICE_OPTION = "Sergeant Kate Whitfield (Detective sergeant, public protection, Demoshire Constabulary)"
CHAIR_OPTION = "Priya Raman (MASH team manager, Demoshire Children's Services)"
HEALTH_WARNING = "No one from Health is recorded as attending"


def _red_contact(users: Any) -> Any:
    from mash.domain.workflow import ContactEvent
    from mash.intake.workflow import apply_event
    from mash.partnership.models import LevelOfNeed, RagRating
    from mash.triage import services as triage

    contact = record_contact_via_services(users, forenames=CHILD_FIRST, surname=CHILD_LAST)
    apply_event(contact, ContactEvent.SUBMIT_FOR_TRIAGE, users.officer)
    triage.triage(
        contact,
        users.decision_maker,
        level=LevelOfNeed.objects.get(level=4),
        rag=RagRating.objects.get(code="RED"),
        reason="Unexplained bruising to a baby: immediate risk of significant harm.",
    )
    contact.refresh_from_db()
    return contact


def _fill_when(page: Any, group_name: str, when: datetime) -> None:
    group = page.get_by_role("group", name=group_name)
    group.get_by_label("Date", exact=True).fill(when.strftime("%Y-%m-%d"))
    group.get_by_label("Time", exact=True).fill(when.strftime("%H:%M"))


def _long_date(value: datetime) -> str:
    return f"{value:%A} {value.day} {value:%B %Y}"


@pytest.fixture(autouse=True)
def _a_weekday_morning() -> Any:
    """The journey arranges a discussion "later today": run it on an ordinary weekday morning, so a
    run just before midnight tests the same thing (the server and the test share the clock)."""
    import time_machine

    from tests.factories import london

    with time_machine.travel(london(2026, 11, 10, 10, 0), tick=True):
        yield


@pytest.mark.browser
def test_red_section_47_strategy_discussion_warns_about_health_and_puts_actions_on_queues(page: Any, mash_users: Any) -> None:
    from django.utils import timezone

    from mash.strategy import services as strategy
    from mash.strategy.models import StrategyAction, StrategyDiscussion

    contact = _red_contact(mash_users)

    # The decision maker records the section 47 decision.
    sign_in(page, "decision_maker")
    page.goto(f"/contacts/{contact.pk}/")
    page.get_by_role("link", name="Record the decision").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Record the decision")
    page.get_by_label("Analysis").fill(ANALYSIS)
    page.get_by_role("group", name="Recommended outcome").get_by_label(re.compile(r"^Section 47")).check()
    page.get_by_label("Receiving team").select_option(label=RECEIVING_TEAM)
    page.get_by_label("Rationale").fill(RATIONALE)
    page.get_by_role("button", name="Send to a manager for sign-off").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("sent to a manager for sign-off")

    # From the contact page: arrange the strategy discussion, due today because the contact is RED.
    panel = page.locator("#strategy")
    expect(panel).to_contain_text("The section 47 outcome needs a strategy discussion")
    panel.get_by_role("link", name="Arrange the strategy discussion").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Arrange the strategy discussion")
    decision = strategy.s47_decision(contact)
    assert decision is not None
    due_by = timezone.localtime(strategy.due_by_for(contact, decision))
    now = timezone.localtime()
    assert due_by.date() == now.date(), "a RED section 47 needs its strategy discussion the same day"
    due_panel = page.locator("#strategy-due")
    expect(due_panel).to_contain_text(f"Due by {due_by:%H:%M} on {_long_date(now)}")
    expect(due_panel).to_contain_text("held the same day as the section 47 decision")
    assert_accessible(page, "the page to arrange a strategy discussion")
    later_today = min(now + timedelta(minutes=30), due_by - timedelta(minutes=1))
    _fill_when(page, "When it will be held", later_today)
    page.get_by_label("Where or how").fill(ARRANGEMENTS)
    page.get_by_label("Chair").select_option(label=CHAIR_OPTION)
    page.get_by_role("button", name="Arrange").click()

    # Attendees: children's social care and police; no one from health.
    expect(page.get_by_role("heading", level=1)).to_have_text("Attendees")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Strategy discussion arranged")
    assert_accessible(page, "the attendees page")
    for agency, person in ((SOCIAL_CARE, DECIDER_OPTION), (POLICE, POLICE_OPTION)):
        page.get_by_label("Agency", exact=True).select_option(label=agency)
        page.get_by_label("Choose from the users").select_option(label=person)
        page.get_by_role("group", name="Did they attend?").get_by_label(re.compile(r"^Yes")).check()
        page.get_by_role("button", name="Add attendee").click()
        expect(page.locator(".govuk-notification-banner")).to_contain_text(f"({agency}) added")
    attendees_table = page.get_by_role("table", name=re.compile(r"^Attendees, strategy discussion 1"))
    expect(attendees_table).to_contain_text("Daniel Hughes")
    expect(attendees_table).to_contain_text("Sergeant Kate Whitfield")
    expect(page.locator(".govuk-warning-text")).to_have_count(1)
    expect(page.locator(".govuk-warning-text")).to_contain_text(HEALTH_WARNING)

    # The discussion is held: record its outcome.
    page.get_by_role("link", name="Back to the discussion").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Strategy discussion 1")
    page.get_by_role("link", name="Record the outcome").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Record the outcome of strategy discussion 1")
    assert_accessible(page, "the page to record a strategy discussion")
    page.get_by_label("Information considered").fill(INFORMATION)
    page.get_by_role("group", name="What was decided").get_by_label(re.compile(r"^Joint section 47 enquiry")).check()
    page.get_by_label("Reasons for the decision").fill(STRATEGY_REASONS)
    page.get_by_role("button", name="Record the outcome").click()

    # The actions page warns, in words, that no one from health attended.
    expect(page.get_by_role("heading", level=1)).to_have_text("Actions agreed")
    warning = page.locator(".govuk-warning-text").first
    expect(warning).to_be_visible()
    warning_text = warning.locator(".govuk-warning-text__text").inner_text()
    assert HEALTH_WARNING in warning_text, "the missing agency must be said in words, not shown by colour alone"
    assert "Working Together expects police, health and children's social care" in warning_text
    expect(page.locator("main")).not_to_contain_text("No one from Police")
    expect(page.locator("main")).not_to_contain_text("No one from Children's social care")
    discussion = StrategyDiscussion.objects.get(contact=contact)
    assert discussion.status == StrategyDiscussion.Status.HELD
    assert discussion.decision == StrategyDiscussion.Decision.JOINT_S47
    assert_accessible(page, "the actions page")
    held_at = timezone.localtime(discussion.held_at)
    for description, owner, due in (
        (POLICE_ACTION, POLICE_OPTION, held_at + timedelta(hours=2)),
        (DECIDER_ACTION, DECIDER_OPTION, held_at + timedelta(hours=3)),
    ):
        page.get_by_label("Action", exact=True).fill(description)
        page.get_by_label("Who will do it").select_option(label=owner)
        _fill_when(page, "Done by", due)
        page.get_by_role("button", name="Add action").click()
        expect(page.locator(".govuk-notification-banner")).to_contain_text("work queue")
    actions_table = page.get_by_role("table", name=re.compile(r"^Actions, strategy discussion 1"))
    expect(actions_table).to_contain_text(POLICE_ACTION)
    expect(actions_table).to_contain_text(DECIDER_ACTION)
    police_action = StrategyAction.objects.get(discussion=discussion, owner=mash_users.police)

    # The discussion page brings it together, the warning included.
    page.get_by_role("link", name="Back to the discussion").click()
    main = page.locator("main")
    expect(main).to_contain_text(INFORMATION)
    expect(main).to_contain_text("Joint section 47 enquiry")
    expect(page.locator(".govuk-warning-text").first).to_contain_text(HEALTH_WARNING)
    assert_accessible(page, "the strategy discussion page")
    sign_out(page)

    # The police officer's home page: her action, with the child's name.
    sign_in(page, "police")
    queue = page.get_by_role("table", name="Strategy discussion actions, soonest deadline first")
    row = queue.get_by_role("row").filter(has_text=POLICE_ACTION)
    expect(row).to_contain_text(CHILD_NAME)
    expect(queue).not_to_contain_text(DECIDER_ACTION)
    row.get_by_role("link", name=contact.reference).click()
    page.wait_for_url(f"**/strategy/actions/{police_action.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Strategy discussion action")
    main = page.locator("main")
    expect(main).to_contain_text(CHILD_NAME)
    expect(main).to_contain_text(POLICE_ACTION)
    expect(main).to_contain_text("Sergeant Kate Whitfield, Detective sergeant, public protection: attended")
    assert INFORMATION not in page.content(), "the action page must not show what the discussion considered"
    assert STRATEGY_REASONS not in page.content()
    expect(page.get_by_role("link", name=re.compile(r"Open contact"))).to_have_count(0)
    assert_accessible(page, "the police officer's action page")
    page.get_by_label("What was done").fill(DONE_NOTE)
    page.get_by_role("button", name="Mark as done").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Action marked as done.")
    expect(main).to_contain_text(DONE_NOTE)
    expect(page.get_by_role("button", name="Mark as done")).to_have_count(0)
    police_action.refresh_from_db()
    assert police_action.is_done and police_action.completed_by == mash_users.police
    page.get_by_role("link", name="Back to my work").click()
    expect(page.get_by_role("table", name="Strategy discussion actions, soonest deadline first")).to_have_count(0)
    sign_out(page)

    # The decision maker's home page shows his own action (and not the police officer's).
    sign_in(page, "decision_maker")
    queue = page.get_by_role("table", name="Strategy discussion actions, soonest deadline first")
    row = queue.get_by_role("row").filter(has_text=DECIDER_ACTION)
    expect(row).to_contain_text(CHILD_NAME)
    expect(row.get_by_role("link", name=contact.reference)).to_be_visible()
    expect(queue).not_to_contain_text(POLICE_ACTION)
