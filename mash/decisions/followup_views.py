"""Thin views for early help tracking and the malicious-referral guard (rules in followup.py and mash.domain.malicious)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from mash.core.access import contact_for
from mash.core.views_helpers import error_list
from mash.domain.malicious import SOURCE_BIAS_CAUTION
from mash.domain.workflow import TransitionRefused
from mash.intake.services import view_contact

from . import followup
from .followup_forms import EarlyHelpResponseForm, EscalationForm, MaliciousDecisionForm, MaliciousProposalForm
from .models import EarlyHelpReferral, MaliciousFinding


def _referral_for(request: HttpRequest, pk: int, ehid: int) -> EarlyHelpReferral:
    """MASH members reach any referral; a receiving practitioner only those made to their team (404 otherwise)."""
    user = request.user
    if not user.has_perm("decisions.view_early_help_referrals"):
        raise PermissionDenied
    referrals = EarlyHelpReferral.objects.select_related("contact", "decision", "team", "person", "response_recorded_by")
    if user.is_mash_member:
        contact = contact_for(user, pk)
        return get_object_or_404(referrals, pk=ehid, contact=contact)
    try:
        return referrals.filter(pk__in=followup.referrals_for_team(user)).get(pk=ehid, contact_id=pk)
    except EarlyHelpReferral.DoesNotExist:
        raise Http404("No early help referral found") from None


def early_help_list(request: HttpRequest) -> HttpResponse:
    """A receiving practitioner's list of early help referrals made to their team (never the MASH record)."""
    if not request.user.has_perm("decisions.view_early_help_list"):
        raise PermissionDenied
    referrals = followup.referrals_for_team(request.user).select_related("contact", "person", "team").order_by("-referred_at")
    page = Paginator(referrals, 50).get_page(request.GET.get("page"))
    rows = [{"referral": r, "child": followup.child_summary(r)} for r in page.object_list]
    from mash.audit import services as audit

    audit.record(
        request.user,
        "early_help.list_viewed",
        object_type="decisions.earlyhelpreferral",
        summary=f"Viewed the early help referrals to {request.user.team} (page {page.number}): "
        + ", ".join(r["referral"].contact.reference for r in rows),
        request=request,
    )
    return render(request, "decisions/followup/early_help_list.html", {"page": page, "rows": rows, "team": request.user.team, "nav": "early-help"})


def early_help_response(request: HttpRequest, pk: int, ehid: int) -> HttpResponse:
    referral = _referral_for(request, pk, ehid)
    can_answer = followup.may_record_response(request.user, referral) and referral.status in followup.ANSWERABLE and not referral.escalation
    form = EarlyHelpResponseForm(request.POST or None)
    if request.method == "POST":
        if not followup.may_record_response(request.user, referral):
            raise PermissionDenied
        if form.is_valid():
            try:
                followup.record_response(referral, request.user, request=request, **form.cleaned_data)
            except followup.FollowupRefused as refused:
                form.add_error(None, str(refused))
            else:
                messages.success(request, f"The family's answer to early help is recorded for {referral.contact.reference}.")
                if request.user.is_mash_member:
                    return redirect("intake:detail", pk=referral.contact_id)
                return redirect("decisions:early-help-list")
    else:
        followup.view_referral(request.user, referral, request=request)
    return render(
        request,
        "decisions/followup/early_help_response.html",
        {
            "referral": referral,
            "child": followup.child_summary(referral),
            "form": form,
            "can_answer": can_answer,
            "errors": error_list(form) if form.is_bound else [],
            "nav": "contacts" if request.user.is_mash_member else "early-help",
        },
    )


