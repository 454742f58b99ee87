"""Child protection strategy discussions and meetings: arranging, attendees, outcome, actions.

Seed 002 §9 point 5 and App. B: a section 47 outcome calls for a strategy discussion or meeting
with police, health and children's social care; for a RED contact it is held and its actions
done that day; more than one may be needed. When each is due is the pure rule in
`mash.domain.strategy`. Every change and every view of a child's details is audited.

Refusals raise `StrategyRefused` with a message a practitioner understands (and, where one
field is at fault, its name in `field`, so the page can show the error next to it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import F, OuterRef, Subquery
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from mash.accounts.models import MASH_ROLES, Role
from mash.audit import services as audit
from mash.decisions.models import Decision, Outcome
from mash.domain.strategy import is_late, missing_required_agencies, strategy_due_by
from mash.domain.worktime import WorkingCalendar
from mash.partnership.models import Agency, AgencyKind, Partnership
from mash.partnership.services import require_partnership, working_calendar

from .models import Attendee, StrategyAction, StrategyDiscussion

if TYPE_CHECKING:
    from django.http import HttpRequest

    from mash.accounts.models import User
    from mash.intake.models import Contact, ContactPerson
    from mash.workqueue.items import Queue, QueueItem

__all__ = [
    "ACTION_OWNER_ROLES",
    "StrategyRefused",
    "action_for",
    "action_page",
    "add_action",
    "add_attendee",
    "cancel",
    "complete_action",
    "contact_panel",
    "due_by_for",
    "missing_agencies",
    "queue_items",
    "record_outcome",
    "remove_action",
    "remove_attendee",
    "s47_decision",
    "schedule",
    "set_attendance",
    "view_action",
    "view_discussion",
    "warnings",
]

WORKING_TOGETHER = "Working Together expects police, health and children's social care at every strategy discussion."
# Anyone doing casework may own an action: MASH staff, partner practitioners, receiving teams.
ACTION_OWNER_ROLES = frozenset(MASH_ROLES | {Role.PARTNER_PRACTITIONER, Role.RECEIVING_PRACTITIONER})
# Contacts whose section 47 outcome is older than this no longer nag "arrange a discussion" on
# the queue (old records migrated without their discussions); the contact page still offers it.
ARRANGE_WINDOW = timedelta(days=30)
# Clocks differ a little between devices: a discussion "held" this far in the future is accepted.
CLOCK_SLACK = timedelta(minutes=5)
ACTIVE_STATUSES = (StrategyDiscussion.Status.SCHEDULED, StrategyDiscussion.Status.HELD)


class StrategyRefused(Exception):
    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def _when(value: datetime) -> str:
    local = timezone.localtime(value)
    return f"{local:%H:%M} on {local:%a} {local.day} {local:%b %Y}"


def _aware(value: datetime | None, what: str, field_name: str) -> datetime:
    if value is None:
        raise StrategyRefused(f"Enter the date and time {what}.", field=field_name)
    if timezone.is_naive(value):
        raise StrategyRefused(f"Enter the date and time {what} with a time zone.", field=field_name)
    return value


# --------------------------------------------------------------------------- the section 47 outcome and deadlines


def s47_decision(contact: Contact) -> Decision | None:
    """The latest decision, when it is a section 47 outcome recommended (awaiting sign-off) or agreed.

    A RED section 47 may be convened before a manager signs it off; a challenged one may not.
    """
    latest = contact.decisions.order_by("-recommended_at", "-id").first()
    if latest is None or latest.outcome != Outcome.S47_STRATEGY:
        return None
    if latest.review not in (Decision.Review.PENDING, Decision.Review.AGREED):
        return None
    return latest


def _last_held_at(discussions: list[StrategyDiscussion]) -> datetime | None:
    held = [d.held_at for d in discussions if d.status == StrategyDiscussion.Status.HELD and d.held_at is not None]
    return max(held) if held else None


def _due_by(
    contact: Contact,
    decision: Decision,
    discussions: list[StrategyDiscussion],
    *,
    partnership: Partnership,
    calendar: WorkingCalendar,
) -> datetime:
    rating = contact.rag_rating
    return strategy_due_by(
        decision.recommended_at,
        same_day=bool(rating is not None and rating.strategy_same_day),
        timescale=partnership.timescale("strategy"),
        calendar=calendar,
        last_held_at=_last_held_at(discussions),
    )


def due_by_for(contact: Contact, decision: Decision) -> datetime:
    """When the next strategy discussion for this contact must be held by (mash.domain.strategy)."""
    return _due_by(
        contact,
        decision,
        list(contact.strategy_discussions.all()),
        partnership=require_partnership(),
        calendar=working_calendar(),
    )


def discussion_number(discussion: StrategyDiscussion) -> int:
    """1 for a contact's first discussion, 2 for the next, ... (cancelled ones keep their number)."""
    return StrategyDiscussion.objects.filter(contact_id=discussion.contact_id, pk__lte=discussion.pk).count()


