"""Triage: level of need, RAG rating, urgent triggers, and the deadlines they set."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from mash.audit import services as audit
from mash.domain.workflow import RATEABLE_STATUSES, ContactEvent, ContactStatus
from mash.intake.models import Contact
from mash.intake.workflow import apply_event
from mash.partnership.models import LevelOfNeed, RagRating, UrgentTrigger
from mash.partnership.services import working_calendar
from mash.sharing.services import tighten_deadlines
from mash.workqueue.models import Alert

from .models import RatingChange, UrgentTriggerFlag

if TYPE_CHECKING:
    from django.http import HttpRequest

    from mash.accounts.models import User


class RatingRefused(Exception):
    pass


def outcome_deadline(contact: Contact, new_rag: RagRating, now: datetime) -> datetime:
    """When the MASH outcome is due under the new rating.

    The first rating counts from when it was given. A raised rating counts from the moment
    it was raised but never relaxes the deadline already set (every agency expedites, seed
    002 §10). A lowered rating counts from the first triage, so lowering cannot reset the clock.
    """
    calendar = working_calendar()
    first = contact.rating_changes.order_by("changed_at", "id").first()
    if first is None:
        return calendar.add(now, new_rag.outcome_timescale())
    previous = contact.rag_rating
    raised = previous is not None and new_rag.priority < previous.priority
    if raised:
        candidate = calendar.add(now, new_rag.outcome_timescale())
        return min(candidate, contact.outcome_due_at) if contact.outcome_due_at else candidate
    return calendar.add(first.changed_at, new_rag.outcome_timescale())


def _set_rating(contact: Contact, actor: User, level: LevelOfNeed, rag: RagRating, reason: str) -> RatingChange:
    now = timezone.now()
    due = outcome_deadline(contact, rag, now)
    change = RatingChange.objects.create(
        contact=contact,
        previous_rag=contact.rag_rating,
        new_rag=rag,
        previous_level=contact.level_of_need,
        new_level=level,
        reason=reason,
        changed_by=actor,
        changed_at=now,
    )
    Contact.objects.filter(pk=contact.pk).update(rag_rating=rag, level_of_need=level, outcome_due_at=due)
    contact.rag_rating, contact.level_of_need, contact.outcome_due_at = rag, level, due
    return change


def flag_urgent_triggers(
    contact: Contact, actor: User, triggers: Iterable[UrgentTrigger], *, request: HttpRequest | None = None
) -> list[UrgentTriggerFlag]:
    """Tick Appendix E criteria; each new one alerts the managers' queue at once."""
    already = set(contact.urgent_flags.values_list("trigger_id", flat=True))
    flags = []
    for trigger in triggers:
        if trigger.pk in already:
            continue
        flags.append(UrgentTriggerFlag.objects.create(contact=contact, trigger=trigger, flagged_by=actor))
        Alert.objects.create(
            contact=contact,
            kind=Alert.Kind.URGENT_TRIGGER,
            message=f"{trigger.label} ({trigger.get_audience_display()})",
            raised_by=actor,
        )
        audit.record(actor, "contact.urgent_trigger", contact, summary=f"Urgent criterion ticked: {trigger.label}", request=request)
    return flags


def triage(
    contact: Contact,
    actor: User,
    *,
    level: LevelOfNeed,
    rag: RagRating,
    reason: str,
    triggers: Iterable[UrgentTrigger] = (),
    request: HttpRequest | None = None,
) -> Contact:
    with transaction.atomic():
        _set_rating(contact, actor, level, rag, reason)
        flag_urgent_triggers(contact, actor, triggers, request=request)
        audit.record(
            actor,
            "contact.rated",
            contact,
            summary=f"Triaged {contact.reference}: {level}, {rag.name}",
            reason=reason,
            request=request,
        )
        contact = apply_event(contact, ContactEvent.TRIAGE, actor, comment=reason, request=request)
    return contact


def change_rating(
    contact: Contact,
    actor: User,
    *,
    level: LevelOfNeed,
    rag: RagRating,
    reason: str,
    request: HttpRequest | None = None,
) -> RatingChange:
    if not actor.has_perm("triage.triage_contact"):
        raise RatingRefused("Your role does not allow you to change a rating.")
    contact.refresh_from_db()
    if ContactStatus(contact.status) not in RATEABLE_STATUSES:
        raise RatingRefused("The rating can be changed only after triage and before the outcome is signed off.")
    if not reason.strip():
        raise RatingRefused("Say why the rating is changing.")
    if contact.rag_rating_id == rag.pk and contact.level_of_need_id == level.pk:
        raise RatingRefused("The level of need and the RAG rating are the same as now.")
    with transaction.atomic():
        previous = contact.rag_rating
        change = _set_rating(contact, actor, level, rag, reason)
        tighten_deadlines(contact, previous, rag, actor)
        audit.record(
            actor,
            "contact.rating_changed",
            contact,
            summary=f"Rating of {contact.reference} changed from {previous} to {rag.name}, {level}",
            reason=reason,
            request=request,
        )
    return change