def early_help_escalation(request: HttpRequest, pk: int, ehid: int) -> HttpResponse:
    contact = contact_for(request.user, pk)
    if not request.user.has_perm("decisions.decide_early_help_escalation"):
        raise PermissionDenied
    referral = get_object_or_404(
        EarlyHelpReferral.objects.select_related("contact", "decision", "team", "person", "response_recorded_by"), pk=ehid, contact=contact
    )
    form = EscalationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            referral = followup.decide_escalation(referral, request.user, request=request, **form.cleaned_data)
        except (followup.FollowupRefused, TransitionRefused) as refused:
            form.add_error(None, str(refused))
        else:
            if referral.reassessment_contact_id:
                messages.success(
                    request,
                    f"Escalated: {referral.reassessment_contact.reference} is recorded and sent for triage to re-assess the threshold.",
                )
                return redirect("intake:detail", pk=referral.reassessment_contact_id)
            messages.success(request, "Recorded: escalation considered and not needed.")
            return redirect("intake:detail", pk=contact.pk)
    elif request.method != "POST":
        view_contact(request.user, contact, request=request, what="early help escalation for")
    return render(
        request,
        "decisions/followup/early_help_escalation.html",
        {
            "contact": contact,
            "referral": referral,
            "child": followup.child_summary(referral),
            "form": form,
            "open": referral.status in followup.NEEDS_ESCALATION_DECISION and not referral.escalation,
            "errors": error_list(form) if form.is_bound else [],
            "nav": "contacts",
        },
    )


def malicious_propose(request: HttpRequest, pk: int) -> HttpResponse:
    contact = contact_for(request.user, pk)
    if not request.user.has_perm("decisions.propose_malicious"):
        raise PermissionDenied
    form = MaliciousProposalForm(request.POST or None, initial={"referrer_spoken_by": request.user.pk})
    if request.method == "POST" and form.is_valid():
        try:
            followup.propose_malicious(contact, request.user, request=request, **form.cleaned_data)
        except followup.MaliciousRefused as refused:
            for problem in refused.problems:
                form.add_error(None, problem)
        except followup.FollowupRefused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, f"Proposal sent to a team manager: {contact.reference} is not recorded as malicious unless a manager agrees.")
            return redirect("intake:detail", pk=contact.pk)
    elif request.method != "POST":
        view_contact(request.user, contact, request=request, what="malicious referral proposal for")
    return render(
        request,
        "decisions/followup/malicious_propose.html",
        {
            "contact": contact,
            "form": form,
            "facts": followup.assessment_facts(contact),
            "source_bias": SOURCE_BIAS_CAUTION,
            "errors": error_list(form) if form.is_bound else [],
            "nav": "contacts",
        },
    )


def malicious_decide(request: HttpRequest, pk: int, mid: int) -> HttpResponse:
    contact = contact_for(request.user, pk)
    finding = get_object_or_404(
        MaliciousFinding.objects.select_related("proposed_by", "referrer_spoken_by", "manager"), pk=mid, contact=contact
    )
    if not request.user.has_perm("decisions.decide_malicious"):
        raise PermissionDenied
    form = MaliciousDecisionForm(request.POST or None)
    if request.method == "POST":
        if not request.user.has_perm("decisions.decide_malicious", finding):
            form.add_error(None, "You proposed this finding, so a different team manager must decide on it.")
        elif form.is_valid():
            try:
                followup.decide_malicious(
                    finding, request.user, agree=form.cleaned_data["verdict"] == "agree", comment=form.cleaned_data["comment"], request=request
                )
            except followup.MaliciousRefused as refused:
                for problem in refused.problems:
                    form.add_error(None, problem)
            except followup.FollowupRefused as refused:
                form.add_error(None, str(refused))
            else:
                finding.refresh_from_db()
                messages.success(request, f"Decision recorded: {finding.get_status_display().lower()}.")
                return redirect("intake:detail", pk=contact.pk)
    else:
        view_contact(request.user, contact, request=request, what="malicious referral decision for")
    facts = followup.assessment_facts(contact)
    return render(
        request,
        "decisions/followup/malicious_decide.html",
        {
            "contact": contact,
            "finding": finding,
            "facts": facts,
            "spoken": followup.referrer_spoken_to(finding),
            "is_proposer": finding.proposed_by_id == request.user.pk,
            "open": finding.status == MaliciousFinding.Status.PROPOSED,
            "source_bias": SOURCE_BIAS_CAUTION,
            "errors": error_list(form) if form.is_bound else [],
            "nav": "contacts",
        },
    )
