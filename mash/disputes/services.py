"""Professional disagreement about a MASH decision (seed 002 §14, DOMAIN §6).

A signed-off decision may be disputed by a MASH member, by the agency that referred the child
or by the team that received the child. The dispute climbs the configured ladder (team manager
→ service manager → strategic manager → assistant director); each step is due by the sooner of
its own timescale and the whole dispute's deadline (one working day), and whoever is at the
current level resolves it (the decision stands, or changes and goes back to the MASH) or
escalates it. Every step, the resolution and every page that shows a child are audited.

The pure rules (deadlines, ladder order, who may act or raise) are in `mash.domain.disputes`.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from mash.accounts.models import Role
from mash.audit import services as audit
from mash.core.access import contact_for, transferred_contacts
from mash.decisions.models import Decision, Outcome
from mash.decisions.services import supersede_after_dispute
from mash.domain import disputes as rules
from mash.domain.workflow import ContactEvent, ContactStatus
from mash.intake.models import Contact, ContactPerson
from mash.intake.workflow import apply_event
from mash.partnership.models import DisputeLevel
from mash.partnership.services import deadline, require_partnership, working_calendar
from mash.workqueue.items import Queue, QueueItem
from mash.workqueue.models import Alert

from .models import Dispute, DisputeStep

if TYPE_CHECKING:
    from django.http import HttpRequest

    from mash.accounts.models import User


class DisputeRefused(Exception):
    """The step is not allowed; the message says why in words a practitioner understands."""


class DisputeProblems(DisputeRefused):
    """What is missing from an answer, field by field (the form shows each next to its field)."""

    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__(" ".join(problems.values()))
        self.problems = problems


LEVEL_LABELS = dict(DisputeLevel.Level.choices)


def level_name(level: str) -> str:
    """'team manager', 'assistant director': one person at that level."""
    return rules.LEVEL_LABELS.get(level, level.replace("_", " "))

LADDER_ROLES = frozenset({Role.TEAM_MANAGER, Role.SERVICE_MANAGER, Role.STRATEGIC_MANAGER, Role.ASSISTANT_DIRECTOR})
# Strategic managers and assistant directors are not MASH members: they see a dispute only once
# it has reached their level (need to know), and never the contact record.
OUTSIDE_LADDER_ROLES = frozenset({Role.STRATEGIC_MANAGER, Role.ASSISTANT_DIRECTOR})
REPORT_ROLES = frozenset({Role.TEAM_MANAGER, Role.SERVICE_MANAGER, Role.STRATEGIC_MANAGER, Role.ASSISTANT_DIRECTOR})


# -- the ladder ----------------------------------------------------------------------------


def ladder() -> tuple[str, ...]:
    """The configured rungs, in the order a dispute climbs them."""
    try:
        return rules.ladder(DisputeLevel.objects.values_list("order", "level"))
    except rules.LadderError as problem:
        raise DisputeRefused(str(problem)) from None


def dispute_timescale() -> str:
    """'1 working day': how long the whole ladder may take (seed 002 §14)."""
    return require_partnership().timescale("dispute").describe()


def _step_due(dispute: Dispute, level: str, opened: datetime) -> datetime:
    row = DisputeLevel.objects.get(level=level)
    return rules.step_due(opened, deadline(opened, row.timescale()), dispute.due_at)


def open_step(dispute: Dispute) -> DisputeStep | None:
    steps = [s for s in dispute.steps.all() if s.closed_at is None]
    return steps[-1] if steps else None


def highest_step(dispute: Dispute) -> DisputeStep | None:
    steps = list(dispute.steps.all())
    return steps[-1] if steps else None


def _disputes() -> QuerySet[Dispute]:
    return Dispute.objects.select_related(
        "contact", "contact__rag_rating", "decision", "decision__reviewed_by", "decision__recommended_by",
        "raised_by", "raised_by_agency", "resolved_by",
    ).prefetch_related("steps", "steps__handled_by", "contact__people")


def child_name(contact: Contact) -> str:
    children = [p for p in contact.people.all() if p.role == ContactPerson.Role.SUBJECT_CHILD]
    return children[0].full_name if children else "Not known"


# -- raising -------------------------------------------------------------------------------


def current_decision(contact: Contact) -> Decision | None:
    """The decision a dispute would be about: the latest one a manager agreed."""
    return contact.decisions.filter(review=Decision.Review.AGREED).select_related("reviewed_by").order_by("-reviewed_at", "-id").first()


def _open_dispute(decision: Decision) -> Dispute | None:
    return decision.disputes.filter(status=Dispute.Status.OPEN).first()


def _raise_facts(contact: Contact, decision: Decision | None, user: User) -> rules.RaiseFacts:
    return rules.RaiseFacts(
        # A decision changed by a dispute still counts as signed off: the contact is being reconsidered.
        decision_agreed=decision is not None or contact.decisions.filter(review=Decision.Review.SUPERSEDED).exists(),
        decision_is_current=contact.status in (ContactStatus.SIGNED_OFF, ContactStatus.CLOSED),
        open_dispute=decision is not None and _open_dispute(decision) is not None,
        from_referring_agency=user.agency_id is not None and contact.referring_agency_id == user.agency_id,
        from_receiving_team=(
            decision is not None and user.team_id is not None and decision.receiving_team_id == user.team_id
        ),
    )


def raise_refusal(contact: Contact, user: User) -> str | None:
    """Why this user may not dispute the contact's decision now, or None if they may."""
    return rules.raise_refusal(user.role, _raise_facts(contact, current_decision(contact), user))


