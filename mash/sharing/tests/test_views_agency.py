"""The partner agency workspace: each agency sees its own requests, answers them, and nothing else."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from mash.audit.models import AuditEvent
from mash.domain.workflow import ContactEvent
from mash.intake.models import ContactPerson
from mash.intake.services import link_to_existing, link_to_new_person
from mash.intake.workflow import apply_event
from mash.partnership.models import LawfulBasis
from mash.sharing import services
from mash.sharing.models import InformationRequest, ItemKind, PendingEnquiry, RequestNotice, RequestStatus
from mash.workqueue.models import Alert
from tests import factories

pytestmark = pytest.mark.django_db

CONCERN_SUMMARY = "Bruise on the upper arm; the child says mum's boyfriend grabbed her."


def triaged(users: Any, **kwargs: Any):  # noqa: ANN201
    """Consent given, so requests may go out without a manager's override."""
    return factories.triaged(users, consent="given", consent_not_sought_reason="", **kwargs)


def ask(users: Any, contact: Any, *partners: Any) -> dict[str, InformationRequest]:
    """Send a request to each partner's agency; returns them by agency name."""
    made = services.send_requests(
        contact,
        users.decision_maker,
        specs=[services.RequestSpec(agency=p.agency, question=f"What does {p.agency} hold on the household?") for p in partners],
        concern_summary=CONCERN_SUMMARY,
        bases=list(LawfulBasis.objects.filter(is_active=True)[:2]),
    )
    return {r.agency.name: r for r in made}


def request_url(info_request: InformationRequest) -> str:
    return reverse("sharing:agency-request", args=[info_request.pk])


def item_data(*items: dict[str, Any], total: int | None = None, initial: int = 0) -> dict[str, str]:
    data = {
        "items-TOTAL_FORMS": str(total if total is not None else max(len(items), 1)),
        "items-INITIAL_FORMS": str(initial),
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "50",
    }
    for index, item in enumerate(items):
        for key, value in item.items():
            data[f"items-{index}-{key}"] = value
    return data


def answer_data(*items: dict[str, Any], action: str, **fields: str) -> dict[str, str]:
    data = item_data(*items)
    data.update({"analysis": "", "recommendation": "", "withheld_summary": "", "withheld_reason": "", "action": action})
    data.update(fields)
    return data


FACT = {"text": "Domestic incident at the address on 2 March, no arrests. POLICE-ITEM-MARKER", "kind": ItemKind.FACT, "source": "Niche RMS"}


def answer(info_request: InformationRequest, user: Any, *items: services.ItemInput, analysis: str = "Escalating pattern.", recommendation: str = "Section 47 enquiry.") -> None:
    services.save_response(info_request, user, items=list(items), analysis=analysis, recommendation=recommendation, submit=True)


# --------------------------------------------------------------------------- need to know


def test_police_see_only_police_requests(client, users):
    police_contact = triaged(users)
    health_contact = triaged(users, child=factories.child_fields(forenames="Bethany", surname="Healthonly"))
    ask(users, police_contact, users.police)
    ask(users, health_contact, users.health)

    client.force_login(users.police)
    for url in (reverse("sharing:agency-home"), reverse("workqueue:home")):
        html = client.get(url).content.decode()
        assert police_contact.reference in html
        assert "Amelia Testcase" in html
        assert health_contact.reference not in html
        assert "Healthonly" not in html


def test_another_agencys_request_is_not_found(client, users):
    contact = triaged(users)
    health_request = ask(users, contact, users.health)[users.health.agency.name]
    client.force_login(users.police)
    for name, args in (
        ("sharing:agency-request", [health_request.pk]),
        ("sharing:agency-enquiry-add", [health_request.pk]),
        ("sharing:agency-escalate", [health_request.pk]),
        ("sharing:agency-previous", [health_request.pk]),
    ):
        assert client.get(reverse(name, args=args)).status_code == 404
    assert client.post(request_url(health_request), answer_data(FACT, action="send")).status_code == 404
    health_request.refresh_from_db()
    assert health_request.status == RequestStatus.SENT


@pytest.mark.parametrize("role", ["officer", "decision_maker", "manager", "administrator"])
def test_mash_staff_and_administrators_are_refused_the_workspace(client, users, role):
    contact = triaged(users)
    police_request = ask(users, contact, users.police)[users.police.agency.name]
    client.force_login(getattr(users, role))
    assert client.get(reverse("sharing:agency-home")).status_code == 403
    assert client.get(request_url(police_request)).status_code == 403
    assert client.get(reverse("sharing:agency-escalate", args=[police_request.pk])).status_code == 403


