"""After the outcome: early help tracking (seed 001 case 3) and the malicious-referral guard (seed 001 §8).

Early help. When a manager signs off a step down to early help, the child's person record
gets an early help involvement, so the history check on the next contact shows it, and the
referral is tracked until the family answers. If the family declines or cannot be reached
the child may be left without any support: decision makers and team managers are alerted and
one of them records whether to escalate (a new contact that re-assesses the threshold) or why
escalation is not needed.

Malicious referrals. A referral is recorded as malicious only after a full multi-agency
assessment, a conversation with the referrer and a different manager's agreement. The rules
are in `mash.domain.malicious`; the facts come from the database here, and this service (not
only the form) refuses anything less.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from mash.audit import services as audit
from mash.domain import malicious as guard
from mash.domain.workflow import ContactEvent
from mash.intake.models import Channel, Contact, ContactPerson, ContactType, ParentsAware, ReferrerSource
from mash.people.models import Involvement, InvolvementKind
from mash.workqueue.models import Alert

from .models import Decision, EarlyHelpReferral, MaliciousFinding

if TYPE_CHECKING:
    from django.db.models import QuerySet
    from django.http import HttpRequest

    from mash.accounts.models import User
    from mash.workqueue.items import Queue


class FollowupRefused(Exception):
    """A step refused by the service; the message says why in words a practitioner understands."""


class MaliciousRefused(FollowupRefused):
    """Recording a referral as malicious refused: `problems` lists every reason."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__(" ".join(problems))


Status = EarlyHelpReferral.Status
Escalation = EarlyHelpReferral.Escalation

# The family's answer leaves the child without support: somebody must consider escalation.
NEEDS_ESCALATION_DECISION = frozenset({Status.DECLINED.value, Status.NO_CONTACT.value})
# An answer can be recorded while the offer stands, or after the family could not be reached
# (they may be reached later), as long as nobody has decided on escalation yet.
ANSWERABLE = frozenset({Status.OFFERED.value, Status.NO_CONTACT.value})
ANSWERS = frozenset({Status.ACCEPTED.value, Status.DECLINED.value, Status.NO_CONTACT.value})

ESCALATION_QUEUE = "Early help declined: consider escalation"


def _is_decider(user: User) -> bool:
    return user.has_perm("decisions.decide_early_help_escalation")


# ---------------------------------------------------------------------------------------
# Early help: the referral and the involvement
# ---------------------------------------------------------------------------------------


def _subject(contact: Contact) -> ContactPerson | None:
    return contact.people.filter(role=ContactPerson.Role.SUBJECT_CHILD).select_related("person").first()


def involvement_for(referral: EarlyHelpReferral) -> Involvement | None:
    """The early help involvement start_early_help opened for this referral (its summary names the contact)."""
    if referral.person_id is None:
        return None
    return (
        Involvement.objects.filter(
            person_id=referral.person_id,
            kind=InvolvementKind.EARLY_HELP,
            team_id=referral.team_id,
            summary__contains=referral.contact.reference,
        )
        .order_by("-started_on", "-id")
        .first()
    )


def start_early_help(decision: Decision, actor: User, *, request: HttpRequest | None = None) -> EarlyHelpReferral | None:
    """Called by decisions.services.sign_off when an early help outcome is agreed."""
    existing = decision.early_help_referrals.first()
    if existing is not None:
        return existing
    team = decision.receiving_team
    if team is None:
        from mash.partnership.models import Team, TeamKind

        team = Team.objects.filter(kind=TeamKind.EARLY_HELP).order_by("name").first()
        if team is None:
            return None
    contact = decision.contact
    subject = _subject(contact)
    person = subject.person if subject is not None else None
    with transaction.atomic():
        referral = EarlyHelpReferral.objects.create(contact=contact, decision=decision, person=person, team=team)
        if person is not None:
            Involvement.objects.create(
                person=person,
                kind=InvolvementKind.EARLY_HELP,
                team=team,
                started_on=timezone.localdate(),
                summary=f"Stepped down to early help by the MASH after contact {contact.reference}. "
                "Offered to the family: waiting for their answer.",
            )
        audit.record(
            actor,
            "early_help.referred",
            contact,
            summary=f"Early help referral to {team} opened for {contact.reference}"
            + (f" ({person.full_name}): early help involvement added to the person record" if person is not None else ""),
            request=request,
        )
    return referral


