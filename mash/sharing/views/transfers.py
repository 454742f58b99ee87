"""The receiving team's view of what left the MASH with an agreed outcome.

Every page here reads `services.outbound_pack(contact)` and nothing else about the contact's
Stage 2, so sensitive items, items kept inside the MASH and unredacted text never reach it.
Contacts are loaded through `transferred_contact_for`: a practitioner of another team gets 404.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from mash.core.access import transferred_contact_for
from mash.decisions.models import Outcome

from .. import services
from ..exports import transfer_pack_pdf

PAGE_SIZE = 50


def _require_receiving_team(request: HttpRequest) -> None:
    if not request.user.has_perm("sharing.view_transfers"):
        raise PermissionDenied


def _attachment(response: HttpResponse, filename: str) -> HttpResponse:
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


def transfer_list(request: HttpRequest) -> HttpResponse:
    _require_receiving_team(request)
    page = Paginator(services.transfers_for(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        {
            "contact": contact,
            "child": contact.children[0] if contact.children else None,
            "outcome": Outcome(contact.transfer_outcome).label,
            "signed_off_at": contact.transfer_signed_off_at,
        }
        for contact in page.object_list
    ]
    services.view_transfer_list(request.user, [row["contact"] for row in rows], page=page.number, request=request)
    return render(request, "sharing/transfers/list.html", {"page": page, "rows": rows, "team": request.user.team, "nav": "transfers"})


def _pack(request: HttpRequest, pk: int, what: str) -> services.OutboundPack:
    """The outbound pack of a contact sent to the user's team (404 otherwise), its reading audited."""
    _require_receiving_team(request)
    contact = transferred_contact_for(request.user, pk)
    services.view_transfer(request.user, contact, what=what, request=request)
    return services.outbound_pack(contact)


def transfer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "sharing/transfers/detail.html", {"pack": _pack(request, pk, "transfer"), "nav": "transfers"})


def transfer_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    pack = _pack(request, pk, "PDF export")
    response = HttpResponse(transfer_pack_pdf(pack), content_type="application/pdf")
    return _attachment(response, f"{pack.contact.reference}-transfer-pack.pdf")


def transfer_json(request: HttpRequest, pk: int) -> HttpResponse:
    pack = _pack(request, pk, "JSON export")
    return _attachment(JsonResponse(pack.as_dict()), f"{pack.contact.reference}-transfer-pack.json")
