from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from mash.core.access import person_for
from mash.core.views_helpers import error_list
from mash.domain.chronology import KIND_LABELS, EntryKind, parse_kinds

from .forms import PersonSearchForm
from .services import SearchQuery, chronology_for, history_warnings, search_people, view_person


def search(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("people.search_people"):
        raise PermissionDenied
    form = PersonSearchForm(request.GET or None)
    results = None
    if form.is_bound and form.is_valid():
        query = SearchQuery(**{k: v or ("" if k != "date_of_birth" else None) for k, v in form.cleaned_data.items()})
        results = search_people(request.user, query, request=request, purpose="Person search page")
    return render(
        request,
        "people/search.html",
        {"form": form, "results": results, "errors": error_list(form) if form.is_bound else [], "nav": "people"},
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
            "nav": "people",
        },
    )
