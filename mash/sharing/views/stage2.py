"""The MASH side of Stage 2: what was asked of whom, what came back, consent, chasing, escalations.

Thin views: every rule (who may share, when, with which lawful basis) is in
`mash.sharing.services`; a refusal comes back as `SharingRefused` and is shown as a form error.
Every page that shows a child's information is recorded through `services.view_stage2`.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from mash.core.access import contact_for
from mash.core.views_helpers import error_list
from mash.intake.models import Consent, ConsentNotSoughtReason, Contact, ParentsAware

from .. import services
from ..forms.stage2 import (
    AskManagerForm,
    ConsentForm,
    ConsentOverrideForm,
    EscalationResponseForm,
    SendRequestsForm,
    WithdrawForm,
)
from ..models import AgencyResponse, Escalation, InformationItem, InformationRequest

NAV = "contacts"


def _contact(request: HttpRequest, pk: int, perm: str) -> Contact:
    """The contact if the user may see it (404 otherwise), then the role check (403)."""
    contact = contact_for(request.user, pk)
    if not request.user.has_perm(perm):
        raise PermissionDenied
    return contact


def _info_request(contact: Contact, rid: int) -> InformationRequest:
    return get_object_or_404(
        InformationRequest.objects.select_related("agency", "requested_by", "answered_by", "contact"), pk=rid, contact=contact
    )


def _shared_items() -> Prefetch:
    """Only what the agency has sent: its drafts are its own until it presses send."""
    return Prefetch(
        "items",
        queryset=InformationItem.objects.filter(shared_at__isnull=False).select_related("response__request__agency"),
        to_attr="shared_items",
    )


def _consent_context(contact: Contact) -> dict[str, Any]:
    return {
        "position": services.consent_position(contact),
        "consent_alert": services.open_consent_alert(contact),
        "ask_form": AskManagerForm(),
    }


# --------------------------------------------------------------------------- overview


def overview(request: HttpRequest, pk: int) -> HttpResponse:
    contact = _contact(request, pk, "sharing.view_stage2")
    services.view_stage2(request.user, contact, request=request)
    escalations = list(
        Escalation.objects.filter(request__contact=contact).select_related("request__agency", "raised_by", "responded_by")
    )
    responses = (
        services.submitted_responses(contact)
        .select_related("submitted_by")
        .prefetch_related(_shared_items())
        .order_by("request__answered_at")
    )
    context = {
        **_consent_context(contact),
        "contact": contact,
        "progress": services.stage2_progress(contact),
        "previous": services.previous_stage2(contact),
        "rows": services.request_rows(contact),
        "open_escalations": [e for e in escalations if e.is_open],
        "answered_escalations": [e for e in escalations if not e.is_open],
        "responses": responses,
        **services.stage2_actions(contact, request.user),
        "nav": NAV,
    }
    return render(request, "sharing/mash/overview.html", context)


# --------------------------------------------------------------------------- requesting


def send_requests(request: HttpRequest, pk: int) -> HttpResponse:
    contact = _contact(request, pk, "sharing.request_information")
    agencies = list(services.remaining_agencies(contact))
    previous = services.previous_stage2(contact)
    form = SendRequestsForm(
        request.POST if request.method == "POST" else None,
        agencies=agencies,
        bases=services.lawful_bases(),
        initial={"concern_summary": contact.concern_details},
    )
    if request.method == "POST" and form.is_valid():
        try:
            made = services.send_requests(
                contact,
                request.user,
                specs=[services.RequestSpec(agency=agency, question=question) for agency, question in form.chosen()],
                concern_summary=form.cleaned_data["concern_summary"],
                bases=list(form.cleaned_data["lawful_bases"]),
                not_asked=form.not_asked(),
                request=request,
            )
        except services.SharingRefused as refused:
            form.add_error(None, str(refused))
        else:
            names = ", ".join(r.agency.name for r in made)
            messages.success(request, f"Information requested from {names}. Each agency has been told its deadline.")
            return redirect("sharing:overview", pk=contact.pk)
    elif request.method != "POST":
        services.view_stage2(request.user, contact, request=request)
    context = {
        **_consent_context(contact),
        "contact": contact,
        "form": form,
        "rows": form.agency_rows(),
        "previous": previous,
        "previously_asked": set(previous.requests) if previous else set(),
        "requestable": services.may_request(contact, request.user),
        "errors": error_list(form) if form.is_bound else [],
        "nav": NAV,
    }
    return render(request, "sharing/mash/send_requests.html", context)


@require_POST
def chase(request: HttpRequest, pk: int, rid: int) -> HttpResponse:
    contact = _contact(request, pk, "sharing.chase_request")
    info_request = _info_request(contact, rid)
    try:
        services.chase(info_request, request.user, request=request)
    except services.SharingRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, f"{info_request.agency} chased. The agency has been told on its queue and by e-mail.")
    if request.POST.get("return_to") == "response":
        return redirect("sharing:response", pk=contact.pk, rid=info_request.pk)
    return redirect("sharing:overview", pk=contact.pk)


def withdraw(request: HttpRequest, pk: int, rid: int) -> HttpResponse:
    contact = _contact(request, pk, "sharing.request_information")
    info_request = _info_request(contact, rid)
    form = WithdrawForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.withdraw_request(info_request, request.user, reason=form.cleaned_data["reason"], request=request)
        except services.SharingRefused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, f"Request to {info_request.agency} withdrawn. The agency has been told.")
            return redirect("sharing:overview", pk=contact.pk)
    elif request.method != "POST":
        services.view_stage2(request.user, contact, request=request)
    return render(
        request,
        "sharing/mash/withdraw.html",
        {
            "contact": contact,
            "info_request": info_request,
            "form": form,
            "errors": error_list(form) if form.is_bound else [],
            "nav": NAV,
        },
    )


# --------------------------------------------------------------------------- consent


def _label(choices: Any, value: str) -> str:
    return dict(choices).get(value, value)


def consent(request: HttpRequest, pk: int) -> HttpResponse:
    contact = _contact(request, pk, "sharing.review_consent")
    initial = {
        "parents_aware": contact.parents_aware,
        "child_aware": contact.child_aware,
        "consent": contact.consent,
        "consent_not_sought_reason": contact.consent_not_sought_reason,
    }
    form = ConsentForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_consent(contact, request.user, request=request, **form.cleaned_data)
        except services.SharingRefused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, f"Consent recorded as {contact.get_consent_display().lower()}.")
            return redirect("sharing:overview", pk=contact.pk)
    elif request.method != "POST":
        services.view_stage2(request.user, contact, request=request)
    changes = [
        {
            "change": change,
            "parents_aware": _label(ParentsAware.choices, change.parents_aware),
            "child_aware": _label(ParentsAware.choices, change.child_aware),
            "consent": _label(Consent.choices, change.consent),
            "not_sought_reason": _label(ConsentNotSoughtReason.choices, change.consent_not_sought_reason)
            if change.consent_not_sought_reason
            else "",
        }
        for change in contact.consent_changes.select_related("changed_by").order_by("-changed_at", "-id")
    ]
    overrides = [
        {"override": override, "consent": _label(Consent.choices, override.consent_at_the_time)}
        for override in contact.consent_overrides.select_related("recorded_by")
        .prefetch_related("lawful_bases")
        .order_by("-recorded_at", "-id")
    ]
    context = {
        **_consent_context(contact),
        "contact": contact,
        "form": form,
        "changes": changes,
        "overrides": overrides,
        "errors": error_list(form) if form.is_bound else [],
        "nav": NAV,
    }
    return render(request, "sharing/mash/consent.html", context)


def override_consent(request: HttpRequest, pk: int) -> HttpResponse:
    contact = _contact(request, pk, "sharing.override_consent")
    form = ConsentOverrideForm(request.POST if request.method == "POST" else None, bases=services.lawful_bases())
    if request.method == "POST" and form.is_valid():
        try:
            services.override_consent(
                contact,
                request.user,
                bases=list(form.cleaned_data["lawful_bases"]),
                rationale=form.cleaned_data["rationale"],
                request=request,
            )
        except services.SharingRefused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, "Your decision to share without consent, its lawful basis and rationale are recorded.")
            return redirect("sharing:overview", pk=contact.pk)
    elif request.method != "POST":
        services.view_stage2(request.user, contact, request=request)
    context = {
        **_consent_context(contact),
        "contact": contact,
        "form": form,
        "consent_given": contact.consent == Consent.GIVEN,
        "errors": error_list(form) if form.is_bound else [],
        "nav": NAV,
    }
    return render(request, "sharing/mash/override_consent.html", context)


@require_POST
def ask_manager(request: HttpRequest, pk: int) -> HttpResponse:
    contact = _contact(request, pk, "sharing.review_consent")
    form = AskManagerForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        services.ask_manager_about_consent(contact, request.user, note=note, request=request)
    except services.SharingRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, "A team manager has been asked to decide whether to share without consent.")
    return redirect("sharing:overview", pk=contact.pk)


# --------------------------------------------------------------------------- one agency's answer


def response_detail(request: HttpRequest, pk: int, rid: int) -> HttpResponse:
    contact = _contact(request, pk, "sharing.view_stage2")
    info_request = _info_request(contact, rid)
    services.view_stage2(request.user, contact, request=request)
    response = (
        AgencyResponse.objects.filter(request=info_request)
        .select_related("submitted_by")
        .prefetch_related(_shared_items())
        .first()
    )
    actions = services.stage2_actions(contact, request.user)
    context = {
        "contact": contact,
        "info_request": info_request,
        "response": response,
        "items": response.shared_items if response is not None else [],
        "redactions": response.redactions.select_related("item__response__request__agency", "redacted_by")
        if response is not None
        else [],
        "lawful_bases": info_request.lawful_bases.all(),
        "chases": info_request.chases.select_related("chased_by"),
        "notices": info_request.notices.all(),
        "enquiries": info_request.pending_enquiries.select_related("recorded_by"),
        "escalations": info_request.escalations.select_related("raised_by", "responded_by"),
        **actions,
        "can_chase": info_request.is_open and actions["can_chase"],
        "can_withdraw": info_request.is_open and actions["can_withdraw"],
        "can_redact": response is not None and services.may_redact(request.user, response),
        "nav": NAV,
    }
    return render(request, "sharing/mash/response.html", context)


# --------------------------------------------------------------------------- escalations


def respond_to_escalation(request: HttpRequest, pk: int, eid: int) -> HttpResponse:
    contact = _contact(request, pk, "sharing.respond_to_escalation")
    escalation = get_object_or_404(
        Escalation.objects.select_related("request__agency", "raised_by", "responded_by"), pk=eid, request__contact=contact
    )
    form = EscalationResponseForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.respond_to_escalation(
                escalation, request.user, action_taken=form.cleaned_data["action_taken"], request=request
            )
        except services.SharingRefused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, f"Your response is recorded. {escalation.request.agency} has been told.")
            return redirect("sharing:overview", pk=contact.pk)
    elif request.method != "POST":
        services.view_stage2(request.user, contact, request=request)
    context = {
        "contact": contact,
        "escalation": escalation,
        "form": form,
        "can_rerate": services.stage2_actions(contact, request.user)["can_rerate"],
        "open_requests": contact.information_requests.open().count(),
        "errors": error_list(form) if form.is_bound else [],
        "nav": NAV,
    }
    return render(request, "sharing/mash/escalation.html", context)


# --------------------------------------------------------------------------- what leaves the MASH


def outbound_preview(request: HttpRequest, pk: int) -> HttpResponse:
    contact = _contact(request, pk, "sharing.preview_outbound")
    services.view_stage2(request.user, contact, request=request)
    return render(
        request, "sharing/mash/outbound_preview.html", {"pack": services.outbound_pack(contact), "nav": NAV}
    )
