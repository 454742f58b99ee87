"""Recommending an outcome, the manager's sign-off or challenge, the conversion to a referral, and feedback.

Feedback (seed 002 §9 point 8, App. B): the referrer and the family are told the outcome within
the partnership's feedback timescale (24 hours) after the decision, by letter, or by telephone
for a section 47 outcome (§9 point 5). A team manager may withhold feedback to one of them,
with a reason. The contact closes when every recipient has had a sent letter, a recorded call
or a manager's withholding.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache
from typing import TYPE_CHECKING

from django.db import transaction
from django.template import Context, Engine, TemplateDoesNotExist, TemplateSyntaxError
from django.urls import reverse
from django.utils import timezone

from mash.accounts.models import Role
from mash.audit import services as audit
from mash.domain.outcomes import (
    FEEDBACK_RECIPIENTS,
    OutcomeSpec,
    family_addressee,
    recently_closed,
    recommendation_problems,
    spec_for,
)
from mash.domain.workflow import ContactEvent, ContactStatus
from mash.intake.models import Contact, ContactPerson
from mash.intake.workflow import apply_event
from mash.partnership.models import Team
from mash.partnership.services import deadline, require_partnership, working_calendar
from mash.sharing.services import release_to_receiving_team

from . import followup
from .models import Decision, FeedbackCall, FeedbackWithheld, LetterTemplate, Outcome, OutcomeLetter, Recipient

if TYPE_CHECKING:
    from django.http import HttpRequest

    from mash.accounts.models import User
    from mash.domain.worktime import Timescale, WorkingCalendar
    from mash.workqueue.items import Queue


class DecisionRefused(Exception):
    pass


class RecommendationRefused(DecisionRefused):
    """The recommendation breaks an outcome rule; `problems` maps each form field to what is wrong."""

    def __init__(self, problems: dict[str, str]) -> None:
        self.problems = problems
        super().__init__(" ".join(problems.values()))


# Who gives feedback: the MASH officers (business support), decision makers and team managers.
FEEDBACK_ROLES = frozenset({Role.MASH_OFFICER, Role.DECISION_MAKER, Role.TEAM_MANAGER})
# A letter home about these could warn the person causing harm (domestic abuse, a police matter):
# a team manager decides whether it goes, never whoever picks up the queue.
FAMILY_LETTER_NEEDS_A_MANAGER = frozenset({Outcome.MARAC, Outcome.POLICE_ACTION})

OUTCOME_EXPLANATIONS: dict[str, str] = {
    Outcome.NFA: "The information has been considered and no further action is needed from children's social care or early help.",
    Outcome.ADVICE_SIGNPOST: "Advice has been given and the family can be supported by universal services.",
    Outcome.EARLY_HELP: "The family will be offered support by the early help service.",
    Outcome.S17_ASSESSMENT: "A social worker will complete a child in need assessment (section 17, Children Act 1989).",
    Outcome.S47_STRATEGY: "A child protection strategy discussion is being held (section 47, Children Act 1989).",
    Outcome.TRANSFER_ALLOCATED: "The information has been passed to the child's allocated worker.",
    Outcome.TRANSFER_PREVIOUS_TEAM: "The information has been passed to the team that recently worked with the child.",
    Outcome.ADULT_SOCIAL_CARE: "The information has been passed to adult social care, who support adults with care needs.",
    Outcome.OTHER_LOCAL_AUTHORITY: "The child lives in another local authority area, so the information has been passed to them.",
    Outcome.POLICE_ACTION: "The information has been passed to the police, who will decide what action to take.",
    Outcome.MARAC: "The information has been shared with the local multi-agency risk assessment conference (MARAC), which helps keep people safe from domestic abuse.",
}


def outcome_spec(decision: Decision) -> OutcomeSpec:
    return spec_for(decision.outcome)


def may_give_feedback(user: User) -> bool:
    return getattr(user, "role", None) in FEEDBACK_ROLES


def may_withhold_feedback(user: User) -> bool:
    return getattr(user, "role", None) == Role.TEAM_MANAGER


# -- recommending --------------------------------------------------------------------------------


@dataclass(frozen=True)
class SocialWorkFacts:
    """What the history says about the child, for the transfer outcomes (seed 002 §4 and §9 point 2)."""

    open_involvement: bool
    closed_recently: bool
    weeks: int


def social_work_facts(contact: Contact) -> SocialWorkFacts:
    from mash.people.models import SOCIAL_WORK_KINDS, Involvement

    weeks = require_partnership().twelve_week_rule_weeks
    child = contact.people.filter(role=ContactPerson.Role.SUBJECT_CHILD, person__isnull=False).first()
    if child is None:
        return SocialWorkFacts(False, False, weeks)
    involvements = list(Involvement.objects.filter(person_id=child.person_id, kind__in=SOCIAL_WORK_KINDS).values_list("closed_on", flat=True))
    return SocialWorkFacts(
        open_involvement=any(closed_on is None for closed_on in involvements),
        closed_recently=recently_closed(involvements, timezone.localdate(), weeks),
        weeks=weeks,
    )


def recommend(
    contact: Contact,
    actor: User,
    *,
    analysis: str,
    outcome: str,
    rationale: str,
    receiving_team: Team | None = None,
    destination: str = "",
    dash_score: int | None = None,
    marac_professional_judgement: bool = False,
    request: HttpRequest | None = None,
) -> Decision:
    facts = social_work_facts(contact)
    problems = recommendation_problems(
        outcome,
        team_chosen=receiving_team is not None,
        destination=destination or "",
        dash_score=dash_score,
        professional_judgement=marac_professional_judgement,
        open_involvement=facts.open_involvement,
        closed_recently=facts.closed_recently,
        weeks=facts.weeks,
    )
    if problems:
        raise RecommendationRefused(problems)
    with transaction.atomic():
        decision = Decision.objects.create(
            contact=contact,
            analysis=analysis,
            outcome=outcome,
            rationale=rationale,
            receiving_team=receiving_team,
            destination=(destination or "").strip(),
            dash_score=dash_score,
            marac_professional_judgement=marac_professional_judgement,
            recommended_by=actor,
        )
        apply_event(contact, ContactEvent.RECOMMEND, actor, comment=rationale, request=request)
        audit.record(
            actor,
            "decision.recommended",
            contact,
            summary=f"Recommended '{decision.get_outcome_display()}' for {contact.reference}",
            reason=rationale,
            request=request,
        )
    return decision


def pending_decision(contact: Contact) -> Decision:
    decision = contact.decisions.filter(review=Decision.Review.PENDING).order_by("-recommended_at", "-id").first()
    if decision is None:
        raise DecisionRefused("There is no recommendation awaiting sign-off.")
    return decision


def challenge(contact: Contact, actor: User, *, comment: str, request: HttpRequest | None = None) -> Decision:
    with transaction.atomic():
        decision = pending_decision(contact)
        apply_event(contact, ContactEvent.CHALLENGE, actor, comment=comment, request=request)
        decision.review = Decision.Review.CHALLENGED
        decision.reviewed_by = actor
        decision.reviewed_at = timezone.now()
        decision.manager_comment = comment
        decision.save()
        audit.record(actor, "decision.challenged", contact, summary=f"Challenged the recommendation for {contact.reference}", reason=comment, request=request)
    return decision


def sign_off(contact: Contact, actor: User, *, comment: str = "", request: HttpRequest | None = None) -> Decision:
    with transaction.atomic():
        decision = pending_decision(contact)
        apply_event(contact, ContactEvent.SIGN_OFF, actor, comment=comment, request=request)
        decision.review = Decision.Review.AGREED
        decision.reviewed_by = actor
        decision.reviewed_at = timezone.now()
        decision.manager_comment = comment
        decision.save()
        audit.record(
            actor,
            "decision.signed_off",
            contact,
            summary=f"Signed off '{decision.get_outcome_display()}' for {contact.reference}",
            reason=comment,
            request=request,
        )
        record_referral(contact, decision, actor, request=request)
        release_to_receiving_team(contact, decision, actor, request=request)
        for recipient in letter_recipients(decision):
            generate_letter(contact, decision, actor, recipient=recipient, request=request)
        if decision.outcome == Outcome.EARLY_HELP:
            followup.start_early_help(decision, actor, request=request)
    return decision


def record_referral(contact: Contact, decision: Decision, actor: User, *, request: HttpRequest | None = None) -> None:
    """A contact becomes a referral when a manager agrees the threshold for social care is met.

    The first conversion date stands (the statutory returns count it); a re-decision after a
    dispute that is not a referral clears it.
    """
    current = Contact.objects.only("referral_at", "decided_at", "reference").get(pk=contact.pk)
    if outcome_spec(decision).becomes_referral:
        if current.referral_at is None:
            when = current.decided_at or timezone.now()
            Contact.objects.filter(pk=contact.pk).update(referral_at=when)
            contact.referral_at = when
            audit.record(
                actor,
                "decision.converted_to_referral",
                contact,
                summary=f"{contact.reference} became a referral ('{decision.get_outcome_display()}' agreed)",
                request=request,
            )
    elif current.referral_at is not None:
        Contact.objects.filter(pk=contact.pk).update(referral_at=None)
        contact.referral_at = None
        audit.record(
            actor,
            "decision.referral_withdrawn",
            contact,
            summary=f"{contact.reference} is no longer a referral: the new decision is '{decision.get_outcome_display()}'",
            request=request,
        )


def supersede_after_dispute(decision: Decision, actor: User, *, request: HttpRequest | None = None) -> None:
    """A professional disagreement changed this agreed decision: it stops taking effect at once.

    The receiving team loses the transfer (need to know follows the decision in force), an early
    help step-down is withdrawn, and the audit trail says so; the record of the old decision stays.
    """
    if decision.review != Decision.Review.AGREED:
        raise DecisionRefused("Only an agreed decision can be changed after a professional disagreement.")
    with transaction.atomic():
        Decision.objects.filter(pk=decision.pk).update(review=Decision.Review.SUPERSEDED)
        decision.review = Decision.Review.SUPERSEDED
        if decision.receiving_team_id is not None:
            audit.record(
                actor, "transfer.revoked", decision.contact,
                summary=f"{decision.contact.reference} no longer transferred to {decision.receiving_team}: the decision was changed",
                request=request,
            )
        followup.withdraw_early_help(decision, actor, request=request)


def agreed_decision(contact: Contact) -> Decision | None:
    return contact.decisions.filter(review=Decision.Review.AGREED).order_by("-reviewed_at", "-id").first()


# -- letters -------------------------------------------------------------------------------------


def letter_recipients(decision: Decision) -> tuple[str, ...]:
    """Who gets a letter: nobody for a section 47 outcome (a phone call instead), else referrer and family."""
    if outcome_spec(decision).feedback_by_phone:
        return ()
    return tuple(r.value for r in FEEDBACK_RECIPIENTS)


def _household(contact: Contact) -> list[ContactPerson]:
    return [cp for cp in contact.people.all() if cp.role == ContactPerson.Role.HOUSEHOLD_MEMBER]


def _subject(contact: Contact) -> ContactPerson | None:
    return next((cp for cp in contact.people.all() if cp.role == ContactPerson.Role.SUBJECT_CHILD), None)


def family_name(contact: Contact) -> str:
    child = _subject(contact)
    child_name = child.full_name if child else "the child"
    return family_addressee([(cp.full_name, cp.relationship) for cp in _household(contact)], child_name)


def family_address(contact: Contact) -> str:
    child = _subject(contact)
    if child is None:
        return ""
    address = child.address.strip()
    if child.postcode and child.postcode.replace(" ", "").upper() not in address.replace(" ", "").upper():
        address = f"{address}\n{child.postcode}".strip()
    return address


def letter_context(contact: Contact, decision: Decision, recipient: str = Recipient.REFERRER) -> dict[str, object]:
    """Only shareable facts go into a letter: never concern details, agency information or notes.

    The family letter never names the referrer.
    """
    partnership = require_partnership()
    child = _subject(contact)
    context: dict[str, object] = {
        "child_name": child.full_name if child else "the child",
        "child_first_name": (child.forenames or child.full_name) if child else "the child",
        "child_dob": child.date_of_birth if child else None,
        "contact_reference": contact.reference,
        "received_date": timezone.localtime(contact.received_at).date(),
        "outcome": decision.get_outcome_display(),
        "outcome_explanation": OUTCOME_EXPLANATIONS.get(decision.outcome, ""),
        "receiving_team": decision.receiving_team.name if decision.receiving_team else "",
        "receiving_team_phone": decision.receiving_team.phone if decision.receiving_team else "",
        "destination": decision.destination,
        "mash_phone": partnership.mash_phone,
        "signatory": partnership.letter_sign_off_name,
        "partnership_name": partnership.name,
        "today": timezone.localdate(),
    }
    if recipient == Recipient.FAMILY:
        context["family_name"] = family_name(contact)
    else:
        context["referrer_name"] = contact.referrer_name or "Sir or Madam"
    return context


@cache
def _letter_engine() -> Engine:
    """Letter templates are rendered with the built-in tags only: no loaders, no app tag libraries.

    An administrator's template can therefore not {% include %} a page or {% load %} a tag that
    reaches the database; all it can see is letter_context.
    """
    return Engine(loaders=[], libraries={}, app_dirs=False, debug=False, string_if_invalid="")


def _render(source: str, context: dict[str, object], what: str) -> str:
    try:
        return _letter_engine().from_string(source).render(Context(context, autoescape=False))
    except (TemplateSyntaxError, TemplateDoesNotExist) as error:
        raise DecisionRefused(f"The wording of {what} cannot be used ({error}). Ask an administrator to correct the letter template.") from None


def generate_letter(
    contact: Contact, decision: Decision, actor: User, *, recipient: str = Recipient.REFERRER, request: HttpRequest | None = None
) -> OutcomeLetter:
    if decision.review != Decision.Review.AGREED:
        raise DecisionRefused("A letter can be generated only after a manager has signed off the outcome.")
    if recipient not in Recipient.values:
        raise DecisionRefused("Choose who the letter is for.")
    label = Recipient(recipient).label.lower()
    template = LetterTemplate.objects.filter(outcome=decision.outcome, recipient=recipient).first()
    if template is None:
        raise DecisionRefused(
            f"There is no letter template to the {label} for '{decision.get_outcome_display()}'. Ask an administrator to add one."
        )
    context = letter_context(contact, decision, recipient)
    what = f"the letter to the {label}"
    if recipient == Recipient.FAMILY:
        name, address = str(context["family_name"]), family_address(contact)
    else:
        name, address = contact.referrer_name or "Referrer", contact.referrer_address or contact.referrer_email
    letter = OutcomeLetter.objects.create(
        contact=contact,
        decision=decision,
        recipient=recipient,
        recipient_name=name,
        recipient_address=address,
        subject=_render(template.subject, context, what).strip(),
        body=_render(template.body, context, what).strip(),
        generated_by=actor,
    )
    audit.record(actor, "letter.generated", contact, summary=f"Outcome letter to the {label} generated for {contact.reference}", request=request)
    return letter


def _current_decision_or_refuse(contact: Contact) -> Decision:
    decision = agreed_decision(contact)
    if decision is None or contact.status not in (ContactStatus.SIGNED_OFF, ContactStatus.CLOSED):
        raise DecisionRefused("Feedback is given once a manager has signed off the outcome.")
    return decision


def may_send_letter(letter: OutcomeLetter, user: User) -> bool:
    """Who may record this letter as sent: whoever gives feedback, except that a letter home about a
    MARAC referral or police action is a team manager's decision."""
    if not may_give_feedback(user):
        return False
    if letter.recipient == Recipient.FAMILY and letter.decision.outcome in FAMILY_LETTER_NEEDS_A_MANAGER:
        return getattr(user, "role", None) == Role.TEAM_MANAGER
    return True


