"""Strategy discussion pages. MASH pages sit under /contacts/<pk>/strategy/ (404 unless MASH member,
403 for a MASH role that may not do the task); an action's owner, whoever they are, opens the
action alone at /strategy/actions/<aid>/ and never the MASH record."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from mash.core.access import contact_for
from mash.core.views_helpers import error_list
from mash.intake.services import view_contact

from . import services
from .forms import ActionForm, AttendeeForm, CancelForm, CompleteForm, RecordForm, ScheduleForm
from .models import Attendee, StrategyAction, StrategyDiscussion

if TYPE_CHECKING:
    from django import forms

    from mash.intake.models import Contact

NAV = "contacts"


def _contact(request: HttpRequest, pk: int, perm: str) -> Contact:
    contact = contact_for(request.user, pk)  # 404 for anyone outside the MASH
    if not request.user.has_perm(perm):
        raise PermissionDenied
    return contact


def _discussion(contact: Contact, sid: int) -> StrategyDiscussion:
    return get_object_or_404(StrategyDiscussion.objects.select_related("contact", "chair"), pk=sid, contact=contact)


def _refused(form: forms.Form, refused: services.StrategyRefused) -> None:
    form.add_error(refused.field if refused.field in form.fields else None, str(refused))


def _to_discussion(discussion: StrategyDiscussion) -> HttpResponse:
    return redirect("strategy:discussion", pk=discussion.contact_id, sid=discussion.pk)


def _render(request: HttpRequest, template: str, form: forms.Form | None = None, **context: Any) -> HttpResponse:
    context.update({"form": form, "errors": error_list(form) if form is not None and form.is_bound else [], "nav": NAV})
    return render(request, template, context)


# --------------------------------------------------------------------------- arranging


def schedule(request: HttpRequest, pk: int) -> HttpResponse:
    contact = _contact(request, pk, "strategy.schedule")
    decision = services.s47_decision(contact)
    if decision is None:
        messages.error(request, "A strategy discussion is arranged from a section 47 outcome that is recommended or agreed.")
        return redirect("intake:detail", pk=contact.pk)
    due_by = services.due_by_for(contact, decision)
    form = ScheduleForm(request.POST or None, initial={"chair": request.user.pk if request.user.role == "team_manager" else None})
    if request.method == "POST" and form.is_valid():
        try:
            discussion = services.schedule(contact, request.user, request=request, **form.cleaned_data)
        except services.StrategyRefused as refused:
            _refused(form, refused)
        else:
            messages.success(request, f"{discussion.get_kind_display()} arranged. Add who is invited.")
            return redirect("strategy:attendees", pk=contact.pk, sid=discussion.pk)
    elif request.method != "POST":
        view_contact(request.user, contact, request=request, what="strategy discussion arrangements for")
    rows = services.discussion_rows(contact)
    return _render(
        request,
        "strategy/schedule.html",
        form,
        contact=contact,
        decision=decision,
        due_by=due_by,
        same_day=bool(contact.rag_rating and contact.rag_rating.strategy_same_day),
        further=any(r.discussion.status == StrategyDiscussion.Status.HELD for r in rows),
        number=len(rows) + 1,
    )


def discussion(request: HttpRequest, pk: int, sid: int) -> HttpResponse:
    contact = _contact(request, pk, "strategy.view")
    row = services.row_for(_discussion(contact, sid))
    services.view_discussion(request.user, row.discussion, request=request)
    return _render(
        request,
        "strategy/discussion.html",
        contact=contact,
        row=row,
        d=row.discussion,
        can_manage=request.user.has_perm("strategy.manage"),
        can_record=request.user.has_perm("strategy.record"),
    )


def cancel(request: HttpRequest, pk: int, sid: int) -> HttpResponse:
    contact = _contact(request, pk, "strategy.manage")
    d = _discussion(contact, sid)
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.cancel(d, request.user, reason=form.cleaned_data["reason"], request=request)
        except services.StrategyRefused as refused:
            _refused(form, refused)
        else:
            messages.success(request, "Strategy discussion cancelled.")
            return redirect("intake:detail", pk=contact.pk)
    elif request.method != "POST":
        services.view_discussion(request.user, d, what="cancellation of strategy discussion", request=request)
    return _render(request, "strategy/cancel.html", form, contact=contact, d=d, number=services.discussion_number(d))


# --------------------------------------------------------------------------- attendees


def attendees(request: HttpRequest, pk: int, sid: int) -> HttpResponse:
    contact = _contact(request, pk, "strategy.manage")
    d = _discussion(contact, sid)
    form = AttendeeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            attendee = services.add_attendee(d, request.user, request=request, **form.cleaned_data)
        except services.StrategyRefused as refused:
            _refused(form, refused)
        else:
            messages.success(request, f"{attendee.name} ({attendee.agency}) added. Add another or go back to the discussion.")
            return redirect("strategy:attendees", pk=contact.pk, sid=d.pk)
    elif request.method != "POST":
        services.view_discussion(request.user, d, what="attendees of strategy discussion", request=request)
    return _render(request, "strategy/attendees.html", form, contact=contact, row=services.row_for(d), d=d)


@require_POST
def attendee_remove(request: HttpRequest, pk: int, sid: int, attendee_pk: int) -> HttpResponse:
    contact = _contact(request, pk, "strategy.manage")
    d = _discussion(contact, sid)
    attendee = get_object_or_404(Attendee.objects.select_related("agency", "discussion__contact"), pk=attendee_pk, discussion=d)
    try:
        services.remove_attendee(attendee, request.user, request=request)
        messages.success(request, f"{attendee.name} removed.")
    except services.StrategyRefused as refused:
        messages.error(request, str(refused))
    return redirect("strategy:attendees", pk=contact.pk, sid=d.pk)


@require_POST
def attendance(request: HttpRequest, pk: int, sid: int, attendee_pk: int) -> HttpResponse:
    contact = _contact(request, pk, "strategy.manage")
    d = _discussion(contact, sid)
    attendee = get_object_or_404(Attendee.objects.select_related("agency", "discussion__contact"), pk=attendee_pk, discussion=d)
    try:
        services.set_attendance(attendee, request.user, attended=request.POST.get("attended") == "yes", request=request)
        messages.success(request, f"Attendance updated for {attendee.name}.")
    except services.StrategyRefused as refused:
        messages.error(request, str(refused))
    return redirect("strategy:attendees", pk=contact.pk, sid=d.pk)


# --------------------------------------------------------------------------- the outcome


def record(request: HttpRequest, pk: int, sid: int) -> HttpResponse:
    contact = _contact(request, pk, "strategy.record")
    d = _discussion(contact, sid)
    if d.status != StrategyDiscussion.Status.SCHEDULED:
        messages.error(request, f"This discussion is {d.get_status_display().lower()}: its outcome cannot be recorded again.")
        return _to_discussion(d)
    initial = {"held_at": min(d.scheduled_for, timezone.now())}
    form = RecordForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            found = services.record_outcome(
                d,
                request.user,
                held_at=data["held_at"],
                information_considered=data["information_considered"],
                decision=data["decision"],
                rationale=data["decision_rationale"],
                delay_reason=data["delay_reason"],
                request=request,
            )
        except services.StrategyRefused as refused:
            _refused(form, refused)
        else:
            for warning in found:
                messages.warning(request, warning)
            messages.success(request, "Outcome recorded. Add the actions agreed, each with an owner and a deadline.")
            return redirect("strategy:actions", pk=contact.pk, sid=d.pk)
    elif request.method != "POST":
        services.view_discussion(request.user, d, what="outcome form of strategy discussion", request=request)
    return _render(request, "strategy/record.html", form, contact=contact, row=services.row_for(d), d=d)


# --------------------------------------------------------------------------- actions


def actions(request: HttpRequest, pk: int, sid: int) -> HttpResponse:
    contact = _contact(request, pk, "strategy.manage")
    d = _discussion(contact, sid)
    form = ActionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            action = services.add_action(d, request.user, request=request, **form.cleaned_data)
        except services.StrategyRefused as refused:
            _refused(form, refused)
        else:
            messages.success(request, f"Action added to {action.owner}'s work queue. Add another or go back to the discussion.")
            return redirect("strategy:actions", pk=contact.pk, sid=d.pk)
    elif request.method != "POST":
        services.view_discussion(request.user, d, what="actions of strategy discussion", request=request)
    return _render(request, "strategy/actions.html", form, contact=contact, row=services.row_for(d), d=d)


@require_POST
def action_remove(request: HttpRequest, pk: int, sid: int, aid: int) -> HttpResponse:
    contact = _contact(request, pk, "strategy.manage")
    d = _discussion(contact, sid)
    action = get_object_or_404(StrategyAction.objects.select_related("owner", "discussion__contact"), pk=aid, discussion=d)
    try:
        services.remove_action(action, request.user, request=request)
        messages.success(request, "Action removed.")
    except services.StrategyRefused as refused:
        messages.error(request, str(refused))
    return redirect("strategy:actions", pk=contact.pk, sid=d.pk)


def action(request: HttpRequest, aid: int) -> HttpResponse:
    """The owner's page for one action (partners included): the child, the action, nothing else of the record."""
    item = services.action_for(request.user, aid)
    form = CompleteForm(request.POST or None)
    if request.method == "POST":
        if not request.user.has_perm("strategy.complete_action", item):
            raise PermissionDenied
        if form.is_valid():
            try:
                services.complete_action(item, request.user, note=form.cleaned_data["note"], request=request)
            except services.StrategyRefused as refused:
                _refused(form, refused)
            else:
                messages.success(request, "Action marked as done.")
                return redirect("strategy:action", aid=item.pk)
    else:
        services.view_action(request.user, item, request=request)
    page = services.action_page(item, request.user)
    return _render(request, "strategy/action.html", form, page=page, item=item)
