"""Each role's work queue: what is waiting for them, soonest deadline first."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from mash.accounts.models import Role
from mash.audit import services as audit
from mash.core.access import visible_contacts
from mash.domain.workflow import ContactStatus
from mash.intake.models import Contact
from mash.sharing.services import RequestRow, requests_needing_attention, stage2_progress

from .items import Queue, QueueItem
from .models import Alert

__all__ = ["Queue", "QueueItem", "queues_for", "open_alerts", "acknowledge_alert", "AlertRefused"]

if TYPE_CHECKING:
    from mash.accounts.models import User


def _earliest(*values: datetime | None) -> datetime | None:
    present = [v for v in values if v is not None]
    return min(present) if present else None


def _sorted(items: list[QueueItem]) -> list[QueueItem]:
    far_future = timezone.now().replace(year=9999)
    return sorted(items, key=lambda i: (i.due_at or far_future, i.contact.received_at))


def _contacts(user: User, *statuses: ContactStatus) -> QuerySet[Contact]:
    return (
        visible_contacts(user)
        .filter(status__in=[s.value for s in statuses])
        .select_related("rag_rating", "level_of_need")
        .prefetch_related("people")
    )


def _decision_task(contact: Contact) -> str:
    task = "Challenged: reconsider the decision" if contact.status == ContactStatus.CHALLENGED else "Analyse and recommend an outcome"
    progress = stage2_progress(contact).label
    return f"{task}. {progress}" if progress else task


def _request_task(row: RequestRow) -> str:
    request = row.request
    state = "Overdue" if row.overdue else "Due soon"
    task = f"{state}: {request.agency} ({request.get_status_display().lower()})"
    if request.chase_count:
        task += f", chased {request.chase_count} time{'s' if request.chase_count != 1 else ''}"
    if row.outstanding_enquiries:
        n = row.outstanding_enquiries
        task += f", {n} {'enquiry' if n == 1 else 'enquiries'} pending inside the agency"
    return task


def queues_for(user: User) -> list[Queue]:
    """The MASH workflow queues, then the work each outcome-side app puts on this user's queue."""
    from mash.decisions.followup import queue_items as followup_work
    from mash.decisions.services import queue_items as outcome_work
    from mash.disputes.services import queue_items as dispute_work
    from mash.oversight.services import queue_items as oversight_work
    from mash.strategy.services import queue_items as strategy_work

    queues = _workflow_queues(user) if user.is_mash_member else []
    for work in (strategy_work, outcome_work, followup_work, dispute_work, oversight_work):
        queues.extend(work(user))
    return queues


def _workflow_queues(user: User) -> list[Queue]:
    queues: list[Queue] = []
    if user.role in {Role.MASH_OFFICER, Role.TEAM_MANAGER}:
        queues.append(
            Queue(
                "Contacts to finish recording and check",
                _sorted([
                    QueueItem(c, "Check records, link people and send for triage", _earliest(c.record_due_at, c.triage_due_at))
                    for c in _contacts(user, ContactStatus.RECORDED)
                ]),
            )
        )
    if user.role in {Role.DECISION_MAKER, Role.TEAM_MANAGER}:
        queues.append(
            Queue(
                "Awaiting triage",
                _sorted([QueueItem(c, "Triage: level of need and RAG", c.triage_due_at) for c in _contacts(user, ContactStatus.AWAITING_TRIAGE)]),
            )
        )
        queues.append(
            Queue(
                "Awaiting a decision",
                _sorted([
                    QueueItem(c, _decision_task(c), _earliest(c.outcome_due_at, c.decision_due_at))
                    for c in _contacts(user, ContactStatus.TRIAGED, ContactStatus.CHALLENGED).prefetch_related("information_requests")
                ]),
            )
        )
        queues.append(
            Queue(
                "Information requests due soon or overdue",
                [QueueItem(row.request.contact, _request_task(row), row.request.due_at) for row in requests_needing_attention(user)],
            )
        )
    if user.role == Role.TEAM_MANAGER:
        queues.append(
            Queue(
                "Awaiting your sign-off",
                _sorted([QueueItem(c, "Agree or challenge the recommendation", _earliest(c.outcome_due_at, c.decision_due_at)) for c in _contacts(user, ContactStatus.AWAITING_SIGN_OFF)]),
            )
        )
        now = timezone.now()
        overdue_stay = visible_contacts(user).open().filter(decided_at__isnull=True, mash_exit_due_at__lt=now).select_related("rag_rating").prefetch_related("people")
        queues.append(
            Queue(
                "In the MASH longer than allowed: agree or act",
                _sorted([QueueItem(c, "Past the longest stay in the MASH", c.mash_exit_due_at) for c in overdue_stay]),
            )
        )
    return queues


def open_alerts(user: User) -> QuerySet[Alert]:
    """Team managers see every open alert; an agency's escalation and consent decisions are theirs to make."""
    if user.role != Role.TEAM_MANAGER:
        return Alert.objects.none()
    return (
        Alert.objects.filter(acknowledged_at__isnull=True, contact__in=visible_contacts(user))
        .select_related("contact", "raised_by", "contact__rag_rating")
        .order_by("raised_at")
    )


class AlertRefused(Exception):
    pass


def acknowledge_alert(alert: Alert, user: User) -> Alert:
    if not user.has_perm("workqueue.acknowledge_alert"):
        raise AlertRefused("Only a team manager can acknowledge an alert.")
    if alert.acknowledged_at is not None:
        raise AlertRefused("This alert has already been acknowledged.")
    with transaction.atomic():
        alert.acknowledged_at = timezone.now()
        alert.acknowledged_by = user
        alert.save()
        audit.record(user, "alert.acknowledged", alert.contact, summary=f"Acknowledged alert: {alert.message}")
    return alert
