from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from mash.core.access import person_for
from mash.core.views_helpers import error_list
from mash.domain.chronology import KIND_LABELS, EntryKind, parse_kinds
from mash.partnership.services import current_partnership

from .forms import PersonSearchForm
from .services import SearchQuery, check_known, chronology_for, history_warnings, search_people, view_person


def _query(form: PersonSearchForm) -> SearchQuery:
    return SearchQuery(**{k: v or ("" if k != "date_of_birth" else None) for k, v in form.cleaned_data.items()})


def search(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("people.search_people"):
        raise PermissionDenied  # a partner agency has its own yes-or-no check, people:known
    form = PersonSearchForm(request.GET or None)
    results = None
    if form.is_bound and form.is_valid():
        results = search_people(request.user, _query(form), request=request, purpose="Person search page")
    return render(
        request,
        "people/search.html",
        {"form": form, "results": results, "errors": error_list(form) if form.is_bound else [], "nav": "people"},
    )


def known(request: HttpRequest) -> HttpResponse:
    """A partner agency asks whether the MASH holds a record of interest about a child: yes or no, nothing more."""
    if not request.user.has_perm("people.check_known"):
        raise PermissionDenied
    form = PersonSearchForm(request.GET or None)
    result = None
    if form.is_bound and form.is_valid():
        result = check_known(request.user, _query(form), request=request)
    return render(
        request,
        "people/known.html",
        {
            "form": form,
            "result": result,
            "errors": error_list(form) if form.is_bound else [],
            "partnership": current_partnership(),
            "nav": "known",
        },
    )


def detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The person page: who the child is, their history with services and their chronology (MASH members only)."""
    person = person_for(request.user, pk)
    view_person(request.user, person, request=request)
    household = request.GET.get("view") == "household"
    kinds = parse_kinds(request.GET.getlist("kind"))
    newest_first = request.GET.get("order") == "newest"
    chronology = chronology_for(
        request.user, person, household=household, kinds=kinds, newest_first=newest_first, request=request
    )
    return render(
        request,
        "people/detail.html",
        {
            "person": person,
            "warnings": history_warnings(person, include_cumulative=False),
            "chronology": chronology,
            "kind_choices": [(kind.value, KIND_LABELS[kind], chronology.counts[kind]) for kind in EntryKind],
            "selected_kinds": {kind.value for kind in kinds},
            "involvements": person.involvements.select_related("team"),
            "merge": person.merges_given.filter(undone_at__isnull=True).order_by("-merged_at").first()
            if person.merged_into_id
            else None,
            "merged_records": person.merges_received.filter(undone_at__isnull=True).select_related("merged"),
            "source_records": person.source_records.select_related("agency").order_by("linked_at"),
            "nav": "people",
        },
    )
