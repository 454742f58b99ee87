"""Person matching pages: thin translations of HTTP into `services` calls.

Every page needs one of the two matching permissions (403 otherwise); an unknown id is a 404. Pages
that show people's details (jobs, the review queue, pairs, merges) write an audit event when viewed.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from mash.core.views_helpers import error_list
from mash.domain import match_model
from mash.domain.match_model import TrainedModel

from . import services
from .forms import ActivateModelForm, ClusterForm, DeduplicateForm, ExtractForm, PairDecisionForm, UndoMergeForm
from .models import CandidatePair, LinkageJob, MatchModel, PersonMerge

MANAGE = "matching.manage_linkage"
REVIEW = "matching.review_matches"
NAV = "matching"


def _require(request: HttpRequest, *perms: str) -> None:
    if not any(request.user.has_perm(p) for p in perms):
        raise PermissionDenied


def _page(request: HttpRequest, template: str, context: dict[str, Any], status: int = 200) -> HttpResponse:
    context.setdefault("nav", NAV)
    context.setdefault("may_manage", request.user.has_perm(MANAGE))
    context.setdefault("may_review", request.user.has_perm(REVIEW))
    return render(request, template, context, status=status)


def _person_label(person: Any) -> str:
    dob = person.date_of_birth or person.expected_date_of_birth
    born = f", born {dob:%d/%m/%Y}" if dob else ""
    return f"{person.full_name} (#{person.pk}{born})"


# -- overview and starting jobs ------------------------------------------------------------------


def _overview(request: HttpRequest, *, dedupe_form: DeduplicateForm, extract_form: ExtractForm) -> HttpResponse:
    _require(request, MANAGE, REVIEW)
    data = services.overview()
    services.view_overview(request.user, request=request)
    bound = [f for f in (dedupe_form, extract_form) if f.is_bound]
    return _page(
        request,
        "matching/overview.html",
        {
            "data": data,
            "dedupe_form": dedupe_form,
            "extract_form": extract_form,
            "errors": error_list(*bound),
            "forms_have_errors": any(f.errors for f in bound),
        },
    )


def overview(request: HttpRequest) -> HttpResponse:
    return _overview(request, dedupe_form=DeduplicateForm(prefix="dedupe"), extract_form=ExtractForm(prefix="extract"))


@require_POST
def start_deduplication(request: HttpRequest) -> HttpResponse:
    _require(request, MANAGE)
    # Both forms on the overview ask for a backend: prefixes keep their ids (and error links) apart.
    form = DeduplicateForm(request.POST, prefix="dedupe")
    if form.is_valid():
        job = services.start_deduplication(request.user, backend=form.cleaned_data["backend"], request=request)
        messages.success(request, f"Deduplication started (job #{job.pk}). This page shows its progress.")
        return redirect("matching:job", job_id=job.pk)
    return _overview(request, dedupe_form=form, extract_form=ExtractForm(prefix="extract"))


@require_POST
def upload_extract(request: HttpRequest) -> HttpResponse:
    _require(request, MANAGE)
    form = ExtractForm(request.POST, request.FILES, prefix="extract")
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = services.start_extract_link(
                request.user,
                agency=form.cleaned_data["agency"],
                filename=upload.name,
                data=upload.read(),
                backend=form.cleaned_data["backend"],
                request=request,
            )
        except services.ExtractRefused as refused:
            form.add_error("file", str(refused))
            form.fields["file"].widget.attrs["class"] = "govuk-file-upload govuk-file-upload--error"
        else:
            messages.success(request, f"{upload.name} uploaded (job #{job.pk}). This page shows the progress of linking it.")
            return redirect("matching:job", job_id=job.pk)
    return _overview(request, dedupe_form=DeduplicateForm(prefix="dedupe"), extract_form=form)


# -- model versions ------------------------------------------------------------------------------


def models(request: HttpRequest) -> HttpResponse:
    _require(request, MANAGE, REVIEW)
    rows = list(MatchModel.objects.defer("parameters", "splink_model", "report").select_related("created_by"))
    return _page(request, "matching/models.html", {"rows": rows, "active": next((r for r in rows if r.is_active), None)})


def _model_page(request: HttpRequest, model: TrainedModel, row: MatchModel | None, form: ActivateModelForm | None = None) -> HttpResponse:
    return _page(
        request,
        "matching/model.html",
        {
            "row": row,
            "model": model,
            "parameters": services.parameter_rows(model),
            "names_counted": {f: len(v) for f, v in model.term_frequencies.values.items()},
            "form": form if form is not None else ActivateModelForm(),
            "errors": error_list(form) if form is not None and form.is_bound else [],
        },
    )


def model_detail(request: HttpRequest, version: int) -> HttpResponse:
    _require(request, MANAGE, REVIEW)
    row = get_object_or_404(MatchModel, version=version)
    return _model_page(request, TrainedModel.from_json(row.parameters), row)


def shipped_model(request: HttpRequest) -> HttpResponse:
    _require(request, MANAGE, REVIEW)
    try:
        model = match_model.load_shipped()
    except (OSError, ValueError, KeyError) as exc:
        raise Http404("The shipped model is not installed") from exc
    return _model_page(request, model, None)


@require_POST
def activate_model(request: HttpRequest, version: int) -> HttpResponse:
    _require(request, MANAGE)
    row = get_object_or_404(MatchModel, version=version)
    form = ActivateModelForm(request.POST)
    if form.is_valid():
        try:
            services.activate_model(request.user, row, reason=form.cleaned_data["reason"], request=request)
        except services.MatchingRefused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, f"Version {row.version} is now the active model. Searches and new jobs use it.")
            return redirect("matching:model", version=row.version)
    return _model_page(request, TrainedModel.from_json(row.parameters), row, form)


# -- jobs ----------------------------------------------------------------------------------------


def _job_for(job_id: int) -> LinkageJob:
    return get_object_or_404(LinkageJob.objects.select_related("agency", "started_by", "match_model"), pk=job_id)


def _cluster_forms(request: HttpRequest, clusters: list[services.Cluster], bound: tuple[int, ClusterForm] | None) -> list[tuple[services.Cluster, ClusterForm | None]]:
    rows = []
    for cluster in clusters:
        form = None
        if cluster.pending and request.user.has_perm(REVIEW):
            if bound is not None and bound[0] == cluster.number:
                form = bound[1]
            else:
                live = [p for p in cluster.people if p.merged_into_id is None]
                form = ClusterForm(survivors=[(p.pk, _person_label(p)) for p in live], prefix=f"cluster-{cluster.number}")
        rows.append((cluster, form))
    return rows


def _job_page(request: HttpRequest, job: LinkageJob, bound: tuple[int, ClusterForm] | None = None) -> HttpResponse:
    context: dict[str, Any] = {"job": job, "errors": error_list(bound[1]) if bound else []}
    if job.status == LinkageJob.Status.DONE:
        context["pending"] = job.pairs.filter(status=CandidatePair.Status.PENDING).count()
    # The administrator who runs a job sees its progress and counts; the people in it only reviewers.
    if job.status == LinkageJob.Status.DONE and request.user.has_perm(REVIEW):
        if job.kind == LinkageJob.Kind.DEDUPLICATE:
            clusters, total = services.job_clusters(job)
            context.update({"clusters": _cluster_forms(request, clusters, bound), "cluster_total": total})
        else:
            context["extract"] = services.extract_results(job)
        services.view_job(request.user, job, request=request)
    return _page(request, "matching/job.html", context)


def job(request: HttpRequest, job_id: int) -> HttpResponse:
    _require(request, MANAGE, REVIEW)
    return _job_page(request, _job_for(job_id))


def job_progress(request: HttpRequest, job_id: int) -> HttpResponse:
    """Polled by htmx every 2 seconds while the job runs; once it has finished the partial stops polling."""
    _require(request, MANAGE, REVIEW)
    job = _job_for(job_id)
    response = render(request, "matching/_progress.html", {"job": job, "polled": True, "may_manage": request.user.has_perm(MANAGE)})
    if job.is_finished and getattr(request, "htmx", False):
        # The page was opened while the job ran: reload it once so the results appear.
        response["HX-Refresh"] = "true"
    return response


@require_POST
def retry_job(request: HttpRequest, job_id: int) -> HttpResponse:
    _require(request, MANAGE)
    job = _job_for(job_id)
    try:
        services.retry_job(request.user, job, request=request)
    except services.MatchingRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, f"Job #{job.pk} is queued to run again.")
    return redirect("matching:job", job_id=job.pk)


@require_POST
def confirm_cluster(request: HttpRequest, job_id: int, cluster: int) -> HttpResponse:
    _require(request, REVIEW)
    job = _job_for(job_id)
    pairs = list(services.cluster_pairs(job, cluster))
    if not pairs:
        raise Http404("No such cluster")
    people = {p.pk: p for pair in pairs for p in (pair.left, pair.right) if p is not None and p.merged_into_id is None}
    form = ClusterForm(request.POST, survivors=[(p.pk, _person_label(p)) for p in people.values()], prefix=f"cluster-{cluster}")
    if form.is_valid():
        try:
            merges = services.confirm_cluster(
                request.user, job, cluster, survivor=people[form.cleaned_data["survivor"]], reason=form.cleaned_data["reason"], request=request
            )
        except services.MatchingRefused as refused:
            form.add_error(None, str(refused))
        else:
            survivor = people[form.cleaned_data["survivor"]]
            messages.success(request, f"{len(merges)} record(s) merged into {survivor.full_name}. Each merge can be undone from the merges page.")
            return redirect("matching:job", job_id=job.pk)
    return _job_page(request, job, (cluster, form))


# -- review --------------------------------------------------------------------------------------


def review(request: HttpRequest) -> HttpResponse:
    _require(request, REVIEW)
    job = None
    raw_job = request.GET.get("job", "")
    if raw_job:
        if not raw_job.isdigit():
            raise Http404("No such job")
        job = _job_for(int(raw_job))
    page = Paginator(services.pending_pairs(job), 50).get_page(request.GET.get("page"))
    services.view_review_queue(request.user, list(page.object_list), job=job, request=request)
    jobs = LinkageJob.objects.filter(pairs__status=CandidatePair.Status.PENDING).distinct().order_by("-created_at")[:50]
    return _page(request, "matching/review.html", {"page": page, "job": job, "jobs": jobs})


def _pair_page(request: HttpRequest, pair: CandidatePair, form: PairDecisionForm) -> HttpResponse:
    agreed, disagreed = services.reasons(pair)
    left = services.person_side(pair.left, "First record") if pair.left else services.source_side(pair.source_record)
    right = services.person_side(pair.right, "Second record" if pair.left else "Person in the index")
    return _page(
        request,
        "matching/pair.html",
        {
            "pair": pair,
            "sides": [left, right],
            "agreed": agreed,
            "disagreed": disagreed,
            "form": form,
            "errors": error_list(form) if form.is_bound else [],
            "merges": list(pair.merges.all()),
        },
    )


def _decision_form(pair: CandidatePair, data: Any = None) -> PairDecisionForm:
    survivors = [(p.pk, _person_label(p)) for p in (pair.left, pair.right)] if pair.left else None
    return PairDecisionForm(data, survivors=survivors)


def pair(request: HttpRequest, pair_id: int) -> HttpResponse:
    _require(request, REVIEW)
    found = get_object_or_404(
        CandidatePair.objects.select_related("job", "left__merged_into", "right__merged_into", "source_record__agency", "decided_by"),
        pk=pair_id,
    )
    deciding = request.method == "POST" and found.status == CandidatePair.Status.PENDING
    form = _decision_form(found, request.POST if deciding else None)
    if deciding and form.is_valid():
        data = form.cleaned_data
        try:
            if data["decision"] == "reject":
                services.reject_pair(request.user, found, reason=data["reason"], request=request)
                messages.success(request, "Recorded as different people. Later jobs will not suggest this pair again.")
            else:
                survivor = None
                if found.left is not None:
                    survivor = found.left if data["survivor"] == found.left_id else found.right
                result = services.confirm_pair(request.user, found, survivor=survivor, reason=data["reason"], request=request)
                if isinstance(result, PersonMerge):
                    messages.success(request, f"Merged into {result.survivor.full_name}. The merge can be undone from the merges page.")
                else:
                    messages.success(request, f"{result} is now linked to {result.person}.")
        except services.MatchingRefused as refused:
            form.add_error(None, str(refused))
        else:
            return redirect(f"{reverse('matching:review')}?job={found.job_id}")
    services.view_pair(request.user, found, request=request)
    return _pair_page(request, found, form)


# -- merges --------------------------------------------------------------------------------------


def merges(request: HttpRequest) -> HttpResponse:
    _require(request, REVIEW)
    page = Paginator(PersonMerge.objects.select_related("survivor", "merged", "merged_by", "undone_by"), 50).get_page(request.GET.get("page"))
    services.view_merges(request.user, list(page.object_list), request=request)
    return _page(request, "matching/merges.html", {"page": page})


def merge(request: HttpRequest, merge_id: int) -> HttpResponse:
    _require(request, REVIEW)
    found = get_object_or_404(PersonMerge.objects.select_related("survivor", "merged", "merged_by", "undone_by", "pair"), pk=merge_id)
    undoing = request.method == "POST" and not found.is_undone
    form = UndoMergeForm(request.POST if undoing else None)
    if undoing and form.is_valid():
        try:
            services.undo_merge(
                request.user, found, reason=form.cleaned_data["reason"], different_people=form.cleaned_data["outcome"] == "different", request=request
            )
        except services.MatchingRefused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, f"Merge undone: {found.merged.full_name} is a separate record again.")
            return redirect("matching:merge", merge_id=found.pk)
    services.view_merge(request.user, found, request=request)
    return _page(
        request,
        "matching/merge.html",
        {
            "merge": found,
            "rows": services.moved_rows(found),
            "kept": services.kept_relationships(found),
            "form": form,
            "errors": error_list(form) if form.is_bound else [],
        },
    )