def referral_outcomes(user: User) -> QuerySet[Contact]:
    """A partner sees the contacts their agency referred that have an agreed outcome, and no others."""
    if not user.is_authenticated or not user.is_active or not user.is_partner or user.agency_id is None:
        return Contact.objects.none()
    agreed = Decision.objects.filter(review=Decision.Review.AGREED).values("contact_id")
    return Contact.objects.filter(referring_agency_id=user.agency_id, pk__in=agreed).order_by("-received_at")


def contact_for_raising(user: User, pk: int) -> Contact:
    """The contact, if the user may know it exists: MASH members, its referring agency, its receiving team (404 otherwise)."""
    if user.is_mash_member:
        return contact_for(user, pk)
    if user.is_partner:
        queryset = referral_outcomes(user)
    elif user.is_receiving_practitioner:
        queryset = transferred_contacts(user)
    else:
        raise Http404("No contact found")
    try:
        return queryset.prefetch_related("people").get(pk=pk)
    except Contact.DoesNotExist:
        raise Http404("No contact found") from None


def view_raise_form(user: User, contact: Contact, *, request: HttpRequest | None = None) -> None:
    audit.record(user, "dispute.raise_form_viewed", contact, summary=f"Opened the dispute form for {contact.reference}", request=request)


def raise_dispute(
    contact: Contact, actor: User, *, grounds: str, proposed_outcome: str = "", request: HttpRequest | None = None
) -> Dispute:
    """Dispute the contact's agreed decision: the first step opens at once and team managers are alerted."""
    if not grounds.strip():
        raise DisputeProblems({"grounds": "Say why you disagree with the decision."})
    if proposed_outcome and proposed_outcome not in Outcome.values:
        raise DisputeProblems({"proposed_outcome": "Choose an outcome from the list."})
    rungs = ladder()
    with transaction.atomic():
        locked = Contact.objects.select_for_update().get(pk=contact.pk)
        decision = current_decision(locked)
        refusal = rules.raise_refusal(actor.role, _raise_facts(locked, decision, actor))
        if refusal is not None:
            raise DisputeRefused(refusal)
        assert decision is not None
        now = timezone.now()
        dispute = Dispute.objects.create(
            contact=locked,
            decision=decision,
            raised_by=actor,
            raised_by_agency=actor.agency,
            raised_at=now,
            grounds=grounds.strip(),
            proposed_outcome=proposed_outcome,
            due_at=deadline(now, require_partnership().timescale("dispute")),
        )
        step = _start_step(dispute, rules.first_level(rungs), now)
        who = f"{actor.display_name} ({actor.agency})" if actor.agency else actor.display_name
        Alert.objects.create(
            contact=locked,
            kind=Alert.Kind.DISPUTE,
            message=(
                f"{who} disputes the decision '{decision.get_outcome_display()}'. "
                f"A {level_name(step.level)} must resolve or escalate it by "
                f"{timezone.localtime(step.due_at):%H:%M on %d/%m/%Y}."
            ),
            raised_by=actor,
        )
        audit.record(
            actor,
            "dispute.raised",
            locked,
            summary=f"Disputed the decision '{decision.get_outcome_display()}' on {locked.reference}; whole dispute due {timezone.localtime(dispute.due_at):%d/%m/%Y %H:%M}",
            reason=grounds,
            request=request,
        )
    return dispute


