"""Management oversight: the practice standards checklist (seed 002 App. D), the manager's footprint,
assessment results from the receiving teams and the monthly dip-sample audits (§16).

Plain functions, no HTTP. Refusals raise `OversightRefused` with a message a practitioner
understands; every change and every page that shows a case audit writes an audit event.

Who audits which stream (seed 002 §16, mapped onto the product's roles):

* one case per worker: the MASH **team managers** ("dip sample and audit one case per worker");
* 20% of NFA outcomes: the MASH **service manager**;
* every referral whose assessment ended in NFA: the "First Response Service manager". The
  product has no separate First Response role, so the MASH **service manager** audits this
  stream too (a partnership with a First Response service manager gives them that role).

Nobody audits their own case (the case of the worker who recommended the agreed outcome).
Findings are read by team, service and strategic managers, assistant directors, and the worker
whose case it is (feedback for learning); nobody else.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from django.db import transaction
from django.urls import reverse
from django.utils import dateformat, timezone

from mash.accounts.models import Role
from mash.audit import services as audit
from mash.domain import audit_sampling
from mash.intake.models import Contact, ContactPerson, StatusChange

from .models import AssessmentOutcome, AuditSample, CaseAudit, ManagementNote, PracticeStandard, StandardCheck

if TYPE_CHECKING:
    from django.http import HttpRequest

    from mash.accounts.models import User
    from mash.decisions.models import Decision
    from mash.workqueue.items import Queue


class OversightRefused(Exception):
    """A refusal a practitioner understands (shown as a form error)."""


MANAGER_ROLES = frozenset({Role.TEAM_MANAGER, Role.SERVICE_MANAGER})
FINDINGS_ROLES = frozenset({Role.TEAM_MANAGER, Role.SERVICE_MANAGER, Role.STRATEGIC_MANAGER, Role.ASSISTANT_DIRECTOR})
STREAM_AUDITORS: dict[str, frozenset[str]] = {
    AuditSample.Stream.PER_WORKER: frozenset({Role.TEAM_MANAGER}),
    AuditSample.Stream.NFA: frozenset({Role.SERVICE_MANAGER}),
    AuditSample.Stream.ASSESSMENT_NFA: frozenset({Role.SERVICE_MANAGER}),
}
STREAM_AUDITOR_LABELS: dict[str, str] = {
    AuditSample.Stream.PER_WORKER: "MASH team managers",
    AuditSample.Stream.NFA: "MASH service manager",
    AuditSample.Stream.ASSESSMENT_NFA: "Service manager (First Response)",
}


def _when(value: datetime | None) -> str:
    if value is None:
        return "not set"
    return dateformat.format(timezone.localtime(value), "D j M Y H:i")


def _day(value: date) -> str:
    return dateformat.format(value, "j F Y")


def duration(delta: timedelta) -> str:
    """30m; 3h 10m; 1 day 2h 5m."""
    minutes = max(0, int(delta.total_seconds() // 60))
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    text = f"{hours}h {minutes}m" if hours or days else f"{minutes}m"
    if days:
        text = f"{days} day{'s' if days != 1 else ''} {text}"
    return text


def agreed_decision(contact: Contact) -> Decision | None:
    from mash.decisions.models import Decision

    return (
        contact.decisions.filter(review=Decision.Review.AGREED)
        .select_related("recommended_by", "reviewed_by", "receiving_team")
        .order_by("-reviewed_at", "-id")
        .first()
    )


# =========================================================================== evidence rules


@dataclass(frozen=True)
class Evidence:
    """What the record itself shows for a standard.

    `supports` is True when the record shows the standard met, False when it shows it missed,
    None when the record cannot settle it (yet): the practitioner's tick decides.
    """

    text: str
    supports: bool | None = None

    @property
    def sentence(self) -> str:
        return f"The record shows: {self.text}"

    @property
    def verdict(self) -> str:
        return {True: "Supports met", False: "Suggests not met", None: "For information"}[self.supports]


EvidenceRule = Callable[[Contact], Evidence]
EVIDENCE_RULES: dict[str, tuple[str, EvidenceRule]] = {}


def evidence_rule(key: str, description: str) -> Callable[[EvidenceRule], EvidenceRule]:
    """Register a function that reads the record for a standard (PracticeStandard.evidence_rule = key)."""

    def register(function: EvidenceRule) -> EvidenceRule:
        EVIDENCE_RULES[key] = (description, function)
        return function

    return register


def evidence_choices() -> list[tuple[str, str]]:
    return [("", "None: the practitioner's tick only"), *((key, description) for key, (description, _) in EVIDENCE_RULES.items())]


def evidence_for(standard: PracticeStandard, contact: Contact) -> Evidence | None:
    rule = EVIDENCE_RULES.get(standard.evidence_rule)
    return rule[1](contact) if rule else None


@evidence_rule("threshold_rated", "Level of need and RAG rating recorded at triage")
def _threshold_rated(contact: Contact) -> Evidence:
    if contact.level_of_need_id is None or contact.rag_rating_id is None:
        return Evidence("not rated against the thresholds yet.")
    latest = contact.rating_changes.select_related("changed_by").order_by("-changed_at", "-id").first()
    who = f" by {latest.changed_by} on {_when(latest.changed_at)}" if latest else ""
    return Evidence(f"rated {contact.level_of_need}, {contact.rag_rating}{who}.", True)


@evidence_rule("consent_recorded", "Consent position recorded with the referrer")
def _consent_recorded(contact: Contact) -> Evidence:
    text = f"consent {contact.get_consent_display().lower()}"
    if contact.consent_not_sought_reason:
        text += f" ({contact.get_consent_not_sought_reason_display().lower()})"
    if contact.consent_notes:
        text += "; consent notes recorded"
    return Evidence(f"{text}.", True)


@evidence_rule("consent_manager", "A manager's decision on sharing without consent, or consent given")
def _consent_manager(contact: Contact) -> Evidence:
    override = contact.consent_overrides.select_related("recorded_by").order_by("-recorded_at").first()
    if override is not None:
        return Evidence(f"sharing without consent agreed by {override.recorded_by} on {_when(override.recorded_at)}.", True)
    if contact.consent == "given":
        return Evidence("consent given, so no manager's decision on consent was needed.", True)
    return Evidence(f"consent {contact.get_consent_display().lower()} and no manager's decision on consent recorded yet.")


@evidence_rule("agency_checks", "Information requests to partner agencies and their answers")
def _agency_checks(contact: Contact) -> Evidence:
    from mash.sharing.models import ANSWERED_STATUSES, RequestStatus

    requests = list(contact.information_requests.select_related("agency").order_by("agency__name"))
    if not requests:
        return Evidence("no partner agency asked for information.")
    answered = [r for r in requests if r.status in ANSWERED_STATUSES]
    open_ = [r for r in requests if r.status not in ANSWERED_STATUSES and r.status != RequestStatus.WITHDRAWN]
    names = ", ".join(r.agency.name for r in requests)
    text = f"{len(requests)} agenc{'y' if len(requests) == 1 else 'ies'} asked ({names}), {len(answered)} answered"
    if open_:
        text += f", {len(open_)} still open"
    return Evidence(f"{text}.", True if not open_ and answered else None)


def _age_on(person: ContactPerson, when: date) -> int | None:
    born = person.date_of_birth
    if born is None:
        return None
    return when.year - born.year - ((when.month, when.day) < (born.month, born.day))


@evidence_rule("household_recorded", "Household members and significant adults on the contact")
def _household_recorded(contact: Contact) -> Evidence:
    others = [p for p in contact.people.all() if p.role != ContactPerson.Role.SUBJECT_CHILD]
    if not others:
        return Evidence("only the child is recorded: no household members or significant adults.", False)
    on = timezone.localtime(contact.received_at).date()
    household = [p for p in others if p.role == ContactPerson.Role.HOUSEHOLD_MEMBER]
    significant = [p for p in others if p.role == ContactPerson.Role.SIGNIFICANT_ADULT]
    children = [p for p in others if (age := _age_on(p, on)) is not None and age < 18]
    parts = [f"{len(household)} household member{'s' if len(household) != 1 else ''}"]
    if children:
        parts[0] += f" ({len(children)} of them {'a child' if len(children) == 1 else 'children'})"
    parts.append(f"{len(significant)} significant adult{'s' if len(significant) != 1 else ''} not living there")
    return Evidence(" and ".join(parts) + " recorded.", True)


@evidence_rule("decision_within_working_day", "Decision on the response within one working day of receipt")
def _decision_within_working_day(contact: Contact) -> Evidence:
    due = contact.decision_due_at
    if contact.decided_at is None:
        if due is not None and timezone.now() > due:
            return Evidence(f"no decision yet; it was due by {_when(due)}.", False)
        return Evidence(f"no decision yet; due by {_when(due)}.")
    taken = duration(contact.decided_at - contact.received_at)
    if due is None or contact.decided_at <= due:
        return Evidence(f"decision {taken} after receipt, within one working day.", True)
    return Evidence(f"decision {taken} after receipt, after the one working day deadline ({_when(due)}).", False)


@evidence_rule("time_in_mash", "How long the contact stayed open in the MASH")
def _time_in_mash(contact: Contact) -> Evidence:
    due = contact.mash_exit_due_at
    if contact.decided_at is None:
        if due is not None and timezone.now() > due:
            return Evidence(f"still open in the MASH after the time allowed ({_when(due)}): a manager must agree this.")
        return Evidence(f"open in the MASH; the time allowed ends {_when(due)}.")
    stayed = duration(contact.decided_at - contact.received_at)
    if due is None or contact.decided_at <= due:
        return Evidence(f"left the MASH {stayed} after receipt, within the time allowed.", True)
    notes = contact.management_notes.count()
    if notes:
        return Evidence(f"stayed {stayed} in the MASH; {notes} management note{'s' if notes != 1 else ''} on the record.")
    return Evidence(f"stayed {stayed} in the MASH, past the time allowed, and no management note is recorded.", False)


@evidence_rule("record_completed_24h", "Contact record completed (sent for triage) within 24 hours")
def _record_completed(contact: Contact) -> Evidence:
    from mash.domain.workflow import ContactEvent
    from mash.partnership.services import deadline, require_partnership

    due = contact.record_due_at or deadline(contact.received_at, require_partnership().timescale("written_record"))
    submitted = (
        StatusChange.objects.filter(contact=contact, event=ContactEvent.SUBMIT_FOR_TRIAGE.value)
        .order_by("occurred_at", "id")
        .values_list("occurred_at", flat=True)
        .first()
    )
    if submitted is None:
        if timezone.now() > due:
            return Evidence(f"the record is not complete yet; it was due by {_when(due)}.", False)
        return Evidence(f"the record is not complete yet; due by {_when(due)}.")
    taken = duration(submitted - contact.received_at)
    if submitted <= due:
        return Evidence(f"record completed {taken} after receipt, within 24 hours.", True)
    return Evidence(f"record completed {taken} after receipt, after the deadline ({_when(due)}).", False)


@evidence_rule("history_checked", "People checked against existing records and linked")
def _history_checked(contact: Contact) -> Evidence:
    people = list(contact.people.all())
    linked = [p for p in people if p.person_id is not None]
    known = [p for p in linked if not p.created_new_person]
    text = f"{len(linked)} of {len(people)} people checked against existing records and linked ({len(known)} already known)."
    return Evidence(text, True if people and len(linked) == len(people) else None)


@evidence_rule("parents_aware", "Whether the parents or carers know of the contact")
def _parents_aware(contact: Contact) -> Evidence:
    return Evidence(
        f"parents know of the contact: {contact.get_parents_aware_display().lower()}.",
        True if contact.parents_aware == "yes" else None,
    )


@evidence_rule("manager_authorised", "The outcome signed off by a MASH manager")
def _manager_authorised(contact: Contact) -> Evidence:
    from mash.decisions.models import Decision

    agreed = agreed_decision(contact)
    if agreed is not None:
        return Evidence(f"'{agreed.get_outcome_display()}' signed off by {agreed.reviewed_by} on {_when(agreed.reviewed_at)}.", True)
    latest = contact.decisions.select_related("reviewed_by").order_by("-recommended_at", "-id").first()
    if latest is None:
        return Evidence("no outcome recommended yet.")
    if latest.review == Decision.Review.CHALLENGED:
        return Evidence(f"the recommendation was challenged by {latest.reviewed_by} on {_when(latest.reviewed_at)}.")
    return Evidence("a recommendation is waiting for a manager's sign-off.")


@evidence_rule("letters_sent", "Outcome letters sent (or phone calls made) to the referrer and the family")
def _letters_sent(contact: Contact) -> Evidence:
    from mash.decisions.models import Recipient

    agreed = agreed_decision(contact)
    if agreed is None:
        return Evidence("no outcome signed off yet, so no letters are due.")
    parts: list[str] = []
    covered = 0
    for recipient in Recipient:
        who = "the referrer" if recipient == Recipient.REFERRER else "the family"
        letter = agreed.letters.filter(recipient=recipient, sent_at__isnull=False).order_by("sent_at").first()
        call = agreed.feedback_calls.filter(recipient=recipient).order_by("called_at").first()
        withheld = agreed.feedback_withheld.filter(recipient=recipient).first()
        if letter is not None:
            parts.append(f"letter to {who} sent {_when(letter.sent_at)}")
        elif call is not None:
            parts.append(f"phone call to {who} on {_when(call.called_at)}")
        elif withheld is not None:
            parts.append(f"feedback to {who} withheld by {withheld.decided_by}")
        else:
            parts.append(f"nothing sent to {who} yet")
            continue
        covered += 1
    return Evidence("; ".join(parts) + ".", True if covered == len(Recipient) else None)


# =========================================================================== the checklist


@dataclass(frozen=True)
class ChecklistRow:
    standard: PracticeStandard
    check: StandardCheck | None
    evidence: Evidence | None

    @property
    def status(self) -> str:
        return self.check.status if self.check else ""

    @property
    def status_label(self) -> str:
        return self.check.get_status_display() if self.check else "Not checked yet"


@dataclass(frozen=True)
class Checklist:
    rows: list[ChecklistRow]

    def _count(self, status: str) -> int:
        return sum(1 for row in self.rows if row.status == status)

    @property
    def met(self) -> int:
        return self._count(StandardCheck.Status.MET)

    @property
    def not_met(self) -> int:
        return self._count(StandardCheck.Status.NOT_MET)

    @property
    def not_applicable(self) -> int:
        return self._count(StandardCheck.Status.NOT_APPLICABLE)

    @property
    def unchecked(self) -> int:
        return self._count("")

    @property
    def applicable(self) -> int:
        return len(self.rows) - self.not_applicable

    @property
    def progress(self) -> str:
        """"12 of 18 met" (standards marked not applicable are left out of the count)."""
        return f"{self.met} of {self.applicable} met"

    @property
    def complete(self) -> bool:
        return bool(self.rows) and self.unchecked == 0


def checklist(contact: Contact) -> Checklist:
    checks = {c.standard_id: c for c in contact.standard_checks.select_related("checked_by")}
    standards = PracticeStandard.objects.filter(is_active=True)
    return Checklist([ChecklistRow(s, checks.get(s.pk), evidence_for(s, contact)) for s in standards])


@dataclass(frozen=True)
class CheckInput:
    status: str  # "" leaves the standard as it is
    note: str = ""


def record_checks(
    contact: Contact, actor: User, changes: dict[int, CheckInput], *, request: HttpRequest | None = None
) -> list[StandardCheck]:
    """Tick standards met / not met / not applicable with a note; only real changes are written and audited."""
    if not actor.has_perm("oversight.complete_checklist"):
        raise OversightRefused("Only MASH officers, decision makers and managers complete the practice standards checklist.")
    standards = {s.pk: s for s in PracticeStandard.objects.filter(is_active=True, pk__in=list(changes))}
    existing = {c.standard_id: c for c in contact.standard_checks.all()}
    saved: list[StandardCheck] = []
    with transaction.atomic():
        for standard_id, change in changes.items():
            standard = standards.get(standard_id)
            if standard is None:
                raise OversightRefused("That practice standard is not on the checklist any more. Reload the page.")
            note = change.note.strip()
            current = existing.get(standard_id)
            status = change.status or (current.status if current else "")
            if not status:
                if note:
                    raise OversightRefused(f"Choose met, not met or not applicable for standard {standard.code} before adding a note.")
                continue
            if status not in StandardCheck.Status.values:
                raise OversightRefused(f"Choose met, not met or not applicable for standard {standard.code}.")
            if status == StandardCheck.Status.NOT_MET and not note:
                raise OversightRefused(f"Say what is missing for standard {standard.code} (not met).")
            if current is not None and current.status == status and current.note == note:
                continue
            check, created = StandardCheck.objects.update_or_create(
                contact=contact,
                standard=standard,
                defaults={"status": status, "note": note, "checked_by": actor, "checked_at": timezone.now()},
            )
            summary = f"Practice standard {standard.code} marked '{StandardCheck.Status(status).label}' on {contact.reference}"
            if not created and current is not None:
                summary += f" (was '{StandardCheck.Status(current.status).label}')"
            audit.record(
                actor,
                "oversight.standard_checked",
                contact,
                summary=summary,
                reason=note,
                request=request,
            )
            saved.append(check)
    return saved


# =========================================================================== the manager's footprint


@dataclass(frozen=True)
class FootprintEntry:
    at: datetime
    who: User | None
    what: str
    detail: str = ""
    url: str = ""
    link_text: str = ""


def footprint(contact: Contact, user: User | None = None) -> list[FootprintEntry]:
    """Every manager action on the record, in time order, read from the domain rows."""
    from mash.disputes.models import DisputeStep
    from mash.sharing.models import Escalation

    entries: list[FootprintEntry] = []
    for change in contact.rating_changes.filter(changed_by__role__in=MANAGER_ROLES).select_related(
        "changed_by", "previous_rag", "new_rag", "new_level"
    ):
        before = f"{change.previous_rag} → " if change.previous_rag else ""
        entries.append(
            FootprintEntry(change.changed_at, change.changed_by, f"Rating changed: {before}{change.new_rag}, {change.new_level}", change.reason)
        )
    for decision in contact.decisions.filter(reviewed_by__isnull=False).select_related("reviewed_by"):
        verb = "Signed off" if decision.review == decision.Review.AGREED else "Challenged"
        entries.append(
            FootprintEntry(
                decision.reviewed_at or decision.recommended_at,
                decision.reviewed_by,
                f"{verb} the recommendation '{decision.get_outcome_display()}'",
                decision.manager_comment,
            )
        )
    for override in contact.consent_overrides.select_related("recorded_by"):
        entries.append(FootprintEntry(override.recorded_at, override.recorded_by, "Agreed to share information without consent", override.rationale))
    for escalation in Escalation.objects.filter(request__contact=contact, responded_by__isnull=False).select_related(
        "responded_by", "request__agency"
    ):
        entries.append(
            FootprintEntry(
                escalation.responded_at or escalation.raised_at,
                escalation.responded_by,
                f"Responded to the escalation from {escalation.request.agency}",
                escalation.action_taken,
            )
        )
    for note in contact.management_notes.select_related("author"):
        entries.append(FootprintEntry(note.created_at, note.author, "Management oversight note", note.text))
    for step in DisputeStep.objects.filter(dispute__contact=contact, handled_by__isnull=False).select_related("handled_by"):
        result = step.get_result_display().lower() if step.result else "considered"
        entries.append(
            FootprintEntry(
                step.closed_at or step.opened_at,
                step.handled_by,
                f"Professional disagreement at {step.get_level_display().lower()} level: {result}",
                step.notes,
            )
        )
    for case_audit in CaseAudit.objects.filter(sample__contact=contact).select_related("auditor", "sample"):
        sample = case_audit.sample
        url = reverse("oversight:audit", kwargs={"said": sample.pk}) if user is not None and may_view_findings(user, sample) else ""
        entries.append(
            FootprintEntry(
                case_audit.completed_at,
                case_audit.auditor,
                f"Dip-sample audit completed ({sample.get_stream_display().lower()}, {month_label(sample.month)})",
                url=url,
                link_text="Read the audit findings",
            )
        )
    return sorted(entries, key=lambda e: e.at)


def add_management_note(contact: Contact, actor: User, *, text: str, request: HttpRequest | None = None) -> ManagementNote:
    if not actor.has_perm("oversight.add_management_note"):
        raise OversightRefused("Only a team manager or the service manager can add a management oversight note.")
    if not text.strip():
        raise OversightRefused("Write the management oversight note.")
    with transaction.atomic():
        note = ManagementNote.objects.create(contact=contact, author=actor, text=text.strip())
        audit.record(
            actor, "oversight.note_added", contact, summary=f"Management oversight note added to {contact.reference}", reason=note.text,
            request=request,
        )
    return note


# =========================================================================== assessment results


def record_assessment_result(
    contact: Contact,
    actor: User,
    *,
    result: str,
    completed_on: date,
    summary: str = "",
    request: HttpRequest | None = None,
) -> AssessmentOutcome:
    """The receiving team records what the assessment after the MASH concluded (feeds the assessment-NFA audits)."""
    from mash.core.access import transferred_contacts

    if not actor.has_perm("oversight.record_assessment_result") or not transferred_contacts(actor).filter(pk=contact.pk).exists():
        raise OversightRefused("Only a practitioner in the team the child was transferred to can record the assessment result.")
    if result not in AssessmentOutcome.Result.values:
        raise OversightRefused("Choose what the assessment concluded.")
    if completed_on > timezone.localdate():
        raise OversightRefused("The date the assessment was completed must be today or in the past.")
    if contact.decided_at is not None and completed_on < timezone.localtime(contact.decided_at).date():
        raise OversightRefused(
            f"The assessment cannot have been completed before the MASH decision on {_day(timezone.localtime(contact.decided_at).date())}."
        )
    with transaction.atomic():
        outcome, created = AssessmentOutcome.objects.update_or_create(
            contact=contact,
            defaults={"result": result, "completed_on": completed_on, "summary": summary.strip(), "recorded_by": actor, "recorded_at": timezone.now()},
        )
        audit.record(
            actor,
            "oversight.assessment_result_recorded" if created else "oversight.assessment_result_changed",
            contact,
            summary=f"Assessment result for {contact.reference}: {outcome.get_result_display()} (completed {_day(completed_on)})",
            request=request,
        )
    return outcome


# =========================================================================== months


def month_start(value: date) -> date:
    return value.replace(day=1)


def add_months(month: date, months: int) -> date:
    index = month.year * 12 + month.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def previous_month(today: date | None = None) -> date:
    return add_months(month_start(today or timezone.localdate()), -1)


def parse_month(text: str) -> date:
    """'2026-10' -> 1 October 2026; anything else is refused in words."""
    value = (text or "").strip()
    try:
        year_text, month_text = value.split("-")
        if len(year_text) != 4 or not (1 <= len(month_text) <= 2):
            raise ValueError
        parsed = date(int(year_text), int(month_text), 1)
    except ValueError:
        raise OversightRefused(f"'{value}' is not a month. Enter the month as YYYY-MM, for example {previous_month():%Y-%m}.") from None
    if parsed > month_start(timezone.localdate()):
        raise OversightRefused("That month has not started yet. Choose this month or an earlier one.")
    return parsed


def month_label(month: date) -> str:
    return dateformat.format(month, "F Y")


def month_bounds(month: date) -> tuple[datetime, datetime]:
    start = timezone.make_aware(datetime.combine(month, datetime.min.time()))
    end = timezone.make_aware(datetime.combine(add_months(month, 1), datetime.min.time()))
    return start, end


# =========================================================================== dip-sample audits


def month_cases(month: date) -> tuple[list[audit_sampling.MonthCase], dict[int, int | None]]:
    """The month's cases as the sampling rules see them, and each case's worker (who recommended the agreed outcome)."""
    from mash.decisions.models import Decision, Outcome

    start, end = month_bounds(month)
    agreed = Decision.objects.filter(review=Decision.Review.AGREED)
    signed: dict[int, tuple[int, bool]] = {}
    for contact_id, worker_id, outcome in (
        agreed.filter(reviewed_at__gte=start, reviewed_at__lt=end).order_by("reviewed_at", "id").values_list("contact_id", "recommended_by_id", "outcome")
    ):
        signed[contact_id] = (worker_id, outcome == Outcome.NFA)  # the latest agreed outcome of the month wins
    assessed = set(
        AssessmentOutcome.objects.filter(
            result=AssessmentOutcome.Result.NFA, completed_on__gte=month, completed_on__lt=add_months(month, 1)
        ).values_list("contact_id", flat=True)
    )
    workers: dict[int, int | None] = {contact_id: worker for contact_id, (worker, _) in signed.items()}
    for contact_id, worker_id in agreed.filter(contact_id__in=assessed - set(signed)).order_by("reviewed_at", "id").values_list(
        "contact_id", "recommended_by_id"
    ):
        workers[contact_id] = worker_id
    cases = [
        audit_sampling.MonthCase(
            case_id=contact_id,
            worker_id=workers.get(contact_id),
            signed_off=contact_id in signed,
            outcome_nfa=signed.get(contact_id, (None, False))[1],
            assessment_nfa=contact_id in assessed,
        )
        for contact_id in sorted(set(signed) | assessed)
    ]
    return cases, workers


def _existing_draw(samples: Iterable[AuditSample]) -> audit_sampling.Draw:
    per_worker: dict[int, int] = {}
    nfa: set[int] = set()
    assessment: set[int] = set()
    for sample in samples:
        if sample.stream == AuditSample.Stream.PER_WORKER and sample.worker_id is not None:
            per_worker.setdefault(sample.worker_id, sample.contact_id)
        elif sample.stream == AuditSample.Stream.NFA:
            nfa.add(sample.contact_id)
        elif sample.stream == AuditSample.Stream.ASSESSMENT_NFA:
            assessment.add(sample.contact_id)
    return audit_sampling.Draw(per_worker=per_worker, nfa=frozenset(nfa), assessment_nfa=frozenset(assessment))


def draw_month(month: date, actor: User | None = None, *, request: HttpRequest | None = None) -> list[AuditSample]:
    """Draw the month's dip samples (idempotent: samples already drawn are kept; only what is missing is added).

    `actor` None is the scheduled task; a person must be allowed to draw.
    """
    from mash.partnership.services import require_partnership

    month = month_start(month)
    if actor is not None and not actor.has_perm("oversight.draw_audit_samples"):
        raise OversightRefused("Only a team manager or the service manager can draw the month's audit samples.")
    if month > month_start(timezone.localdate()):
        raise OversightRefused("That month has not started yet. Choose this month or an earlier one.")
    percent = require_partnership().nfa_audit_percent
    with transaction.atomic():
        existing = list(AuditSample.objects.select_for_update().filter(month=month))
        cases, workers = month_cases(month)
        result = audit_sampling.draw(
            cases, nfa_percent=percent, seed=audit_sampling.month_seed(month.year, month.month), already=_existing_draw(existing)
        )
        have = {(s.stream, s.contact_id) for s in existing}
        wanted = [(AuditSample.Stream.PER_WORKER, contact_id) for contact_id in result.per_worker.values()]
        wanted += [(AuditSample.Stream.NFA, contact_id) for contact_id in sorted(result.nfa)]
        wanted += [(AuditSample.Stream.ASSESSMENT_NFA, contact_id) for contact_id in sorted(result.assessment_nfa)]
        created: list[AuditSample] = []
        contacts = Contact.objects.in_bulk([contact_id for stream, contact_id in wanted if (stream, contact_id) not in have])
        for stream, contact_id in wanted:
            if (stream, contact_id) in have:
                continue
            sample = AuditSample.objects.create(month=month, contact_id=contact_id, stream=stream, worker_id=workers.get(contact_id))
            contact = contacts[contact_id]
            audit.record(
                actor,
                "oversight.audit_sample_drawn",
                contact,
                summary=f"{contact.reference} drawn for the {month_label(month)} dip-sample audit ({sample.get_stream_display().lower()})",
                request=request,
            )
            created.append(sample)
    return created


def draw_previous_month(now: datetime | None = None) -> list[AuditSample]:
    """What the scheduled task does on the 1st: draw the month that has just ended."""
    return draw_month(previous_month(timezone.localtime(now or timezone.now()).date()))


def audit_refusal(user: User, sample: AuditSample) -> str | None:
    """Why `user` may not audit this sample, or None when they may."""
    allowed = STREAM_AUDITORS.get(sample.stream, frozenset())
    if getattr(user, "role", None) not in allowed:
        return f"Cases drawn as '{sample.get_stream_display().lower()}' are audited by the {STREAM_AUDITOR_LABELS[sample.stream]}."
    if sample.worker_id is not None and sample.worker_id == user.pk:
        return "This is your own case: another manager must audit it."
    return None


def may_audit(user: User, sample: AuditSample) -> bool:
    return user.is_authenticated and user.is_active and audit_refusal(user, sample) is None


def may_view_findings(user: User, sample: AuditSample) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    return user.role in FINDINGS_ROLES or (sample.worker_id is not None and sample.worker_id == user.pk)


def complete_audit(
    sample: AuditSample,
    actor: User,
    *,
    grade: str,
    findings: str,
    learning: str,
    actions: str = "",
    request: HttpRequest | None = None,
) -> CaseAudit:
    refusal = audit_refusal(actor, sample)
    if refusal:
        raise OversightRefused(refusal)
    if grade not in CaseAudit.Grade.values:
        raise OversightRefused("Choose the grade for this case.")
    if not findings.strip():
        raise OversightRefused("Write what the audit found.")
    if not learning.strip():
        raise OversightRefused("Write the learning from this case.")
    with transaction.atomic():
        locked = AuditSample.objects.select_for_update().select_related("contact").get(pk=sample.pk)
        if CaseAudit.objects.filter(sample=locked).exists():
            raise OversightRefused("This case has already been audited.")
        case_audit = CaseAudit.objects.create(
            sample=locked, auditor=actor, grade=grade, findings=findings.strip(), learning=learning.strip(), actions=actions.strip()
        )
        audit.record(
            actor,
            "oversight.case_audited",
            locked.contact,
            summary=f"Dip-sample audit of {locked.contact.reference} ({month_label(locked.month)}, "
            f"{locked.get_stream_display().lower()}): {case_audit.get_grade_display()}",
            request=request,
        )
    return case_audit


def view_audit(user: User, sample: AuditSample, *, request: HttpRequest | None = None) -> None:
    audit.record(
        user,
        "oversight.case_audit_viewed",
        sample.contact,
        summary=f"Viewed the {month_label(sample.month)} dip-sample audit of {sample.contact.reference}",
        request=request,
    )


# =========================================================================== the monthly summary


@dataclass(frozen=True)
class StreamSummary:
    stream: str
    label: str
    auditors: str
    drawn: int
    done: int

    @property
    def outstanding(self) -> int:
        return self.drawn - self.done


@dataclass(frozen=True)
class WorkerSummary:
    worker: User | None
    drawn: int
    done: int
    grades: list[tuple[str, int]]


@dataclass(frozen=True)
class MonthSummary:
    month: date
    samples: list[AuditSample]
    streams: list[StreamSummary]
    grades: list[tuple[str, int]]
    learning: list[CaseAudit]
    workers: list[WorkerSummary]
    previous: date
    next: date | None
    nfa_percent: int = 20
    cases_signed_off: int = 0
    nfa_outcomes: int = 0

    @property
    def label(self) -> str:
        return month_label(self.month)

    @property
    def done(self) -> int:
        return sum(s.done for s in self.streams)

    @property
    def drawn(self) -> int:
        return sum(s.drawn for s in self.streams)

    @property
    def outstanding(self) -> int:
        return self.drawn - self.done


def audit_of(sample: AuditSample) -> CaseAudit | None:
    try:
        return sample.audit
    except CaseAudit.DoesNotExist:
        return None


def _grade_counts(audits: Iterable[CaseAudit]) -> list[tuple[str, int]]:
    counts = Counter(a.grade for a in audits)
    return [(label, counts.get(value, 0)) for value, label in CaseAudit.Grade.choices]


def month_summary(month: date) -> MonthSummary:
    from mash.partnership.services import require_partnership

    samples = list(
        AuditSample.objects.filter(month=month).select_related("contact", "worker", "audit", "audit__auditor").order_by("stream", "contact__reference")
    )
    audits = {s.pk: audit_of(s) for s in samples}
    streams = [
        StreamSummary(
            stream=value,
            label=label,
            auditors=STREAM_AUDITOR_LABELS[value],
            drawn=sum(1 for s in samples if s.stream == value),
            done=sum(1 for s in samples if s.stream == value and audits[s.pk] is not None),
        )
        for value, label in AuditSample.Stream.choices
    ]
    done = [a for a in audits.values() if a is not None]
    by_worker: dict[int | None, list[AuditSample]] = {}
    for sample in samples:
        by_worker.setdefault(sample.worker_id, []).append(sample)
    workers = [
        WorkerSummary(
            worker=group[0].worker,
            drawn=len(group),
            done=sum(1 for s in group if audits[s.pk] is not None),
            grades=[(label, n) for label, n in _grade_counts(audits[s.pk] for s in group if audits[s.pk] is not None) if n],  # type: ignore[misc]
        )
        for _, group in sorted(by_worker.items(), key=lambda kv: str(kv[1][0].worker or "~"))
    ]
    cases, _ = month_cases(month)
    this_month = month_start(timezone.localdate())
    return MonthSummary(
        month=month,
        samples=samples,
        streams=streams,
        grades=_grade_counts(done),
        learning=sorted(done, key=lambda a: a.completed_at),
        workers=workers,
        previous=add_months(month, -1),
        next=add_months(month, 1) if month < this_month else None,
        nfa_percent=require_partnership().nfa_audit_percent,
        cases_signed_off=sum(1 for c in cases if c.signed_off),
        nfa_outcomes=sum(1 for c in cases if c.signed_off and c.outcome_nfa),
    )


def audit_due(sample: AuditSample) -> datetime:
    """A month's audits are due by the end of the following month (feedback to the strategic manager monthly)."""
    return month_bounds(add_months(sample.month, 1))[1]


