"""Thin views for recommending, signing off and giving feedback; the rules live in services and mash.domain.outcomes."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from mash.audit import services as audit
from mash.core.access import contact_for
from mash.core.views_helpers import error_list
from mash.domain.outcomes import CATALOGUE, OutcomeCode
from mash.domain.workflow import TransitionRefused
from mash.intake.services import view_contact
from mash.sharing.services import outstanding_requests

from . import services
from .forms import FeedbackCallForm, LetterSentForm, RecommendationForm, ReviewForm, WithholdFeedbackForm
from .models import Outcome, OutcomeLetter, Recipient


def _outcome_options(form: RecommendationForm) -> list[dict[str, object]]:
    """Each outcome with its next steps, for radios with hints (what was chosen stays chosen)."""
    chosen = form["outcome"].value()
    return [
        {"value": value, "label": label, "id": f"id_outcome_{i}", "checked": value == chosen, "spec": CATALOGUE[OutcomeCode(value)]}
        for i, (value, label) in enumerate(Outcome.choices)
    ]


def recommend(request: HttpRequest, pk: int) -> HttpResponse:
    contact = contact_for(request.user, pk)
    if not request.user.has_perm("decisions.recommend_outcome"):
        raise PermissionDenied
    previous = contact.decisions.order_by("-recommended_at").first()
    initial = {}
    if previous is not None:
        initial = {
            "analysis": previous.analysis, "outcome": previous.outcome, "rationale": previous.rationale,
            "receiving_team": previous.receiving_team_id, "destination": previous.destination, "dash_score": previous.dash_score,
            "marac_professional_judgement": previous.marac_professional_judgement,
        }
    form = RecommendationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.recommend(contact, request.user, request=request, **form.cleaned_data)
        except services.RecommendationRefused as refused:
            for name, message in refused.problems.items():
                form.add_error(name if name in form.fields else None, message)
        except (TransitionRefused, services.DecisionRefused) as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, f"Recommendation for {contact.reference} sent to a manager for sign-off.")
            return redirect("intake:detail", pk=contact.pk)
    elif request.method != "POST":
        view_contact(request.user, contact, request=request, what="decision form for")
    return render(
        request,
        "decisions/recommend.html",
        {
            "contact": contact,
            "form": form,
            "outcome_options": _outcome_options(form),
            "previous": previous,
            # Stage 2 still outstanding: a warning for the decision maker, never a block.
            "outstanding": outstanding_requests(contact),
            "errors": error_list(form) if form.is_bound else [],
            "nav": "contacts",
        },
    )


def review(request: HttpRequest, pk: int) -> HttpResponse:
    contact = contact_for(request.user, pk)
    if not request.user.has_perm("decisions.sign_off"):
        raise PermissionDenied
    try:
        decision = services.pending_decision(contact)
    except services.DecisionRefused as refused:
        messages.error(request, str(refused))
        return redirect("intake:detail", pk=contact.pk)
    form = ReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            if form.cleaned_data["verdict"] == "agree":
                services.sign_off(contact, request.user, comment=form.cleaned_data["comment"], request=request)
                if decision.spec.feedback_by_phone:
                    messages.success(request, "Outcome signed off. Phone the referrer and the family and record each call.")
                else:
                    messages.success(request, "Outcome signed off. The letters to the referrer and the family are ready to send.")
            else:
                services.challenge(contact, request.user, comment=form.cleaned_data["comment"], request=request)
                messages.success(request, "Recommendation challenged and sent back to the decision maker.")
        except (TransitionRefused, services.DecisionRefused) as refused:
            form.add_error(None, str(refused))
        else:
            return redirect("intake:detail", pk=contact.pk)
    elif request.method != "POST":
        view_contact(request.user, contact, request=request, what="sign-off of")
    return render(
        request,
        "decisions/review.html",
        {
            "contact": contact, "decision": decision, "spec": decision.spec, "already_referral": contact.referral_at is not None,
            "form": form, "errors": error_list(form) if form.is_bound else [], "nav": "contacts",
        },
    )


def letter(request: HttpRequest, pk: int, letter_pk: int) -> HttpResponse:
    contact = contact_for(request.user, pk)
    letter = get_object_or_404(OutcomeLetter, pk=letter_pk, contact=contact)
    form = LetterSentForm(request.POST or None)
    if request.method == "POST":
        if not request.user.has_perm("decisions.send_letter") or not services.may_give_feedback(request.user):
            raise PermissionDenied
        if form.is_valid():
            try:
                services.mark_letter_sent(letter, request.user, method=form.cleaned_data["method"], request=request)
            except (services.DecisionRefused, TransitionRefused) as refused:
                form.add_error(None, str(refused))
            else:
                contact.refresh_from_db()
                closed = " The contact is closed: feedback is complete." if not contact.is_open else ""
                messages.success(request, f"Letter to the {letter.recipient} recorded as sent.{closed}")
                return redirect("intake:detail", pk=contact.pk)
    else:
        audit.record(
            request.user, "letter.viewed", contact,
            summary=f"Viewed the outcome letter to the {letter.get_recipient_display().lower()} for {contact.reference}", request=request,
        )
    current = services.agreed_decision(contact)
    return render(
        request,
        "decisions/letter.html",
        {
            "contact": contact, "letter": letter, "form": form, "due_at": services.feedback_due(contact),
            "is_current": current is not None and current.pk == letter.decision_id,
            "withheld": letter.decision.feedback_withheld.filter(recipient=letter.recipient).first(),
            "can_send": services.may_send_letter(letter, request.user),
            "errors": error_list(form) if form.is_bound else [], "nav": "contacts",
        },
    )


def letter_pdf(request: HttpRequest, pk: int, letter_pk: int) -> HttpResponse:
    contact = contact_for(request.user, pk)
    letter = get_object_or_404(OutcomeLetter, pk=letter_pk, contact=contact)
    audit.record(
        request.user, "letter.downloaded", contact,
        summary=f"Downloaded the outcome letter to the {letter.get_recipient_display().lower()} (PDF) for {contact.reference}", request=request,
    )
    response = HttpResponse(services.letter_pdf(letter), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{contact.reference}-outcome-letter-{letter.recipient}.pdf"'
    return response


def _feedback_row(contact: object, recipient: str) -> services.RecipientFeedback:
    if recipient not in Recipient.values:
        raise Http404("No such recipient")
    decision = services.agreed_decision(contact)  # type: ignore[arg-type]
    if decision is None:
        raise Http404("No outcome has been agreed")
    return next(r for r in services.feedback_rows(contact, decision) if r.recipient == recipient)  # type: ignore[arg-type]


def feedback_call(request: HttpRequest, pk: int, recipient: str) -> HttpResponse:
    """Section 47: the referrer and the family are told by telephone; record who was told what, and when."""
    contact = contact_for(request.user, pk)
    row = _feedback_row(contact, recipient)
    if not row.by_phone:
        raise Http404("Feedback on this outcome is given by letter")
    form = FeedbackCallForm(request.POST or None)
    if request.method == "POST":
        if not services.may_give_feedback(request.user):
            raise PermissionDenied
        if form.is_valid():
            try:
                services.record_call(contact, request.user, recipient=recipient, request=request, **form.cleaned_data)
            except (services.DecisionRefused, TransitionRefused) as refused:
                form.add_error(None, str(refused))
            else:
                contact.refresh_from_db()
                closed = " The contact is closed: feedback is complete." if not contact.is_open else ""
                messages.success(request, f"Call to {row.short_label} recorded.{closed}")
                return redirect("intake:detail", pk=contact.pk)
    else:
        view_contact(request.user, contact, request=request, what=f"feedback call to {row.short_label} for")
    return render(
        request,
        "decisions/feedback_call.html",
        {
            "contact": contact, "row": row, "form": form, "can_record": services.may_give_feedback(request.user),
            "errors": error_list(form) if form.is_bound else [], "nav": "contacts",
        },
    )


def feedback_withhold(request: HttpRequest, pk: int, recipient: str) -> HttpResponse:
    """A team manager decides that one recipient will not be told, and says why."""
    contact = contact_for(request.user, pk)
    if not services.may_withhold_feedback(request.user):
        raise PermissionDenied
    row = _feedback_row(contact, recipient)
    form = WithholdFeedbackForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.withhold_feedback(contact, request.user, recipient=recipient, reason=form.cleaned_data["reason"], request=request)
        except (services.DecisionRefused, TransitionRefused) as refused:
            form.add_error(None, str(refused))
        else:
            contact.refresh_from_db()
            closed = " The contact is closed: feedback is complete." if not contact.is_open else ""
            messages.success(request, f"Feedback to {row.short_label} withheld.{closed}")
            return redirect("intake:detail", pk=contact.pk)
    elif request.method != "POST":
        view_contact(request.user, contact, request=request, what=f"withholding of feedback to {row.short_label} for")
    return render(
        request,
        "decisions/feedback_withhold.html",
        {"contact": contact, "row": row, "form": form, "errors": error_list(form) if form.is_bound else [], "nav": "contacts"},
    )