def _label(discussion: StrategyDiscussion, number: int | None = None) -> str:
    return f"{discussion.get_kind_display().lower()} {number or discussion_number(discussion)}"


# --------------------------------------------------------------------------- attendance warnings


def _required_kinds() -> set[str]:
    kinds = Agency.objects.filter(required_at_strategy=True, is_active=True).values_list("kind", flat=True)
    return {AgencyKind(kind).label for kind in kinds}


def missing_agencies(discussion: StrategyDiscussion, *, required: set[str] | None = None) -> list[str]:
    """Kinds of agency expected at every discussion with no one recorded as attending."""
    attending = {AgencyKind(a.agency.kind).label for a in discussion.attendees.all() if a.attended}
    return missing_required_agencies(_required_kinds() if required is None else required, attending)


def warnings(discussion: StrategyDiscussion, *, required: set[str] | None = None) -> list[str]:
    return [
        f"No one from {kind} is recorded as attending: {WORKING_TOGETHER}"
        for kind in missing_agencies(discussion, required=required)
    ]


# --------------------------------------------------------------------------- arranging


def schedule(
    contact: Contact,
    actor: User,
    *,
    kind: str,
    scheduled_for: datetime | None,
    arrangements: str = "",
    chair: User | None = None,
    delay_reason: str = "",
    request: HttpRequest | None = None,
) -> StrategyDiscussion:
    """Arrange a strategy discussion or meeting; later than its deadline only with a reason."""
    if not actor.has_perm("strategy.schedule"):
        raise StrategyRefused("Only a decision maker or a team manager can arrange a strategy discussion.")
    decision = s47_decision(contact)
    if decision is None:
        raise StrategyRefused(
            "A strategy discussion is arranged from a section 47 outcome: recommend one first "
            "(it can be arranged while it waits for sign-off)."
        )
    if kind not in StrategyDiscussion.Kind.values:
        raise StrategyRefused("Choose a strategy discussion or a strategy meeting.", field="kind")
    when = _aware(scheduled_for, "it will be held", "scheduled_for")
    if when < contact.received_at:
        raise StrategyRefused("It cannot be held before the contact was received.", field="scheduled_for")
    if chair is not None and not chair.is_active:
        raise StrategyRefused(f"{chair} can no longer sign in: choose another chair.", field="chair")
    due_by = due_by_for(contact, decision)
    reason = delay_reason.strip()
    late = is_late(when, due_by)
    if late and not reason:
        raise StrategyRefused(
            f"This is after the deadline of {_when(due_by)}. Say why it cannot be held by then.", field="delay_reason"
        )
    with transaction.atomic():
        discussion = StrategyDiscussion.objects.create(
            contact=contact,
            decision_record=decision,
            kind=kind,
            scheduled_for=when,
            due_by=due_by,
            arrangements=arrangements.strip(),
            chair=chair,
            delay_reason=reason if late else "",
            convened_by=actor,
        )
        label = _label(discussion)
        summary = f"Arranged {label} for {contact.reference} at {_when(when)} (due by {_when(due_by)})"
        if late:
            summary += ": after the deadline"
        audit.record(actor, "strategy.scheduled", contact, summary=summary, reason=reason if late else "", request=request)
    return discussion


def cancel(discussion: StrategyDiscussion, actor: User, *, reason: str, request: HttpRequest | None = None) -> StrategyDiscussion:
    if not actor.has_perm("strategy.manage"):
        raise StrategyRefused("Only a decision maker or a team manager can cancel a strategy discussion.")
    if discussion.status != StrategyDiscussion.Status.SCHEDULED:
        raise StrategyRefused(f"This discussion is already {discussion.get_status_display().lower()}: it cannot be cancelled.")
    if not reason.strip():
        raise StrategyRefused("Say why the discussion is cancelled.", field="reason")
    with transaction.atomic():
        discussion.status = StrategyDiscussion.Status.CANCELLED
        discussion.cancelled_reason = reason.strip()
        discussion.save(update_fields=["status", "cancelled_reason"])
        audit.record(
            actor,
            "strategy.cancelled",
            discussion.contact,
            summary=f"Cancelled {_label(discussion)} for {discussion.contact.reference}",
            reason=reason.strip(),
            request=request,
        )
    return discussion


