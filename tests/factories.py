"""Plain helpers that build contacts through the real services (no factory library).

Every helper goes through the same service functions the web pages call, so a contact
built here has its deadlines, people, status history and audit events exactly as in life.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.utils import timezone

LONDON = ZoneInfo("Europe/London")

CONCERN_TEXT = "Bruising seen on the upper arm during PE; the child said mum's boyfriend grabbed her. SECRET-CONCERN-MARKER"
IMPACT_TEXT = "She is withdrawn and tired in class. IMPACT-MARKER"
CHILD_VOICE_TEXT = "I don't want to go home tonight. VOICE-MARKER"


def london(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """An aware Europe/London datetime (the zone every deadline is expressed in)."""
    return datetime(year, month, day, hour, minute, tzinfo=LONDON)


def contact_fields(**overrides: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "channel": "online_form",
        "contact_type": "new_concern",
        "received_at": timezone.now() - timedelta(minutes=30),
        "referrer_source": "2A",
        "referrer_name": "Joan Referrer",
        "referrer_role": "Designated safeguarding lead",
        "referrer_agency": "Demotown Primary School",
        "referrer_phone": "01632 960999",
        "referrer_email": "dsl@demotown-primary.example",
        "referrer_address": "Demotown Primary School\nSchool Lane\nDemotown",
        "concern_details": CONCERN_TEXT,
        "impact_on_child": IMPACT_TEXT,
        "child_voice": CHILD_VOICE_TEXT,
        "child_whereabouts": "At school until 15:15",
        "parents_aware": "no",
        "consent": "not_sought",
        "consent_not_sought_reason": "increase_risk",
    }
    fields.update(overrides)
    return fields


def child_fields(**overrides: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "forenames": "Amelia",
        "surname": "Testcase",
        "date_of_birth": date(2015, 3, 27),
        "sex": "F",
        "address": "12 Example Street, Demotown",
        "postcode": "NN4 7SL",
        "school": "Demotown Primary School",
    }
    fields.update(overrides)
    return fields


def household(*people: dict[str, Any]) -> list[dict[str, Any]]:
    if people:
        return list(people)
    return [
        {
            "role": "household_member",
            "forenames": "Kelly",
            "surname": "Testcase",
            "relationship": "mother",
            "date_of_birth": date(1990, 6, 1),
            "sex": "F",
        },
        {
            "role": "significant_adult",
            "forenames": "Dean",
            "surname": "Otherman",
            "relationship": "mother's boyfriend",
            "sex": "M",
        },
    ]


def record(
    actor: Any, *, child: dict[str, Any] | None = None, others: list[dict[str, Any]] | None = None, **contact_overrides: Any
):  # noqa: ANN201
    from mash.intake.services import record_contact

    return record_contact(
        actor,
        contact_fields(**contact_overrides),
        child if child is not None else child_fields(),
        others if others is not None else household(),
    )


def link_everyone_new(actor: Any, contact: Any) -> None:
    from mash.intake.services import link_to_new_person

    for cp in contact.people.filter(person__isnull=True):
        link_to_new_person(actor, cp)


def submitted(users: Any, **kwargs: Any):  # noqa: ANN201
    """A contact recorded by the officer, everyone linked, sent for triage."""
    from mash.domain.workflow import ContactEvent
    from mash.intake.workflow import apply_event

    contact = record(users.officer, **kwargs)
    link_everyone_new(users.officer, contact)
    apply_event(contact, ContactEvent.SUBMIT_FOR_TRIAGE, users.officer)
    contact.refresh_from_db()
    return contact


def rag(code: str):  # noqa: ANN201
    from mash.partnership.models import RagRating

    return RagRating.objects.get(code=code)


def level(number: int):  # noqa: ANN201
    from mash.partnership.models import LevelOfNeed

    return LevelOfNeed.objects.get(level=number)


def triaged(users: Any, *, rag_code: str = "AMBER", level_number: int = 3, actor: Any = None, triggers: Any = (), **kwargs: Any):  # noqa: ANN201
    from mash.triage.services import triage

    contact = submitted(users, **kwargs)
    triage(
        contact,
        actor or users.decision_maker,
        level=level(level_number),
        rag=rag(rag_code),
        reason="Injury with a disclosure; needs a multi-agency view.",
        triggers=triggers,
    )
    contact.refresh_from_db()
    return contact


def recommended(
    users: Any, *, outcome: str = "nfa", by: Any = None, team: Any = None, destination: str = "", dash_score: Any = None,
    marac_professional_judgement: bool = False, **kwargs: Any,
):  # noqa: ANN201
    from mash.decisions.services import recommend

    contact = triaged(users, **kwargs)
    decision = recommend(
        contact,
        by or users.decision_maker,
        analysis="Single unexplained bruise, consistent account, protective school.",
        outcome=outcome,
        rationale="Threshold not met on the information held.",
        receiving_team=team,
        destination=destination,
        dash_score=dash_score,
        marac_professional_judgement=marac_professional_judgement,
    )
    contact.refresh_from_db()
    return contact, decision


def signed_off(users: Any, **kwargs: Any):  # noqa: ANN201
    """(contact, decision, the letter to the referrer or None): recommended by the decision maker, signed off by the manager.

    A section 47 outcome is told by telephone, so it has no letter.
    """
    from mash.decisions.services import sign_off

    contact, _ = recommended(users, **kwargs)
    decision = sign_off(contact, users.manager, comment="Agreed.")
    contact.refresh_from_db()
    letter = contact.letters.filter(decision=decision, recipient="referrer").first()
    return contact, decision, letter


def audit_events(action: str, **filters: Any):  # noqa: ANN201
    from mash.audit.models import AuditEvent

    return AuditEvent.objects.filter(action=action, **filters).order_by("sequence")