def mark_letter_sent(letter: OutcomeLetter, actor: User, *, method: str, request: HttpRequest | None = None) -> OutcomeLetter:
    if not may_give_feedback(actor):
        raise DecisionRefused("Your role does not allow you to record feedback as given.")
    if letter.is_sent:
        raise DecisionRefused("This letter is already recorded as sent.")
    if method not in OutcomeLetter.Method.values:
        raise DecisionRefused("Choose how the letter was sent.")
    contact = letter.contact
    decision = _current_decision_or_refuse(contact)
    if letter.decision_id != decision.pk:
        raise DecisionRefused("This letter is about an earlier decision that no longer stands. Send the letter for the current outcome.")
    if FeedbackWithheld.objects.filter(decision=decision, recipient=letter.recipient).exists():
        raise DecisionRefused(f"A manager decided not to give feedback to the {letter.get_recipient_display().lower()}: do not send this letter.")
    if not may_send_letter(letter, actor):
        raise DecisionRefused(
            f"Only a team manager can send the family a letter about '{decision.get_outcome_display()}': it could alert "
            "the person causing harm. Ask a manager to send it or to withhold it."
        )
    with transaction.atomic():
        letter.sent_at = timezone.now()
        letter.sent_by = actor
        letter.sent_method = method
        letter.save()
        audit.record(
            actor,
            "letter.sent",
            contact,
            summary=f"Outcome letter to the {letter.get_recipient_display().lower()} for {contact.reference} recorded as sent by "
            f"{letter.get_sent_method_display().lower()}",
            request=request,
        )
        close_when_feedback_complete(contact, actor, request=request)
    return letter


