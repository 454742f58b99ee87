"""`manage.py load_demo`: a realistic demo that exercises the real services and loads only once."""

from __future__ import annotations

import io
import json
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
from mash.core.access import transferred_contacts
from mash.decisions.models import Decision, FeedbackCall, Outcome, OutcomeLetter
from mash.decisions.services import feedback_complete
from mash.demo.builders import DEMO_PASSWORD
from mash.domain.identifiers import normalise_postcode, validate_nhs_number, validate_upn
from mash.domain.workflow import ContactStatus
from mash.intake.models import Consent, Contact, ContactPerson, StatusChange
from mash.partnership.services import deadline
from mash.people.models import SOCIAL_WORK_KINDS, Involvement, InvolvementKind, Person, Relationship
from mash.people.services import SearchQuery, find_candidates, history_warnings
from mash.sharing.models import (
    ConsentOverride,
    Escalation,
    InformationItem,
    InformationRequest,
    ItemKind,
    PendingEnquiry,
    RequestNotice,
    RequestStatus,
    SharingLogEntry,
)
from mash.sharing.services import outbound_pack
from mash.triage.models import RatingChange
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
        "requests": InformationRequest.objects.count(),
        "items": InformationItem.objects.count(),
        "sharing_log": SharingLogEntry.objects.count(),
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
    assert len(families()) >= 25  # history's 25, plus the families the outcome side adds
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
    # History's contacts, plus the ones Stage 2 and the outcome side add.
    expected = {"recorded": 2, "awaiting_triage": 3, "triaged": 8, "awaiting_sign_off": 1, "challenged": 1, "signed_off": 2}
    for status, number in expected.items():
        assert Contact.objects.filter(status=status).count() >= number, status
    closed = Contact.objects.filter(status=ContactStatus.CLOSED)
    assert closed.count() >= 10
    assert all(c.closed_at and c.decided_at and c.closed_at <= timezone.now() for c in closed)
    assert closed.filter(closed_at__lt=timezone.now() - timedelta(days=7)).count() >= 10
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
    # Open contacts are recent, except those the outcome side keeps open on purpose (a decision sent
    # back by a dispute, feedback still owed).
    assert sum(c.received_at > now - timedelta(days=7) for c in Contact.objects.open()) >= 15
    red = (
        Contact.objects.filter(status=ContactStatus.TRIAGED, rag_rating__code="RED", urgent_flags__isnull=False).distinct().get()
    )
    assert Alert.objects.filter(contact=red, acknowledged_at__isnull=True).exists()
    for signed_off in Contact.objects.filter(status=ContactStatus.SIGNED_OFF):
        assert not feedback_complete(signed_off)
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
    for forenames, surname in [("Jayden", "Cambell"), ("Hussain", "Zain"), ("Olivia", "Novak"), ("Muhammad", "Abdi"), ("Yaw", "Assante")]:
        duplicate = Person.objects.get(forenames=forenames, surname=surname)
        found = find_candidates(
            SearchQuery(forenames=duplicate.forenames, surname=duplicate.surname, date_of_birth=duplicate.date_of_birth),
            Person.objects.exclude(pk=duplicate.pk),
        )
        assert found and found[0].match.probability > 0.5

    # Person matching: the near-duplicates are found by a deduplication run (one already merged by the team
    # manager), and the school extract is linked: exact rows automatically, an uncertain one queued, strangers not.
    from mash.matching.models import CandidatePair, LinkageJob, PersonMerge, SourceRecord

    dedupe = LinkageJob.objects.get(kind=LinkageJob.Kind.DEDUPLICATE)
    assert dedupe.status == LinkageJob.Status.DONE
    found = {frozenset((p.left.surname, p.right.surname)) for p in CandidatePair.objects.filter(job=dedupe).select_related("left", "right")}
    assert {frozenset(("Campbell", "Cambell")), frozenset(("Nowak", "Novak")), frozenset(("Asante", "Assante"))} <= found
    merge = PersonMerge.objects.select_related("merged", "survivor").get()
    assert (merge.merged.surname, merge.survivor.surname, merge.merged.merged_into_id) == ("Cambell", "Campbell", merge.survivor_id)
    rows = SourceRecord.objects.filter(job__kind=LinkageJob.Kind.LINK_EXTRACT)
    assert rows.filter(linked_by=SourceRecord.LinkedBy.AUTOMATIC).count() >= 10
    assert rows.get(fields__forenames="Alfie").person == alfie
    assert CandidatePair.objects.filter(source_record__isnull=False, status=CandidatePair.Status.PENDING).exists()
    assert not rows.filter(fields__surname__in=["Marsh", "Wojcik"], person__isnull=False).exists()
    assert any("pseudo-postcode" in problem for row in rows for problem in row.problems)

    # Every step went through the audited services, and the chain is intact.
    assert AuditEvent.objects.filter(action="contact.recorded").count() == Contact.objects.count()
    sent = OutcomeLetter.objects.filter(sent_at__isnull=False).count()
    assert AuditEvent.objects.filter(action="letter.sent").count() == sent
    assert AuditEvent.objects.filter(action="feedback.call_recorded").count() == FeedbackCall.objects.count()
    assert all(feedback_complete(c) for c in closed)
    assert verify_chain().ok