# --------------------------------------------------------------------------- attendees


def _require_manage(discussion: StrategyDiscussion, actor: User) -> None:
    if not actor.has_perm("strategy.manage"):
        raise StrategyRefused("Only a decision maker or a team manager can change a strategy discussion.")
    if discussion.status == StrategyDiscussion.Status.CANCELLED:
        raise StrategyRefused("This discussion was cancelled: it cannot be changed.")


def add_attendee(
    discussion: StrategyDiscussion,
    actor: User,
    *,
    agency: Agency | None,
    name: str = "",
    job_title: str = "",
    user: User | None = None,
    attended: bool = True,
    request: HttpRequest | None = None,
) -> Attendee:
    _require_manage(discussion, actor)
    if agency is None:
        raise StrategyRefused("Choose the attendee's agency.", field="agency")
    if user is not None:
        if user.agency_id is not None and user.agency_id != agency.pk:
            raise StrategyRefused(f"{user} works for {user.agency}, not {agency}.", field="agency")
        if discussion.attendees.filter(user=user).exists():
            raise StrategyRefused(f"{user} is already on the list.", field="user")
    name = name.strip() or (user.display_name if user is not None else "")
    if not name:
        raise StrategyRefused("Enter the attendee's name, or choose them from the users.", field="name")
    job_title = job_title.strip() or (user.job_title if user is not None else "")
    with transaction.atomic():
        attendee = Attendee.objects.create(
            discussion=discussion, agency=agency, name=name, job_title=job_title, user=user, attended=attended
        )
        audit.record(
            actor,
            "strategy.attendee_added",
            discussion.contact,
            summary=f"{name} ({agency}) {'attending' if attended else 'invited, did not attend'}: "
            f"{_label(discussion)} for {discussion.contact.reference}",
            request=request,
        )
    return attendee


def remove_attendee(attendee: Attendee, actor: User, *, request: HttpRequest | None = None) -> None:
    discussion = attendee.discussion
    _require_manage(discussion, actor)
    with transaction.atomic():
        audit.record(
            actor,
            "strategy.attendee_removed",
            discussion.contact,
            summary=f"Removed {attendee.name} ({attendee.agency}) from {_label(discussion)} for {discussion.contact.reference}",
            request=request,
        )
        attendee.delete()


def set_attendance(attendee: Attendee, actor: User, *, attended: bool, request: HttpRequest | None = None) -> Attendee:
    discussion = attendee.discussion
    _require_manage(discussion, actor)
    with transaction.atomic():
        attendee.attended = attended
        attendee.save(update_fields=["attended"])
        audit.record(
            actor,
            "strategy.attendance_changed",
            discussion.contact,
            summary=f"{attendee.name} ({attendee.agency}) {'attended' if attended else 'did not attend'} "
            f"{_label(discussion)} for {discussion.contact.reference}",
            request=request,
        )
    return attendee


# --------------------------------------------------------------------------- the outcome


def record_outcome(
    discussion: StrategyDiscussion,
    actor: User,
    *,
    held_at: datetime | None,
    information_considered: str,
    decision: str,
    rationale: str,
    delay_reason: str = "",
    request: HttpRequest | None = None,
) -> list[str]:
    """Record that the discussion was held and what it decided. Returns the attendance warnings
    (a missing agency is warned about, never a reason to refuse)."""
    if not actor.has_perm("strategy.record"):
        raise StrategyRefused("Only a decision maker or a team manager can record a strategy discussion.")
    if discussion.status != StrategyDiscussion.Status.SCHEDULED:
        raise StrategyRefused(
            f"This discussion is {discussion.get_status_display().lower()}: its outcome cannot be recorded again."
        )
    contact = discussion.contact
    held = _aware(held_at, "it was held", "held_at")
    if held > timezone.now() + CLOCK_SLACK:
        raise StrategyRefused("The time it was held cannot be in the future.", field="held_at")
    if held < contact.received_at:
        raise StrategyRefused("It cannot have been held before the contact was received.", field="held_at")
    if not information_considered.strip():
        raise StrategyRefused("Say what information the discussion considered.", field="information_considered")
    if decision not in StrategyDiscussion.Decision.values:
        raise StrategyRefused("Choose what the discussion decided.", field="decision")
    if not rationale.strip():
        raise StrategyRefused("Give the reasons for the decision.", field="decision_rationale")
    reason = delay_reason.strip()
    late = is_late(held, discussion.due_by) and not discussion.delay_reason
    if late and not reason:
        raise StrategyRefused(
            f"It was held after its deadline of {_when(discussion.due_by)}. Say why it could not be held by then.",
            field="delay_reason",
        )
    found = warnings(discussion)
    with transaction.atomic():
        discussion.status = StrategyDiscussion.Status.HELD
        discussion.held_at = held
        discussion.information_considered = information_considered.strip()
        discussion.decision = decision
        discussion.decision_rationale = rationale.strip()
        if late:
            discussion.delay_reason = reason
        discussion.recorded_by = actor
        discussion.recorded_at = timezone.now()
        discussion.save()
        summary = f"Recorded {_label(discussion)} for {contact.reference}: {discussion.get_decision_display()}"
        missing = missing_agencies(discussion)
        if missing:
            summary += f". No one from {', '.join(missing)} attended"
        audit.record(actor, "strategy.recorded", contact, summary=summary, reason=rationale.strip(), request=request)
    return found