def _start_step(dispute: Dispute, level: str, opened: datetime) -> DisputeStep:
    return DisputeStep.objects.create(dispute=dispute, level=level, opened_at=opened, due_at=_step_due(dispute, level, opened))


# -- acting on a step ----------------------------------------------------------------------


def _step_facts(dispute: Dispute, step: DisputeStep | None) -> rules.StepFacts:
    return rules.StepFacts(
        level=step.level if step is not None else "",
        raised_by_id=dispute.raised_by_id,
        signed_off_by_id=dispute.decision.reviewed_by_id,
        dispute_open=dispute.is_open and step is not None,
    )


def act_refusal(dispute: Dispute, user: User) -> str | None:
    """Why this user may not resolve or escalate the dispute now, or None if they may."""
    return rules.act_refusal(user.role, user.pk, _step_facts(dispute, open_step(dispute)))


def may_act(dispute: Dispute, user: User) -> bool:
    return act_refusal(dispute, user) is None


def can_escalate(dispute: Dispute) -> bool:
    step = open_step(dispute)
    return step is not None and rules.can_escalate(ladder(), step.level)


def act(
    dispute: Dispute,
    actor: User,
    *,
    action: str,
    notes: str = "",
    agreed_outcome: str = "",
    resolution_summary: str = "",
    learning: str = "",
    request: HttpRequest | None = None,
) -> Dispute:
    """Resolve the open step (the decision stands or changes) or escalate it to the next level."""
    rungs = ladder()
    with transaction.atomic():
        locked = _disputes().select_for_update(of=("self",)).get(pk=dispute.pk)
        step = open_step(locked)
        refusal = rules.act_refusal(actor.role, actor.pk, _step_facts(locked, step))
        if refusal is not None:
            raise DisputeRefused(refusal)
        assert step is not None
        following = rules.next_level(rungs, step.level) if step.level in rungs else None
        problems = rules.action_problems(
            action,
            notes=notes,
            agreed_outcome=agreed_outcome,
            disputed_outcome=locked.decision.outcome,
            summary=resolution_summary,
            learning=learning,
            can_escalate=following is not None,
        )
        if problems:
            raise DisputeProblems(problems)
        now = timezone.now()
        step.handled_by = actor
        step.closed_at = now
        step.notes = notes.strip()
        if action == rules.Action.ESCALATE:
            assert following is not None
            step.result = DisputeStep.Result.ESCALATED
            step.save()
            new_step = _start_step(locked, following, now)
            audit.record(
                actor,
                "dispute.escalated",
                locked.contact,
                summary=(
                    f"Escalated the dispute on {locked.contact.reference} from {level_name(step.level)} to "
                    f"{level_name(following)}; due {timezone.localtime(new_step.due_at):%d/%m/%Y %H:%M}"
                ),
                reason=notes,
                request=request,
            )
        else:
            step.result = DisputeStep.Result.RESOLVED
            step.save()
            locked.status = Dispute.Status.RESOLVED
            locked.resolution = action
            locked.agreed_outcome = agreed_outcome if action == rules.Action.DECISION_CHANGED else locked.decision.outcome
            locked.resolution_summary = resolution_summary.strip()
            locked.learning = learning.strip()
            locked.resolved_by = actor
            locked.resolved_at = now
            locked.save()
            audit.record(
                actor,
                "dispute.resolved",
                locked.contact,
                summary=(
                    f"Resolved the dispute on {locked.contact.reference} at {level_name(step.level)} level: "
                    f"{locked.get_resolution_display().lower()}"
                    + (f" ({Outcome(agreed_outcome).label})" if action == rules.Action.DECISION_CHANGED else "")
                ),
                reason=resolution_summary,
                request=request,
            )
            if action == rules.Action.DECISION_CHANGED:
                # The old decision stops taking effect (transfer, early help); back to the MASH, where the
                # decision maker records the agreed outcome and a manager signs off again.
                supersede_after_dispute(locked.decision, actor, request=request)
                apply_event(
                    locked.contact,
                    ContactEvent.REOPEN_AFTER_DISPUTE,
                    actor,
                    comment=f"Professional disagreement resolved: the outcome is to be {Outcome(agreed_outcome).label}. {resolution_summary.strip()}",
                    request=request,
                )
    return _disputes().get(pk=locked.pk)


