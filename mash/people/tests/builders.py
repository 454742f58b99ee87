"""Contacts about the same children over time, built through the real services."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import time_machine
from django.utils import timezone

from mash.decisions import services as decisions
from mash.decisions.models import EarlyHelpReferral
from mash.domain.workflow import ContactEvent
from mash.intake.models import ContactPerson
from mash.intake.services import link_to_existing, link_to_new_person
from mash.intake.workflow import apply_event
from mash.partnership.models import Team
from mash.people.models import Person, Relationship
from mash.triage.services import triage
from tests import factories

RAG_FOR_LEVEL = {1: "GREEN", 2: "GREEN", 3: "AMBER", 4: "RED"}


def child(forenames: str, surname: str = "Smith", *, dob: date = date(2016, 4, 2), sex: str = "F") -> Person:
    return Person.objects.create(forenames=forenames, surname=surname, date_of_birth=dob, sex=sex, postcode="DM1 1AA")


def siblings(*people: Person) -> None:
    """Record that the children live together (as the history check would after a contact)."""
    for first in people:
        for second in people:
            if first.pk < second.pk:
                Relationship.objects.create(person=first, relative=second, relationship="sibling", lives_with=True)


def contact_about(
    users: Any,
    person: Person,
    *,
    days_ago: float = 0,
    submit: bool = True,
    level: int | None = None,
    outcome: str | None = None,
    team: str = "",
    others: list[dict[str, Any]] | None = None,
    **overrides: Any,
):  # noqa: ANN201
    """A contact about `person`, received `days_ago` (and everything done with it that day, the clock moved back):
    submitted, triaged at `level`, and `outcome` recommended and agreed."""
    if days_ago:
        with time_machine.travel(timezone.now() - timedelta(days=days_ago), tick=False):
            return contact_about(users, person, submit=submit, level=level, outcome=outcome, team=team, others=others, **overrides)
    received = timezone.now() - timedelta(minutes=30)
    contact = factories.record(
        users.officer,
        child=factories.child_fields(forenames=person.forenames, surname=person.surname, date_of_birth=person.date_of_birth),
        others=others if others is not None else [],
        received_at=received,
        **overrides,
    )
    for cp in contact.people.all():
        if cp.role == ContactPerson.Role.SUBJECT_CHILD:
            link_to_existing(users.officer, cp, person)
        elif cp.person_id is None:
            link_to_new_person(users.officer, cp)
    if not submit:
        return contact
    apply_event(contact, ContactEvent.SUBMIT_FOR_TRIAGE, users.officer)
    if level is not None:
        triage(contact, users.decision_maker, level=factories.level(level), rag=factories.rag(RAG_FOR_LEVEL[level]),
               reason="Rated for the test.")
    if outcome is not None:
        assert level is not None, "triage before deciding"
        contact.refresh_from_db()
        decisions.recommend(contact, users.decision_maker, analysis="Analysis for the test.", outcome=outcome,
                            rationale=f"Rationale for {outcome}.", receiving_team=Team.objects.get(name=team) if team else None)
        contact.refresh_from_db()
        decisions.sign_off(contact, users.manager, comment="Agreed for the test.")
    contact.refresh_from_db()
    return contact


def early_help_declined(users: Any, contact: Any, person: Person, *, notes: str = "Mum said the family do not need help.") -> Any:
    """The family's answer to the early help offered on `contact` (signed off as early help): declined."""
    from mash.decisions import followup

    referral = EarlyHelpReferral.objects.filter(contact=contact).first()
    if referral is None:  # the early help follow-up did not open one: record it as a legacy system would have
        referral = EarlyHelpReferral.objects.create(
            contact=contact, decision=contact.decisions.get(review="agreed"), person=person,
            team=Team.objects.get(name="Early Help Hub"),
        )
    record = getattr(followup, "record_response", None)
    if record is not None:
        return record(referral, users.decision_maker, status=EarlyHelpReferral.Status.DECLINED, notes=notes)
    EarlyHelpReferral.objects.filter(pk=referral.pk).update(
        status=EarlyHelpReferral.Status.DECLINED, response_notes=notes, response_recorded_by=users.decision_maker,
        response_recorded_at=timezone.now(),
    )
    referral.refresh_from_db()
    return referral