# --------------------------------------------------------------------------- reading the request


def test_opening_a_request_is_audited_marks_it_opened_and_reads_its_notices(client, users):
    contact = triaged(users)
    police_request = ask(users, contact, users.police)[users.police.agency.name]
    assert RequestNotice.objects.filter(request=police_request, read_at__isnull=True).exists()
    client.force_login(users.police)

    home = client.get(reverse("sharing:agency-home")).content.decode()
    assert "New request" in home

    response = client.get(request_url(police_request))
    assert response.status_code == 200
    police_request.refresh_from_db()
    assert police_request.status == RequestStatus.OPENED
    assert police_request.opened_at is not None
    assert factories.audit_events("request.viewed", actor_username="police", object_id=str(police_request.pk)).exists()
    assert not RequestNotice.objects.filter(request=police_request, read_at__isnull=True).exists()


def test_request_shows_the_child_and_household_but_not_the_referrer(client, users):
    contact = triaged(users)
    police_request = ask(users, contact, users.police)[users.police.agency.name]
    client.force_login(users.police)
    html = client.get(request_url(police_request)).content.decode()

    for shown in ("Amelia Testcase", "27 March 2015", "12 Example Street", "NN4 7SL", "Demotown Primary School",
                  "Kelly Testcase", "mother", "Dean Otherman", "mother&#x27;s boyfriend", CONCERN_SUMMARY.replace("'", "&#x27;"),
                  "What does Demoshire Constabulary hold on the household?", "Consent to share", "Given"):
        assert shown in html, shown
    for hidden in ("Joan Referrer", "01632 960999", "dsl@demotown-primary.example", "SECRET-CONCERN-MARKER", "Designated safeguarding lead"):
        assert hidden not in html, hidden


# --------------------------------------------------------------------------- answering


def test_a_saved_draft_comes_back_and_is_not_shared(client, users):
    contact = triaged(users)
    police_request = ask(users, contact, users.police)[users.police.agency.name]
    client.force_login(users.police)
    draft = {"text": "Two callouts in January. DRAFT-MARKER", "kind": ItemKind.OPINION, "source": "Control room log",
             "recorded_on_day": "5", "recorded_on_month": "1", "recorded_on_year": "2024"}
    response = client.post(request_url(police_request), answer_data(draft, action="draft", analysis="Half-written analysis"))
    assert response.status_code == 302

    police_request.refresh_from_db()
    assert police_request.status == RequestStatus.DRAFTING
    item = police_request.response.items.get()
    assert item.shared_at is None and item.kind == ItemKind.OPINION and str(item.recorded_on) == "2024-01-05"
    assert police_request.response.submitted_at is None

    html = client.get(request_url(police_request)).content.decode()
    assert "DRAFT-MARKER" in html
    assert "Control room log" in html
    assert "Half-written analysis" in html
    assert 'name="items-INITIAL_FORMS" value="1"' in html


