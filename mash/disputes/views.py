"""Professional disagreement pages: thin translations of HTTP into `services` calls.

Partners and receiving practitioners never open the MASH record: they use the outcomes list
(partners), the raise page and the dispute page, which show only what they need. Strategic
managers and assistant directors see dispute pages and the report, never contact records.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from mash.core.views_helpers import error_list
from mash.decisions.models import Outcome

from . import services
from .forms import ActOnDisputeForm, RaiseDisputeForm
from .models import Dispute


def _nav(request: HttpRequest) -> str:
    return "contacts" if request.user.is_mash_member else "disputes"


def _refused(form: RaiseDisputeForm | ActOnDisputeForm, refused: services.DisputeRefused) -> None:
    if isinstance(refused, services.DisputeProblems):
        for name, message in refused.problems.items():
            form.add_error(name if name in form.fields else None, message)
    else:
        form.add_error(None, str(refused))


def index(request: HttpRequest) -> HttpResponse:
    """Disputes waiting for the user and the disputes they (or their agency or team) raised."""
    if not request.user.has_perm("disputes.view_disputes"):
        raise PermissionDenied
    user = request.user
    disputes = list(services.visible_disputes(user).order_by("-raised_at")[:200])
    waiting = [d for d in disputes if d.is_open and services.may_act(d, user)]
    if user.is_partner:
        raised = [d for d in disputes if d.raised_by_agency_id == user.agency_id]
    elif user.is_receiving_practitioner:
        raised = disputes
    else:
        raised = [d for d in disputes if d.raised_by_id == user.pk]
    rows = {d.pk: {"dispute": d, "child": services.child_name(d.contact), "step": services.open_step(d) or services.highest_step(d)} for d in disputes}
    services.view_dispute_list(user, [rows[d.pk]["dispute"] for d in [*waiting, *raised]], request=request)
    return render(
        request,
        "disputes/index.html",
        {"waiting": [rows[d.pk] for d in waiting], "raised": [rows[d.pk] for d in raised], "timescale": services.dispute_timescale(), "nav": _nav(request)},
    )


def outcomes(request: HttpRequest) -> HttpResponse:
    """Partners: the outcomes of their agency's referrals, and a way to dispute one."""
    if not request.user.has_perm("disputes.view_referral_outcomes"):
        raise PermissionDenied
    contacts = list(services.referral_outcomes(request.user).prefetch_related("people")[:200])
    services.view_referral_outcomes(request.user, contacts, request=request)
    return render(
        request,
        "disputes/outcomes.html",
        {"rows": services.outcome_rows(request.user, contacts), "agency": request.user.agency, "timescale": services.dispute_timescale(), "nav": "referral-outcomes"},
    )


def raise_dispute(request: HttpRequest, pk: int) -> HttpResponse:
    if not request.user.has_perm("disputes.raise_dispute"):
        raise PermissionDenied
    contact = services.contact_for_raising(request.user, pk)
    decision = services.current_decision(contact)
    refusal = services.raise_refusal(contact, request.user)
    existing = decision.disputes.filter(status=Dispute.Status.OPEN).first() if decision else None
    form = RaiseDisputeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            dispute = services.raise_dispute(contact, request.user, request=request, **form.cleaned_data)
        except services.DisputeRefused as refused:
            _refused(form, refused)
        else:
            messages.success(
                request,
                f"Dispute raised on {contact.reference}. A team manager must resolve or escalate it by "
                f"{timezone.localtime(dispute.steps.get().due_at):%H:%M on %d/%m/%Y}.",
            )
            return redirect("disputes:detail", did=dispute.pk)
    elif request.method != "POST":
        services.view_raise_form(request.user, contact, request=request)
    return render(
        request,
        "disputes/raise.html",
        {
            "contact": contact,
            "child": services.child_name(contact),
            "decision": decision,
            "refusal": refusal,
            "existing": existing if existing and services.visible_disputes(request.user).filter(pk=existing.pk).exists() else None,
            "detail": request.user.is_mash_member,
            "timescale": services.dispute_timescale(),
            "form": form,
            "errors": error_list(form) if form.is_bound else [],
            "nav": _nav(request),
        },
    )