def may_record_response(user: User, referral: EarlyHelpReferral) -> bool:
    return bool(user.has_perm("decisions.record_early_help_response", referral))


def record_response(
    referral: EarlyHelpReferral, actor: User, *, status: str, notes: str = "", request: HttpRequest | None = None
) -> EarlyHelpReferral:
    """The family's answer to the offer of early help. Declined or not reached: alert and queue for escalation."""
    if not may_record_response(actor, referral):
        raise FollowupRefused("Only the MASH or the early help team the child was referred to can record the family's answer.")
    if status not in ANSWERS:
        raise FollowupRefused("Choose the family's answer.")
    notes = notes.strip()
    if status in NEEDS_ESCALATION_DECISION and not notes:
        raise FollowupRefused(
            "Say what the family said, or how you tried to reach them: the decision on escalation depends on it."
        )
    with transaction.atomic():
        referral = EarlyHelpReferral.objects.select_for_update(of=("self",)).select_related("contact", "team").get(pk=referral.pk)
        if referral.status not in ANSWERABLE or referral.escalation:
            raise FollowupRefused(
                f"The family's answer is already recorded: {referral.get_status_display().lower()}."
            )
        referral.status = status
        referral.response_notes = notes
        referral.response_recorded_by = actor
        referral.response_recorded_at = timezone.now()
        referral.save()
        contact = referral.contact
        label = referral.get_status_display()
        involvement = involvement_for(referral)
        if involvement is not None:
            today = timezone.localdate()
            if status == Status.ACCEPTED:
                involvement.summary = f"{involvement.summary.split(' Offered to the family')[0]} Accepted by the family on {today:%d/%m/%Y}."
                involvement.closed_on = None
                involvement.closure_reason = ""
            else:
                # No early help is open: the history check must not say a lead professional is working with the child.
                involvement.closed_on = today
                involvement.closure_reason = f"{label} ({contact.reference})"
            involvement.save()
        if status in NEEDS_ESCALATION_DECISION:
            child = referral.person.full_name if referral.person else "The child"
            what = "declined early help" if status == Status.DECLINED else "could not be reached to offer early help"
            Alert.objects.create(
                contact=contact,
                kind=Alert.Kind.EARLY_HELP_DECLINED,
                message=f"{child} ({contact.reference}): the family {what}. The child may now be left without any support: "
                "a decision maker or team manager must consider escalation for re-assessment of the threshold.",
                raised_by=actor,
            )
        audit.record(
            actor,
            "early_help.response_recorded",
            contact,
            summary=f"Family's answer to early help for {contact.reference}: {label.lower()}",
            reason=notes,
            request=request,
        )
    return referral


def _copied_person(cp: ContactPerson) -> dict[str, Any]:
    from mash.intake.services import PERSON_FIELDS

    source = cp.person if cp.person is not None else cp
    details = {name: getattr(source, name) for name in PERSON_FIELDS}
    if cp.role != ContactPerson.Role.SUBJECT_CHILD:
        details.update(role=cp.role, relationship=cp.relationship, lives_with_child=cp.lives_with_child)
    return details


