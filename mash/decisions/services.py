"""Recommending an outcome, the manager's sign-off or challenge, and the outcome letter."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from django.db import transaction
from django.template import Context, Template
from django.utils import timezone

from mash.audit import services as audit
from mash.domain.workflow import ContactEvent, ContactStatus
from mash.intake.models import Contact
from mash.intake.workflow import apply_event
from mash.partnership.models import Team
from mash.partnership.services import require_partnership
from mash.sharing.services import release_to_receiving_team

from . import followup
from .models import Decision, LetterTemplate, Outcome, OutcomeLetter

if TYPE_CHECKING:
    from django.http import HttpRequest

    from mash.accounts.models import User
    from mash.workqueue.items import Queue


class DecisionRefused(Exception):
    pass


OUTCOME_EXPLANATIONS: dict[str, str] = {
    Outcome.NFA: "The information has been considered and no further action is needed from children's social care or early help.",
    Outcome.ADVICE_SIGNPOST: "Advice has been given and the family can be supported by universal services.",
    Outcome.EARLY_HELP: "The family will be offered support by the early help service.",
    Outcome.S17_ASSESSMENT: "A social worker will complete a child in need assessment (section 17, Children Act 1989).",
    Outcome.S47_STRATEGY: "A child protection strategy discussion is being held (section 47, Children Act 1989).",
    Outcome.TRANSFER_ALLOCATED: "The information has been passed to the child's allocated worker.",
    Outcome.TRANSFER_PREVIOUS_TEAM: "The information has been passed to the team that recently worked with the child.",
}


def recommend(
    contact: Contact,
    actor: User,
    *,
    analysis: str,
    outcome: str,
    rationale: str,
    receiving_team: Team | None = None,
    request: HttpRequest | None = None,
) -> Decision:
    with transaction.atomic():
        decision = Decision.objects.create(
            contact=contact,
            analysis=analysis,
            outcome=outcome,
            rationale=rationale,
            receiving_team=receiving_team,
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
        release_to_receiving_team(contact, decision, actor, request=request)
        generate_letter(contact, decision, actor, request=request)
        if decision.outcome == Outcome.EARLY_HELP:
            followup.start_early_help(decision, actor, request=request)
    return decision


def agreed_decision(contact: Contact) -> Decision | None:
    return contact.decisions.filter(review=Decision.Review.AGREED).order_by("-reviewed_at").first()


def letter_context(contact: Contact, decision: Decision) -> dict[str, object]:
    """Only shareable facts go into a letter: never concern details, agency information or notes."""
    partnership = require_partnership()
    child = contact.subject_child
    return {
        "child_name": child.full_name if child else "the child",
        "child_dob": child.date_of_birth if child else None,
        "referrer_name": contact.referrer_name or "Sir or Madam",
        "contact_reference": contact.reference,
        "received_date": timezone.localtime(contact.received_at).date(),
        "outcome": decision.get_outcome_display(),
        "outcome_explanation": OUTCOME_EXPLANATIONS.get(decision.outcome, ""),
        "receiving_team": decision.receiving_team.name if decision.receiving_team else "",
        "receiving_team_phone": decision.receiving_team.phone if decision.receiving_team else "",
        "mash_phone": partnership.mash_phone,
        "signatory": partnership.letter_sign_off_name,
        "partnership_name": partnership.name,
        "today": timezone.localdate(),
    }


def generate_letter(contact: Contact, decision: Decision, actor: User, *, request: HttpRequest | None = None) -> OutcomeLetter:
    if decision.review != Decision.Review.AGREED:
        raise DecisionRefused("A letter can be generated only after a manager has signed off the outcome.")
    template = LetterTemplate.objects.filter(outcome=decision.outcome).first()
    if template is None:
        raise DecisionRefused(f"There is no letter template for '{decision.get_outcome_display()}'. Ask an administrator to add one.")
    context = Context(letter_context(contact, decision), autoescape=False)
    letter = OutcomeLetter.objects.create(
        contact=contact,
        decision=decision,
        recipient_name=contact.referrer_name or "Referrer",
        recipient_address=contact.referrer_address or contact.referrer_email,
        subject=Template(template.subject).render(context),
        body=Template(template.body).render(context).strip(),
        generated_by=actor,
    )
    audit.record(actor, "letter.generated", contact, summary=f"Outcome letter generated for {contact.reference}", request=request)
    return letter


def mark_letter_sent(letter: OutcomeLetter, actor: User, *, method: str, request: HttpRequest | None = None) -> OutcomeLetter:
    if letter.is_sent:
        raise DecisionRefused("This letter is already recorded as sent.")
    if method not in OutcomeLetter.Method.values:
        raise DecisionRefused("Choose how the letter was sent.")
    with transaction.atomic():
        letter.sent_at = timezone.now()
        letter.sent_by = actor
        letter.sent_method = method
        letter.save()
        audit.record(
            actor,
            "letter.sent",
            letter.contact,
            summary=f"Outcome letter for {letter.contact.reference} recorded as sent by {letter.get_sent_method_display().lower()}",
            request=request,
        )
        if letter.contact.status == ContactStatus.SIGNED_OFF:
            apply_event(letter.contact, ContactEvent.CLOSE, actor, comment="Outcome letter sent", request=request)
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


def queue_items(user: User) -> list[Queue]:
    """Outcome work on the user's queue: feedback to give (more added with issue #4)."""
    from mash.core.access import visible_contacts
    from mash.workqueue.items import Queue, QueueItem
    from mash.workqueue.services import letter_due

    if not user.is_mash_member:
        return []
    contacts = visible_contacts(user).filter(status=ContactStatus.SIGNED_OFF).select_related("rag_rating").prefetch_related("people")
    items = sorted(
        (QueueItem(c, "Send the outcome letter to the referrer", letter_due(c)) for c in contacts),
        key=lambda i: (i.due_at is None, i.due_at or timezone.now()),
    )
    return [Queue("Outcome letters to send", items)]