# --------------------------------------------------------------------------- actions


def add_action(
    discussion: StrategyDiscussion,
    actor: User,
    *,
    description: str,
    owner: User | None,
    due_at: datetime | None,
    request: HttpRequest | None = None,
) -> StrategyAction:
    _require_manage(discussion, actor)
    if discussion.status != StrategyDiscussion.Status.HELD:
        raise StrategyRefused("Record the outcome of the discussion first: actions are agreed at it.")
    if not description.strip():
        raise StrategyRefused("Describe the action.", field="description")
    if owner is None:
        raise StrategyRefused("Choose who will do it.", field="owner")
    if not owner.is_active or owner.role not in ACTION_OWNER_ROLES:
        raise StrategyRefused(f"{owner} cannot be given casework actions: choose someone else.", field="owner")
    due = _aware(due_at, "it must be done by", "due_at")
    if discussion.held_at is not None and due < discussion.held_at:
        raise StrategyRefused("The deadline cannot be before the discussion was held.", field="due_at")
    with transaction.atomic():
        action = StrategyAction.objects.create(
            discussion=discussion, description=description.strip(), owner=owner, due_at=due, created_by=actor
        )
        audit.record(
            actor,
            "strategy.action_added",
            discussion.contact,
            summary=f"Action for {owner} due by {_when(due)} from {_label(discussion)} for {discussion.contact.reference}",
            reason=action.description,
            request=request,
        )
    return action


def remove_action(action: StrategyAction, actor: User, *, request: HttpRequest | None = None) -> None:
    discussion = action.discussion
    _require_manage(discussion, actor)
    if action.is_done:
        raise StrategyRefused("A completed action stays on the record.")
    with transaction.atomic():
        audit.record(
            actor,
            "strategy.action_removed",
            discussion.contact,
            summary=f"Removed the action for {action.owner} from {_label(discussion)} for {discussion.contact.reference}",
            reason=action.description,
            request=request,
        )
        action.delete()


def complete_action(action: StrategyAction, actor: User, *, note: str, request: HttpRequest | None = None) -> StrategyAction:
    if not actor.has_perm("strategy.complete_action", action):
        raise StrategyRefused("Only the person the action belongs to, or a team manager, can mark it done.")
    if action.is_done:
        raise StrategyRefused("This action is already marked done.")
    if not note.strip():
        raise StrategyRefused("Say what was done.", field="note")
    with transaction.atomic():
        action.completed_at = timezone.now()
        action.completed_by = actor
        action.completion_note = note.strip()
        action.save(update_fields=["completed_at", "completed_by", "completion_note"])
        contact = action.discussion.contact
        audit.record(
            actor,
            "strategy.action_completed",
            contact,
            summary=f"Strategy action for {action.owner} on {contact.reference} marked done"
            + ("" if actor.pk == action.owner_id else f" by {actor}"),
            reason=action.completion_note,
            request=request,
        )
    return action


def action_for(user: User, aid: int) -> StrategyAction:
    """The action's owner, or a MASH member, may open it; anyone else gets 404 (need to know)."""
    if not user.is_authenticated or not user.is_active:
        raise Http404("No action found")
    action = StrategyAction.objects.select_related("discussion__contact", "owner__agency", "completed_by").filter(pk=aid).first()
    if action is None or not (action.owner_id == user.pk or user.has_perm("strategy.view")):
        raise Http404("No action found")
    return action


