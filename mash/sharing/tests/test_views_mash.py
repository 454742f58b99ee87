"""The MASH side of Stage 2 through the web pages: who may open what, what each role sees, and
that every form explains its errors and keeps what was typed."""

from __future__ import annotations

import pytest
from django.urls import reverse

from mash.audit.models import AuditEvent
from mash.sharing import services
from mash.sharing.models import Chase, ConsentOverride, InformationRequest, Redaction, RequestStatus, SharingLogEntry
from mash.workqueue.models import Alert
from tests import factories

pytestmark = pytest.mark.django_db

SENSITIVE = "SENSITIVE-MARKER-7731 informant says the boyfriend is under covert investigation"
SHAREABLE = "Dean Otherman was arrested for assault in 2022 (SHAREABLE-MARKER)."
ANALYSIS = "A known history of violence in the household raises the risk to Amelia."
RECOMMENDATION = "Strategy discussion today."
ESCALATION = "ESCALATION-MARKER: boyfriend released on bail this morning"


def _bases():
    return list(services.lawful_bases().filter(code__in=["ca-1989-s47", "uk-gdpr-6-1-e"]))


def _consent_given(users):
    return factories.triaged(users, consent="given", consent_not_sought_reason="")


@pytest.fixture
def world(users):
    """A triaged contact (consent given) with two requests: police answered (one sensitive item), health open."""
    contact = _consent_given(users)
    police_agency, health_agency = users.police.agency, users.health.agency
    police, health = services.send_requests(
        contact,
        users.decision_maker,
        specs=[
            services.RequestSpec(police_agency, "Any domestic abuse or violence history for the household?"),
            services.RequestSpec(health_agency, "Any injuries or missed appointments?"),
        ],
        concern_summary="Bruising on the upper arm; the child named mum's boyfriend.",
        bases=_bases(),
    )
    services.save_response(
        police,
        users.police,
        items=[
            services.ItemInput(text=SHAREABLE, kind="fact", source="Police National Computer"),
            services.ItemInput(text=SENSITIVE, kind="unverified", is_sensitive=True, sensitive_holder="DS Kate Whitfield, PPU"),
        ],
        analysis=ANALYSIS,
        recommendation=RECOMMENDATION,
        submit=True,
    )
    police.refresh_from_db()
    return {"users": users, "contact": contact, "police": police, "health": health}


def _urls(world):
    c, police, health = world["contact"].pk, world["police"], world["health"]
    item = police.response.items.get(is_sensitive=False)
    return {
        "overview": reverse("sharing:overview", args=[c]),
        "request": reverse("sharing:request", args=[c]),
        "consent": reverse("sharing:consent", args=[c]),
        "consent-override": reverse("sharing:consent-override", args=[c]),
        "response": reverse("sharing:response", args=[c, police.pk]),
        "withdraw": reverse("sharing:withdraw", args=[c, health.pk]),
        "outbound-preview": reverse("sharing:outbound-preview", args=[c]),
        "redact-item": reverse("sharing:redact-item", args=[c, police.pk, item.pk]),
        "redact-part": reverse("sharing:redact-part", args=[c, police.pk, "analysis"]),
        "withhold-item": reverse("sharing:withhold-item", args=[c, police.pk, item.pk]),
    }


def _escalate(world):
    return services.escalate(world["health"], world["users"].health, concern=ESCALATION, phoned_manager=True)


# --------------------------------------------------------------------------- who may open what


@pytest.mark.parametrize("role", ["decision_maker", "manager"])
def test_pages_render_for_decision_makers_and_managers(client, world, role):
    client.force_login(getattr(world["users"], role))
    escalation = _escalate(world)
    pages = dict(_urls(world))
    pages["escalation"] = reverse("sharing:escalation-respond", args=[world["contact"].pk, escalation.pk])
    manager_only = {"consent-override", "redact-item", "redact-part", "withhold-item", "escalation"}
    for name, url in pages.items():
        expected = 403 if role == "decision_maker" and name in manager_only else 200
        response = client.get(url)
        assert response.status_code == expected, f"{role} {name}: {response.status_code}"