# -- who sees what -------------------------------------------------------------------------


def visible_disputes(user: User) -> QuerySet[Dispute]:
    """MASH members see every dispute; strategic managers and assistant directors those that reached
    their level; partners their own agency's; receiving practitioners their own team's."""
    if not user.is_authenticated or not user.is_active:
        return Dispute.objects.none()
    if user.is_mash_member:
        return _disputes()
    if user.role in OUTSIDE_LADDER_ROLES:
        return _disputes().filter(steps__level=user.role).distinct()
    if user.is_partner and user.agency_id is not None:
        return _disputes().filter(raised_by__role=Role.PARTNER_PRACTITIONER, raised_by_agency_id=user.agency_id)
    if user.is_receiving_practitioner and user.team_id is not None:
        return _disputes().filter(raised_by__role=Role.RECEIVING_PRACTITIONER, raised_by__team_id=user.team_id)
    return Dispute.objects.none()


def dispute_for(user: User, did: int) -> Dispute:
    try:
        return visible_disputes(user).get(pk=did)
    except Dispute.DoesNotExist:
        raise Http404("No dispute found") from None


def sees_decision_detail(user: User) -> bool:
    """Inside the MASH and on the ladder: the decision's analysis, rationale and the step notes.
    Partners and receiving teams see the outcome, their grounds, the deadlines and the resolution."""
    return user.is_mash_member or user.role in OUTSIDE_LADDER_ROLES


def view_dispute(user: User, dispute: Dispute, *, what: str = "dispute", request: HttpRequest | None = None) -> None:
    audit.record(
        user, "dispute.viewed", dispute.contact, summary=f"Viewed the {what} on {dispute.contact.reference}", request=request
    )


def view_dispute_list(user: User, disputes: list[Dispute], *, request: HttpRequest | None = None) -> None:
    audit.record(
        user,
        "dispute.list_viewed",
        object_type="disputes.list",
        summary=f"Viewed the disputes list: {', '.join(dict.fromkeys(d.contact.reference for d in disputes)) or 'none'}",
        request=request,
    )


def view_referral_outcomes(user: User, contacts: list[Contact], *, request: HttpRequest | None = None) -> None:
    audit.record(
        user,
        "dispute.referral_outcomes_viewed",
        object_type="disputes.referral_outcomes",
        object_id=str(user.agency_id or ""),
        summary=f"Viewed the outcomes of {user.agency}'s referrals: {', '.join(c.reference for c in contacts) or 'none'}",
        request=request,
    )


@dataclass(frozen=True)
class OutcomeRow:
    contact: Contact
    child: str
    outcome: str
    signed_off_at: datetime | None
    dispute: Dispute | None
    may_raise: bool


def outcome_rows(user: User, contacts: list[Contact]) -> list[OutcomeRow]:
    """Reference, child, received, agreed outcome and sign-off date, and the agency's latest dispute."""
    rows = []
    decisions = {
        d.contact_id: d
        for d in Decision.objects.filter(contact__in=contacts, review=Decision.Review.AGREED).order_by("reviewed_at", "id")
    }
    own = {}
    for dispute in visible_disputes(user).filter(contact__in=contacts).order_by("raised_at"):
        own[dispute.contact_id] = dispute
    for contact in contacts:
        decision = decisions.get(contact.pk)
        rows.append(
            OutcomeRow(
                contact=contact,
                child=child_name(contact),
                outcome=decision.get_outcome_display() if decision else "",
                signed_off_at=decision.reviewed_at if decision else None,
                dispute=own.get(contact.pk),
                may_raise=rules.raise_refusal(user.role, _raise_facts(contact, decision, user)) is None,
            )
        )
    return rows


