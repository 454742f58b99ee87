from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from mash.core.access import contact_for
from mash.core.views_helpers import error_list
from mash.domain.workflow import TransitionRefused
from mash.intake.services import view_contact

from . import services
from .forms import RatingForm, TriageForm


def triage_contact(request: HttpRequest, pk: int) -> HttpResponse:
    contact = contact_for(request.user, pk)
    if not request.user.has_perm("triage.triage_contact"):
        raise PermissionDenied
    form = TriageForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.triage(
                contact,
                request.user,
                level=form.cleaned_data["level_of_need"],
                rag=form.cleaned_data["rag_rating"],
                reason=form.cleaned_data["reason"],
                triggers=form.cleaned_data["urgent_triggers"],
                request=request,
            )
        except TransitionRefused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, f"{contact.reference} triaged as {form.cleaned_data['rag_rating']}.")
            return redirect("intake:detail", pk=contact.pk)
    else:
        view_contact(request.user, contact, request=request, what="triage of")
    return render(request, "triage/triage.html", {"contact": contact, "form": form, "errors": error_list(form) if form.is_bound else [], "title": "Triage", "nav": "contacts"})


def change_rating(request: HttpRequest, pk: int) -> HttpResponse:
    contact = contact_for(request.user, pk)
    if not request.user.has_perm("triage.triage_contact"):
        raise PermissionDenied
    initial = {"level_of_need": contact.level_of_need_id, "rag_rating": contact.rag_rating_id}
    form = RatingForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.change_rating(
                contact,
                request.user,
                level=form.cleaned_data["level_of_need"],
                rag=form.cleaned_data["rag_rating"],
                reason=form.cleaned_data["reason"],
                request=request,
            )
        except services.RatingRefused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, "Rating changed. Deadlines have been recalculated.")
            return redirect("intake:detail", pk=contact.pk)
    return render(request, "triage/triage.html", {"contact": contact, "form": form, "errors": error_list(form) if form.is_bound else [], "title": "Change the rating", "nav": "contacts"})