def test_officer_reads_the_overview_but_may_not_request_or_redact(client, world):
    client.force_login(world["users"].officer)
    urls = _urls(world)
    assert client.get(urls["overview"]).status_code == 200
    assert client.get(urls["response"]).status_code == 200
    assert client.get(urls["consent"]).status_code == 200
    for name in ("request", "consent-override", "withdraw", "outbound-preview", "redact-item", "redact-part", "withhold-item"):
        assert client.get(urls[name]).status_code == 403, name


@pytest.mark.parametrize("role", ["police", "health", "education", "administrator", "receiving"])
def test_outsiders_get_404_on_every_mash_sharing_page(client, world, role):
    client.force_login(getattr(world["users"], role))
    escalation = _escalate(world)
    c = world["contact"].pk
    pages = list(_urls(world).values()) + [
        reverse("sharing:escalation-respond", args=[c, escalation.pk]),
        reverse("sharing:chase", args=[c, world["health"].pk]),
        reverse("sharing:consent-ask", args=[c]),
    ]
    for url in pages:
        assert client.get(url).status_code in (404, 405), url
        response = client.post(url, {"reason": "x", "rationale": "x", "redacted": "x", "action_taken": "x"})
        assert response.status_code == 404, url
        assert "Testcase" not in response.content.decode()
    assert not Alert.objects.filter(kind=Alert.Kind.CONSENT_OVERRIDE).exists()
    assert not Chase.objects.exists()


def test_agency_redaction_route_does_not_open_for_mash_staff(client, world):
    item = world["police"].response.items.get(is_sensitive=False)
    client.force_login(world["users"].manager)
    assert client.get(reverse("sharing:agency-redact-item", args=[world["police"].pk, item.pk])).status_code == 403


# --------------------------------------------------------------------------- sensitive information


@pytest.mark.parametrize("name", ["overview", "response"])
def test_officer_never_sees_sensitive_text(client, world, name):
    client.force_login(world["users"].officer)
    content = client.get(_urls(world)[name]).content.decode()
    assert SENSITIVE not in content
    assert "SENSITIVE-MARKER" not in content
    assert "Sensitive information is held by Demoshire Constabulary" in content
    assert "SHAREABLE-MARKER" in content


@pytest.mark.parametrize("role", ["decision_maker", "manager"])
@pytest.mark.parametrize("name", ["overview", "response"])
def test_decision_makers_and_managers_see_sensitive_text(client, world, role, name):
    client.force_login(getattr(world["users"], role))
    assert "SENSITIVE-MARKER-7731" in client.get(_urls(world)[name]).content.decode()


def test_outbound_preview_holds_no_sensitive_text_and_names_the_holder(client, world):
    client.force_login(world["users"].manager)
    content = client.get(_urls(world)["outbound-preview"]).content.decode()
    assert "SENSITIVE-MARKER" not in content
    assert "SHAREABLE-MARKER" in content
    assert "Sensitive information is held by Demoshire Constabulary" in content
    assert "DS Kate Whitfield, PPU" in content


def test_overview_and_response_views_are_audited(client, world):
    client.force_login(world["users"].officer)
    before = AuditEvent.objects.filter(action="contact.viewed", object_id=str(world["contact"].pk)).count()
    client.get(_urls(world)["overview"])
    client.get(_urls(world)["response"])
    assert AuditEvent.objects.filter(action="contact.viewed", object_id=str(world["contact"].pk)).count() == before + 2


# --------------------------------------------------------------------------- escalations