def _shorten(text: str, limit: int = 600) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _reassessment_fields(referral: EarlyHelpReferral, actor: User, rationale: str) -> dict[str, Any]:
    previous = referral.contact
    decision = referral.decision
    answer = "declined early help" if referral.status == Status.DECLINED else "could not be reached to take up early help"
    signed_off = timezone.localtime(decision.reviewed_at).strftime("%d/%m/%Y") if decision.reviewed_at else "recently"
    concern = (
        f"Early help was declined after {previous.reference}: the family {answer} "
        f"(step down to {referral.team} signed off on {signed_off}). Where the threshold is not met for one service, "
        "refusal of early help needs consideration for escalation for re-assessment of the threshold, as the child is "
        "now left without any support."
        + (f"\n\nWhat the family said: {referral.response_notes}" if referral.response_notes else "")
        + (f"\n\nWhy the threshold is being re-assessed: {rationale}" if rationale else "")
        + f"\n\nThe previous concern ({previous.reference}): {_shorten(previous.concern_details)}"
    )
    return {
        "channel": Channel.IN_PERSON,  # raised inside the MASH by the decision maker or manager
        "contact_type": ContactType.NEW_CONCERN,
        "received_at": timezone.now(),
        "referrer_name": actor.display_name,
        "referrer_role": actor.job_title or actor.get_role_display(),
        "referrer_agency": str(actor.agency or "MASH"),
        "referrer_phone": actor.phone,
        "referrer_email": actor.email,
        "referrer_source": ReferrerSource.LA_SOCIAL_CARE,
        "concern_details": concern,
        "concern_when": f"Early help offered after {previous.reference}; the family's answer was recorded on "
        f"{timezone.localtime(referral.response_recorded_at or timezone.now()):%d/%m/%Y}.",
        "concern_how_known": f"MASH records: the early help referral from {previous.reference}.",
        "complicating_factors": previous.complicating_factors,
        "impact_on_child": f"The child is left without any support after early help was not taken up. Impact recorded on "
        f"{previous.reference}: {_shorten(previous.impact_on_child, 400)}",
        "child_voice": previous.child_voice,
        "strengths_and_safety": previous.strengths_and_safety,
        "referrer_wants": "Re-assessment of the threshold (seed 001 case 3).",
        "child_whereabouts": f"Not confirmed. On {previous.reference}: {_shorten(previous.child_whereabouts, 200)}",
        "parents_aware": ParentsAware.NOT_KNOWN,
        "consent": previous.consent,
        "consent_not_sought_reason": previous.consent_not_sought_reason,
        "consent_notes": f"Copied from {previous.reference}; the family has since {answer}. Check consent before sharing "
        "information again." + (f" Earlier notes: {previous.consent_notes}" if previous.consent_notes else ""),
    }


def decide_escalation(
    referral: EarlyHelpReferral,
    actor: User,
    *,
    escalation: str,
    rationale: str = "",
    request: HttpRequest | None = None,
) -> EarlyHelpReferral:
    """A decision maker or team manager considers escalation after early help was declined or the family not reached.

    Escalate: a new contact about the same child and household (linked to the same person
    records) is recorded and sent for triage, so the threshold is re-assessed. Not needed:
    the rationale is required.
    """
    from mash.intake import services as intake
    from mash.intake.workflow import apply_event

    if not _is_decider(actor):
        raise FollowupRefused("Only a decision maker or a team manager can decide whether to escalate.")
    if escalation not in Escalation.values:
        raise FollowupRefused("Choose whether to escalate for re-assessment of the threshold.")
    rationale = rationale.strip()
    if escalation == Escalation.NOT_NEEDED and not rationale:
        raise FollowupRefused("Explain why escalation is not needed: the child is left without early help.")
    with transaction.atomic():
        referral = (
            EarlyHelpReferral.objects.select_for_update(of=("self",))
            .select_related("contact", "decision", "team", "person")
            .get(pk=referral.pk)
        )
        if referral.escalation:
            raise FollowupRefused(
                f"Escalation has already been considered: {referral.get_escalation_display().lower()}."
            )
        if referral.status not in NEEDS_ESCALATION_DECISION:
            raise FollowupRefused("Escalation is considered only when the family declined early help or could not be reached.")
        previous = referral.contact
        new_contact = None
        if escalation == Escalation.ESCALATE:
            old_people = list(previous.people.select_related("person").order_by("order", "id"))
            child = next((cp for cp in old_people if cp.role == ContactPerson.Role.SUBJECT_CHILD), None)
            if child is None:
                raise FollowupRefused(f"{previous.reference} has no child recorded to re-assess.")
            others = [cp for cp in old_people if cp is not child]
            new_contact = intake.record_contact(
                actor,
                _reassessment_fields(referral, actor, rationale),
                _copied_person(child),
                [_copied_person(cp) for cp in others],
                concern_categories=list(previous.concern_categories.all()),
                request=request,
            )
            for new_cp, old_cp in zip(new_contact.people.order_by("order", "id"), [child, *others], strict=True):
                if old_cp.person is not None:
                    intake.link_to_existing(actor, new_cp, old_cp.person, request=request)
            if not new_contact.people.filter(person__isnull=True).exists():
                apply_event(
                    new_contact,
                    ContactEvent.SUBMIT_FOR_TRIAGE,
                    actor,
                    comment=f"Re-assessment of the threshold after early help was not taken up ({previous.reference}).",
                    request=request,
                )
            referral.reassessment_contact = new_contact
        referral.escalation = escalation
        referral.escalation_rationale = rationale
        referral.escalation_decided_by = actor
        referral.escalation_decided_at = timezone.now()
        referral.save()
        _acknowledge(previous, Alert.Kind.EARLY_HELP_DECLINED, actor)
        if new_contact is not None:
            audit.record(
                actor,
                "early_help.escalated",
                previous,
                summary=f"Escalated for re-assessment of the threshold: new contact {new_contact.reference} after early help "
                f"was not taken up on {previous.reference}",
                reason=rationale,
                request=request,
            )
            audit.record(
                actor,
                "early_help.reassessment_opened",
                new_contact,
                summary=f"{new_contact.reference} opened to re-assess the threshold after early help was not taken up on "
                f"{previous.reference}",
                reason=rationale,
                request=request,
            )
        else:
            audit.record(
                actor,
                "early_help.escalation_not_needed",
                previous,
                summary=f"Escalation considered and not needed for {previous.reference} after early help was not taken up",
                reason=rationale,
                request=request,
            )
    return referral