def test_add_another_item_keeps_what_was_typed(client, users):
    contact = triaged(users)
    police_request = ask(users, contact, users.police)[users.police.agency.name]
    client.force_login(users.police)
    response = client.post(request_url(police_request), answer_data(FACT, action="add_item", analysis="KEEP-ANALYSIS"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "POLICE-ITEM-MARKER" in html and "KEEP-ANALYSIS" in html
    assert 'name="items-TOTAL_FORMS" value="2"' in html
    assert "There is a problem" not in html
    assert not police_request.response.items.exists()


def test_a_sensitive_item_without_its_holder_is_refused_and_the_text_kept(client, users):
    contact = triaged(users)
    police_request = ask(users, contact, users.police)[users.police.agency.name]
    client.force_login(users.police)
    sensitive = {"text": "Subject of a live operation. SENSITIVE-MARKER", "kind": ItemKind.UNVERIFIED, "is_sensitive": "on"}
    response = client.post(
        request_url(police_request), answer_data(sensitive, action="send", analysis="ANALYSIS-KEPT", recommendation="Strategy discussion")
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html
    assert "Say who holds the sensitive information" in html
    assert "SENSITIVE-MARKER" in html and "ANALYSIS-KEPT" in html
    police_request.refresh_from_db()
    # Nothing saved, but showing the child's details again is itself a recorded view.
    assert police_request.status == RequestStatus.OPENED
    assert not police_request.response.items.exists()
    assert AuditEvent.objects.filter(action="request.viewed", object_id=str(police_request.pk)).exists()


def test_sending_needs_an_analysis_and_a_recommendation(client, users):
    contact = triaged(users)
    police_request = ask(users, contact, users.police)[users.police.agency.name]
    client.force_login(users.police)
    html = client.post(request_url(police_request), answer_data(FACT, action="send")).content.decode()
    assert "Say what the information means for this child" in html
    assert "Give your agency&#x27;s recommendation" in html
    assert "POLICE-ITEM-MARKER" in html
    assert not police_request.response.items.exists()


def test_send_then_see_it_read_only_with_redaction_links_and_add_further_information(client, users):
    contact = triaged(users)
    police_request = ask(users, contact, users.police)[users.police.agency.name]
    client.force_login(users.police)
    holder = {"text": "Intelligence about an associate. OWN-SENSITIVE-MARKER", "kind": ItemKind.UNVERIFIED,
              "is_sensitive": "on", "sensitive_holder": "DS Patel, Public Protection Unit"}
    response = client.post(
        request_url(police_request),
        answer_data(FACT, holder, action="send", analysis="Pattern of incidents.", recommendation="Strategy discussion."),
    )
    assert response.status_code == 302
    police_request.refresh_from_db()
    assert police_request.status == RequestStatus.ANSWERED
    assert police_request.response.items.filter(shared_at__isnull=False).count() == 2
    assert factories.audit_events("response.submitted", object_id=str(police_request.pk)).exists()

    html = client.get(request_url(police_request)).content.decode()
    assert "POLICE-ITEM-MARKER" in html
    assert "OWN-SENSITIVE-MARKER" in html  # the agency sees its own sensitive information
    assert "Pattern of incidents." in html
    fact = police_request.response.items.get(is_sensitive=False)
    assert reverse("sharing:agency-redact-item", args=[police_request.pk, fact.pk]) in html
    assert reverse("sharing:agency-withhold-item", args=[police_request.pk, fact.pk]) in html
    assert reverse("sharing:agency-redact-part", args=[police_request.pk, "analysis"]) in html
    assert "Add further information" in html
    assert 'name="analysis"' not in html

    further = {"text": "Health visitor confirms missed appointments. FURTHER-MARKER", "kind": ItemKind.FACT}
    data = item_data(further)
    data["action"] = "further"
    assert client.post(request_url(police_request), data).status_code == 302
    shared = police_request.response.items.filter(shared_at__isnull=False)
    assert shared.count() == 3
    police_request.response.refresh_from_db()
    assert police_request.response.analysis == "Pattern of incidents."


def test_nothing_held(client, users):
    contact = triaged(users)
    police_request = ask(users, contact, users.police)[users.police.agency.name]
    client.force_login(users.police)
    response = client.post(request_url(police_request), answer_data(action="send", nothing_held="on"))
    assert response.status_code == 302
    police_request.refresh_from_db()
    assert police_request.status == RequestStatus.NOTHING_HELD
    assert police_request.response.nothing_held
    html = client.get(request_url(police_request)).content.decode()
    assert "holds nothing relevant" in html


def test_nothing_held_with_items_is_refused(client, users):
    contact = triaged(users)
    police_request = ask(users, contact, users.police)[users.police.agency.name]
    client.force_login(users.police)
    html = client.post(request_url(police_request), answer_data(FACT, action="send", nothing_held="on")).content.decode()
    assert "You said nothing is held but also entered information" in html
    police_request.refresh_from_db()
    assert police_request.status == RequestStatus.OPENED


def test_withdrawn_request_is_read_only_with_its_reason(client, users):
    contact = triaged(users)
    police_request = ask(users, contact, users.police)[users.police.agency.name]
    services.withdraw_request(police_request, users.decision_maker, reason="Child already open to the assessment team.")
    client.force_login(users.police)
    html = client.get(request_url(police_request)).content.decode()
    assert "This request was withdrawn" in html
    assert "Child already open to the assessment team." in html
    assert "Send to the MASH" not in html
    assert "Escalate heightened risk" not in html
    response = client.post(request_url(police_request), answer_data(FACT, action="send", analysis="a", recommendation="b"))
    assert response.status_code == 302
    assert not police_request.response.items.exists()


# --------------------------------------------------------------------------- pending enquiries


def test_pending_enquiry_recorded_then_received(client, users):
    contact = triaged(users)
    police_request = ask(users, contact, users.police)[users.police.agency.name]
    client.force_login(users.police)
    url = reverse("sharing:agency-enquiry-add", args=[police_request.pk])
    assert client.get(url).status_code == 200

    missing = client.post(url, {"requested_at_date": "", "requested_at_time": "", "from_name": "", "from_designation": "", "about": "KEEP-ABOUT"})
    html = missing.content.decode()
    assert "Enter the name of the person you are waiting for" in html and "KEEP-ABOUT" in html

    asked = factories.london(2024, 1, 5, 10, 30)
    response = client.post(url, {
        "requested_at_date": "2024-01-05", "requested_at_time": "10:30", "from_name": "PC Jones",
        "from_designation": "Domestic abuse officer", "from_service": "DA unit", "about": "Any DASH risk assessments?",
    })
    assert response.status_code == 302
    enquiry = PendingEnquiry.objects.get(request=police_request)
    assert enquiry.requested_at == asked and enquiry.is_outstanding
    police_request.refresh_from_db()
    assert police_request.status == RequestStatus.DRAFTING

    html = client.get(request_url(police_request)).content.decode()
    assert "PC Jones" in html and "Outstanding" in html
    assert "1 outstanding" in client.get(reverse("sharing:agency-home")).content.decode()

    received = reverse("sharing:agency-enquiry-received", args=[police_request.pk, enquiry.pk])
    assert client.get(received).status_code == 405
    assert client.post(received).status_code == 302
    enquiry.refresh_from_db()
    assert enquiry.received_at is not None
    assert factories.audit_events("request.enquiry_received", object_id=str(police_request.pk)).exists()


# --------------------------------------------------------------------------- escalation


def test_escalation_alerts_the_manager(client, users):
    contact = triaged(users)
    police_request = ask(users, contact, users.police)[users.police.agency.name]
    client.force_login(users.police)
    url = reverse("sharing:agency-escalate", args=[police_request.pk])
    page = client.get(url).content.decode()
    assert "If the child is in immediate danger call 999" in page
    assert "01632 960000" in page

    refused = client.post(url, {"concern": ""}).content.decode()
    assert "Say what heightens the risk to the child" in refused
    assert not Alert.objects.filter(contact=contact, kind=Alert.Kind.ESCALATION).exists()

    response = client.post(url, {"concern": "Boyfriend arrested tonight for assault; due for release. ESCALATION-MARKER", "phoned_manager": "on"}, follow=True)
    assert "has been alerted" in response.content.decode()
    alert = Alert.objects.get(contact=contact, kind=Alert.Kind.ESCALATION)
    escalation = police_request.escalations.get()
    assert escalation.phoned_manager and escalation.alert == alert

    client.force_login(users.manager)
    home = client.get(reverse("workqueue:home")).content.decode()
    assert contact.reference in home
    assert "escalated heightened risk" in home


# --------------------------------------------------------------------------- repeat contacts


def repeat_contact(users: Any, first: Any):  # noqa: ANN201
    """A second contact about the same child, linked to the child's existing person record."""
    from mash.triage.services import triage

    person = first.subject_child.person
    contact = factories.record(users.officer, consent="given", consent_not_sought_reason="")
    for cp in contact.people.all():
        if cp.role == ContactPerson.Role.SUBJECT_CHILD:
            link_to_existing(users.officer, cp, person)
        else:
            link_to_new_person(users.officer, cp)
    apply_event(contact, ContactEvent.SUBMIT_FOR_TRIAGE, users.officer)
    contact.refresh_from_db()
    triage(contact, users.decision_maker, level=factories.level(3), rag=factories.rag("AMBER"), reason="Repeat concern.", triggers=())
    contact.refresh_from_db()
    return contact


def test_previous_stage2_is_shown_on_a_repeat_contact(client, users):
    first = triaged(users)
    first_request = ask(users, first, users.police)[users.police.agency.name]
    answer(
        first_request, users.police,
        services.ItemInput(text="Earlier incident. EARLIER-MARKER", kind=ItemKind.FACT),
        services.ItemInput(text="Old intelligence. EARLIER-SENSITIVE-MARKER", kind=ItemKind.UNVERIFIED, is_sensitive=True, sensitive_holder="DS Patel"),
        analysis="EARLIER-ANALYSIS",
    )
    second = repeat_contact(users, first)
    requests = ask(users, second, users.police, users.health)
    police_request, health_request = requests[users.police.agency.name], requests[users.health.agency.name]
    assert police_request.previous_request == first_request

    client.force_login(users.police)
    html = client.get(request_url(police_request)).content.decode()
    assert "Previous Stage 2 on" in html and "update what you shared then" in html
    previous_url = reverse("sharing:agency-previous", args=[police_request.pk])
    assert previous_url in html

    viewed_before = factories.audit_events("request.viewed", object_id=str(first_request.pk)).count()
    previous = client.get(previous_url).content.decode()
    assert "EARLIER-MARKER" in previous and "EARLIER-SENSITIVE-MARKER" in previous and "EARLIER-ANALYSIS" in previous
    assert factories.audit_events("request.viewed", object_id=str(first_request.pk)).count() == viewed_before + 1

    # Health was not asked last time: it is told of the previous Stage 2 but there is nothing of its own to open.
    client.force_login(users.health)
    html = client.get(request_url(health_request)).content.decode()
    assert "Previous Stage 2 on" in html
    assert client.get(reverse("sharing:agency-previous", args=[health_request.pk])).status_code == 404
    assert "EARLIER-MARKER" not in html


def test_health_cannot_see_what_police_shared(client, users):
    contact = triaged(users)
    requests = ask(users, contact, users.police, users.health)
    police_request, health_request = requests[users.police.agency.name], requests[users.health.agency.name]
    answer(
        police_request, users.police,
        services.ItemInput(text="Incident log. POLICE-ITEM-MARKER", kind=ItemKind.FACT, source="POLICE-SOURCE-MARKER"),
        services.ItemInput(text="Live operation. POLICE-SENSITIVE-MARKER", kind=ItemKind.UNVERIFIED, is_sensitive=True, sensitive_holder="POLICE-HOLDER-MARKER"),
        analysis="POLICE-ANALYSIS-MARKER", recommendation="POLICE-RECOMMENDATION-MARKER",
    )
    client.force_login(users.health)
    urls = [
        reverse("workqueue:home"),
        reverse("sharing:agency-home"),
        request_url(health_request),
        reverse("sharing:agency-enquiry-add", args=[health_request.pk]),
        reverse("sharing:agency-escalate", args=[health_request.pk]),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert "POLICE-" not in html, url
        assert "Amelia Testcase" in html or url.endswith(("/enquiries/", "/escalate/")), url


def test_draft_items_can_be_removed_and_an_item_needs_its_text(client, users):
    contact = triaged(users)
    police_request = ask(users, contact, users.police)[users.police.agency.name]
    client.force_login(users.police)
    first = {"text": "First draft. FIRST-MARKER", "kind": ItemKind.FACT}
    second = {"text": "Second draft. SECOND-MARKER", "kind": ItemKind.OPINION}
    client.post(request_url(police_request), answer_data(first, second, action="draft"))
    assert police_request.response.items.count() == 2

    # Tick "remove" on the first, clear the second's text (its radio stays chosen): both go.
    data = answer_data({**first, "DELETE": "on"}, {"text": "", "kind": ItemKind.OPINION}, action="draft")
    data["items-INITIAL_FORMS"] = "2"
    assert client.post(request_url(police_request), data).status_code == 302
    assert not police_request.response.items.exists()

    # A block with a source but no text is an item missing its text.
    html = client.post(request_url(police_request), answer_data({"source": "PNC"}, action="draft")).content.decode()
    assert "Enter what your agency holds, or clear this item" in html
    assert "Choose whether this is a fact" in html


def test_add_another_item_to_further_information(client, users):
    contact = triaged(users)
    police_request = ask(users, contact, users.police)[users.police.agency.name]
    answer(police_request, users.police, services.ItemInput(text="Sent already.", kind=ItemKind.FACT))
    client.force_login(users.police)
    data = item_data({"text": "More to come. MORE-MARKER", "kind": ItemKind.FACT})
    data["action"] = "add_item"
    html = client.post(request_url(police_request), data).content.decode()
    assert "MORE-MARKER" in html and 'name="items-TOTAL_FORMS" value="2"' in html
    assert police_request.response.items.count() == 1

    empty = item_data()
    empty["action"] = "further"
    html = client.post(request_url(police_request), empty).content.decode()
    assert "Enter the further information in at least one item." in html
    assert police_request.response.items.count() == 1