def test_escalation_concern_is_for_deciders_and_the_manager_responds(client, world):
    escalation = _escalate(world)
    users = world["users"]
    client.force_login(users.officer)
    content = client.get(_urls(world)["overview"]).content.decode()
    assert "ESCALATION-MARKER" not in content
    assert "Raised by Nadia Farouk" in content
    client.force_login(users.decision_maker)
    assert "ESCALATION-MARKER" in client.get(_urls(world)["overview"]).content.decode()
    client.force_login(users.manager)
    url = reverse("sharing:escalation-respond", args=[world["contact"].pk, escalation.pk])
    page = client.get(url).content.decode()
    assert "ESCALATION-MARKER" in page
    assert reverse("triage:change-rating", args=[world["contact"].pk]) in page
    error = client.post(url, {"action_taken": "  "})
    assert "Record what you decided, including any immediate action taken." in error.content.decode()
    done = client.post(url, {"action_taken": "Strategy discussion arranged for 14:00."})
    assert done.status_code == 302
    escalation.refresh_from_db()
    assert escalation.action_taken == "Strategy discussion arranged for 14:00."


# --------------------------------------------------------------------------- sending requests


def _request_post(world, **extra):
    data = {"concern_summary": "Bruise on arm; child named mum's boyfriend.", "lawful_bases": [b.pk for b in _bases()]}
    data.update(extra)
    return data