def _acknowledge(contact: Contact, kind: str, actor: User) -> None:
    """The alert has been acted on; a team manager's action also acknowledges it (the alert stays on record)."""
    if not actor.has_perm("workqueue.acknowledge_alert"):
        return
    from mash.workqueue.services import acknowledge_alert

    for alert in Alert.objects.filter(contact=contact, kind=kind, acknowledged_at__isnull=True):
        acknowledge_alert(alert, actor)


def referrals_for_team(user: User) -> QuerySet[EarlyHelpReferral]:
    """A receiving practitioner sees the early help referrals made to their own team, and no others."""
    if not user.is_authenticated or not user.is_receiving_practitioner or user.team_id is None:
        return EarlyHelpReferral.objects.none()
    # A referral whose decision was overturned by a dispute is no longer the team's to work on.
    return EarlyHelpReferral.objects.filter(team_id=user.team_id, decision__review=Decision.Review.AGREED)


def withdraw_early_help(decision: Decision, actor: User, *, request: HttpRequest | None = None) -> int:
    """The decision behind an early help step-down was changed: close the involvement it opened
    (so the next history check does not send anyone to a lead professional who was never allocated)."""
    closed = 0
    for referral in EarlyHelpReferral.objects.filter(decision=decision).select_related("contact"):
        involvement = involvement_for(referral)
        if involvement is not None and involvement.closed_on is None:
            involvement.closed_on = timezone.localdate()
            involvement.closure_reason = "Early help withdrawn: the MASH decision changed after a professional disagreement"
            involvement.save(update_fields=["closed_on", "closure_reason"])
            closed += 1
        audit.record(
            actor, "early_help.withdrawn", referral.contact,
            summary=f"Early help referral for {referral.contact.reference} withdrawn: the decision was changed", request=request,
        )
    return closed


def view_referral(user: User, referral: EarlyHelpReferral, *, request: HttpRequest | None = None) -> None:
    audit.record(
        user,
        "early_help.viewed",
        referral.contact,
        summary=f"Opened the early help referral for {referral.contact.reference}",
        request=request,
    )


# ---------------------------------------------------------------------------------------
# The malicious-referral guard
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AssessmentFacts:
    agencies_responded: int
    requests_outstanding: int
    strategy_discussion_held: bool
    shortfall: list[str]

    @property
    def full(self) -> bool:
        return not self.shortfall


def assessment_facts(contact: Contact) -> AssessmentFacts:
    """What the multi-agency assessment amounted to: Stage 2 answers, outstanding requests, strategy discussions."""
    from mash.sharing.models import InformationRequest
    from mash.strategy.models import StrategyDiscussion

    requests = InformationRequest.objects.filter(contact=contact)
    responded = requests.answered().values("agency_id").distinct().count()
    outstanding = requests.open().count()
    held = StrategyDiscussion.objects.filter(contact=contact, status=StrategyDiscussion.Status.HELD).exists()
    return AssessmentFacts(responded, outstanding, held, guard.assessment_shortfall(responded, outstanding, held))


def referrer_spoken_to(finding: MaliciousFinding) -> bool:
    return finding.referrer_spoken_at is not None and finding.referrer_spoken_by_id is not None and bool(finding.referrer_conversation.strip())