def _dispute_context(request: HttpRequest, dispute: Dispute) -> dict[str, object]:
    return {
        "dispute": dispute,
        "contact": dispute.contact,
        "child": services.child_name(dispute.contact),
        "decision": dispute.decision,
        "steps": list(dispute.steps.all()),
        "open_step": services.open_step(dispute),
        "detail": services.sees_decision_detail(request.user),
        "may_act": services.may_act(dispute, request.user),
        "act_refusal": services.act_refusal(dispute, request.user) if dispute.is_open else None,
        "mash_member": request.user.is_mash_member,
        "proposed": Outcome(dispute.proposed_outcome).label if dispute.proposed_outcome else "",
        "nav": _nav(request),
    }


def detail(request: HttpRequest, did: int) -> HttpResponse:
    dispute = services.dispute_for(request.user, did)
    services.view_dispute(request.user, dispute, request=request)
    return render(request, "disputes/detail.html", _dispute_context(request, dispute))


def act(request: HttpRequest, did: int) -> HttpResponse:
    """Resolve or escalate the open step: only the person at its level."""
    dispute = services.dispute_for(request.user, did)
    if not request.user.has_perm("disputes.act_on_step"):
        raise PermissionDenied
    if not dispute.is_open:
        messages.info(request, "This dispute has already been resolved.")
        return redirect("disputes:detail", did=dispute.pk)
    can_escalate = services.can_escalate(dispute)
    form = ActOnDisputeForm(request.POST or None, can_escalate=can_escalate)
    refusal = services.act_refusal(dispute, request.user)
    if refusal is not None and request.method == "POST":
        raise PermissionDenied(refusal)
    if request.method == "POST" and form.is_valid():
        try:
            result = services.act(dispute, request.user, request=request, **form.cleaned_data)
        except services.DisputeRefused as refused:
            _refused(form, refused)
        else:
            if result.is_open:
                step = services.open_step(result)
                assert step is not None
                messages.success(
                    request,
                    f"Escalated to the {services.level_name(step.level)}, who must resolve or escalate it by "
                    f"{timezone.localtime(step.due_at):%H:%M on %d/%m/%Y}.",
                )
            elif result.resolution == Dispute.Resolution.DECISION_CHANGED:
                messages.success(request, f"Dispute resolved. {result.contact.reference} is back with the MASH to record the agreed outcome and sign it off again.")
            else:
                messages.success(request, "Dispute resolved: the decision stands.")
            return redirect("disputes:detail", did=dispute.pk)
    elif request.method != "POST":
        services.view_dispute(request.user, dispute, what="dispute decision form", request=request)
    context = _dispute_context(request, dispute)
    context.update({"form": form, "refusal": refusal, "can_escalate": can_escalate, "errors": error_list(form) if form.is_bound else []})
    return render(request, "disputes/act.html", context)


def _report(request: HttpRequest) -> tuple[services.Report | None, str]:
    if not services.may_see_report(request.user) or not request.user.has_perm("disputes.view_report"):
        raise PermissionDenied
    try:
        year, month = services.parse_month(request.GET.get("month"))
    except services.BadMonth as problem:
        return None, str(problem)
    return services.month_report(request.user, year, month), ""


def report(request: HttpRequest) -> HttpResponse:
    result, problem = _report(request)
    if result is not None:
        services.view_report(request.user, result, request=request)
    return render(
        request,
        "disputes/report.html",
        {
            "report": result,
            "month": request.GET.get("month", "") if problem else (result.value if result else ""),
            "errors": [("month", problem)] if problem else [],
            "problem": problem,
            "nav": _nav(request),
        },
        status=400 if problem else 200,
    )


def report_csv(request: HttpRequest) -> HttpResponse:
    result, problem = _report(request)
    if result is None:
        return render(
            request,
            "disputes/report.html",
            {"report": None, "month": request.GET.get("month", ""), "errors": [("month", problem)], "problem": problem, "nav": _nav(request)},
            status=400,
        )
    services.view_report(request.user, result, download=True, request=request)
    response = HttpResponse(services.report_csv(result), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="disputes-{result.value}.csv"'
    response["Cache-Control"] = "no-store"
    return response
