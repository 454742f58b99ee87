"""Thin views: translate HTTP into oversight service calls.

Contact pages load the contact through `contact_for` (404 unless a MASH member); the receiving
team's assessment result through `transferred_contact_for` (404 unless transferred to their team).
Audit samples: 403 for anyone who may neither audit the case nor read its findings.
"""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from mash.audit import services as audit
from mash.core.access import contact_for, transferred_contact_for
from mash.core.views_helpers import error_list
from mash.intake.services import view_contact

from . import services
from .forms import AssessmentResultForm, CaseAuditForm, ChecklistForm, DrawMonthForm, ManagementNoteForm
from .models import AuditSample


def checklist(request: HttpRequest, pk: int) -> HttpResponse:
    contact = contact_for(request.user, pk)
    if not request.user.has_perm("oversight.complete_checklist"):
        raise PermissionDenied
    current = services.checklist(contact)
    form = ChecklistForm(request.POST or None, checklist=current)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.record_checks(contact, request.user, form.changes(), request=request)
        except services.OversightRefused as refused:
            form.add_error(None, str(refused))
        else:
            progress = services.checklist(contact).progress
            if saved:
                messages.success(request, f"Practice standards checklist saved for {contact.reference}: {progress}.")
            else:
                messages.info(request, f"Nothing changed on the checklist for {contact.reference}: {progress}.")
            return redirect("intake:detail", pk=contact.pk)
    elif request.method != "POST":
        view_contact(request.user, contact, request=request, what="practice standards checklist of")
    return render(
        request,
        "oversight/checklist.html",
        {"contact": contact, "checklist": current, "form": form, "errors": error_list(form) if form.is_bound else [], "nav": "contacts"},
    )


def management_note(request: HttpRequest, pk: int) -> HttpResponse:
    contact = contact_for(request.user, pk)
    if not request.user.has_perm("oversight.add_management_note"):
        raise PermissionDenied
    form = ManagementNoteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_management_note(contact, request.user, text=form.cleaned_data["text"], request=request)
        except services.OversightRefused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, f"Management oversight note added to {contact.reference}.")
            return redirect("intake:detail", pk=contact.pk)
    elif request.method != "POST":
        view_contact(request.user, contact, request=request, what="management oversight note form for")
    return render(
        request,
        "oversight/note.html",
        {
            "contact": contact,
            "form": form,
            "footprint": services.footprint(contact, request.user),
            "errors": error_list(form) if form.is_bound else [],
            "nav": "contacts",
        },
    )


def assessment_result(request: HttpRequest, pk: int) -> HttpResponse:
    if not request.user.has_perm("oversight.record_assessment_result"):
        raise PermissionDenied
    contact = transferred_contact_for(request.user, pk)
    existing = getattr(contact, "assessment_outcome", None)
    initial = {}
    if existing is not None:
        initial = {"result": existing.result, "completed_on": existing.completed_on, "summary": existing.summary}
    form = AssessmentResultForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_assessment_result(contact, request.user, request=request, **form.cleaned_data)
        except services.OversightRefused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, f"Assessment result recorded for {contact.reference}.")
            return redirect("sharing:transfer", pk=contact.pk)
    elif request.method != "POST":
        audit.record(
            request.user, "oversight.assessment_result_viewed", contact,
            summary=f"Opened the assessment result form for {contact.reference}", request=request,
        )
    decision = services.agreed_decision(contact)
    return render(
        request,
        "oversight/assessment_result.html",
        {
            "contact": contact,
            "child": contact.subject_child,
            "decision": decision,
            "existing": existing,
            "form": form,
            "errors": error_list(form) if form.is_bound else [],
            "nav": "transfers",
        },
    )