def live_finding(contact: Contact) -> MaliciousFinding | None:
    """A proposal waiting for a manager, or an agreed finding (a refused one is history)."""
    return (
        contact.malicious_findings.filter(status__in=[MaliciousFinding.Status.PROPOSED, MaliciousFinding.Status.AGREED])
        .order_by("-proposed_at", "-id")
        .first()
    )


def _refuse(actor: User, contact: Contact, action: str, problems: list[str], request: HttpRequest | None) -> MaliciousRefused:
    """Refusals of a malicious finding are audited: who tried, and why the product said no."""
    audit.record(
        actor,
        action,
        contact,
        summary=f"Recording {contact.reference} as malicious was refused",
        reason=" ".join(problems),
        request=request,
    )
    return MaliciousRefused(problems)


def propose_malicious(
    contact: Contact,
    actor: User,
    *,
    assessment_summary: str,
    rationale: str,
    referrer_spoken_at: datetime | None,
    referrer_spoken_by: User | None,
    referrer_conversation: str,
    request: HttpRequest | None = None,
) -> MaliciousFinding:
    """A decision maker or team manager proposes that the referral was malicious, for a manager to agree or refuse."""
    from .services import agreed_decision

    if not actor.has_perm("decisions.propose_malicious"):
        raise FollowupRefused("Only a decision maker or a team manager can propose that a referral was malicious.")
    if agreed_decision(contact) is None:
        raise FollowupRefused(
            "A referral can be proposed as malicious only once an outcome has been agreed by a manager."
        )
    if live_finding(contact) is not None:
        raise FollowupRefused("This referral has already been proposed as malicious. See the decision on the contact page.")
    problems: list[str] = []
    if not assessment_summary.strip():
        problems.append("Describe the multi-agency assessment that was done.")
    if not rationale.strip():
        problems.append("Explain why you believe the referral was malicious.")
    facts = assessment_facts(contact)
    spoken = referrer_spoken_at is not None and referrer_spoken_by is not None and bool(referrer_conversation.strip())
    problems += guard.proposal_problems(full_assessment=facts.full, referrer_spoken_to=spoken)
    problems += facts.shortfall
    if referrer_spoken_at is not None and referrer_spoken_at > timezone.now():
        problems.append("The conversation with the referrer cannot be in the future.")
    if problems:
        raise _refuse(actor, contact, "malicious.proposal_refused", problems, request)
    with transaction.atomic():
        finding = MaliciousFinding.objects.create(
            contact=contact,
            proposed_by=actor,
            rationale=rationale.strip(),
            assessment_summary=assessment_summary.strip(),
            referrer_spoken_at=referrer_spoken_at,
            referrer_spoken_by=referrer_spoken_by,
            referrer_conversation=referrer_conversation.strip(),
        )
        Alert.objects.create(
            contact=contact,
            kind=Alert.Kind.MALICIOUS_PROPOSED,
            message=f"{actor.display_name} proposes that {contact.reference} was a malicious referral. A team manager who did "
            "not propose it must agree or refuse. Judge the referral on its substance, not its source.",
            raised_by=actor,
        )
        audit.record(
            actor,
            "malicious.proposed",
            contact,
            summary=f"Proposed that {contact.reference} was a malicious referral",
            reason=rationale.strip(),
            request=request,
        )
    return finding