@pytest.mark.django_db
def test_load_demo_shows_stage2_in_every_state_and_loads_only_once():
    output = load_demo()
    before = counts()
    now = timezone.now()
    requests = InformationRequest.objects.all()
    decision_maker = User.objects.get(username="decider")

    # Requests in every state, all sent after triage and never in the future.
    for status in RequestStatus:
        assert requests.filter(status=status).exists(), status
    for info_request in requests.select_related("contact"):
        assert info_request.requested_at <= now
        assert info_request.contact.rating_changes.order_by("changed_at").first().changed_at <= info_request.requested_at
        if info_request.opened_at:
            assert info_request.requested_at <= info_request.opened_at <= now
        if info_request.answered_at:
            assert info_request.requested_at <= info_request.answered_at <= now
    assert SharingLogEntry.objects.filter(occurred_at__gt=now).count() == 0
    assert RequestNotice.objects.filter(created_at__gt=now).count() == 0

    # 1. Just sent, not opened, due within the RED timescale from when they were sent.
    just_sent = requests.filter(
        status=RequestStatus.SENT, contact__rag_rating__code="RED", contact__urgent_flags__isnull=False
    ).distinct()
    assert {r.agency.kind for r in just_sent} >= {"police", "health", "education"}
    for info_request in just_sent:
        assert info_request.due_at > now > info_request.requested_at > now - timedelta(hours=4)
        assert info_request.due_at == deadline(info_request.requested_at, info_request.contact.rag_rating.sharing_timescale())

    # 2. Police answered with a sensitive item (and who holds it), an unverified item and a fact;
    #    health is waiting on a named health visitor; education holds nothing.
    sensitive = InformationItem.objects.filter(is_sensitive=True, shared_at__isnull=False)
    assert sensitive.filter(text__contains="live operation").exclude(sensitive_holder="").exists()
    nowak = sensitive.get(text__contains="live operation").response.request.contact
    police = nowak.information_requests.get(agency__kind="police")
    assert {item.kind for item in police.response.items.all()} == {ItemKind.UNVERIFIED, ItemKind.FACT}
    assert police.response.analysis and police.response.recommendation
    health = nowak.information_requests.get(agency__kind="health")
    assert health.status == RequestStatus.DRAFTING and health.due_at > now
    enquiry = PendingEnquiry.objects.get(request=health)
    assert enquiry.is_outstanding and enquiry.from_name and "Health visitor" in enquiry.from_designation
    assert nowak.information_requests.get(agency__kind="education").status == RequestStatus.NOTHING_HELD

    # 3. Overdue requests chased by the scheduled task and by the decision maker; nothing overdue goes unchased.
    overdue = requests.open().filter(due_at__lt=now)
    assert overdue.exists()
    assert not overdue.filter(chase_count=0).exists()
    assert overdue.filter(chases__chased_by__isnull=True).exists()
    assert overdue.filter(chases__chased_by=decision_maker).exists()
    assert all(r.next_chase_at and r.last_chased_at <= now for r in overdue)

    # 4. One escalation waiting for the manager; another answered, with the rating raised to RED and
    #    the open requests brought forward, each agency told.
    waiting = Escalation.objects.get(responded_at__isnull=True)
    assert waiting.request.contact.rag_rating.code == "AMBER"
    assert waiting.alert.acknowledged_at is None
    answered = Escalation.objects.get(responded_at__isnull=False)
    raised = answered.request.contact
    assert raised.rag_rating.code == "RED"
    change = RatingChange.objects.get(contact=raised, new_rag__code="RED", previous_rag__code="AMBER")
    assert answered.raised_at <= answered.responded_at <= change.changed_at <= now
    brought_forward = raised.information_requests.open()
    assert brought_forward.count() >= 3 and brought_forward.filter(agency__kind="probation").exists()
    for info_request in brought_forward:
        assert info_request.due_at <= deadline(change.changed_at, change.new_rag.sharing_timescale())
        assert info_request.due_at > now
        assert info_request.notices.filter(kind=RequestNotice.Kind.DEADLINE_TIGHTENED).exists()

    # 5. Consent refused: overridden by a manager (then requests went out), and a manager asked.
    override = ConsentOverride.objects.get(contact__consent=Consent.REFUSED)
    assert {b.code for b in override.lawful_bases.all()} == {"ca-1989-s47", "dpa-2018-sch1-para18", "uk-gdpr-6-1-e"}
    assert override.recorded_by.role == Role.TEAM_MANAGER
    assert override.contact.information_requests.filter(requested_at__gte=override.recorded_at).count() == 3
    asked = Alert.objects.get(kind=Alert.Kind.CONSENT_OVERRIDE, acknowledged_at__isnull=True).contact
    assert asked.consent == Consent.REFUSED and not asked.information_requests.exists()

    # 6. A repeat contact: the requests name the previous Stage 2, answered by police and health and closed.
    repeat = requests.filter(previous_stage2_at__isnull=False)
    assert repeat.exists()
    previous = repeat.first().previous_contact
    assert previous.status == ContactStatus.CLOSED
    assert repeat.first().previous_stage2_at == min(r.requested_at for r in previous.information_requests.all())
    assert {r.agency.kind for r in previous.information_requests.answered()} == {"police", "health"}
    assert "Previous Stage 2" in repeat.first().notices.get(kind=RequestNotice.Kind.NEW).message

    # 7. The receiving team sees the transfer: redacted text, the notice that sensitive information is
    #    held (and by whom), and nothing that stays inside the MASH.
    receiving = User.objects.get(username="receiving")
    transfer = (
        transferred_contacts(receiving)
        .filter(information_requests__isnull=False, status=ContactStatus.SIGNED_OFF)
        .distinct()
        .get()
    )
    assert transfer.decisions.get(review=Decision.Review.AGREED).outcome == Outcome.S17_ASSESSMENT
    pack = outbound_pack(transfer)
    police_section = next(s for s in pack.agencies if "Constabulary" in s.agency)
    assert police_section.sensitive_held and police_section.sensitive_holders
    assert police_section.items_kept_in_mash == 1  # the withheld item; the sensitive one is counted as "held"
    assert any(item.redacted and "[redacted]" in item.text for item in police_section.items)
    travelling = json.dumps(pack.as_dict())
    for item in InformationItem.objects.filter(response__request__contact=transfer):
        if not item.leaves_the_mash or item.redacted:
            assert item.text not in travelling
    assert "Gloria Fenton" not in travelling
    kinds = set(transfer.sharing_log.values_list("kind", flat=True))
    assert {SharingLogEntry.Kind.SHARED_ONWARD, SharingLogEntry.Kind.KEPT_IN_MASH, SharingLogEntry.Kind.REDACTED} <= kinds
    assert transfer.information_requests.filter(status=RequestStatus.WITHDRAWN).exists()

    # The loader's summary names the contacts to look at.
    for contact in Contact.objects.filter(Q(information_requests__isnull=False) | Q(pk=asked.pk)).distinct():
        assert contact.reference in output
    assert verify_chain().ok

    # Loading again changes nothing (a demo load costs a quarter of a minute, so this test does both).
    again = load_demo()
    assert "Demo data already loaded" in again and DEMO_PASSWORD in again
    assert counts() == before
    assert verify_chain().ok
