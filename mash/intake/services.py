"""Recording contacts and linking the people on them to the person index."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from mash.audit import services as audit
from mash.domain.workflow import RATEABLE_STATUSES, ContactEvent, ContactStatus, allowed_events
from mash.partnership.services import require_partnership, working_calendar
from mash.people.models import Person, Relationship

from .models import Channel, Contact, ContactPerson

if TYPE_CHECKING:
    from django.http import HttpRequest

    from mash.accounts.models import User

# Written channels must be recorded within the partnership's written-record timescale; a
# telephone contact is recorded while the caller is on the line (seed 002 §9).
WRITTEN_CHANNELS = frozenset(
    {Channel.ONLINE_FORM, Channel.EMAIL, Channel.POLICE_NOTIFICATION, Channel.HEALTH_NOTIFICATION, Channel.LETTER}
)

PERSON_FIELDS = (
    "forenames", "surname", "other_names", "date_of_birth", "expected_date_of_birth", "sex", "ethnicity",
    "first_language", "religion", "place_of_birth", "disability", "address", "postcode", "school", "gp",
    "nhs_number", "upn",
)


@dataclass(frozen=True)
class ContactDeadlines:
    record_due_at: datetime | None
    triage_due_at: datetime
    decision_due_at: datetime
    mash_exit_due_at: datetime


def initial_deadlines(received_at: datetime, channel: str) -> ContactDeadlines:
    partnership = require_partnership()
    calendar = working_calendar()
    return ContactDeadlines(
        record_due_at=calendar.add(received_at, partnership.timescale("written_record")) if channel in WRITTEN_CHANNELS else None,
        triage_due_at=calendar.add(received_at, partnership.timescale("triage")),
        decision_due_at=calendar.add(received_at, partnership.timescale("decision")),
        mash_exit_due_at=calendar.add(received_at, partnership.timescale("mash_exit")),
    )


def record_contact(
    actor: User,
    contact_fields: dict[str, Any],
    child_fields: dict[str, Any],
    others: list[dict[str, Any]],
    *,
    concern_categories: Any = (),
    request: HttpRequest | None = None,
) -> Contact:
    """Create a contact with its subject child and household, deadlines and an audit event."""
    deadlines = initial_deadlines(contact_fields["received_at"], contact_fields["channel"])
    with transaction.atomic():
        contact = Contact(
            # Unique placeholder (fits the column) until the primary key gives the real reference.
            reference=f"tmp-{uuid.uuid4().hex[:16]}",
            recorded_by=actor,
            record_due_at=deadlines.record_due_at,
            triage_due_at=deadlines.triage_due_at,
            decision_due_at=deadlines.decision_due_at,
            mash_exit_due_at=deadlines.mash_exit_due_at,
            **contact_fields,
        )
        contact.save()
        reference = f"MASH-{timezone.localtime(contact.received_at).year}-{contact.pk:06d}"
        Contact.objects.filter(pk=contact.pk).update(reference=reference)
        contact.reference = reference
        if concern_categories:
            contact.concern_categories.set(concern_categories)
        ContactPerson.objects.create(contact=contact, role=ContactPerson.Role.SUBJECT_CHILD, order=0, **child_fields)
        for index, other in enumerate(others, start=1):
            ContactPerson.objects.create(contact=contact, order=index, **other)
        audit.record(
            actor,
            "contact.recorded",
            contact,
            summary=f"Recorded {contact.get_contact_type_display().lower()} {reference} by {contact.get_channel_display().lower()}",
            request=request,
        )
    return contact


def view_contact(actor: User, contact: Contact, *, request: HttpRequest | None = None, what: str = "contact") -> None:
    audit.record(actor, "contact.viewed", contact, summary=f"Opened {what} {contact.reference}", request=request)


def available_actions(contact: Contact, user: User) -> dict[str, bool]:
    """What the contact page offers this user now, read from the state machine (never re-stated in views)."""
    status = ContactStatus(contact.status)
    events = set(allowed_events(status, user.role))
    return {
        "can_link": contact.status in LINKABLE_STATUSES and user.has_perm("intake.link_people"),
        "can_submit": ContactEvent.SUBMIT_FOR_TRIAGE in events,
        "can_triage": ContactEvent.TRIAGE in events,
        "can_rerate": status in RATEABLE_STATUSES and user.has_perm("triage.triage_contact"),
        "can_recommend": ContactEvent.RECOMMEND in events,
        "can_sign_off": ContactEvent.SIGN_OFF in events,
    }


class LinkingClosed(Exception):
    """People can be linked or unlinked only before the contact is triaged."""


LINKABLE_STATUSES = frozenset({ContactStatus.RECORDED.value, ContactStatus.AWAITING_TRIAGE.value})


def ensure_linkable(contact: Contact) -> None:
    if contact.status not in LINKABLE_STATUSES:
        raise LinkingClosed("People on this contact can no longer be re-linked: it has been triaged.")


def record_relationships(contact: Contact) -> None:
    """Once the child and another person are both linked, remember how they are related.

    This is how households build up in the person index, so the next contact about any of
    them shows the family.
    """
    people = list(contact.people.select_related("person"))
    child = next((cp.person for cp in people if cp.role == ContactPerson.Role.SUBJECT_CHILD and cp.person), None)
    if child is None:
        return
    for cp in people:
        if cp.role == ContactPerson.Role.SUBJECT_CHILD or cp.person is None or cp.person_id == child.pk:
            continue
        Relationship.objects.get_or_create(
            person=child,
            relative=cp.person,
            defaults={
                "relationship": cp.relationship or "household member",
                "lives_with": cp.role == ContactPerson.Role.HOUSEHOLD_MEMBER,
            },
        )


def link_to_existing(actor: User, contact_person: ContactPerson, person: Person, *, request: HttpRequest | None = None) -> None:
    ensure_linkable(contact_person.contact)
    while person.merged_into_id is not None:  # a confirmed duplicate: the child's record is the one it was merged into
        person = person.merged_into  # type: ignore[assignment]
    with transaction.atomic():
        contact_person.person = person
        contact_person.linked_at = timezone.now()
        contact_person.linked_by = actor
        contact_person.created_new_person = False
        contact_person.save()
        record_relationships(contact_person.contact)
        audit.record(
            actor,
            "contact.person_linked",
            contact_person.contact,
            summary=f"Linked '{contact_person.full_name}' on {contact_person.contact.reference} to person #{person.pk} {person.full_name}",
            request=request,
        )


def link_to_new_person(actor: User, contact_person: ContactPerson, *, request: HttpRequest | None = None) -> Person:
    ensure_linkable(contact_person.contact)
    with transaction.atomic():
        person = Person(**{name: getattr(contact_person, name) for name in PERSON_FIELDS})
        person.save()
        contact_person.person = person
        contact_person.linked_at = timezone.now()
        contact_person.linked_by = actor
        contact_person.created_new_person = True
        contact_person.save()
        record_relationships(contact_person.contact)
        audit.record(
            actor,
            "person.created",
            person,
            summary=f"Created a new person record for '{person.full_name}' from {contact_person.contact.reference}",
            request=request,
        )
    return person


def unlink(actor: User, contact_person: ContactPerson, *, request: HttpRequest | None = None) -> None:
    ensure_linkable(contact_person.contact)
    with transaction.atomic():
        previous = contact_person.person
        contact_person.person = None
        contact_person.linked_at = None
        contact_person.linked_by = None
        contact_person.save()
        audit.record(
            actor,
            "contact.person_unlinked",
            contact_person.contact,
            summary=f"Removed the link of '{contact_person.full_name}' to person #{previous.pk if previous else '?'}",
            request=request,
        )
