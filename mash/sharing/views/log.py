"""The sharing log (golden rule 7): one contact's log, and the data protection officer's search.

The log describes each decision to share or not to share (what, with whom, when, why, on what
basis) without repeating the information itself, so reading and searching it never exposes
what an agency shared. Reading it is audited all the same.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone

from mash.core.access import sharing_log_contact_for
from mash.core.views_helpers import error_list

from .. import services
from ..exports import sharing_log_csv_rows
from ..forms.log import SharingLogSearchForm

PAGE_SIZE = 50


def contact_log(request: HttpRequest, pk: int) -> HttpResponse:
    contact = sharing_log_contact_for(request.user, pk)
    entries = services.contact_sharing_log(request.user, contact, request=request)
    in_mash = request.user.is_mash_member
    return render(
        request,
        "sharing/log/contact.html",
        {
            "contact": contact,
            "entries": entries,
            "back_to_contact": in_mash,
            "can_search": request.user.has_perm("sharing.search_sharing_log"),
            "nav": "contacts" if in_mash else "sharing-log",
        },
    )


def search(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("sharing.search_sharing_log"):
        raise PermissionDenied
    params = request.GET.copy()
    want_csv = params.pop("format", [""])[-1] == "csv"
    params.pop("page", None)
    form = SharingLogSearchForm(params or None)
    query = params.urlencode()
    page = None
    if not form.is_bound or form.is_valid():
        criteria = form.criteria() if form.is_bound else services.LogSearch()
        entries = services.search_sharing_log(request.user, criteria, request=request)
        if want_csv:
            return _csv(request, entries)
        page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "sharing/log/search.html",
        {
            "form": form,
            "errors": error_list(form) if form.is_bound else [],
            "page": page,
            "page_prefix": f"?{query}&" if query else "?",
            "csv_url": f"?{query}&format=csv" if query else "?format=csv",
            "searched": form.is_bound,
            "nav": "sharing-log",
        },
    )


def _csv(request: HttpRequest, entries) -> StreamingHttpResponse:  # type: ignore[no-untyped-def]
    services.export_sharing_log(request.user, entries, request=request)
    response = StreamingHttpResponse(
        sharing_log_csv_rows(entries.iterator(chunk_size=500)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="sharing-log-{timezone.localdate():%Y-%m-%d}.csv"'
    response["Cache-Control"] = "no-store"
    return response
