"""Need to know: every role against every page, with the status each must get.

MASH staff (officer, decision maker, manager) work on contacts; partner agency practitioners
see a child only when asked (there is no request here, so they see nothing); the
administrator manages configuration and sees no casework. A record a user must not see
answers 404, so its existence is not disclosed; a page a role may never use answers 403.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from mash.audit.models import AuditEvent
from mash.intake.models import Contact
from mash.people.services import SearchQuery, search_people
from tests import factories

pytestmark = pytest.mark.django_db

ROLES = ("officer", "decision_maker", "manager", "police", "health", "education", "administrator", "anonymous")
MASH = ("officer", "decision_maker", "manager")
PARTNERS = ("police", "health", "education")
OUTSIDERS = (*PARTNERS, "administrator")

SIGN_IN = ("redirect", "/accounts/sign-in/")
ADMIN_LOGIN = ("redirect", "/admin/login/")

CHILD_NAMES = ("Testcase", "Matrixchild", "Lettercase")


def _row(*, mash=200, officer=None, decision_maker=None, manager=None, partners=404, administrator=None, anonymous=SIGN_IN):  # noqa: ANN001, ANN202
    row = {role: mash for role in MASH}
    row.update({role: partners for role in PARTNERS})
    row["administrator"] = partners if administrator is None else administrator
    row["anonymous"] = anonymous
    for role, value in (("officer", officer), ("decision_maker", decision_maker), ("manager", manager)):
        if value is not None:
            row[role] = value
    return row


# page -> expected response per role
EXPECTED: dict[str, dict[str, object]] = {
    "home": _row(partners=200),
    "contact-list": _row(partners=403),
    "contact-detail": _row(),
    "link-people": _row(),
    "triage": _row(officer=403),
    "change-rating": _row(officer=403),
    "decision": _row(officer=403),
    "sign-off": _row(officer=403, decision_maker=403),
    "letter": _row(),
    "letter-pdf": _row(),
    "person-search": _row(partners=403),
    "person-detail": _row(),
    "audit-log": _row(mash=403, manager=200, partners=403, administrator=200),
    "admin-index": _row(mash=ADMIN_LOGIN, partners=ADMIN_LOGIN, administrator=200, anonymous=ADMIN_LOGIN),
}

CONTACT_PAGES = ("contact-detail", "link-people", "triage", "change-rating", "decision", "sign-off", "letter", "letter-pdf")
PERSON_PAGES = ("person-detail",)


@pytest.fixture
def world(users):
    """Three contacts in the states the pages need, each about a differently named child."""
    awaiting_triage = factories.submitted(users, child=factories.child_fields(forenames="Amelia", surname="Testcase"))
    awaiting_sign_off, _ = factories.recommended(users, child=factories.child_fields(forenames="Bethany", surname="Matrixchild"))
    signed_off, _, letter = factories.signed_off(users, child=factories.child_fields(forenames="Callum", surname="Lettercase"))
    return {
        "awaiting_triage": awaiting_triage,
        "awaiting_sign_off": awaiting_sign_off,
        "signed_off": signed_off,
        "letter": letter,
        "person": awaiting_triage.subject_child.person,
        "users": users,
    }


def url_for(page: str, world: dict) -> str:
    triage_contact = world["awaiting_triage"].pk
    sign_off_contact = world["awaiting_sign_off"].pk
    letter_contact = world["signed_off"].pk
    return {
        "home": reverse("workqueue:home"),
        "contact-list": reverse("intake:list"),
        "contact-detail": reverse("intake:detail", args=[triage_contact]),
        "link-people": reverse("intake:link-people", args=[triage_contact]),
        "triage": reverse("triage:triage", args=[triage_contact]),
        "change-rating": reverse("triage:change-rating", args=[sign_off_contact]),
        "decision": reverse("decisions:recommend", args=[sign_off_contact]),
        "sign-off": reverse("decisions:review", args=[sign_off_contact]),
        "letter": reverse("decisions:letter", args=[letter_contact, world["letter"].pk]),
        "letter-pdf": reverse("decisions:letter-pdf", args=[letter_contact, world["letter"].pk]),
        "person-search": reverse("people:search") + "?forenames=Amelia&surname=Testcase",
        "person-detail": reverse("people:detail", args=[world["person"].pk]),
        "audit-log": reverse("audit:log"),
        "admin-index": reverse("admin:index"),
    }[page]


def sign_in_as(client, world: dict, role: str) -> None:  # noqa: ANN001
    if role != "anonymous":
        client.force_login(getattr(world["users"], role))


def test_matrix_covers_every_role_and_page():
    assert set(EXPECTED) == {
        "home",
        "contact-list",
        "contact-detail",
        "link-people",
        "triage",
        "change-rating",
        "decision",
        "sign-off",
        "letter",
        "letter-pdf",
        "person-search",
        "person-detail",
        "audit-log",
        "admin-index",
    }
    for row in EXPECTED.values():
        assert set(row) == set(ROLES)


@pytest.mark.parametrize("page", list(EXPECTED))
@pytest.mark.parametrize("role", ROLES)
def test_access_matrix(client, world, role, page):
    sign_in_as(client, world, role)
    url = url_for(page, world)
    response = client.get(url)
    expected = EXPECTED[page][role]
    if isinstance(expected, tuple):
        assert response.status_code == 302, f"{role} {page}: {response.status_code}"
        assert response["Location"].startswith(expected[1]), response["Location"]
        if expected is SIGN_IN:
            assert "next=" in response["Location"]
    else:
        assert response.status_code == expected, f"{role} on {page} ({url})"
    # The administrator's view of the audit log is checked on its own below.
    if (role in OUTSIDERS or role == "anonymous") and (role, page) != ("administrator", "audit-log"):
        content = response.content.decode(errors="replace")
        for name in CHILD_NAMES:
            assert name not in content, f"{role} saw {name} on {page}"
        for key in ("awaiting_triage", "awaiting_sign_off", "signed_off"):
            assert world[key].reference not in content, f"{role} saw a contact reference on {page}"


@pytest.mark.parametrize("role", OUTSIDERS)
def test_outsiders_get_403_or_404_on_every_contact_and_person_page(client, world, role):
    sign_in_as(client, world, role)
    for page in (*CONTACT_PAGES, *PERSON_PAGES, "contact-list", "person-search"):
        response = client.get(url_for(page, world))
        assert response.status_code in (403, 404), f"{role} {page}: {response.status_code}"


@pytest.mark.parametrize("role", OUTSIDERS)
def test_outsider_home_page_does_not_name_any_child(client, world, role):
    sign_in_as(client, world, role)
    response = client.get(reverse("workqueue:home"))
    assert response.status_code == 200
    content = response.content.decode()
    for name in CHILD_NAMES:
        assert name not in content
    assert world["awaiting_triage"].reference not in content


def test_mash_home_page_does_name_the_child(client, world):
    """The opposite of the test above, so the check for names is known to work."""
    sign_in_as(client, world, "decision_maker")
    assert "Testcase" in client.get(reverse("workqueue:home")).content.decode()


@pytest.mark.parametrize("role", PARTNERS)
@pytest.mark.parametrize(
    "query",
    [
        "surname=Testcase",
        "forenames=Amelia&surname=Testcase",
        "postcode=NN4+7SL",
        "date_of_birth_day=27&date_of_birth_month=3&date_of_birth_year=2015",
    ],
)
def test_partner_person_search_does_not_leak_names(client, world, role, query):
    sign_in_as(client, world, role)
    searches = AuditEvent.objects.filter(action="person.searched").count()
    response = client.get(f"{reverse('people:search')}?{query}")
    assert response.status_code == 403
    content = response.content.decode()
    for name in ("Amelia", *CHILD_NAMES):
        assert name not in content
    assert AuditEvent.objects.filter(action="person.searched").count() == searches


@pytest.mark.parametrize("role", OUTSIDERS)
def test_search_service_returns_nothing_to_outsiders(world, role):
    user = getattr(world["users"], role)
    assert search_people(user, SearchQuery(forenames="Amelia", surname="Testcase")) == []
    # ...while the same search finds the child for MASH staff.
    found = search_people(world["users"].officer, SearchQuery(forenames="Amelia", surname="Testcase"))
    assert world["person"] in [c.person for c in found]


@pytest.mark.parametrize("role", PARTNERS)
def test_partner_contact_list_denied_even_with_a_search(client, world, role):
    sign_in_as(client, world, role)
    response = client.get(reverse("intake:list") + "?q=Testcase&status=all")
    assert response.status_code == 403
    assert "Testcase" not in response.content.decode()


def test_administrator_audit_log_does_not_name_children(client, world):
    """The administrator manages configuration, not casework: the log must not reveal who the children are."""
    sign_in_as(client, world, "administrator")
    response = client.get(reverse("audit:log"))
    assert response.status_code == 200
    content = response.content.decode()
    for name in ("Amelia", "Kelly", "Otherman", *CHILD_NAMES):
        assert name not in content, f"the audit log shows '{name}' to the administrator"


# -- writes are refused too -------------------------------------------------------------------


def test_officer_cannot_post_a_sign_off(client, world):
    sign_in_as(client, world, "officer")
    contact = world["awaiting_sign_off"]
    response = client.post(reverse("decisions:review", args=[contact.pk]), {"verdict": "agree", "comment": "ok"})
    assert response.status_code == 403
    assert Contact.objects.get(pk=contact.pk).status == "awaiting_sign_off"


@pytest.mark.parametrize("role", OUTSIDERS)
def test_outsider_posts_are_refused(client, world, role):
    sign_in_as(client, world, role)
    triage_contact = world["awaiting_triage"]
    sign_off_contact = world["awaiting_sign_off"]
    cp = triage_contact.subject_child
    posts = [
        (reverse("decisions:review", args=[sign_off_contact.pk]), {"verdict": "agree", "comment": "ok"}),
        (
            reverse("triage:triage", args=[triage_contact.pk]),
            {"level_of_need": factories.level(4).pk, "rag_rating": factories.rag("RED").pk, "reason": "x"},
        ),
        (reverse("intake:link-person", args=[triage_contact.pk, cp.pk]), {"action": "unlink"}),
        (reverse("decisions:letter", args=[world["signed_off"].pk, world["letter"].pk]), {"method": "email"}),
    ]
    for url, data in posts:
        response = client.post(url, data)
        assert response.status_code in (403, 404), url
    assert Contact.objects.get(pk=sign_off_contact.pk).status == "awaiting_sign_off"
    assert Contact.objects.get(pk=triage_contact.pk).status == "awaiting_triage"
    assert Contact.objects.get(pk=world["signed_off"].pk).status == "signed_off"
    cp.refresh_from_db()
    assert cp.person is not None


@pytest.mark.parametrize("role", ["police", "administrator"])
def test_outsider_cannot_record_a_contact(client, world, role):
    sign_in_as(client, world, role)
    assert client.get(reverse("intake:record")).status_code == 403
    assert client.post(reverse("intake:record"), {"channel": "email"}).status_code == 403


# -- every view and search is audited ------------------------------------------------------------


@pytest.mark.parametrize("role", MASH)
def test_contact_detail_view_is_audited_with_role_and_agency(client, world, role):
    user = getattr(world["users"], role)
    sign_in_as(client, world, role)
    contact = world["awaiting_triage"]
    before = AuditEvent.objects.filter(action="contact.viewed").count()
    response = client.get(reverse("intake:detail", args=[contact.pk]))
    assert response.status_code == 200
    events = AuditEvent.objects.filter(action="contact.viewed").order_by("-sequence")
    assert events.count() == before + 1
    event = events.first()
    assert event.object_type == "intake.contact"
    assert event.object_id == str(contact.pk)
    assert event.actor_id == user.pk
    assert event.actor_username == user.username
    assert event.actor_role == user.role
    assert event.actor_agency == "Demoshire Children's Services"
    assert event.ip_address == "127.0.0.1"
    assert contact.reference in event.summary


@pytest.mark.parametrize("role", OUTSIDERS)
def test_refused_contact_view_is_not_recorded_as_a_view(client, world, role):
    sign_in_as(client, world, role)
    before = AuditEvent.objects.filter(action="contact.viewed").count()
    client.get(reverse("intake:detail", args=[world["awaiting_triage"].pk]))
    assert AuditEvent.objects.filter(action="contact.viewed").count() == before


@pytest.mark.parametrize("role", MASH)
def test_person_search_is_audited(client, world, role):
    user = getattr(world["users"], role)
    sign_in_as(client, world, role)
    before = AuditEvent.objects.filter(action="person.searched").count()
    response = client.get(reverse("people:search") + "?forenames=Amelia&surname=Testcase")
    assert response.status_code == 200
    assert "Amelia Testcase" in response.content.decode()
    events = AuditEvent.objects.filter(action="person.searched").order_by("-sequence")
    assert events.count() == before + 1
    event = events.first()
    assert event.actor_id == user.pk
    assert event.actor_role == user.role
    assert event.actor_agency == "Demoshire Children's Services"
    assert "Testcase" in event.summary
    assert event.reason == "Person search page"


@pytest.mark.parametrize("role", MASH)
def test_person_detail_view_is_audited(client, world, role):
    sign_in_as(client, world, role)
    person = world["person"]
    before = AuditEvent.objects.filter(action="person.viewed", object_id=str(person.pk)).count()
    assert client.get(reverse("people:detail", args=[person.pk])).status_code == 200
    assert AuditEvent.objects.filter(action="person.viewed", object_id=str(person.pk)).count() == before + 1


def test_unknown_contact_is_404_for_staff_too(client, world):
    sign_in_as(client, world, "manager")
    missing = Contact.objects.order_by("-pk").first().pk + 1000
    assert client.get(reverse("intake:detail", args=[missing])).status_code == 404