def _summary_page(request: HttpRequest, month: date | None, *, draw_form: DrawMonthForm | None = None, problem: str = "", status: int = 200) -> HttpResponse:
    summary = services.month_summary(month) if month is not None else None
    if summary is not None:
        audit.record(
            request.user, "oversight.audit_summary_viewed", object_type="oversight.month", object_id=f"{month:%Y-%m}",
            summary=f"Viewed the dip-sample audit summary for {summary.label}", request=request,
        )
    can_draw = request.user.has_perm("oversight.draw_audit_samples")
    if draw_form is None and can_draw:
        draw_form = DrawMonthForm(initial={"month": f"{month or services.previous_month():%Y-%m}"})
    errors = [("month", problem)] if problem else []
    if draw_form is not None and draw_form.is_bound:
        errors += error_list(draw_form)
    rows = []
    if summary is not None:
        for sample in summary.samples:
            case_audit = services.audit_of(sample)
            rows.append(
                {
                    "sample": sample,
                    "audit": case_audit,
                    "may_audit": case_audit is None and services.may_audit(request.user, sample),
                    "may_view": services.may_view_findings(request.user, sample),
                }
            )
    return render(
        request,
        "oversight/audits.html",
        {
            "summary": summary,
            "rows": rows,
            "month_text": request.GET.get("month", ""),
            "problem": problem,
            "draw_form": draw_form if can_draw else None,
            "errors": errors,
            "nav": "audits",
        },
        status=status,
    )


def audits(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("oversight.view_audit_summary"):
        raise PermissionDenied
    text = request.GET.get("month")
    if text is None:
        return _summary_page(request, services.previous_month())
    try:
        month = services.parse_month(text)
    except services.OversightRefused as refused:
        return _summary_page(request, None, problem=str(refused), status=400)
    return _summary_page(request, month)


@require_POST
def draw(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("oversight.draw_audit_samples"):
        raise PermissionDenied
    form = DrawMonthForm(request.POST)
    if form.is_valid():
        try:
            month = services.parse_month(form.cleaned_data["month"])
            created = services.draw_month(month, request.user, request=request)
        except services.OversightRefused as refused:
            form.add_error("month", str(refused))
        else:
            label = services.month_label(month)
            if created:
                messages.success(request, f"Drew {len(created)} new case{'s' if len(created) != 1 else ''} for the {label} audit. Samples already drawn were kept.")
            else:
                messages.info(request, f"Nothing new to draw for {label}: every case the rules call for is already drawn.")
            return redirect(f"{reverse('oversight:audits')}?month={month:%Y-%m}")
    return _summary_page(request, services.previous_month(), draw_form=form, status=400)


def audit_sample(request: HttpRequest, said: int) -> HttpResponse:
    sample = get_object_or_404(AuditSample.objects.select_related("contact", "worker"), pk=said)
    case_audit = services.audit_of(sample)
    may_audit = case_audit is None and request.user.has_perm("oversight.audit_case", sample)
    may_view = request.user.has_perm("oversight.view_audit_findings", sample)
    if request.method == "POST" and not may_audit:
        raise PermissionDenied
    if not (may_audit or may_view):
        raise PermissionDenied
    form = CaseAuditForm(request.POST or None) if may_audit else None
    if request.method == "POST" and form is not None and form.is_valid():
        try:
            services.complete_audit(sample, request.user, request=request, **form.cleaned_data)
        except services.OversightRefused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, f"Audit of {sample.contact.reference} completed.")
            return redirect(f"{reverse('oversight:audits')}?month={sample.month:%Y-%m}")
    elif request.method != "POST":
        services.view_audit(request.user, sample, request=request)
    contact = sample.contact
    mash_member = request.user.is_mash_member
    return render(
        request,
        "oversight/audit.html",
        {
            "sample": sample,
            "case_audit": case_audit,
            "contact": contact,
            "mash_member": mash_member,
            "child": contact.subject_child if mash_member else None,
            "decision": services.agreed_decision(contact),
            "assessment": getattr(contact, "assessment_outcome", None),
            "checklist": services.checklist(contact) if mash_member else None,
            "footprint": services.footprint(contact, request.user) if mash_member else [],
            "form": form,
            "cannot_audit": None if may_audit or case_audit is not None else services.audit_refusal(request.user, sample),
            "errors": error_list(form) if form is not None and form.is_bound else [],
            "nav": "audits",
        },
    )
