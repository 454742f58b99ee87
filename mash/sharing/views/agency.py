"""The partner agency workspace: the requests addressed to the user's own agency, and nothing else.

Every request is loaded through `request_for_agency` (404 for another agency's request), every
page needs `sharing.view_agency_workspace` (403 for MASH staff and administrators), and every
view of a child's details is audited by `services.view_request`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from mash.core.access import request_for_agency
from mash.core.views_helpers import error_list, without_errors
from mash.intake.models import ContactPerson
from mash.partnership.services import require_partnership
from mash.sharing import services
from mash.sharing.forms.agency import EscalationForm, ItemFormSet, PendingEnquiryForm, ResponseForm, item_initial
from mash.sharing.models import InformationRequest, PendingEnquiry

if TYPE_CHECKING:
    from mash.accounts.models import User

ITEMS_PREFIX = "items"
NAV = "requests"


def _require_workspace(user: User) -> None:
    if not user.has_perm("sharing.view_agency_workspace"):
        raise PermissionDenied


# --------------------------------------------------------------------------- the queue


def home(request: HttpRequest) -> HttpResponse:
    _require_workspace(request.user)
    queue = services.agency_queue(request.user)
    services.view_agency_queue(request.user, queue, request=request)
    return render(request, "sharing/agency/home.html", {"agency_queue": queue, "nav": NAV})


# --------------------------------------------------------------------------- one request


def _people(info_request: InformationRequest) -> tuple[ContactPerson | None, list[ContactPerson]]:
    people = list(info_request.contact.people.all())
    child = next((p for p in people if p.role == ContactPerson.Role.SUBJECT_CHILD), None)
    others = [p for p in people if p is not child]
    return child, others


def _response_forms(request: HttpRequest, response: Any) -> tuple[ResponseForm, Any]:
    """The first answer: items, analysis, recommendation, nothing held; drafts come back as they were saved."""
    if request.method == "POST":
        return ResponseForm(request.POST), ItemFormSet(request.POST, prefix=ITEMS_PREFIX)
    drafts = [item_initial(item) for item in response.items.filter(shared_at__isnull=True)]
    form = ResponseForm(
        initial={
            "nothing_held": response.nothing_held,
            "analysis": response.analysis,
            "recommendation": response.recommendation,
            "withheld_summary": response.withheld_summary,
            "withheld_reason": response.withheld_reason,
        }
    )
    return form, ItemFormSet(prefix=ITEMS_PREFIX, initial=drafts)


def request_detail(request: HttpRequest, rid: int) -> HttpResponse:
    _require_workspace(request.user)
    info_request = request_for_agency(request.user, rid)
    response = info_request.response
    closed_reason = services.closed_reason(info_request)
    answerable = not closed_reason
    submitted = response.is_submitted
    form: ResponseForm | None = None
    items = None
    show_errors = True

    if answerable:
        if submitted:
            items = ItemFormSet(request.POST if request.method == "POST" else None, prefix=ITEMS_PREFIX)
        else:
            form, items = _response_forms(request, response)

    if request.method == "POST":
        if items is None:
            messages.error(request, closed_reason)
            return redirect("sharing:agency-request", rid=info_request.pk)
        action = request.POST.get("action", "")
        if action == "add_item":
            # Keep everything typed and offer one more blank item (works without JavaScript).
            data = request.POST.copy()
            data[f"{ITEMS_PREFIX}-TOTAL_FORMS"] = str(int(data.get(f"{ITEMS_PREFIX}-TOTAL_FORMS", "1") or 1) + 1)
            items = ItemFormSet(data, prefix=ITEMS_PREFIX)
            if form is not None:
                form = ResponseForm(data)
                without_errors(form, items)
            else:
                without_errors(items)
            show_errors = False
        elif submitted:
            if _send_further(request, info_request, items):
                return redirect("sharing:agency-request", rid=info_request.pk)
        elif form is not None and _save_answer(request, info_request, form, items, send=action == "send"):
            return redirect("sharing:agency-request", rid=info_request.pk)
    # Shown again after a refused save too: every showing of the child's details is recorded.
    services.view_request(request.user, info_request, request=request)

    child, others = _people(info_request)
    shared_items = list(response.items.filter(shared_at__isnull=False))
    errors: list[tuple[str, str]] = []
    if show_errors and items is not None and items.is_bound:
        errors = error_list(form, items)
    context = {
        "info_request": info_request,
        "contact": info_request.contact,
        "response": response,
        "child": child,
        "others": others,
        "consent": services.consent_position(info_request.contact),
        "lawful_bases": info_request.lawful_bases.all(),
        "answerable": answerable,
        "closed_message": closed_reason,
        "submitted": submitted,
        "form": form,
        "items": items,
        "shared_items": shared_items,
        "redactable": services.may_redact(request.user, response),
        "enquiries": info_request.pending_enquiries.all(),
        "escalations": info_request.escalations.all(),
        "errors": errors,
        "nav": NAV,
    }
    return render(request, "sharing/agency/request.html", context)


def _save_answer(request: HttpRequest, info_request: InformationRequest, form: ResponseForm, items: Any, *, send: bool) -> bool:
    """Save the draft, or send the answer. Errors stay on the forms, with everything typed."""
    form_valid, items_valid = form.is_valid(), items.is_valid()
    if not (form_valid and items_valid):
        return False
    typed = items.items()
    if send:
        form.check_for_sending(typed)
        if form.errors:
            return False
    data = form.cleaned_data
    try:
        services.save_response(
            info_request,
            request.user,
            items=typed,
            analysis=data["analysis"],
            recommendation=data["recommendation"],
            nothing_held=data["nothing_held"],
            withheld_summary=data["withheld_summary"],
            withheld_reason=data["withheld_reason"],
            submit=send,
            request=request,
        )
    except services.SharingRefused as refused:
        form.add_error(None, str(refused))
        return False
    if send:
        messages.success(request, f"Your answer to {info_request.contact.reference} has been sent to the MASH.")
    else:
        messages.success(request, "Draft saved. It is not shared with the MASH until you send it.")
    return True


def _send_further(request: HttpRequest, info_request: InformationRequest, items: Any) -> bool:
    if not items.is_valid():
        return False
    typed = items.items()
    if not typed:
        items._non_form_errors = items.error_class(["Enter the further information in at least one item."])
        return False
    response = info_request.response
    try:
        services.save_response(
            info_request,
            request.user,
            items=typed,
            analysis=response.analysis,
            recommendation=response.recommendation,
            submit=True,
            request=request,
        )
    except services.SharingRefused as refused:
        items._non_form_errors = items.error_class([str(refused)])
        return False
    count = len(typed)
    messages.success(request, f"{count} further item{'s' if count != 1 else ''} sent to the MASH.")
    return True


def previous_response(request: HttpRequest, rid: int) -> HttpResponse:
    """What this agency shared at the previous Stage 2 for the same child, to update rather than redo."""
    _require_workspace(request.user)
    info_request = request_for_agency(request.user, rid)
    if info_request.previous_request_id is None:
        raise Http404("No previous response")
    previous = request_for_agency(request.user, info_request.previous_request_id)
    # Looking back must not open the old request or read its notices; the look is still audited.
    services.view_request(request.user, previous, opens=False, what="previous Stage 2 answer", request=request)
    previous_answer = getattr(previous, "response", None)
    shared = list(previous_answer.items.filter(shared_at__isnull=False)) if previous_answer is not None else []
    return render(
        request,
        "sharing/agency/previous.html",
        {
            "info_request": info_request,
            "previous": previous,
            "previous_answer": previous_answer if previous_answer is not None and previous_answer.is_submitted else None,
            "items": shared,
            "nav": NAV,
        },
    )


# --------------------------------------------------------------------------- pending enquiries


def add_enquiry(request: HttpRequest, rid: int) -> HttpResponse:
    _require_workspace(request.user)
    info_request = request_for_agency(request.user, rid)
    closed_reason = services.closed_reason(info_request)
    if closed_reason:
        messages.error(request, closed_reason)
        return redirect("sharing:agency-request", rid=info_request.pk)
    form = PendingEnquiryForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.record_pending_enquiry(
                info_request,
                request.user,
                requested_at=data["requested_at"],
                from_name=data["from_name"],
                from_designation=data["from_designation"],
                from_service=data["from_service"],
                about=data["about"],
                request=request,
            )
        except services.SharingRefused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, f"Pending enquiry with {data['from_name']} ({data['from_designation']}) recorded. The MASH can see you are waiting for it.")
            return redirect("sharing:agency-request", rid=info_request.pk)
    return render(
        request,
        "sharing/agency/enquiry.html",
        {"info_request": info_request, "form": form, "errors": error_list(form) if form.is_bound else [], "nav": NAV},
    )


@require_POST
def enquiry_received(request: HttpRequest, rid: int, eid: int) -> HttpResponse:
    _require_workspace(request.user)
    info_request = request_for_agency(request.user, rid)
    enquiry = get_object_or_404(PendingEnquiry, pk=eid, request=info_request)
    try:
        services.enquiry_received(enquiry, request.user, request=request)
    except services.SharingRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, f"Enquiry with {enquiry.from_name} marked as received. Add what it told you to your answer.")
    return redirect("sharing:agency-request", rid=info_request.pk)


# --------------------------------------------------------------------------- escalation


def escalate(request: HttpRequest, rid: int) -> HttpResponse:
    _require_workspace(request.user)
    info_request = request_for_agency(request.user, rid)
    closed_reason = services.closed_reason(info_request)
    if request.method == "POST" and closed_reason:
        messages.error(request, closed_reason)
        return redirect("sharing:agency-request", rid=info_request.pk)
    form = EscalationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.escalate(
                info_request,
                request.user,
                concern=form.cleaned_data["concern"],
                phoned_manager=form.cleaned_data["phoned_manager"],
                request=request,
            )
        except services.SharingRefused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(
                request,
                f"The MASH team manager has been alerted to the heightened risk on {info_request.contact.reference}. "
                "They will consider immediate action and whether to raise the rating so every agency expedites.",
            )
            return redirect("sharing:agency-request", rid=info_request.pk)
    return render(
        request,
        "sharing/agency/escalate.html",
        {
            "info_request": info_request,
            "form": form,
            "partnership": require_partnership(),
            "answerable": not closed_reason,
            "closed_message": closed_reason,
            "errors": error_list(form) if form.is_bound else [],
            "nav": NAV,
        },
    )