def letter_pdf(letter: OutcomeLetter) -> bytes:
    """A printable A4 letter (reportlab: pure Python wheels, no system libraries to install)."""
    from xml.sax.saxutils import escape

    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

    partnership = require_partnership()
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=25 * mm, rightMargin=25 * mm, topMargin=20 * mm, bottomMargin=20 * mm,
        title=letter.subject, author=partnership.name,
    )
    styles = getSampleStyleSheet()
    story = [Paragraph(escape(partnership.name), styles["Heading2"])]
    if partnership.mash_address:
        story.append(Paragraph(escape(partnership.mash_address).replace("\n", "<br/>"), styles["Normal"]))
    story.append(Spacer(1, 8 * mm))
    story.append(Paragraph(escape(letter.recipient_name), styles["Normal"]))
    if letter.recipient_address:
        story.append(Paragraph(escape(letter.recipient_address).replace("\n", "<br/>"), styles["Normal"]))
    story.append(Spacer(1, 6 * mm))
    story.append(Paragraph(f"<b>{escape(letter.subject)}</b>", styles["Normal"]))
    story.append(Spacer(1, 4 * mm))
    for paragraph in letter.body.split("\n\n"):
        story.append(Paragraph(escape(paragraph).replace("\n", "<br/>"), styles["Normal"]))
        story.append(Spacer(1, 3 * mm))
    doc.build(story)
    return buffer.getvalue()


