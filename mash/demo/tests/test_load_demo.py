"""`manage.py load_demo`: a realistic demo that exercises the real services and loads only once."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.db.models import Q
from django.test import RequestFactory
from django.utils import timezone

from mash.accounts.models import Role, User
from mash.audit.models import AuditEvent
from mash.audit.services import verify_chain
from mash.decisions.models import Decision, Outcome
from mash.demo.builders import DEMO_PASSWORD
from mash.domain.identifiers import normalise_postcode, validate_nhs_number, validate_upn
from mash.domain.workflow import ContactStatus
from mash.intake.models import Contact, ContactPerson, StatusChange
from mash.people.models import SOCIAL_WORK_KINDS, Involvement, InvolvementKind, Person, Relationship
from mash.people.services import SearchQuery, find_candidates, history_warnings
from mash.workqueue.models import Alert


def load_demo() -> str:
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def children() -> list[Person]:
    cutoff = timezone.localdate() - timedelta(days=18 * 365 + 4)
    return list(
        Person.objects.filter(Q(date_of_birth__gt=cutoff) | Q(date_of_birth__isnull=True, expected_date_of_birth__isnull=False))
    )


def families() -> list[set[int]]:
    """Groups of people tied together by relationships that include at least one child."""
    parent: dict[int, int] = {}

    def root(pk: int) -> int:
        parent.setdefault(pk, pk)
        while parent[pk] != pk:
            parent[pk] = parent[parent[pk]]
            pk = parent[pk]
        return pk

    for a, b in Relationship.objects.values_list("person_id", "relative_id"):
        parent[root(a)] = root(b)
    groups: dict[int, set[int]] = {}
    for pk in list(parent):
        groups.setdefault(root(pk), set()).add(pk)
    child_ids = {p.pk for p in children()}
    return [group for group in groups.values() if group & child_ids]


def counts() -> dict[str, int]:
    return {
        "people": Person.objects.count(),
        "relationships": Relationship.objects.count(),
        "involvements": Involvement.objects.count(),
        "contacts": Contact.objects.count(),
        "decisions": Decision.objects.count(),
        "users": User.objects.count(),
        "audit": AuditEvent.objects.count(),
    }


@pytest.mark.django_db
def test_load_demo_builds_a_realistic_partnership():
    output = load_demo()

    # Users of every role, who can sign in with the demo password; the table says how.
    assert DEMO_PASSWORD in output
    assert "Sign in at http://127.0.0.1:8000/" in output
    for role in Role.values:
        assert User.objects.filter(role=role).exists(), role
    request = RequestFactory().post("/accounts/sign-in/")
    for user in User.objects.all():
        assert user.username in output
        assert user.check_password(DEMO_PASSWORD)
        assert authenticate(request, username=user.username, password=DEMO_PASSWORD) == user

    # About 60 children (one unborn) in 25 families, with their parents and carers.
    kids = children()
    assert len(kids) >= 55
    assert any(p.is_unborn for p in kids)
    assert len(families()) == 25
    assert Person.objects.count() - len(kids) >= 40  # adults
    assert Relationship.objects.filter(relationship="mother").exists()
    assert Relationship.objects.filter(lives_with=False).exists()
    assert len({p.ethnicity for p in kids}) >= 8
    for person in Person.objects.all():
        if person.postcode:
            assert normalise_postcode(person.postcode) == person.postcode
        if person.nhs_number:
            validate_nhs_number(person.nhs_number)
        if person.upn:
            validate_upn(person.upn)
    assert Person.objects.exclude(nhs_number="").count() >= 30
    assert Person.objects.exclude(upn="").count() >= 20

    # History: an open case with an allocated worker, a closure inside the 12-week rule,
    # early help open and closed in one family, repeat low-level contacts.
    today = timezone.localdate()
    open_case = Involvement.objects.get(
        kind__in=SOCIAL_WORK_KINDS, closed_on__isnull=True, team__name="Safeguarding Team East", person__forenames="Jayden"
    )
    assert open_case.allocated_worker and open_case.worker_phone
    recent = Involvement.objects.filter(
        kind__in=SOCIAL_WORK_KINDS, team__name="First Response Team North", closed_on__gte=today - timedelta(weeks=12)
    )
    assert recent.exists()
    assert history_warnings(recent.first().person).recent_closure is not None
    early_help = Involvement.objects.filter(kind=InvolvementKind.EARLY_HELP)
    open_eh_surnames = {i.person.surname for i in early_help.filter(closed_on__isnull=True)}
    closed_eh_surnames = {i.person.surname for i in early_help.filter(closed_on__isnull=False)}
    assert open_eh_surnames & closed_eh_surnames
    alfie = Person.objects.get(forenames="Alfred", surname="Smith")
    repeat = Contact.objects.filter(
        status=ContactStatus.CLOSED, people__person=alfie, received_at__gte=timezone.now() - timedelta(days=365)
    ).distinct()
    assert 3 <= repeat.count() <= 4
    for contact in repeat:
        assert contact.decisions.get(review=Decision.Review.AGREED).outcome in {Outcome.NFA, Outcome.ADVICE_SIGNPOST}

    # Contacts in every state, made through the services (so every step is in the history).
    for status in ContactStatus:
        assert Contact.objects.filter(status=status).exists(), status
    expected = {"recorded": 2, "awaiting_triage": 3, "triaged": 2, "awaiting_sign_off": 1, "challenged": 1, "signed_off": 1}
    for status, number in expected.items():
        assert Contact.objects.filter(status=status).count() == number, status
    closed = Contact.objects.filter(status=ContactStatus.CLOSED)
    assert closed.count() >= 10
    assert all(c.closed_at and c.decided_at and c.closed_at < timezone.now() - timedelta(days=7) for c in closed)
    assert closed.order_by("received_at").first().received_at < timezone.now() - timedelta(days=300)
    for contact in Contact.objects.exclude(status=ContactStatus.RECORDED):
        changes = list(contact.status_changes.all())
        assert changes[0].event == "submit_for_triage"
        assert changes[-1].to_status == contact.status
        assert all(earlier.occurred_at <= later.occurred_at for earlier, later in zip(changes, changes[1:], strict=False))
        assert contact.received_at <= changes[0].occurred_at
    assert StatusChange.objects.filter(event="challenge").count() >= 2
    now = timezone.now()
    assert Contact.objects.filter(status=ContactStatus.AWAITING_TRIAGE, triage_due_at__lt=now).exists()  # overdue
    assert all(c.received_at > now - timedelta(days=7) for c in Contact.objects.open())
    red = Contact.objects.get(status=ContactStatus.TRIAGED, rag_rating__code="RED")
    assert red.urgent_flags.exists()
    assert Alert.objects.filter(contact=red, acknowledged_at__isnull=True).exists()
    signed_off = Contact.objects.get(status=ContactStatus.SIGNED_OFF)
    assert signed_off.letters.filter(sent_at__isnull=True).exists()
    assert ContactPerson.objects.filter(created_new_person=True).exists()

    # The recorded contact with a nickname, misspelt surname and swapped DOB finds the real child.
    smyth = Contact.objects.filter(status=ContactStatus.RECORDED, people__surname="Smyth").distinct().get().subject_child
    assert smyth.person is None
    best = find_candidates(
        SearchQuery(forenames=smyth.forenames, surname=smyth.surname, date_of_birth=smyth.date_of_birth, postcode=smyth.postcode),
        Person.objects.all(),
    )[0]
    assert best.person == alfie

    # Near-duplicate records for deduplication to find.
    for forenames, surname in [("Jayden", "Cambell"), ("Hussain", "Zain"), ("Olivia", "Novak")]:
        duplicate = Person.objects.get(forenames=forenames, surname=surname)
        found = find_candidates(
            SearchQuery(forenames=duplicate.forenames, surname=duplicate.surname, date_of_birth=duplicate.date_of_birth),
            Person.objects.exclude(pk=duplicate.pk),
        )
        assert found and found[0].match.probability > 0.5

    # Every step went through the audited services, and the chain is intact.
    assert AuditEvent.objects.filter(action="contact.recorded").count() == Contact.objects.count()
    assert AuditEvent.objects.filter(action="letter.sent").count() == closed.count()
    assert verify_chain().ok


@pytest.mark.django_db
def test_load_demo_twice_does_not_duplicate():
    load_demo()
    before = counts()
    output = load_demo()
    assert "Demo data already loaded" in output
    assert DEMO_PASSWORD in output
    assert counts() == before
    assert verify_chain().ok