def decide_malicious(
    finding: MaliciousFinding, actor: User, *, agree: bool, comment: str, request: HttpRequest | None = None
) -> MaliciousFinding:
    """A team manager who did not propose it agrees (only when every condition holds) or refuses."""
    contact = finding.contact
    if not actor.has_perm("decisions.decide_malicious"):
        raise FollowupRefused("Only a team manager can agree or refuse that a referral was malicious.")
    comment = comment.strip()
    if not comment:
        raise FollowupRefused("Give your reasons: the finding and your comment stay on the child's record.")
    problems: list[str] = []
    with transaction.atomic():
        finding = MaliciousFinding.objects.select_for_update().get(pk=finding.pk)
        if finding.status != MaliciousFinding.Status.PROPOSED:
            raise FollowupRefused(f"A manager has already decided: {finding.get_status_display().lower()}.")
        is_proposer = finding.proposed_by_id == actor.pk
        if not agree and is_proposer:
            raise FollowupRefused("You proposed this finding, so a different team manager must decide on it.")
        if agree:
            facts = assessment_facts(contact)
            problems = guard.malicious_problems(
                full_assessment=facts.full,
                referrer_spoken_to=referrer_spoken_to(finding),
                manager_agreed=True,
                manager_is_proposer=is_proposer,
            ) + facts.shortfall
        if not problems:
            finding.status = MaliciousFinding.Status.AGREED if agree else MaliciousFinding.Status.REFUSED
            finding.manager = actor
            finding.manager_decided_at = timezone.now()
            finding.manager_comment = comment
            finding.save()
            _acknowledge(contact, Alert.Kind.MALICIOUS_PROPOSED, actor)
            audit.record(
                actor,
                "malicious.agreed" if agree else "malicious.refused",
                contact,
                summary=(
                    f"Agreed that {contact.reference} was a malicious referral"
                    if agree
                    else f"Refused to record {contact.reference} as a malicious referral"
                ),
                reason=comment,
                request=request,
            )
    if problems:
        # Outside the transaction, so the refused attempt stays in the audit log.
        raise _refuse(actor, contact, "malicious.agreement_refused", problems, request)
    return finding


# ---------------------------------------------------------------------------------------
# Queues and the contact page
# ---------------------------------------------------------------------------------------


def queue_items(user: User) -> list[Queue]:
    from mash.partnership.services import deadline, require_partnership
    from mash.workqueue.items import Queue, QueueItem

    queues: list[Queue] = []
    if not user.is_authenticated:
        return queues
    if user.has_perm("decisions.decide_early_help_escalation"):
        timescale = require_partnership().timescale("decision")
        pending = (
            EarlyHelpReferral.objects.filter(status__in=list(NEEDS_ESCALATION_DECISION), escalation="")
            .select_related("contact", "contact__rag_rating", "person")
            .prefetch_related("contact__people")
            .order_by("response_recorded_at")
        )
        items = [
            QueueItem(
                r.contact,
                "Early help declined: consider escalation" if r.status == Status.DECLINED else "Family not reached for early help: consider escalation",
                deadline(r.response_recorded_at, timescale) if r.response_recorded_at else None,
                url=reverse("decisions:early-help-escalation", args=[r.contact_id, r.pk]),
            )
            for r in pending
        ]
        if items:
            queues.append(Queue(ESCALATION_QUEUE, items))
    if user.has_perm("decisions.decide_malicious"):
        proposals = (
            MaliciousFinding.objects.filter(status=MaliciousFinding.Status.PROPOSED)
            .exclude(proposed_by=user)
            .select_related("contact", "contact__rag_rating")
            .prefetch_related("contact__people")
            .order_by("proposed_at")
        )
        items = [
            QueueItem(f.contact, "Referral proposed as malicious: agree or refuse", None, url=reverse("decisions:malicious-decide", args=[f.contact_id, f.pk]))
            for f in proposals
        ]
        if items:
            queues.append(Queue("Referrals proposed as malicious", items))
    if user.is_receiving_practitioner:
        waiting = (
            referrals_for_team(user)
            .filter(status__in=list(ANSWERABLE), escalation="")
            .select_related("contact", "contact__rag_rating")
            .prefetch_related("contact__people")
            .order_by("referred_at")
        )
        items = [
            QueueItem(
                r.contact,
                "Record the family's answer to early help" if r.status == Status.OFFERED else "Family not reached yet: record their answer",
                None,
                url=reverse("decisions:early-help-response", args=[r.contact_id, r.pk]),
            )
            for r in waiting
        ]
        if items:
            queues.append(Queue("Early help referrals waiting for the family's answer", items))
    return queues


@dataclass(frozen=True)
class Condition:
    label: str
    met: bool
    detail: str


def _earlier_referrals(contact: Contact) -> list[EarlyHelpReferral]:
    """Early help referrals about the same child from earlier contacts: cumulative harm made visible."""
    person_ids = list(
        contact.people.filter(role=ContactPerson.Role.SUBJECT_CHILD, person__isnull=False).values_list("person_id", flat=True)
    )
    if not person_ids:
        return []
    return list(
        EarlyHelpReferral.objects.filter(person_id__in=person_ids)
        .exclude(contact=contact)
        .select_related("contact", "team", "reassessment_contact")
        .order_by("-referred_at")[:10]
    )