# -- calls and withholding -------------------------------------------------------------------------


def record_call(
    contact: Contact,
    actor: User,
    *,
    recipient: str,
    spoken_to: str,
    called_at: datetime,
    summary: str,
    telephone: str = "",
    request: HttpRequest | None = None,
) -> FeedbackCall:
    """A section 47 outcome is given by telephone (seed 002 §9 point 5): record who was told what, and when."""
    if not may_give_feedback(actor):
        raise DecisionRefused("Your role does not allow you to record feedback as given.")
    if recipient not in Recipient.values:
        raise DecisionRefused("Choose who was called.")
    decision = _current_decision_or_refuse(contact)
    if not outcome_spec(decision).feedback_by_phone:
        raise DecisionRefused(f"Feedback on '{decision.get_outcome_display()}' is given by letter, not by telephone.")
    label = Recipient(recipient).label.lower()
    if FeedbackWithheld.objects.filter(decision=decision, recipient=recipient).exists():
        raise DecisionRefused(f"A manager decided not to give feedback to the {label}.")
    problems = []
    if not spoken_to.strip():
        problems.append("Enter the name of the person you spoke to.")
    if not summary.strip():
        problems.append("Say what they were told.")
    if called_at > timezone.now() + timedelta(minutes=5):
        problems.append("The call cannot be in the future.")
    elif called_at < contact.received_at:
        problems.append("The call cannot be before the contact was received.")
    if problems:
        raise DecisionRefused(" ".join(problems))
    with transaction.atomic():
        call = FeedbackCall.objects.create(
            contact=contact, decision=decision, recipient=recipient, spoken_to=spoken_to.strip(), telephone=telephone.strip(),
            called_at=called_at, summary=summary.strip(), recorded_by=actor,
        )
        audit.record(actor, "feedback.call_recorded", contact, summary=f"Feedback call to the {label} recorded for {contact.reference}", request=request)
        close_when_feedback_complete(contact, actor, request=request)
    return call


