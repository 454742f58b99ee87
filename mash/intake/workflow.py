"""The one door through which a contact changes status (web, admin, API and shell alike)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from mash.audit import services as audit
from mash.domain.workflow import STATUS_LABELS, ContactEvent, ContactStatus, Guards, next_status

from .models import Contact, StatusChange

if TYPE_CHECKING:
    from django.http import HttpRequest

    from mash.accounts.models import User


def guards_for(contact: Contact, actor: User, comment: str = "") -> Guards:
    # Closing needs feedback to every recipient: a sent letter, a recorded call or a manager's withholding.
    from mash.decisions.services import feedback_complete

    latest = contact.decisions.order_by("-recommended_at", "-id").first()
    return Guards(
        all_subjects_linked=not contact.people.filter(person__isnull=True).exists(),
        has_rating=contact.rag_rating_id is not None and contact.level_of_need_id is not None,
        actor_made_recommendation=latest is not None and latest.recommended_by_id == actor.pk,
        comment=comment,
        feedback_sent=feedback_complete(contact),
    )


def apply_event(
    contact: Contact, event: ContactEvent, actor: User, *, comment: str = "", request: HttpRequest | None = None
) -> Contact:
    """Move the contact on, or raise TransitionRefused; history and audit are written atomically."""
    with transaction.atomic():
        locked = Contact.objects.select_for_update().get(pk=contact.pk)
        before = locked.status_enum
        after = next_status(before, event, actor.role, guards_for(locked, actor, comment))
        locked.status = after.value
        now = timezone.now()
        if after is ContactStatus.SIGNED_OFF:
            locked.decided_at = now
        if after is ContactStatus.CLOSED:
            locked.closed_at = now
        if event is ContactEvent.REOPEN_AFTER_DISPUTE:
            locked.closed_at = None
        locked._status_change_authorised = True
        locked.save()
        StatusChange.objects.create(
            contact=locked, event=event.value, from_status=before.value, to_status=after.value, actor=actor, comment=comment
        )
        audit.record(
            actor,
            f"contact.{event.value}",
            locked,
            summary=f"{locked.reference}: {STATUS_LABELS[before]} → {STATUS_LABELS[after]}",
            reason=comment,
            request=request,
        )
    if event in (ContactEvent.SUBMIT_FOR_TRIAGE, ContactEvent.TRIAGE):
        # Pieces of the same puzzle: several low-level contacts about a child or household.
        from mash.people.services import check_cumulative_harm

        check_cumulative_harm(locked, actor, request=request)
    contact.refresh_from_db()
    return locked