# =========================================================================== queues and the contact panel


def queue_items(user: User) -> list[Queue]:
    """Case audits for the right auditors; assessment results for the receiving team."""
    from mash.workqueue.items import Queue, QueueItem

    if not user.is_authenticated or not user.is_active:
        return []
    queues: list[Queue] = []
    streams = [stream for stream, roles in STREAM_AUDITORS.items() if user.role in roles]
    if streams:
        samples = (
            AuditSample.objects.filter(stream__in=streams, audit__isnull=True)
            .exclude(worker=user)
            .select_related("contact", "contact__rag_rating")
            .prefetch_related("contact__people")
        )
        items = [
            QueueItem(
                s.contact,
                f"Audit this case: {s.get_stream_display().lower()}, {month_label(s.month)}",
                audit_due(s),
                url=reverse("oversight:audit", kwargs={"said": s.pk}),
            )
            for s in samples
        ]
        queues.append(Queue("Case audits to complete", sorted(items, key=lambda i: (i.due_at, i.contact.reference))))
    if user.role == Role.RECEIVING_PRACTITIONER:
        from mash.core.access import transferred_contacts
        from mash.decisions.models import REFERRAL_OUTCOMES, Decision

        referred = Decision.objects.filter(review=Decision.Review.AGREED, receiving_team_id=user.team_id, outcome__in=list(REFERRAL_OUTCOMES))
        contacts = (
            transferred_contacts(user)
            .filter(pk__in=referred.values("contact_id"), assessment_outcome__isnull=True)
            .select_related("rag_rating")
            .prefetch_related("people")
            .order_by("decided_at")
        )
        items = [
            QueueItem(c, "Record what the assessment concluded", None, url=reverse("oversight:assessment-result", kwargs={"pk": c.pk}))
            for c in contacts
        ]
        queues.append(Queue("Assessment results to record", items))
    return queues


def contact_panel(contact: Contact, user: User) -> dict[str, object]:
    """Context for the oversight section of the contact page (template oversight/_contact_panel.html, variable `panel`)."""
    samples = list(contact.audit_samples.select_related("worker", "audit").order_by("-month", "stream"))
    audits = [
        {"sample": s, "audit": audit_of(s), "may_view": may_view_findings(user, s), "may_audit": may_audit(user, s) and audit_of(s) is None}
        for s in samples
    ]
    try:
        assessment: AssessmentOutcome | None = contact.assessment_outcome
    except AssessmentOutcome.DoesNotExist:
        assessment = None
    return {
        "contact": contact,
        "checklist": checklist(contact),
        "footprint": footprint(contact, user),
        "can_check": user.has_perm("oversight.complete_checklist"),
        "can_add_note": user.has_perm("oversight.add_management_note"),
        "audits": audits,
        "assessment": assessment,
    }