def withhold_feedback(
    contact: Contact, actor: User, *, recipient: str, reason: str, request: HttpRequest | None = None
) -> FeedbackWithheld:
    """A team manager decides not to tell one recipient (an anonymous referrer; a family where telling would put the child at risk)."""
    if not may_withhold_feedback(actor):
        raise DecisionRefused("Only a team manager can decide not to give feedback.")
    if recipient not in Recipient.values:
        raise DecisionRefused("Choose who will not be told.")
    if not reason.strip():
        raise DecisionRefused("Say why feedback will not be given.")
    decision = _current_decision_or_refuse(contact)
    label = Recipient(recipient).label.lower()
    row = next(r for r in feedback_rows(contact, decision) if r.recipient == recipient)
    if row.withheld is not None:
        raise DecisionRefused(f"Feedback to the {label} is already withheld.")
    if row.given:
        raise DecisionRefused(f"Feedback has already been given to the {label}.")
    with transaction.atomic():
        withheld = FeedbackWithheld.objects.create(contact=contact, decision=decision, recipient=recipient, reason=reason.strip(), decided_by=actor)
        audit.record(
            actor, "feedback.withheld", contact, summary=f"Feedback to the {label} withheld for {contact.reference}", reason=reason.strip(), request=request
        )
        close_when_feedback_complete(contact, actor, request=request)
    return withheld