def test_send_requests_errors_keep_what_was_typed(client, world):
    users = world["users"]
    education = users.education.agency
    probation = users.probation.agency
    client.force_login(users.decision_maker)
    url = _urls(world)["request"]
    response = client.post(
        url,
        {
            "concern_summary": "TYPED-SUMMARY about the bruise",
            f"question_{education.pk}": "TYPED-QUESTION attendance?",
            f"ask_{probation.pk}": "on",
            f"question_{probation.pk}": "",
        },
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert "Tick the agency or clear the question" in content
    assert f"Write the question for {probation.name}." in content
    assert "Select the lawful basis for the request." in content
    assert "TYPED-SUMMARY about the bruise" in content
    assert "TYPED-QUESTION attendance?" in content
    assert "There is a problem" in content
    assert InformationRequest.objects.filter(contact=world["contact"]).count() == 2


def test_send_requests_needs_at_least_one_agency(client, world):
    client.force_login(world["users"].decision_maker)
    response = client.post(_urls(world)["request"], _request_post(world))
    assert "Choose at least one agency to ask." in response.content.decode()


def test_send_requests_only_offers_agencies_not_asked_yet(client, world):
    client.force_login(world["users"].decision_maker)
    content = client.get(_urls(world)["request"]).content.decode()
    assert world["users"].education.agency.name in content
    assert f'name="ask_{world["police"].agency_id}"' not in content
    # The concern summary starts from what the referrer said.
    assert "SECRET-CONCERN-MARKER" in content


def test_send_requests_sends_and_logs_decisions_not_to_ask(client, world):
    users = world["users"]
    education, probation = users.education.agency, users.probation.agency
    client.force_login(users.decision_maker)
    response = client.post(
        _urls(world)["request"],
        _request_post(
            world,
            **{
                f"ask_{education.pk}": "on",
                f"question_{education.pk}": "Attendance and any concerns raised by school?",
                f"not_asked_{probation.pk}": "No adult in the household is known to probation.",
            },
        ),
    )
    assert response.status_code == 302
    assert response["Location"] == _urls(world)["overview"]
    sent = InformationRequest.objects.get(contact=world["contact"], agency=education)
    assert sent.question == "Attendance and any concerns raised by school?"
    assert SharingLogEntry.objects.filter(
        contact=world["contact"], kind=SharingLogEntry.Kind.NOT_REQUESTED, to_agency=probation, shared=False
    ).exists()


def test_send_requests_shows_consent_panel_and_no_send_button_without_override(client, users):
    contact = factories.triaged(users, consent="refused", consent_not_sought_reason="")
    client.force_login(users.decision_maker)
    content = client.get(reverse("sharing:request", args=[contact.pk])).content.decode()
    assert "Send the requests" not in content
    assert "Ask a team manager to decide" in content
    assert "not a barrier" in content
    education = users.education.agency
    response = client.post(
        reverse("sharing:request", args=[contact.pk]),
        {
            "concern_summary": "x",
            "lawful_bases": [b.pk for b in _bases()],
            f"ask_{education.pk}": "on",
            f"question_{education.pk}": "TYPED-Q",
        },
    )
    assert "a team manager must record the lawful basis" in response.content.decode()
    assert not contact.information_requests.exists()


# --------------------------------------------------------------------------- consent


def test_ask_manager_raises_an_alert_once(client, users):
    contact = factories.triaged(users, consent="refused", consent_not_sought_reason="")
    client.force_login(users.decision_maker)
    url = reverse("sharing:consent-ask", args=[contact.pk])
    assert client.get(url).status_code == 405
    assert client.post(url, {"note": "Mother refused on the phone."}).status_code == 302
    assert Alert.objects.filter(contact=contact, kind=Alert.Kind.CONSENT_OVERRIDE).count() == 1
    overview = client.get(reverse("sharing:overview", args=[contact.pk])).content.decode()
    assert "Waiting for their decision" in overview
    client.post(url)
    assert Alert.objects.filter(contact=contact, kind=Alert.Kind.CONSENT_OVERRIDE).count() == 1


def test_consent_override_needs_a_rationale(client, users):
    contact = factories.triaged(users, consent="refused", consent_not_sought_reason="")
    url = reverse("sharing:consent-override", args=[contact.pk])
    client.force_login(users.decision_maker)
    assert client.get(url).status_code == 403
    assert client.post(url, {"rationale": "x"}).status_code == 403
    client.force_login(users.manager)
    response = client.post(url, {"lawful_bases": [b.pk for b in _bases()], "rationale": "   "})
    assert response.status_code == 200
    content = response.content.decode()
    assert "Record the rationale for sharing without consent." in content
    assert "govuk-error-message" in content
    assert not ConsentOverride.objects.filter(contact=contact).exists()
    response = client.post(url, {"rationale": "Risk of harm outweighs the refusal."})
    assert "Select at least one lawful basis for sharing without consent." in response.content.decode()
    assert "Risk of harm outweighs the refusal." in response.content.decode()
    done = client.post(url, {"lawful_bases": [b.pk for b in _bases()], "rationale": "Risk of harm outweighs the refusal."})
    assert done.status_code == 302
    assert services.consent_position(contact).sharing_permitted
    client.force_login(users.decision_maker)
    assert "Send the requests" in client.get(reverse("sharing:request", args=[contact.pk])).content.decode()


def test_consent_review_requires_reason_when_not_sought_and_keeps_history(client, world):
    client.force_login(world["users"].officer)
    url = _urls(world)["consent"]
    response = client.post(url, {"parents_aware": "yes", "child_aware": "no", "consent": "not_sought", "notes": "TYPED-NOTES"})
    content = response.content.decode()
    assert "Say which of the three reasons applies when consent was not sought." in content
    assert "TYPED-NOTES" in content
    done = client.post(url, {"parents_aware": "yes", "child_aware": "no", "consent": "refused", "notes": "Mother refused."})
    assert done.status_code == 302
    world["contact"].refresh_from_db()
    assert world["contact"].consent == "refused"
    page = client.get(url).content.decode()
    assert "Mother refused." in page
    assert "not a barrier" in page


# --------------------------------------------------------------------------- redaction


def test_manager_redacts_an_item_and_the_redacted_version_travels(client, world):
    item = world["police"].response.items.get(is_sensitive=False)
    client.force_login(world["users"].manager)
    url = _urls(world)["redact-item"]
    page = client.get(url).content.decode()
    assert "SHAREABLE-MARKER" in page
    response = client.post(
        url,
        {"redacted": "Dean Otherman was arrested [redacted] in 2022 (SHAREABLE-MARKER).", "reason": "Offence detail not needed."},
    )
    assert response.status_code == 302
    assert response["Location"] == _urls(world)["response"]
    item.refresh_from_db()
    assert item.redacted and "[redacted]" in item.outbound_text
    assert Redaction.objects.filter(item=item, part=Redaction.Part.ITEM).exists()
    preview = client.get(_urls(world)["outbound-preview"]).content.decode()
    assert "arrested [redacted] in 2022" in preview
    assert "arrested for assault" not in preview


def test_decision_maker_may_not_redact(client, world):
    client.force_login(world["users"].decision_maker)
    url = _urls(world)["redact-item"]
    assert client.post(url, {"redacted": "Dean Otherman [redacted]", "reason": "x"}).status_code == 403
    assert not Redaction.objects.exists()


def test_redaction_that_adds_words_is_refused_and_keeps_what_was_typed(client, world):
    client.force_login(world["users"].manager)
    response = client.post(
        _urls(world)["redact-item"], {"redacted": "Dean Otherman was never arrested, TYPED-REWORD.", "reason": "Tidy"}
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert "it must not add or reword anything" in content
    assert "TYPED-REWORD" in content
    assert not Redaction.objects.exists()


def test_redaction_needs_a_reason(client, world):
    client.force_login(world["users"].manager)
    response = client.post(
        _urls(world)["redact-part"], {"redacted": "A known history [redacted] raises the risk to Amelia.", "reason": ""}
    )
    assert "Say why this is redacted." in response.content.decode()
    done = client.post(
        _urls(world)["redact-part"], {"redacted": "A known history [redacted] raises the risk to Amelia.", "reason": "Detail"}
    )
    assert done.status_code == 302
    world["police"].response.refresh_from_db()
    assert world["police"].response.analysis_redacted


def test_manager_withholds_an_item(client, world):
    item = world["police"].response.items.get(is_sensitive=False)
    client.force_login(world["users"].manager)
    url = _urls(world)["withhold-item"]
    assert "Say why this item stays inside the MASH." in client.post(url, {"reason": ""}).content.decode()
    assert client.post(url, {"reason": "Not relevant to this child."}).status_code == 302
    item.refresh_from_db()
    assert item.withheld
    assert "SHAREABLE-MARKER" not in client.get(_urls(world)["outbound-preview"]).content.decode()


def test_sensitive_item_offers_no_redaction(client, world):
    sensitive = world["police"].response.items.get(is_sensitive=True)
    client.force_login(world["users"].manager)
    url = reverse("sharing:redact-item", args=[world["contact"].pk, world["police"].pk, sensitive.pk])
    content = client.get(url).content.decode()
    assert "never leaves the MASH" in content
    assert "Save the redaction" not in content


# --------------------------------------------------------------------------- chasing and withdrawing


def test_chase_is_recorded_and_audited(client, world):
    health = world["health"]
    client.force_login(world["users"].decision_maker)
    url = reverse("sharing:chase", args=[world["contact"].pk, health.pk])
    assert client.get(url).status_code == 405
    response = client.post(url)
    assert response.status_code == 302
    health.refresh_from_db()
    assert health.chase_count == 1
    assert AuditEvent.objects.filter(action="request.chased", object_id=str(health.pk)).exists()
    page = client.get(reverse("sharing:response", args=[world["contact"].pk, health.pk])).content.decode()
    assert "chased by Daniel Hughes" in page


def test_officer_may_not_chase(client, world):
    client.force_login(world["users"].officer)
    assert client.post(reverse("sharing:chase", args=[world["contact"].pk, world["health"].pk])).status_code == 403


def test_withdraw_needs_a_reason_and_is_audited(client, world):
    health = world["health"]
    client.force_login(world["users"].decision_maker)
    url = _urls(world)["withdraw"]
    assert "Say why the request is withdrawn." in client.post(url, {"reason": ""}).content.decode()
    response = client.post(url, {"reason": "Health is not involved with this family."})
    assert response.status_code == 302
    health.refresh_from_db()
    assert health.status == RequestStatus.WITHDRAWN
    assert AuditEvent.objects.filter(action="request.withdrawn", object_id=str(health.pk)).exists()
    # An answered request cannot be withdrawn: the page says so and offers no button.
    answered = client.get(reverse("sharing:withdraw", args=[world["contact"].pk, world["police"].pk])).content.decode()
    assert "only an open request can be withdrawn" in answered


def test_request_from_another_contact_is_404(client, world, users):
    other = _consent_given(users)
    client.force_login(users.decision_maker)
    assert client.get(reverse("sharing:response", args=[other.pk, world["police"].pk])).status_code == 404
    assert client.post(reverse("sharing:chase", args=[other.pk, world["health"].pk])).status_code == 404


# --------------------------------------------------------------------------- elsewhere in the contact


def test_contact_page_links_to_stage2(client, world):
    client.force_login(world["users"].decision_maker)
    content = client.get(reverse("intake:detail", args=[world["contact"].pk])).content.decode()
    assert reverse("sharing:overview", args=[world["contact"].pk]) in content
    assert reverse("sharing:request", args=[world["contact"].pk]) in content
    assert "Demoshire Integrated Care Board: sent, not opened yet" in content


def test_recommend_page_warns_about_outstanding_requests_without_blocking(client, world):
    health = world["health"]
    services.record_pending_enquiry(
        health,
        world["users"].health,
        requested_at=health.requested_at,
        from_name="Dr Amir Shah",
        from_designation="GP",
    )
    client.force_login(world["users"].decision_maker)
    url = reverse("decisions:recommend", args=[world["contact"].pk])
    content = client.get(url).content.decode()
    assert "Information sharing is not complete" in content
    assert "Demoshire Integrated Care Board" in content
    assert "1 pending enquiry" in content
    response = client.post(url, {"analysis": "Enough to decide.", "outcome": "nfa", "rationale": "Threshold not met."})
    assert response.status_code == 302


def test_the_agency_that_shared_may_redact_through_its_own_route(client, world):
    item = world["police"].response.items.get(is_sensitive=False)
    url = reverse("sharing:agency-redact-item", args=[world["police"].pk, item.pk])
    client.force_login(world["users"].health)
    assert client.get(url).status_code == 404
    client.force_login(world["users"].police)
    assert "SHAREABLE-MARKER" in client.get(url).content.decode()
    response = client.post(
        url, {"redacted": "Dean Otherman was arrested [redacted] (SHAREABLE-MARKER).", "reason": "Date not needed."}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("sharing:agency-request", args=[world["police"].pk])
    item.refresh_from_db()
    assert item.redacted


def test_no_redaction_once_the_outcome_is_signed_off(client, world):
    from mash.decisions.services import recommend, sign_off

    users, contact = world["users"], world["contact"]
    recommend(
        contact, users.decision_maker, analysis="Enough.", outcome="nfa", rationale="Threshold not met.", receiving_team=None
    )
    sign_off(contact, users.manager, comment="Agreed.")
    client.force_login(users.manager)
    url = _urls(world)["redact-item"]
    assert "Redaction is possible only on a sent answer" in client.get(url).content.decode()
    response = client.post(url, {"redacted": "Dean Otherman was arrested [redacted]", "reason": "x"})
    assert "this outcome has been signed off" in response.content.decode()
    assert not Redaction.objects.exists()
    # Nor are the links offered on the response page.
    assert "Redact this item" not in client.get(_urls(world)["response"]).content.decode()


def test_repeat_contact_shows_the_previous_stage2(client, world):
    from mash.domain.workflow import ContactEvent
    from mash.intake.services import link_to_existing, link_to_new_person
    from mash.intake.workflow import apply_event
    from mash.triage.services import triage

    users, first = world["users"], world["contact"]
    child = first.subject_child.person
    again = factories.record(users.officer, consent="given", consent_not_sought_reason="")
    for cp in again.people.all():
        if cp.role == "subject_child":
            link_to_existing(users.officer, cp, child)
        else:
            link_to_new_person(users.officer, cp)
    apply_event(again, ContactEvent.SUBMIT_FOR_TRIAGE, users.officer)
    triage(again, users.decision_maker, level=factories.level(3), rag=factories.rag("AMBER"), reason="Again.")
    client.force_login(users.decision_maker)
    overview = client.get(reverse("sharing:overview", args=[again.pk])).content.decode()
    assert "the previous Stage 2 was on" in overview
    assert reverse("intake:detail", args=[first.pk]) in overview
    request_page = client.get(reverse("sharing:request", args=[again.pk])).content.decode()
    assert "Agencies will see what they shared then" in request_page
    assert "Asked at the previous Stage 2" in request_page
