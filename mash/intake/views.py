from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from mash.core.access import contact_for, visible_contacts, visible_people
from mash.core.views_helpers import error_list, without_errors
from mash.decisions.followup import contact_panel as followup_panel
from mash.decisions.services import agreed_decision
from mash.decisions.services import contact_panel as outcome_panel
from mash.disputes.services import contact_panel as dispute_panel
from mash.domain.workflow import STATUS_LABELS, ContactEvent, ContactStatus, TransitionRefused
from mash.oversight.services import contact_panel as oversight_panel
from mash.people.services import SearchQuery, history_warnings, search_people
from mash.sharing.services import stage2_progress
from mash.strategy.services import contact_panel as strategy_panel

from . import services
from .forms import ChildForm, ContactForm, OtherPeopleFormSet
from .models import Channel, ContactPerson
from .workflow import apply_event


@permission_required("intake.record_contact", raise_exception=True)
def record_contact(request: HttpRequest, kind: str = "professional") -> HttpResponse:
    telephone = kind == "telephone"
    if request.method == "POST":
        form = ContactForm(request.POST, telephone=telephone)
        child_form = ChildForm(request.POST)
        others = OtherPeopleFormSet(request.POST, prefix="others")
        if "add_person" in request.POST:
            # Keep everything typed and offer one more blank block (works without JavaScript).
            data = request.POST.copy()
            data["others-TOTAL_FORMS"] = str(int(data.get("others-TOTAL_FORMS", "1")) + 1)
            others = OtherPeopleFormSet(data, prefix="others")
            without_errors(form, child_form, others)
            return render(request, "intake/record.html", _record_context(form, child_form, others, telephone, show_errors=False))
        if form.is_valid() and child_form.is_valid() and others.is_valid():
            contact_fields = {k: v for k, v in form.cleaned_data.items() if k != "concern_categories"}
            child = dict(child_form.cleaned_data)
            people = [dict(f.cleaned_data) for f in others.forms if f.has_changed() and f.cleaned_data]
            contact = services.record_contact(
                request.user, contact_fields, child, people, concern_categories=form.cleaned_data["concern_categories"], request=request
            )
            messages.success(request, f"Contact {contact.reference} recorded. Now check whether the people on it are already known.")
            response = redirect("intake:link-people", pk=contact.pk)
            return response
    else:
        initial = {"received_at": timezone.now().replace(second=0, microsecond=0), "contact_type": "new_concern"}
        if telephone:
            initial["channel"] = Channel.TELEPHONE.value
        form = ContactForm(initial=initial, telephone=telephone)
        child_form = ChildForm()
        others = OtherPeopleFormSet(prefix="others")
    return render(request, "intake/record.html", _record_context(form, child_form, others, telephone))


def _record_context(form: ContactForm, child_form: ChildForm, others: object, telephone: bool, show_errors: bool = True) -> dict[str, object]:
    return {
        "form": form,
        "child_form": child_form,
        "others": others,
        "telephone": telephone,
        "errors": error_list(form, child_form, others) if show_errors and form.is_bound else [],
        "nav": "record",
    }


