from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from mash.audit import services as audit
from mash.core.access import contact_for
from mash.core.views_helpers import error_list
from mash.domain.workflow import TransitionRefused
from mash.intake.services import view_contact
from mash.sharing.services import outstanding_requests

from . import services
from .forms import LetterSentForm, RecommendationForm, ReviewForm
from .models import OutcomeLetter


def recommend(request: HttpRequest, pk: int) -> HttpResponse:
    contact = contact_for(request.user, pk)
    if not request.user.has_perm("decisions.recommend_outcome"):
        raise PermissionDenied
    previous = contact.decisions.order_by("-recommended_at").first()
    initial = {}
    if previous is not None:
        initial = {"analysis": previous.analysis, "outcome": previous.outcome, "rationale": previous.rationale, "receiving_team": previous.receiving_team_id}
    form = RecommendationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.recommend(contact, request.user, request=request, **form.cleaned_data)
        except TransitionRefused as refused:
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
                messages.success(request, "Outcome signed off. The outcome letter is ready to send.")
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
        {"contact": contact, "decision": decision, "form": form, "errors": error_list(form) if form.is_bound else [], "nav": "contacts"},
    )


def letter(request: HttpRequest, pk: int, letter_pk: int) -> HttpResponse:
    contact = contact_for(request.user, pk)
    letter = get_object_or_404(OutcomeLetter, pk=letter_pk, contact=contact)
    form = LetterSentForm(request.POST or None)
    if request.method == "POST":
        if not request.user.has_perm("decisions.send_letter"):
            raise PermissionDenied
        if form.is_valid():
            try:
                services.mark_letter_sent(letter, request.user, method=form.cleaned_data["method"], request=request)
            except (services.DecisionRefused, TransitionRefused) as refused:
                form.add_error(None, str(refused))
            else:
                messages.success(request, "Letter recorded as sent. The contact is closed.")
                return redirect("intake:detail", pk=contact.pk)
    else:
        audit.record(request.user, "letter.viewed", contact, summary=f"Viewed the outcome letter for {contact.reference}", request=request)
    return render(
        request,
        "decisions/letter.html",
        {"contact": contact, "letter": letter, "form": form, "errors": error_list(form) if form.is_bound else [], "nav": "contacts"},
    )


def letter_pdf(request: HttpRequest, pk: int, letter_pk: int) -> HttpResponse:
    contact = contact_for(request.user, pk)
    letter = get_object_or_404(OutcomeLetter, pk=letter_pk, contact=contact)
    audit.record(request.user, "letter.downloaded", contact, summary=f"Downloaded the outcome letter PDF for {contact.reference}", request=request)
    response = HttpResponse(services.letter_pdf(letter), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{contact.reference}-outcome-letter.pdf"'
    return response