def contact_panel(contact: Contact, user: User) -> dict[str, object]:
    if not user.is_authenticated or not user.is_mash_member:
        return {}
    from .services import agreed_decision

    outcome_agreed = agreed_decision(contact) is not None
    referrals = [
        {
            "referral": r,
            "can_answer": r.status in ANSWERABLE and not r.escalation and may_record_response(user, r),
            "needs_escalation": r.status in NEEDS_ESCALATION_DECISION and not r.escalation,
            "can_escalate": r.status in NEEDS_ESCALATION_DECISION and not r.escalation and _is_decider(user),
        }
        for r in contact.early_help_referrals.select_related(
            "team", "response_recorded_by", "escalation_decided_by", "reassessment_contact"
        )
    ]
    reassessment_of = (
        EarlyHelpReferral.objects.filter(reassessment_contact=contact).select_related("contact", "team").first()
    )
    earlier = _earlier_referrals(contact)

    findings = list(contact.malicious_findings.select_related("proposed_by", "referrer_spoken_by", "manager"))
    live = next((f for f in findings if f.status != MaliciousFinding.Status.REFUSED), None)
    facts = assessment_facts(contact)
    latest = live or (findings[0] if findings else None)
    spoken = latest is not None and referrer_spoken_to(latest)
    agreed_by_manager = latest is not None and latest.status == MaliciousFinding.Status.AGREED
    conditions = [
        Condition(
            "Full multi-agency assessment",
            facts.full,
            f"{facts.agencies_responded} agenc{'y' if facts.agencies_responded == 1 else 'ies'} answered, "
            f"{facts.requests_outstanding} request{'' if facts.requests_outstanding == 1 else 's'} outstanding, "
            f"strategy discussion {'held' if facts.strategy_discussion_held else 'not held'}",
        ),
        Condition(
            "Referrer spoken to",
            spoken,
            (
                f"By {latest.referrer_spoken_by} on {timezone.localtime(latest.referrer_spoken_at):%d/%m/%Y %H:%M}"
                if spoken and latest is not None and latest.referrer_spoken_at
                else "No conversation with the referrer recorded"
            ),
        ),
        Condition(
            "A manager agreed",
            agreed_by_manager,
            f"{latest.manager} on {timezone.localtime(latest.manager_decided_at):%d/%m/%Y %H:%M}"
            if agreed_by_manager and latest is not None and latest.manager_decided_at
            else "Not agreed",
        ),
    ]
    refused_attempts = _refused_attempts(contact)
    return {
        "show": True,
        "outcome_agreed": outcome_agreed,
        "early_help": referrals,
        "reassessment_of": reassessment_of,
        "earlier_referrals": earlier,
        "findings": findings,
        "live_finding": live,
        "conditions": conditions,
        "facts": facts,
        "refused_attempts": refused_attempts,
        "can_propose": live is None and outcome_agreed and bool(user.has_perm("decisions.propose_malicious")),
        "can_decide": live is not None
        and live.status == MaliciousFinding.Status.PROPOSED
        and user.has_perm("decisions.decide_malicious", live),
        "source_bias": guard.SOURCE_BIAS_CAUTION,
    }


@dataclass(frozen=True)
class RefusedAttempt:
    occurred_at: datetime
    actor: str
    reasons: str


def _refused_attempts(contact: Contact) -> list[RefusedAttempt]:
    from mash.audit.models import AuditEvent

    events = AuditEvent.objects.filter(
        object_type=contact._meta.label_lower,
        object_id=str(contact.pk),
        action__in=["malicious.proposal_refused", "malicious.agreement_refused"],
    ).order_by("-sequence")[:10]
    return [RefusedAttempt(e.occurred_at, e.actor_username, e.reason) for e in events]


def child_summary(referral: EarlyHelpReferral) -> dict[str, object]:
    """Only what the early help team needs: the child's name and date of birth, the outcome and the referral."""
    subject = _subject(referral.contact)
    person = referral.person
    name = person.full_name if person is not None else (subject.full_name if subject is not None else "Not known")
    dob: date | None = person.date_of_birth if person is not None else (subject.date_of_birth if subject is not None else None)
    return {"name": name, "date_of_birth": dob}