# -- queues and the contact page -----------------------------------------------------------


def _task(dispute: Dispute, step: DisputeStep) -> str:
    return (
        f"Dispute of '{dispute.decision.get_outcome_display()}' raised by {dispute.raised_by.display_name}: "
        f"resolve or escalate ({level_name(step.level)} step)"
    )


def queue_items(user: User) -> list[Queue]:
    """Disputes waiting at the user's level, and the user's own disputes until they are resolved."""
    if not user.is_authenticated:
        return []
    queues: list[Queue] = []
    if user.role in LADDER_ROLES:
        waiting = _disputes().filter(
            status=Dispute.Status.OPEN, steps__level=user.role, steps__closed_at__isnull=True
        ).distinct()
        items = []
        for dispute in waiting:
            step = open_step(dispute)
            if step is not None and may_act(dispute, user):
                items.append(QueueItem(dispute.contact, _task(dispute, step), step.due_at, url=reverse("disputes:act", args=[dispute.pk])))
        queues.append(Queue("Disputes waiting for you", sorted(items, key=lambda i: i.due_at or timezone.now())))
    mine = _disputes().filter(raised_by=user, status=Dispute.Status.OPEN).order_by("raised_at")
    own_items = []
    for dispute in mine:
        step = open_step(dispute)
        where = f"with the {level_name(step.level)}" if step else "open"
        own_items.append(
            QueueItem(
                dispute.contact,
                f"Your dispute of '{dispute.decision.get_outcome_display()}': {where}",
                step.due_at if step else dispute.due_at,
                url=reverse("disputes:detail", args=[dispute.pk]),
            )
        )
    if own_items:
        queues.append(Queue("Your disputes", own_items))
    return queues


def contact_panel(contact: Contact, user: User) -> dict[str, object]:
    """Context for this app's section of the contact page (template disputes/_contact_panel.html, variable `panel`)."""
    disputes = list(_disputes().filter(contact=contact).order_by("raised_at"))
    refusal = raise_refusal(contact, user) if user.is_mash_member else "Not a MASH member."
    decision = current_decision(contact)
    return {
        "disputes": [{"dispute": d, "steps": list(d.steps.all()), "open_step": open_step(d), "may_act": may_act(d, user)} for d in disputes],
        "may_raise": refusal is None,
        "decision": decision,
        "contact": contact,
    }


# -- the monthly report --------------------------------------------------------------------

MONTH = re.compile(r"^(\d{4})-(\d{2})$")


class BadMonth(ValueError):
    pass


def parse_month(text: str | None) -> tuple[int, int]:
    """'YYYY-MM' → (year, month); empty means this month. A clear message otherwise."""
    if not text:
        today = timezone.localdate()
        return today.year, today.month
    match = MONTH.match(text.strip())
    if not match:
        raise BadMonth("Enter the month as a year and month, for example 2026-11.")
    year, month = int(match.group(1)), int(match.group(2))
    if not 1 <= month <= 12:
        raise BadMonth("The month must be between 01 and 12, for example 2026-11.")
    if year < 2000 or year > 2100:
        raise BadMonth("Enter a year between 2000 and 2100.")
    return year, month


def month_bounds(year: int, month: int) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    start = datetime(year, month, 1, tzinfo=tz)
    end = datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=tz)
    return start, end


@dataclass(frozen=True)
class ReportRow:
    dispute: Dispute
    reference: str
    raised_by: str
    agency: str
    decision: str
    highest_level: str
    hours_to_resolve: Decimal | None
    within_timescale: bool | None  # None: still open and not yet due
    late: bool
    resolution: str
    learning: str
    visible: bool


