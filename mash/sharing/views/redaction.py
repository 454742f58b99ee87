"""Redaction before information leaves the MASH, by a MASH team manager or by the agency that shared it.

The same three views serve both routes: `via="mash"` under /contacts/<pk>/sharing/ (the contact
is loaded through need-to-know and the request must belong to it) and `via="agency"` under
/agency/ (the request must be addressed to the user's own agency). Either way the user must
hold `sharing.redact` for that response: an officer or a decision maker may not redact.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from mash.core.access import contact_for, request_for_agency
from mash.core.views_helpers import error_list
from mash.domain.redaction import REDACTION_MARK

from .. import services
from ..forms.redaction import RedactForm, WithholdForm
from ..models import AgencyResponse, InformationItem, InformationRequest, Redaction

PARTS = {Redaction.Part.ANALYSIS.value: "analysis", Redaction.Part.RECOMMENDATION.value: "recommendation"}


@dataclass(frozen=True)
class Target:
    via: str
    info_request: InformationRequest
    response: AgencyResponse

    @property
    def back_url(self) -> str:
        if self.via == "mash":
            return reverse("sharing:response", kwargs={"pk": self.info_request.contact_id, "rid": self.info_request.pk})
        return reverse("sharing:agency-request", kwargs={"rid": self.info_request.pk})

    @property
    def redactable(self) -> bool:
        """Whether redaction can happen now (shown before the form; the service decides on saving)."""
        return not services.redaction_closed_reason(self.response)


def _target(request: HttpRequest, rid: int, via: str, pk: int | None) -> Target:
    if via == "mash":
        if pk is None:
            raise Http404("No request found")
        contact = contact_for(request.user, pk)
        info_request = get_object_or_404(InformationRequest.objects.select_related("agency", "contact"), pk=rid, contact=contact)
    elif via == "agency":
        if not request.user.has_perm("sharing.view_agency_workspace"):
            raise PermissionDenied
        info_request = request_for_agency(request.user, rid)
    else:
        raise Http404("No request found")
    response = get_object_or_404(AgencyResponse, request=info_request)
    if not request.user.has_perm("sharing.redact", response):
        raise PermissionDenied
    return Target(via=via, info_request=info_request, response=response)


def _record_view(request: HttpRequest, target: Target) -> None:
    if target.via == "mash":
        services.view_stage2(request.user, target.info_request.contact, request=request)
    else:
        services.view_request(request.user, target.info_request, request=request)


def _item(target: Target, item_pk: int) -> InformationItem:
    return get_object_or_404(
        InformationItem.objects.select_related("response__request__agency"),
        pk=item_pk,
        response=target.response,
        shared_at__isnull=False,
    )


def _context(target: Target, **extra: object) -> dict[str, object]:
    return {
        "target": target,
        "info_request": target.info_request,
        "contact": target.info_request.contact,
        "agency": target.info_request.agency,
        "mark": REDACTION_MARK,
        "nav": "contacts" if target.via == "mash" else "requests",
        **extra,
    }


def redact_item(request: HttpRequest, rid: int, item_pk: int, via: str, pk: int | None = None) -> HttpResponse:
    target = _target(request, rid, via, pk)
    item = _item(target, item_pk)
    current = item.travelling_text()
    form = RedactForm(request.POST if request.method == "POST" else None, original=item.text, initial={"redacted": current})
    if request.method == "POST" and form.is_valid():
        try:
            services.redact_item(
                item, request.user, redacted=form.cleaned_data["redacted"], reason=form.cleaned_data["reason"], request=request
            )
        except services.SharingRefused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, "Redaction recorded. Only the redacted version will leave the MASH.")
            return redirect(target.back_url)
    elif request.method != "POST":
        _record_view(request, target)
    # Sensitive items never leave the MASH, and withheld ones no longer do: nothing to redact.
    stays_inside = not item.leaves_the_mash
    context = _context(
        target,
        item=item,
        what=f"{item.get_kind_display()} from {target.info_request.agency}",
        original=None if item.is_sensitive else item.text,
        current=item.outbound_text if item.redacted else "",
        stays_inside=stays_inside,
        form=None if stays_inside else form,
        errors=error_list(form) if form.is_bound else [],
    )
    return render(request, "sharing/redaction/redact.html", context)


def redact_part(request: HttpRequest, rid: int, part: str, via: str, pk: int | None = None) -> HttpResponse:
    if part not in PARTS:
        raise Http404("Only the analysis or the recommendation can be redacted")
    target = _target(request, rid, via, pk)
    response = target.response
    original = response.analysis if part == Redaction.Part.ANALYSIS else response.recommendation
    redacted = response.analysis_redacted if part == Redaction.Part.ANALYSIS else response.recommendation_redacted
    travelling = response.travelling_analysis() if part == Redaction.Part.ANALYSIS else response.travelling_recommendation()
    form = RedactForm(request.POST if request.method == "POST" else None, original=original, initial={"redacted": travelling})
    if request.method == "POST" and form.is_valid():
        try:
            services.redact_part(
                response,
                request.user,
                part=part,
                redacted=form.cleaned_data["redacted"],
                reason=form.cleaned_data["reason"],
                request=request,
            )
        except services.SharingRefused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, f"Redaction recorded. Only the redacted {PARTS[part]} will leave the MASH.")
            return redirect(target.back_url)
    elif request.method != "POST":
        _record_view(request, target)
    context = _context(
        target,
        item=None,
        what=f"The {PARTS[part]} from {target.info_request.agency}",
        original=original,
        current=travelling if redacted else "",
        stays_inside=False,
        nothing_to_redact=not original.strip(),
        form=form if original.strip() else None,
        errors=error_list(form) if form.is_bound else [],
    )
    return render(request, "sharing/redaction/redact.html", context)


def withhold_item(request: HttpRequest, rid: int, item_pk: int, via: str, pk: int | None = None) -> HttpResponse:
    target = _target(request, rid, via, pk)
    item = _item(target, item_pk)
    form = WithholdForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.withhold_item(item, request.user, reason=form.cleaned_data["reason"], request=request)
        except services.SharingRefused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(
                request, "The item will stay inside the MASH. The receiving team will see only that it was kept back."
            )
            return redirect(target.back_url)
    elif request.method != "POST":
        _record_view(request, target)
    stays_inside = not item.leaves_the_mash
    context = _context(
        target,
        item=item,
        what=f"{item.get_kind_display()} from {target.info_request.agency}",
        original=None if item.is_sensitive else item.text,
        stays_inside=stays_inside,
        form=None if stays_inside else form,
        errors=error_list(form) if form.is_bound else [],
    )
    return render(request, "sharing/redaction/withhold.html", context)
