"""Need to know in Stage 2: every role against every information-sharing page.

MASH staff work on the contact's Stage 2 (an officer reads it; deciding and redacting is for
decision makers and managers); each partner agency sees only the requests addressed to it; the
receiving team sees only what left the MASH with an outcome sent to it; the data protection
officer reads and searches the sharing log but never the record. A record a user must not see
answers 404 (its existence is not disclosed); a page a role may never use answers 403; a page
that only takes a form submission answers 405 to GET.

The world is built once per role (two Stage 2 journeys and a repeat contact), and each role's
test walks every page of the matrix, reporting every mismatch at once.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from mash.audit.models import AuditEvent
from mash.partnership.models import Agency, LawfulBasis
from mash.sharing.models import InformationItem, InformationRequest, Redaction
from tests import stage2

pytestmark = pytest.mark.django_db

ROLES = (
    "officer", "decision_maker", "manager", "second_manager", "police", "health", "education", "probation",
    "receiving", "dpo", "administrator", "anonymous",
)
MASH = ("officer", "decision_maker", "manager", "second_manager")
DECIDERS = ("decision_maker", "manager", "second_manager")
MANAGERS = ("manager", "second_manager")
PARTNERS = ("police", "health", "education", "probation")
OTHERS = ("receiving", "dpo", "administrator")

SIGN_IN = ("redirect", "/accounts/sign-in/")


def _row(default: object, **by_role: object) -> dict[str, object]:
    """Expected status per role: `default` unless named; anonymous visitors are sent to sign in."""
    row: dict[str, object] = dict.fromkeys(ROLES, default)
    row["anonymous"] = SIGN_IN
    for role, value in by_role.items():
        row[role] = value
    return row


def _only(allowed: tuple[str, ...], status: object = 200, *, others: object, **by_role: object) -> dict[str, object]:
    return _row(others, **dict.fromkeys(allowed, status), **by_role)


# Contact pages: outsiders get 404 (the contact is not theirs to know of), staff without the role 403.
MASH_READ = _only(MASH, others=404)
DECIDE = _only(DECIDERS, others=404, officer=403)
MANAGE = _only(MANAGERS, others=404, officer=403, decision_maker=403)
# The agency workspace: other roles 403; another agency's request 404.
AGENCY_ONLY = {agency: _only((agency,), others=403, **{p: 404 for p in PARTNERS if p != agency}) for agency in PARTNERS}
RECEIVING_ONLY = _only(("receiving",), others=403)
POST_ONLY = _row(405)

EXPECTED: dict[str, dict[str, object]] = {
    # MASH side: a contact whose Stage 2 is in progress
    "overview": MASH_READ,
    "send-requests": DECIDE,
    "consent": MASH_READ,
    "consent-override": MANAGE,
    "consent-ask": POST_ONLY,
    "response": MASH_READ,
    "response-of-another-contact": _row(404),
    "chase": POST_ONLY,
    "withdraw": DECIDE,
    "escalation-respond": MANAGE,
    "outbound-preview": DECIDE,
    "contact-log": _only((*MASH, "dpo"), others=404),
    "redact-part": MANAGE,
    "redact-item": MANAGE,
    "withhold-item": MANAGE,
    # Partner agency workspace
    "agency-home": _only(PARTNERS, others=403),
    "agency-request-police": AGENCY_ONLY["police"],
    "agency-request-health": AGENCY_ONLY["health"],
    "agency-previous-police": AGENCY_ONLY["police"],
    "agency-enquiry-add-education": AGENCY_ONLY["education"],
    "agency-enquiry-received": POST_ONLY,
    "agency-escalate-health": AGENCY_ONLY["health"],
    "agency-redact-part-police": AGENCY_ONLY["police"],
    "agency-redact-item-police": AGENCY_ONLY["police"],
    "agency-withhold-item-police": AGENCY_ONLY["police"],
    # Receiving team
    "transfers": RECEIVING_ONLY,
    "transfer": RECEIVING_ONLY,
    "transfer-pdf": RECEIVING_ONLY,
    "transfer-json": RECEIVING_ONLY,
    "transfer-not-sent-to-them": _only(("receiving",), 404, others=403),
    # Data protection officer (and team managers)
    "log-search": _only(("dpo", *MANAGERS), others=403),
    "log-search-csv": _only(("dpo", *MANAGERS), others=403),
}


@pytest.fixture
def world(users):
    """`open`: Stage 2 in progress (answered by police and health; education waiting on an enquiry).
    `done`: outcome signed off to First Response Team North and letter sent.
    `repeat`: a new contact about the `open` child, police asked again (so 'previous' exists)."""
    open_ = stage2.build_stage2(users, through="answered")
    done = stage2.build_stage2(users, markers=stage2.Markers(tag="D"), surname="Doneperson", forenames="Dana")
    repeat = stage2.repeat_contact(users, open_.contact)
    (repeat_police,) = stage2.send(users, repeat, ["police"])
    return {"users": users, "open": open_, "done": done, "repeat_police": repeat_police}


def url_for(page: str, world: dict) -> str:
    s, done = world["open"], world["done"]
    pk = s.contact.pk
    police, health, education = s.police_request.pk, s.health_request.pk, s.education_request.pk
    fact, hearsay = s.police_items["fact"].pk, s.police_items["hearsay"].pk
    mash = {"pk": pk, "rid": police}
    return {
        "overview": reverse("sharing:overview", args=[pk]),
        "send-requests": reverse("sharing:request", args=[pk]),
        "consent": reverse("sharing:consent", args=[pk]),
        "consent-override": reverse("sharing:consent-override", args=[pk]),
        "consent-ask": reverse("sharing:consent-ask", args=[pk]),
        "response": reverse("sharing:response", kwargs=mash),
        "response-of-another-contact": reverse("sharing:response", kwargs={"pk": pk, "rid": done.police_request.pk}),
        "chase": reverse("sharing:chase", kwargs={"pk": pk, "rid": education}),
        "withdraw": reverse("sharing:withdraw", kwargs={"pk": pk, "rid": education}),
        "escalation-respond": reverse("sharing:escalation-respond", kwargs={"pk": pk, "eid": s.escalation.pk}),
        "outbound-preview": reverse("sharing:outbound-preview", args=[pk]),
        "contact-log": reverse("sharing:log", args=[pk]),
        "redact-part": reverse("sharing:redact-part", kwargs={**mash, "part": "analysis"}),
        "redact-item": reverse("sharing:redact-item", kwargs={**mash, "item_pk": hearsay}),
        "withhold-item": reverse("sharing:withhold-item", kwargs={**mash, "item_pk": hearsay}),
        "agency-home": reverse("sharing:agency-home"),
        "agency-request-police": reverse("sharing:agency-request", args=[police]),
        "agency-request-health": reverse("sharing:agency-request", args=[health]),
        "agency-previous-police": reverse("sharing:agency-previous", args=[world["repeat_police"].pk]),
        "agency-enquiry-add-education": reverse("sharing:agency-enquiry-add", args=[education]),
        "agency-enquiry-received": reverse("sharing:agency-enquiry-received", kwargs={"rid": education, "eid": s.enquiry.pk}),
        "agency-escalate-health": reverse("sharing:agency-escalate", args=[health]),
        "agency-redact-part-police": reverse("sharing:agency-redact-part", kwargs={"rid": police, "part": "recommendation"}),
        "agency-redact-item-police": reverse("sharing:agency-redact-item", kwargs={"rid": police, "item_pk": fact}),
        "agency-withhold-item-police": reverse("sharing:agency-withhold-item", kwargs={"rid": police, "item_pk": hearsay}),
        "transfers": reverse("sharing:transfers"),
        "transfer": reverse("sharing:transfer", args=[done.contact.pk]),
        "transfer-pdf": reverse("sharing:transfer-pdf", args=[done.contact.pk]),
        "transfer-json": reverse("sharing:transfer-json", args=[done.contact.pk]),
        "transfer-not-sent-to-them": reverse("sharing:transfer", args=[pk]),
        "log-search": reverse("sharing:log-search") + f"?reference={done.contact.reference}",
        "log-search-csv": reverse("sharing:log-search") + "?format=csv",
    }[page]


def sign_in_as(client, world: dict, role: str) -> None:  # noqa: ANN001
    if role != "anonymous":
        client.force_login(getattr(world["users"], role))


def test_matrix_covers_every_sharing_url_and_every_role():
    from mash.sharing.urls import urlpatterns

    names = {p.name for p in urlpatterns}
    covered = {
        "overview", "request", "consent", "consent-override", "consent-ask", "response", "chase", "withdraw",
        "escalation-respond", "outbound-preview", "log", "redact-part", "redact-item", "withhold-item", "agency-home",
        "agency-request", "agency-previous", "agency-enquiry-add", "agency-enquiry-received", "agency-escalate",
        "agency-redact-part", "agency-redact-item", "agency-withhold-item", "transfers", "transfer", "transfer-pdf",
        "transfer-json", "log-search",
    }
    assert names == covered, f"sharing URLs not in the matrix: {names - covered}"
    for page, row in EXPECTED.items():
        assert set(row) == set(ROLES), page


@pytest.mark.parametrize("role", ROLES)
def test_stage2_access_matrix(client, world, role):
    sign_in_as(client, world, role)
    wrong = []
    for page, row in EXPECTED.items():
        url = url_for(page, world)
        response = client.get(url)
        expected = row[role]
        if isinstance(expected, tuple):
            location = response.get("Location", "")
            if response.status_code != 302 or not location.startswith(expected[1]):
                wrong.append(f"{page} ({url}): expected a redirect to {expected[1]}, got {response.status_code} {location}")
        elif response.status_code != expected:
            wrong.append(f"{page} ({url}): expected {expected}, got {response.status_code}")
    assert not wrong, f"{role}:\n  " + "\n  ".join(wrong)


# -- what each may read on the pages they may open ---------------------------------------------


def contents(client, *urls: str) -> str:  # noqa: ANN001
    out = []
    for url in urls:
        response = client.get(url)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        out.append(body.decode(errors="replace"))
    return "\n".join(out)


def test_each_agency_lists_only_its_own_requests(client, world):
    s = world["open"]
    for role, mine in (("police", s.police_request), ("health", s.health_request), ("education", s.education_request)):
        sign_in_as(client, world, role)
        page = contents(client, reverse("sharing:agency-home"))
        assert reverse("sharing:agency-request", args=[mine.pk]) in page
        for other in InformationRequest.objects.exclude(agency=mine.agency):
            assert reverse("sharing:agency-request", args=[other.pk]) not in page, f"{role} is offered {other}"
    sign_in_as(client, world, "probation")
    page = contents(client, reverse("sharing:agency-home"))
    assert s.contact.reference not in page and "Firewallchild" not in page


def test_health_cannot_read_the_police_answer(client, world):
    s = world["open"]
    sign_in_as(client, world, "health")
    assert client.get(reverse("sharing:agency-request", args=[s.police_request.pk])).status_code == 404
    assert client.get(reverse("sharing:agency-redact-item", kwargs={"rid": s.police_request.pk,
                                                                     "item_pk": s.police_items["fact"].pk})).status_code == 404
    # Health's own request with a police item's id: the item is not found under health's request.
    assert client.get(reverse("sharing:agency-redact-item", kwargs={"rid": s.health_request.pk,
                                                                     "item_pk": s.police_items["hearsay"].pk})).status_code == 404
    health_pages = [reverse("sharing:agency-home"), reverse("sharing:agency-request", args=[s.health_request.pk]),
                    reverse("sharing:agency-escalate", args=[s.health_request.pk])]
    page = contents(client, *health_pages)
    assert s.markers.health_fact in page  # its own answer is there
    for item in s.police_items.values():
        assert item.text not in page
    for marker in (s.markers.sensitive, s.markers.hearsay, s.markers.police_fact, s.markers.withheld, s.markers.redacted_word):
        assert marker not in page


def test_the_police_read_their_own_sensitive_item_and_not_healths_escalation(client, world):
    s = world["open"]
    sign_in_as(client, world, "police")
    page = contents(client, reverse("sharing:agency-request", args=[s.police_request.pk]))
    assert s.markers.sensitive in page
    assert s.markers.escalation not in page and s.markers.health_fact not in page


def test_the_receiving_team_never_sees_sensitive_items(client, world):
    done = world["done"]
    sign_in_as(client, world, "receiving")
    pack_pages = [reverse("sharing:transfers"), reverse("sharing:transfer", args=[done.contact.pk]),
                  reverse("sharing:transfer-json", args=[done.contact.pk])]
    page = contents(client, *pack_pages)
    for marker in done.markers.travelling().values():
        assert marker in page  # what travels does reach them
    for kind, marker in done.markers.never_leaving().items():
        assert marker not in page, kind
    assert done.sensitive_item.sensitive_holder in page  # they are told who to ask
    # Not the MASH record, not the agency workspace, not a contact that was not sent to them.
    for url in (reverse("intake:detail", args=[done.contact.pk]), reverse("sharing:overview", args=[done.contact.pk]),
                reverse("sharing:log", args=[done.contact.pk])):
        assert client.get(url).status_code == 404, url
    assert client.get(reverse("sharing:agency-home")).status_code == 403


def test_opening_a_transfer_is_audited(client, world):
    done = world["done"]
    sign_in_as(client, world, "receiving")
    before = AuditEvent.objects.filter(action="transfer.viewed").count()
    client.get(reverse("sharing:transfer", args=[done.contact.pk]))
    assert AuditEvent.objects.filter(action="transfer.viewed", actor_id=world["users"].receiving.pk).count() == before + 1


def test_the_dpo_searches_the_log_but_never_opens_the_record(client, world):
    done = world["done"]
    sign_in_as(client, world, "dpo")
    before = AuditEvent.objects.filter(action="sharing_log.searched").count()
    response = client.get(reverse("sharing:log-search") + f"?reference={done.contact.reference}")
    assert response.status_code == 200
    page = response.content.decode()
    assert done.contact.reference in page
    assert "Shared with the receiving team" in page or "First Response Team North" in page
    assert AuditEvent.objects.filter(action="sharing_log.searched").count() == before + 1
    for marker in done.markers.all().values():
        assert marker not in page
    for url in (reverse("intake:detail", args=[done.contact.pk]), reverse("sharing:overview", args=[done.contact.pk]),
                reverse("sharing:response", kwargs={"pk": done.contact.pk, "rid": done.police_request.pk}),
                reverse("people:detail", args=[done.person.pk])):
        assert client.get(url).status_code in (403, 404), url
    assert client.get(reverse("intake:detail", args=[done.contact.pk])).status_code == 404


def test_the_officer_reads_stage2_without_sensitive_text(client, world):
    s = world["open"]
    sign_in_as(client, world, "officer")
    page = contents(client, reverse("sharing:overview", args=[s.contact.pk]),
                    reverse("sharing:response", kwargs={"pk": s.contact.pk, "rid": s.police_request.pk}))
    assert s.markers.hearsay in page  # ordinary items are there
    assert s.markers.sensitive not in page


# -- writes are refused too -------------------------------------------------------------------


@pytest.mark.parametrize("role", ["officer", "police", "receiving", "dpo", "administrator"])
def test_roles_that_may_not_request_cannot_post_requests(client, world, role):
    s = world["open"]
    sign_in_as(client, world, role)
    before = InformationRequest.objects.count()
    probation = Agency.objects.get(name="Demoshire Probation Delivery Unit")
    valid = {
        f"ask_{probation.pk}": "on",
        f"question_{probation.pk}": "Is either adult known to probation?",
        "concern_summary": "Concern.",
        "lawful_bases": [LawfulBasis.objects.get(code="ca-1989-s47").pk],
    }
    response = client.post(reverse("sharing:request", args=[s.contact.pk]), valid)
    assert response.status_code in (403, 404)
    assert InformationRequest.objects.count() == before


def test_the_same_valid_request_post_succeeds_for_a_decision_maker(client, world):
    """The control for the test above: the form it posts is a valid one."""
    s = world["open"]
    sign_in_as(client, world, "decision_maker")
    probation = Agency.objects.get(name="Demoshire Probation Delivery Unit")
    response = client.post(
        reverse("sharing:request", args=[s.contact.pk]),
        {
            f"ask_{probation.pk}": "on",
            f"question_{probation.pk}": "Is either adult known to probation?",
            "concern_summary": "Concern.",
            "lawful_bases": [LawfulBasis.objects.get(code="ca-1989-s47").pk],
        },
    )
    assert response.status_code == 302
    assert InformationRequest.objects.filter(contact=s.contact, agency=probation).exists()


@pytest.mark.parametrize("role", ["officer", "decision_maker", "manager", "police", "health", "receiving", "dpo", "administrator"])
def test_only_the_agency_asked_can_mark_its_enquiry_received(client, world, role):
    s = world["open"]
    enquiry = s.enquiry
    sign_in_as(client, world, role)
    response = client.post(reverse("sharing:agency-enquiry-received", args=[enquiry.request_id, enquiry.pk]))
    assert response.status_code in (403, 404), (role, response.status_code)
    enquiry.refresh_from_db()
    assert enquiry.received_at is None


def test_the_agency_asked_marks_its_own_enquiry_received(client, world):
    enquiry = world["open"].enquiry
    sign_in_as(client, world, "education")
    response = client.post(reverse("sharing:agency-enquiry-received", args=[enquiry.request_id, enquiry.pk]))
    assert response.status_code == 302
    enquiry.refresh_from_db()
    assert enquiry.received_at is not None


@pytest.mark.parametrize("role", ["officer", "police", "receiving", "dpo", "administrator"])
def test_only_decision_makers_and_managers_can_chase(client, world, role):
    s = world["open"]
    open_request = s.contact.information_requests.open().first()
    sign_in_as(client, world, role)
    response = client.post(reverse("sharing:chase", args=[s.contact.pk, open_request.pk]))
    assert response.status_code in (403, 404), (role, response.status_code)
    assert not open_request.chases.exists()


@pytest.mark.parametrize("role", ["police", "receiving", "dpo", "administrator"])
def test_outsiders_cannot_ask_a_manager_about_consent(client, world, role):
    s = world["open"]
    sign_in_as(client, world, role)
    response = client.post(reverse("sharing:consent-ask", args=[s.contact.pk]), {"note": "x"})
    assert response.status_code in (403, 404), (role, response.status_code)
    assert not s.contact.alerts.filter(kind="consent_override").exists()


@pytest.mark.parametrize("role", ["health", "decision_maker", "officer", "receiving"])
def test_only_the_police_or_a_manager_can_post_a_redaction_of_a_police_item(client, world, role):
    s = world["open"]
    sign_in_as(client, world, role)
    hearsay = s.police_items["hearsay"]
    redacted = hearsay.text.replace("in the car.", "[redacted]")
    for url in (reverse("sharing:agency-redact-item", kwargs={"rid": s.police_request.pk, "item_pk": hearsay.pk}),
                reverse("sharing:redact-item", kwargs={"pk": s.contact.pk, "rid": s.police_request.pk, "item_pk": hearsay.pk})):
        response = client.post(url, {"redacted": redacted, "reason": "Because."})
        assert response.status_code in (403, 404), (role, url, response.status_code)
    assert not Redaction.objects.filter(item=hearsay).exists()
    assert not InformationItem.objects.get(pk=hearsay.pk).redacted