def contact_list(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("intake.view_contacts"):
        raise PermissionDenied
    contacts = visible_contacts(request.user).select_related("rag_rating").prefetch_related("people")
    status = request.GET.get("status", "open")
    if status == "open":
        contacts = contacts.open()
    elif status in {s.value for s in ContactStatus}:
        contacts = contacts.filter(status=status)
    q = request.GET.get("q", "").strip()
    if q:
        contacts = contacts.filter(Q(reference__icontains=q) | Q(people__surname__icontains=q)).distinct()
    page = Paginator(contacts.order_by("-received_at"), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "intake/list.html",
        {"page": page, "status": status, "q": q, "statuses": [(s.value, STATUS_LABELS[s]) for s in ContactStatus], "nav": "contacts"},
    )


def contact_detail(request: HttpRequest, pk: int) -> HttpResponse:
    contact = contact_for(request.user, pk)
    services.view_contact(request.user, contact, request=request)
    people = list(contact.people.select_related("person"))
    warnings = [
        (cp, history_warnings(cp.person, excluding_contact_id=contact.pk))
        for cp in people
        if cp.person is not None and cp.role == ContactPerson.Role.SUBJECT_CHILD
    ]
    context = {
        **services.available_actions(contact, request.user),
        "contact": contact,
        "people": people,
        "warnings": warnings,
        "rating_changes": contact.rating_changes.select_related("new_rag", "new_level", "previous_rag", "previous_level", "changed_by"),
        "urgent_flags": contact.urgent_flags.select_related("trigger", "flagged_by"),
        "decisions": contact.decisions.select_related("recommended_by", "reviewed_by", "receiving_team"),
        "agreed": agreed_decision(contact),
        "outcome_panel": outcome_panel(contact, request.user),
        "letters": contact.letters.select_related("sent_by"),
        "status_changes": contact.status_changes.select_related("actor"),
        "stage2": stage2_progress(contact),
        "followup_panel": followup_panel(contact, request.user),
        "strategy_panel": strategy_panel(contact, request.user),
        "dispute_panel": dispute_panel(contact, request.user),
        "oversight_panel": oversight_panel(contact, request.user),
        "now": timezone.now(),
        "nav": "contacts",
    }
    return render(request, "intake/detail.html", context)


def link_people(request: HttpRequest, pk: int) -> HttpResponse:
    contact = contact_for(request.user, pk)
    if not request.user.has_perm("intake.link_people"):
        raise Http404
    services.view_contact(request.user, contact, request=request, what="people checks for")
    rows = []
    for cp in contact.people.select_related("person"):
        query = SearchQuery(
            forenames=cp.forenames, surname=cp.surname, date_of_birth=cp.date_of_birth or cp.expected_date_of_birth,
            postcode=cp.postcode, address=cp.address, sex=cp.sex, nhs_number=cp.nhs_number, upn=cp.upn,
        )
        candidates = [] if cp.person else search_people(request.user, query, request=request, purpose=f"History check for {contact.reference}")
        rows.append({"cp": cp, "candidates": candidates, "warnings": history_warnings(cp.person, excluding_contact_id=contact.pk) if cp.person else None})
    return render(
        request,
        "intake/link_people.html",
        {"contact": contact, "rows": rows, "editable": contact.status in services.LINKABLE_STATUSES, "nav": "contacts"},
    )


@require_POST
def link_person(request: HttpRequest, pk: int, cp_pk: int) -> HttpResponse:
    contact = contact_for(request.user, pk)
    if not request.user.has_perm("intake.link_people"):
        raise Http404
    cp = get_object_or_404(ContactPerson, pk=cp_pk, contact=contact)
    action = request.POST.get("action")
    try:
        if action == "existing":
            person = get_object_or_404(visible_people(request.user), pk=request.POST.get("person"))
            services.link_to_existing(request.user, cp, person, request=request)
            messages.success(request, f"{cp.full_name} linked to the existing record of {person.full_name}.")
        elif action == "new":
            person = services.link_to_new_person(request.user, cp, request=request)
            messages.success(request, f"New person record created for {person.full_name}.")
        elif action == "unlink":
            services.unlink(request.user, cp, request=request)
            messages.success(request, f"Link removed for {cp.full_name}.")
        else:
            messages.error(request, "Choose an existing record or create a new one.")
    except services.LinkingClosed as refused:
        messages.error(request, str(refused))
    return redirect("intake:link-people", pk=contact.pk)


@require_POST
def submit_for_triage(request: HttpRequest, pk: int) -> HttpResponse:
    contact = contact_for(request.user, pk)
    try:
        apply_event(contact, ContactEvent.SUBMIT_FOR_TRIAGE, request.user, request=request)
        messages.success(request, f"{contact.reference} sent to the decision makers for triage.")
        return redirect("workqueue:home")
    except TransitionRefused as refused:
        messages.error(request, str(refused))
        return redirect("intake:link-people", pk=contact.pk)