@dataclass(frozen=True)
class ActionPage:
    """What the owner of an action is shown: enough to do it, never the MASH record."""

    action: StrategyAction
    child_name: str
    child_dob: object
    discussion_kind: str
    discussion_date: datetime
    own_agency_attendees: list[Attendee]
    show_contact_link: bool
    can_complete: bool


def _subject_child(contact: Contact) -> ContactPerson | None:
    from mash.intake.models import ContactPerson

    return contact.people.filter(role=ContactPerson.Role.SUBJECT_CHILD).first()


def action_page(action: StrategyAction, user: User) -> ActionPage:
    discussion = action.discussion
    child = _subject_child(discussion.contact)
    attendees = list(discussion.attendees.filter(agency_id=user.agency_id).select_related("agency")) if user.agency_id else []
    return ActionPage(
        action=action,
        child_name=child.full_name if child else "Not recorded",
        child_dob=(child.date_of_birth or child.expected_date_of_birth) if child else None,
        discussion_kind=discussion.get_kind_display(),
        discussion_date=discussion.held_at or discussion.scheduled_for,
        own_agency_attendees=attendees,
        show_contact_link=user.has_perm("strategy.view"),
        can_complete=not action.is_done and user.has_perm("strategy.complete_action", action),
    )


def view_action(user: User, action: StrategyAction, *, request: HttpRequest | None = None) -> None:
    contact = action.discussion.contact
    audit.record(
        user, "strategy.action_viewed", contact, summary=f"Opened a strategy action on {contact.reference}", request=request
    )


def view_discussion(
    user: User, discussion: StrategyDiscussion, *, what: str = "strategy discussion", request: HttpRequest | None = None
) -> None:
    contact = discussion.contact
    audit.record(
        user,
        "strategy.viewed",
        contact,
        summary=f"Opened {what} {discussion_number(discussion)} for {contact.reference}",
        request=request,
    )


# --------------------------------------------------------------------------- queues


def _numbers(contact_ids: set[int]) -> dict[int, int]:
    numbers: dict[int, int] = {}
    counts: dict[int, int] = {}
    for pk, contact_id in (
        StrategyDiscussion.objects.filter(contact_id__in=contact_ids).order_by("pk").values_list("pk", "contact_id")
    ):
        counts[contact_id] = counts.get(contact_id, 0) + 1
        numbers[pk] = counts[contact_id]
    return numbers


def _action_queue(user: User) -> list[QueueItem]:
    from mash.workqueue.items import QueueItem

    actions = (
        StrategyAction.objects.filter(owner=user, completed_at__isnull=True)
        .select_related("discussion__contact__rag_rating")
        .prefetch_related("discussion__contact__people")
        .order_by("due_at", "pk")
    )
    items = []
    for action in actions:
        text = action.description if len(action.description) <= 90 else action.description[:87].rstrip() + "..."
        items.append(
            QueueItem(
                action.discussion.contact,
                f"Strategy action: {text}",
                action.due_at,
                url=reverse("strategy:action", args=[action.pk]),
            )
        )
    return items


def _to_hold_queue() -> list[QueueItem]:
    from mash.workqueue.items import QueueItem

    now = timezone.now()
    scheduled = list(
        StrategyDiscussion.objects.filter(status=StrategyDiscussion.Status.SCHEDULED)
        .select_related("contact__rag_rating", "chair")
        .prefetch_related("contact__people")
    )
    numbers = _numbers({d.contact_id for d in scheduled})
    items: list[QueueItem] = []
    for d in scheduled:
        label = f"{d.get_kind_display()} {numbers.get(d.pk, 1)}"
        if d.scheduled_for <= now:
            task = f"Record the outcome of {label.lower()} (arranged for {_when(d.scheduled_for)})"
        else:
            task = f"Hold {label.lower()}{f' ({d.arrangements})' if d.arrangements else ''}; due by {_when(d.due_by)}"
        items.append(QueueItem(d.contact, task, d.scheduled_for, url=reverse("strategy:discussion", args=[d.contact_id, d.pk])))

    # Section 47 outcomes still waiting for a discussion to be arranged (or a further one agreed).
    latest = Decision.objects.filter(contact=OuterRef("contact")).order_by("-recommended_at", "-id").values("pk")[:1]
    waiting = (
        Decision.objects.filter(
            outcome=Outcome.S47_STRATEGY,
            review__in=[Decision.Review.PENDING, Decision.Review.AGREED],
            recommended_at__gte=now - ARRANGE_WINDOW,
        )
        .annotate(latest_pk=Subquery(latest))
        .filter(pk=F("latest_pk"))
        .exclude(contact__strategy_discussions__status=StrategyDiscussion.Status.SCHEDULED)
        .select_related("contact__rag_rating")
        .prefetch_related("contact__people", "contact__strategy_discussions")
    )
    if waiting:
        partnership, calendar = require_partnership(), working_calendar()
        for decision in waiting:
            contact = decision.contact
            discussions = list(contact.strategy_discussions.all())
            held = sorted((d for d in discussions if d.status == StrategyDiscussion.Status.HELD), key=lambda d: (d.held_at, d.pk))
            if held and held[-1].decision != StrategyDiscussion.Decision.FURTHER_DISCUSSION:
                continue
            task = "Arrange a further strategy discussion" if held else "Arrange the strategy discussion (section 47)"
            due = _due_by(contact, decision, discussions, partnership=partnership, calendar=calendar)
            items.append(QueueItem(contact, task, due, url=reverse("strategy:schedule", args=[contact.pk])))
    return sorted(items, key=lambda i: (i.due_at or now, i.contact.pk))


