from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from mash.core.access import person_for, visible_contacts
from mash.core.views_helpers import error_list

from .forms import PersonSearchForm
from .services import SearchQuery, history_warnings, household_of, search_people, view_person


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
    person = person_for(request.user, pk)
    view_person(request.user, person, request=request)
    appearances = (
        person.contact_appearances.filter(contact__in=visible_contacts(request.user))
        .select_related("contact", "contact__rag_rating")
        .prefetch_related("contact__decisions")
        .order_by("-contact__received_at")
    )
    history = [(a, next((d for d in a.contact.decisions.all() if d.review == "agreed"), None)) for a in appearances]
    return render(
        request,
        "people/detail.html",
        {
            "person": person,
            "warnings": history_warnings(person),
            "appearances": history,
            "involvements": person.involvements.select_related("team"),
            "household": household_of(person),
            "relationships": list(person.relationships.select_related("relative")) + list(person.related_to.select_related("person")),
            "nav": "people",
        },
    )
