"""The chronology on the person page: content, order, the household, the firewall, access and cost."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from mash.audit.models import AuditEvent
from mash.decisions import services as decisions
from mash.disputes.models import Dispute
from mash.domain.chronology import Entry, EntryKind, arrange, counts_by_kind, parse_kinds
from mash.intake.models import Contact
from mash.people.models import Involvement, InvolvementKind
from mash.people.services import chronology_for
from mash.strategy.models import StrategyDiscussion
from tests import stage2
from tests.factories import london

from .builders import child, contact_about, early_help_declined, siblings

pytestmark = pytest.mark.django_db

NOW = london(2026, 3, 10, 11, 0)
SENSITIVE = "SENSITIVE-OPERATION-4471"
ORDINARY = "POLICE-ATTENDED-8812"


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def family(users):
    """Amy (with a full history) and her brother Ben (one contact), living together; Leo, a half-brother elsewhere."""
    amy, ben, leo = child("Amy"), child("Ben", dob=date(2019, 1, 5), sex="M"), child("Leo", dob=date(2012, 7, 1), sex="M")
    siblings(amy, ben)
    from mash.people.models import Relationship

    Relationship.objects.create(person=amy, relative=leo, relationship="half-brother", lives_with=False)
    Involvement.objects.create(
        person=amy, kind=InvolvementKind.CHILD_IN_NEED, team=stage2.team("Children in Need Team West"),
        allocated_worker="Sam Worker", started_on=date(2024, 1, 8), closed_on=date(2024, 9, 30), closure_reason="Plan ended",
    )
    first = contact_about(users, amy, days_ago=200, level=2, outcome="nfa")

    with time_machine.travel(NOW - timedelta(days=40), tick=False):
        second = contact_about(users, amy, level=3)
        stage2.override_consent(users, second)
        (police,) = stage2.send(users, second, ["police"])
        stage2.answer(police, users.police, [stage2.item(f"{ORDINARY} Officers attended a noise complaint."),
                                             stage2.item(f"{SENSITIVE} The father is a subject of a live operation.", sensitive=True)])
        second.refresh_from_db()
        decisions.recommend(second, users.decision_maker, analysis="a", outcome="nfa", rationale="Not enough to act on.")
        second.refresh_from_db()
        decisions.challenge(second, users.manager, comment="Police information needs weighing: think again.")
        second.refresh_from_db()
        decisions.recommend(second, users.decision_maker, analysis="b", outcome="s47_strategy", rationale="Risk of significant harm.",
                            receiving_team=stage2.team("Safeguarding Team East"))
        second.refresh_from_db()
        decision = decisions.sign_off(second, users.manager, comment="Agreed: strategy discussion today.")
        Contact.objects.filter(pk=second.pk).update(referral_at=timezone.now())
        StrategyDiscussion.objects.create(
            contact=second, decision_record=decision, scheduled_for=timezone.now() + timedelta(hours=2),
            due_by=timezone.now() + timedelta(hours=5), convened_by=users.manager, status=StrategyDiscussion.Status.HELD,
            held_at=timezone.now() + timedelta(hours=2), decision=StrategyDiscussion.Decision.JOINT_S47,
        )
        Dispute.objects.create(
            contact=second, decision=decision, raised_by=users.police, raised_by_agency=stage2.agency("police"),
            raised_at=timezone.now() + timedelta(hours=3), grounds="Police think a joint visit is needed tonight.",
            due_at=timezone.now() + timedelta(days=1), status=Dispute.Status.RESOLVED,
            resolution=Dispute.Resolution.DECISION_STANDS, resolved_at=timezone.now() + timedelta(hours=4),
            resolution_summary="Joint visit agreed within the s47.",
        )
    brother = contact_about(users, ben, days_ago=100, level=2, outcome="early_help", team="Early Help Hub")
    with time_machine.travel(NOW - timedelta(days=90), tick=False):
        early_help_declined(users, brother, ben)
    contact_about(users, leo, days_ago=20, level=2, outcome="nfa")
    return {"amy": amy, "ben": ben, "leo": leo, "first": first, "second": second, "brother": brother}


# -- the pure ordering -------------------------------------------------------------------------


def test_entries_are_ordered_by_time_then_by_their_place_in_a_contact():
    t = NOW
    entries = [
        Entry(t, EntryKind.DECISION, "decided", sequence=2),
        Entry(t - timedelta(days=1), EntryKind.CONTACT, "older"),
        Entry(t, EntryKind.CONTACT, "received", sequence=0),
    ]
    assert [e.title for e in arrange(entries)] == ["older", "received", "decided"]
    assert [e.title for e in arrange(entries, newest_first=True)] == ["decided", "received", "older"]
    assert [e.title for e in arrange(entries, kinds=frozenset({EntryKind.DECISION}))] == ["decided"]
    assert counts_by_kind(entries)[EntryKind.CONTACT] == 2
    assert parse_kinds(["agency", "nonsense", "contact"]) == {EntryKind.AGENCY, EntryKind.CONTACT}


# -- content --------------------------------------------------------------------------------


def test_the_chronology_tells_the_childs_story_in_order(users, family):
    chron = chronology_for(users.decision_maker, family["amy"], household=False)
    titles = [e.title for e in chron.entries]
    first, second = family["first"].reference, family["second"].reference
    expected = [
        "Child in need plan started (Children in Need Team West)",
        "Child in need plan closed (Children in Need Team West)",
        f"Contact {first} received",
        "Recommended: No further action",
        "Outcome agreed: No further action",
        f"Contact {second} received",
        "Demoshire Constabulary shared information",
        "Recommended: No further action",
        "Manager challenged the recommendation",
        "Recommended: Section 47: child protection strategy discussion",
        "Outcome agreed: Section 47: child protection strategy discussion",
        "Became a referral to children's social care",
        "Strategy discussion arranged for 29/01/2026 13:00",
        "Strategy discussion held: Joint section 47 enquiry (children's social care and police)",
        "Professional disagreement raised by Demoshire Constabulary",
        "Disagreement resolved: The decision stands",
    ]
    assert titles == expected
    received = chron.entries[2]
    assert received.kind is EntryKind.CONTACT and received.tag == "GREEN"
    assert "from School (Demotown Primary School)" in received.detail and "Rated GREEN, level 2" in received.detail
    challenge = chron.entries[8]
    assert challenge.detail == "Police information needs weighing: think again."
    agency = chron.entries[6]
    assert len(agency.items) == 2  # rendered by the template through the firewall tag, never as text here
    assert SENSITIVE not in agency.detail and SENSITIVE not in agency.title
    # Newest first reverses it; Ben's and Leo's contacts are not in Amy's own view.
    newest = chronology_for(users.decision_maker, family["amy"], household=False, newest_first=True)
    assert [e.title for e in newest.entries] == list(reversed(expected))
    assert family["brother"].reference not in {e.reference for e in chron.entries}


def test_the_household_view_interleaves_the_other_childrens_entries_with_their_names(users, family):
    chron = chronology_for(users.decision_maker, family["amy"], household=True)
    ben = [e for e in chron.entries if e.child_name == "Ben Smith" and e.kind is not EntryKind.INVOLVEMENT]
    assert [e.title for e in ben] == [
        f"Contact {family['brother'].reference} received",
        "Recommended: Step down to early help",
        "Outcome agreed: Step down to early help",
        "Referred to early help (Early Help Hub)",
        "Early help: Declined by the family",
    ]
    assert ben[-1].detail == "Mum said the family do not need help."
    involvements = [e.title for e in chron.entries if e.child_name == "Ben Smith" and e.kind is EntryKind.INVOLVEMENT]
    assert involvements in ([], ["Early help episode started (Early Help Hub)", "Early help episode closed (Early Help Hub)"])
    times = [e.when for e in chron.entries]
    assert times == sorted(times)
    # Ben's contact (100 days ago) sits between Amy's first (200 days) and second (40 days).
    references = [e.reference for e in chron.entries if e.kind is EntryKind.CONTACT]
    assert references == [family["first"].reference, family["brother"].reference, family["second"].reference]
    # Leo lives elsewhere: listed with the family's children, not in the household's chronology.
    assert not [e for e in chron.entries if e.child_name == "Leo Smith"]


def test_the_other_children_are_listed_with_age_contacts_and_latest_outcome(users, family):
    chron = chronology_for(users.officer, family["amy"], household=False)
    rows = {c.person.forenames: c for c in chron.children}
    assert set(rows) == {"Ben", "Leo"}
    assert (rows["Ben"].contact_count, rows["Ben"].latest_outcome, rows["Ben"].lives_with) == (1, "Step down to early help", True)
    assert rows["Ben"].latest_reference == family["brother"].reference
    assert (rows["Leo"].contact_count, rows["Leo"].lives_with) == (1, False)


def test_filtering_by_kind(users, family):
    chron = chronology_for(users.decision_maker, family["amy"], household=True, kinds=frozenset({EntryKind.EARLY_HELP}))
    assert {e.kind for e in chron.entries} == {EntryKind.EARLY_HELP}
    assert chron.total > len(chron.entries)


# -- the page ------------------------------------------------------------------------------


def page(client, user, person, query=""):  # noqa: ANN001, ANN201
    client.force_login(user)
    response = client.get(reverse("people:detail", args=[person.pk]) + query)
    assert response.status_code == 200
    return response.content.decode()


def test_the_decision_maker_and_manager_read_sensitive_items(client, users, family):
    for user in (users.decision_maker, users.manager):
        html = page(client, user, family["amy"])
        assert SENSITIVE in html and ORDINARY in html


@pytest.mark.parametrize("role", ["officer", "service_manager"])
def test_officers_and_service_managers_see_only_that_sensitive_information_exists(client, users, family, role):
    html = page(client, getattr(users, role), family["amy"])
    assert ORDINARY in html
    assert SENSITIVE not in html
    assert "Sensitive information is held by Demoshire Constabulary" in html


@pytest.mark.parametrize("role", ["police", "health", "receiving", "dpo", "administrator", "strategic_manager", "assistant_director"])
def test_other_roles_never_open_the_person_page(client, users, family, role):
    client.force_login(getattr(users, role))
    for query in ("", "?view=household"):
        response = client.get(reverse("people:detail", args=[family["amy"].pk]) + query)
        assert response.status_code in (403, 404)
        assert SENSITIVE not in response.content.decode()
    assert not AuditEvent.objects.filter(action="chronology.viewed").exists()


def test_anonymous_visitors_are_sent_to_sign_in(client, family):
    response = client.get(reverse("people:detail", args=[family["amy"].pk]))
    assert response.status_code in (302, 403, 404)


def test_every_view_of_the_chronology_is_audited(client, users, family):
    page(client, users.officer, family["amy"])
    page(client, users.officer, family["amy"], "?view=household&kind=contact")
    events = AuditEvent.objects.filter(action="chronology.viewed", object_id=str(family["amy"].pk)).order_by("sequence")
    assert [e.actor_id for e in events] == [users.officer.pk, users.officer.pk]
    assert "(the child)" in events[0].summary and "(the whole household)" in events[1].summary
    assert AuditEvent.objects.filter(action="person.viewed", object_id=str(family["amy"].pk)).count() == 2


def test_the_page_shows_the_household_and_both_views(client, users, family):
    html = page(client, users.decision_maker, family["amy"])
    assert "Other children in the family" in html
    assert reverse("people:detail", args=[family["ben"].pk]) in html
    assert "(lives elsewhere)" in html
    assert "Whole household" in html
    assert family["brother"].reference + "<" in html  # Ben's latest contact in the children table
    assert 'data-contact="' + family["brother"].reference not in html  # not in Amy's own chronology
    html = page(client, users.decision_maker, family["amy"], "?view=household")
    assert 'data-contact="' + family["brother"].reference in html
    assert 'class="mash-chronology__child">Ben Smith<' in html
    html = page(client, users.decision_maker, family["amy"], "?kind=agency")
    assert 'data-kind="contact"' not in html and 'data-kind="agency"' in html


def test_the_person_page_shows_a_cumulative_harm_banner(client, users, family):
    html = page(client, users.officer, family["amy"])
    # Amy: NFA 200 days ago (low); the s47 contact is not low-level. Ben: early help (low). Total 2: no banner.
    assert 'id="cumulative-harm"' not in html
    contact_about(users, family["amy"])  # a third low-level contact in the household
    html = page(client, users.officer, family["amy"])
    assert 'id="cumulative-harm"' in html
    assert "3 low-level contacts about Amy Smith&#x27;s household in the last 12 months" in html
    assert "Early help declined on 10 December 2025" in page(client, users.officer, family["ben"])


def test_the_chronology_costs_a_fixed_handful_of_queries(client, users, django_assert_max_num_queries):
    """A family with 30 contacts (Stage 2 answered on several) costs no more queries than one with three."""
    amy, ben = child("Amy"), child("Ben", sex="M")
    siblings(amy, ben)
    for i in range(3):
        contact_about(users, amy if i % 2 else ben, days_ago=300 - i, level=2, outcome="nfa")
    client.force_login(users.decision_maker)
    url = reverse("people:detail", args=[amy.pk]) + "?view=household"
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for i in range(27):
        contact = contact_about(users, amy if i % 2 else ben, days_ago=250 - i * 8, level=3 if i % 3 else 2,
                                outcome="nfa" if i % 3 == 0 else None)
        if i % 9 == 1:
            stage2.override_consent(users, contact)
            (police,) = stage2.send(users, contact, ["police"])
            stage2.answer(police, users.police, [stage2.item(f"Item {i}"), stage2.item(f"Secret {i}", sensitive=True)])
    assert Contact.objects.count() == 30
    with django_assert_max_num_queries(len(few.captured_queries) + 2):
        response = client.get(url)
    assert response.status_code == 200
    assert response.content.decode().count('data-kind="contact"') == 30
    assert len(few.captured_queries) <= 45