@dataclass
class Report:
    year: int
    month: int
    timescale: str
    rows: list[ReportRow] = field(default_factory=list)

    @property
    def label(self) -> str:
        return datetime(self.year, self.month, 1).strftime("%B %Y")

    @property
    def value(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def raised(self) -> int:
        return len(self.rows)

    @property
    def open(self) -> int:
        return sum(1 for r in self.rows if r.dispute.is_open)

    @property
    def resolved_by_level(self) -> list[tuple[str, int]]:
        counts = Counter(r.highest_level for r in self.rows if not r.dispute.is_open)
        labels = [level_name(level).capitalize() for level in DisputeLevel.Level.values]
        return [(label, counts.get(label, 0)) for label in labels]

    @property
    def changed(self) -> int:
        return sum(1 for r in self.rows if r.dispute.resolution == Dispute.Resolution.DECISION_CHANGED)

    @property
    def late(self) -> int:
        return sum(1 for r in self.rows if r.late)


def _hours(delta_seconds: float) -> Decimal:
    return (Decimal(delta_seconds) / Decimal(3600)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def month_report(user: User, year: int, month: int) -> Report:
    start, end = month_bounds(year, month)
    calendar = working_calendar()
    now = timezone.now()
    visible = set(visible_disputes(user).values_list("pk", flat=True))
    report = Report(year, month, require_partnership().timescale("dispute").describe())
    for dispute in _disputes().filter(raised_at__gte=start, raised_at__lt=end).order_by("raised_at", "id"):
        top = highest_step(dispute)
        resolved = dispute.resolved_at
        resolution = ""
        if dispute.resolution:
            resolution = dispute.get_resolution_display()
            if dispute.resolution == Dispute.Resolution.DECISION_CHANGED and dispute.agreed_outcome:
                resolution = f"The decision changes to: {dispute.get_agreed_outcome_display()}"
            if dispute.resolution_summary:
                resolution += f". {dispute.resolution_summary}"
        late = rules.is_late(dispute.due_at, resolved, now)
        report.rows.append(
            ReportRow(
                dispute=dispute,
                reference=dispute.contact.reference,
                raised_by=dispute.raised_by.display_name,
                agency=str(dispute.raised_by_agency or ""),
                decision=dispute.decision.get_outcome_display(),
                highest_level=level_name(top.level).capitalize() if top else "",
                hours_to_resolve=_hours(calendar.working_time_between(dispute.raised_at, resolved).total_seconds()) if resolved else None,
                within_timescale=(not late) if resolved or late else None,
                late=late,
                resolution=resolution or "Not yet resolved",
                learning=dispute.learning,
                visible=dispute.pk in visible,
            )
        )
    return report


def may_see_report(user: User) -> bool:
    return user.is_authenticated and user.role in REPORT_ROLES


def view_report(user: User, report: Report, *, download: bool = False, request: HttpRequest | None = None) -> None:
    audit.record(
        user,
        "dispute.report_downloaded" if download else "dispute.report_viewed",
        object_type="disputes.report",
        object_id=report.value,
        summary=f"{'Downloaded' if download else 'Viewed'} the disputes report for {report.label}: {', '.join(r.reference for r in report.rows) or 'no disputes'}",
        request=request,
    )


CSV_HEADINGS = [
    "Reference", "Raised at", "Raised by", "Agency", "Decision disputed", "Highest level reached",
    "Working hours to resolve", "Within timescale", "Resolution", "Learning",
]


def _cell(value: object) -> str:
    """A spreadsheet must not run a formula someone typed into a free-text answer."""
    text = "" if value is None else str(value)
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def report_csv(report: Report) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_HEADINGS)
    for row in report.rows:
        within = "Not yet resolved" if row.within_timescale is None else ("Yes" if row.within_timescale else "No")
        writer.writerow(
            [
                _cell(value)
                for value in (
                    row.reference,
                    timezone.localtime(row.dispute.raised_at).strftime("%d/%m/%Y %H:%M"),
                    row.raised_by,
                    row.agency,
                    row.decision,
                    row.highest_level,
                    row.hours_to_resolve if row.hours_to_resolve is not None else "",
                    within,
                    row.resolution,
                    row.learning,
                )
            ]
        )
    writer.writerow([])
    writer.writerow(["Disputes raised", report.raised])
    for label, count in report.resolved_by_level:
        writer.writerow([f"Resolved by {label.lower()}", count])
    writer.writerow(["Decisions changed", report.changed])
    writer.writerow([f"Late (not resolved within {report.timescale})", report.late])
    writer.writerow(["Still open", report.open])
    return out.getvalue()