def queue_items(user: User) -> list[Queue]:
    """Strategy actions on their owner's queue (whoever they are), discussions to hold for deciders."""
    from mash.workqueue.items import Queue

    if not user.is_authenticated or not user.is_active:
        return []
    queues: list[Queue] = []
    actions = _action_queue(user)
    if actions or user.is_mash_member:
        queues.append(Queue("Strategy discussion actions", actions))
    if user.has_perm("strategy.schedule"):
        queues.append(Queue("Strategy discussions to hold", _to_hold_queue()))
    return queues


# --------------------------------------------------------------------------- the contact page


@dataclass
class DiscussionRow:
    discussion: StrategyDiscussion
    number: int
    attendees: list[Attendee]
    actions: list[StrategyAction]
    warnings: list[str] = field(default_factory=list)

    @property
    def title(self) -> str:
        return f"{self.discussion.get_kind_display()} {self.number}"

    @property
    def overdue(self) -> bool:
        d = self.discussion
        return d.status == StrategyDiscussion.Status.SCHEDULED and d.due_by < timezone.now()

    @property
    def late(self) -> bool:
        d = self.discussion
        when = d.held_at if d.status == StrategyDiscussion.Status.HELD and d.held_at else d.scheduled_for
        return d.status != StrategyDiscussion.Status.CANCELLED and is_late(when, d.due_by)

    @property
    def open_actions(self) -> int:
        return sum(1 for a in self.actions if not a.is_done)


def discussion_rows(contact: Contact) -> list[DiscussionRow]:
    discussions = list(
        contact.strategy_discussions.select_related("chair", "convened_by", "recorded_by")
        .prefetch_related("attendees__agency", "attendees__user", "actions__owner__agency", "actions__completed_by")
        .order_by("pk")
    )
    required = _required_kinds()
    rows = []
    for number, d in enumerate(discussions, start=1):
        rows.append(
            DiscussionRow(
                discussion=d,
                number=number,
                attendees=list(d.attendees.all()),
                actions=list(d.actions.all()),
                warnings=warnings(d, required=required) if d.status != StrategyDiscussion.Status.CANCELLED else [],
            )
        )
    return rows


def row_for(discussion: StrategyDiscussion) -> DiscussionRow:
    for row in discussion_rows(discussion.contact):
        if row.discussion.pk == discussion.pk:
            return row
    raise Http404("No discussion found")


def contact_panel(contact: Contact, user: User) -> dict[str, object]:
    """Context for strategy/_contact_panel.html (variable `panel`); empty when there is nothing to show."""
    if not user.has_perm("strategy.view"):
        return {}
    decision = s47_decision(contact)
    rows = discussion_rows(contact)
    if not rows and decision is None:
        return {}
    can_schedule = decision is not None and user.has_perm("strategy.schedule")
    next_due = None
    if decision is not None:
        next_due = _due_by(
            contact, decision, [r.discussion for r in rows], partnership=require_partnership(), calendar=working_calendar()
        )
    return {
        "show": True,
        "contact": contact,
        "rows": rows,
        "decision": decision,
        "can_schedule": can_schedule,
        "can_manage": user.has_perm("strategy.manage"),
        "next_due": next_due,
        "none_arranged": decision is not None and not any(r.discussion.status in ACTIVE_STATUSES for r in rows),
    }