# -- feedback status -----------------------------------------------------------------------------


def feedback_due(contact: Contact, *, calendar: WorkingCalendar | None = None, timescale: Timescale | None = None) -> datetime | None:
    """Feedback is due within the partnership's feedback timescale after the decision (24 hours, seed 002 App. B)."""
    if contact.decided_at is None:
        return None
    return deadline(contact.decided_at, timescale or require_partnership().timescale("feedback"), calendar)


@dataclass
class RecipientFeedback:
    contact: Contact
    decision: Decision
    recipient: str
    by_phone: bool
    due_at: datetime | None
    letter: OutcomeLetter | None = None
    calls: list[FeedbackCall] = field(default_factory=list)
    withheld: FeedbackWithheld | None = None

    @property
    def label(self) -> str:
        return Recipient(self.recipient).label

    @property
    def short_label(self) -> str:
        return "the referrer" if self.recipient == Recipient.REFERRER else "the family"

    @property
    def given(self) -> bool:
        return bool(self.calls) or (self.letter is not None and self.letter.is_sent)

    @property
    def done(self) -> bool:
        return self.given or self.withheld is not None

    @property
    def state(self) -> str:
        if self.withheld is not None:
            return "Withheld by a manager"
        if self.calls:
            return "Told by telephone"
        if self.letter is not None and self.letter.is_sent:
            return "Letter sent"
        if self.by_phone:
            return "Call not recorded yet"
        return "Letter not sent yet" if self.letter is not None else "No letter yet"

    @property
    def link_text(self) -> str:
        """e.g. "Outcome letter to the referrer (not sent yet)" for the contact page's next steps."""
        if self.by_phone:
            state = "withheld" if self.withheld else "recorded" if self.calls else "not recorded yet"
            return f"Call to {self.short_label} ({state})"
        state = "withheld" if self.withheld else "sent" if self.given else "not sent yet"
        return f"Outcome letter to {self.short_label} ({state})"

    @property
    def task(self) -> str:
        if self.by_phone:
            return f"Phone {self.short_label} with the section 47 outcome and record the call"
        return f"Send the outcome letter to {self.short_label}"

    @property
    def url(self) -> str:
        if self.by_phone:
            return reverse("decisions:feedback-call", args=[self.contact.pk, self.recipient])
        if self.letter is not None:
            return reverse("decisions:letter", args=[self.contact.pk, self.letter.pk])
        return reverse("intake:detail", args=[self.contact.pk])

    @property
    def withhold_url(self) -> str:
        return reverse("decisions:feedback-withhold", args=[self.contact.pk, self.recipient])

    @property
    def overdue(self) -> bool:
        return not self.done and self.due_at is not None and self.due_at < timezone.now()


def feedback_rows(contact: Contact, decision: Decision | None = None, *, due: datetime | None = None) -> list[RecipientFeedback]:
    """Feedback owed to each recipient for the agreed decision (uses prefetched letters, calls and withholdings)."""
    decision = decision or agreed_decision(contact)
    if decision is None:
        return []
    by_phone = outcome_spec(decision).feedback_by_phone
    due = due or feedback_due(contact)
    letters = sorted((x for x in contact.letters.all() if x.decision_id == decision.pk), key=lambda x: (x.generated_at, x.pk))
    calls = [c for c in contact.feedback_calls.all() if c.decision_id == decision.pk]
    withheld = [w for w in contact.feedback_withheld.all() if w.decision_id == decision.pk]
    rows = []
    for recipient in FEEDBACK_RECIPIENTS:
        mine = [x for x in letters if x.recipient == recipient]
        rows.append(
            RecipientFeedback(
                contact=contact,
                decision=decision,
                recipient=recipient.value,
                by_phone=by_phone,
                due_at=due,
                letter=mine[-1] if mine else None,
                calls=[c for c in calls if c.recipient == recipient],
                withheld=next((w for w in withheld if w.recipient == recipient), None),
            )
        )
    return rows


def feedback_complete(contact: Contact) -> bool:
    """Every recipient has a sent letter, a recorded call or a manager's withholding for the agreed decision."""
    rows = feedback_rows(contact)
    return bool(rows) and all(row.done for row in rows)


def close_when_feedback_complete(contact: Contact, actor: User, *, request: HttpRequest | None = None) -> bool:
    current = Contact.objects.get(pk=contact.pk)
    if current.status != ContactStatus.SIGNED_OFF or not feedback_complete(current):
        return False
    apply_event(current, ContactEvent.CLOSE, actor, comment="Feedback given to the referrer and the family", request=request)
    contact.refresh_from_db()
    return True


# -- the contact page and the queue --------------------------------------------------------------


def decision_panel(decision: Decision) -> dict[str, object]:
    contact = decision.contact
    spec = outcome_spec(decision)
    rows = feedback_rows(contact, decision)
    return {
        "decision": decision,
        "contact": contact,
        "spec": spec,
        "next_steps": spec.next_steps,
        "referral_at": contact.referral_at,
        "feedback": rows,
        "feedback_due": feedback_due(contact),
        "feedback_complete": bool(rows) and all(r.done for r in rows),
    }


def contact_panel(contact: Contact, user: User) -> dict[str, object]:
    """The Outcome panel of the contact page: empty until a manager agrees an outcome."""
    decision = agreed_decision(contact)
    if decision is None:
        return {}
    panel = decision_panel(decision)
    panel["can_give_feedback"] = may_give_feedback(user)
    panel["can_withhold"] = may_withhold_feedback(user)
    return panel


def queue_items(user: User) -> list[Queue]:
    """Feedback to give: one row per recipient still owed a letter or a call."""
    from django.db.models import Prefetch

    from mash.core.access import visible_contacts
    from mash.workqueue.items import Queue, QueueItem

    if not may_give_feedback(user):
        return []
    contacts = (
        visible_contacts(user)
        .filter(status=ContactStatus.SIGNED_OFF)
        .select_related("rag_rating")
        .prefetch_related(
            "people",
            "letters",
            "feedback_calls",
            "feedback_withheld",
            Prefetch("decisions", queryset=Decision.objects.filter(review=Decision.Review.AGREED).order_by("-reviewed_at", "-id"), to_attr="agreed_decisions"),
        )
    )
    items = []
    calendar, timescale = working_calendar(), require_partnership().timescale("feedback")
    for contact in contacts:
        if not contact.agreed_decisions:
            continue
        due = feedback_due(contact, calendar=calendar, timescale=timescale)
        for row in feedback_rows(contact, contact.agreed_decisions[0], due=due):
            if not row.done:
                items.append(QueueItem(contact, row.task, row.due_at, url=row.url))
    far = timezone.now() + timedelta(days=36500)
    items.sort(key=lambda i: (i.due_at or far, i.contact.reference))
    return [Queue("Feedback to give", items)]
