"""The receiving team's view of what left the MASH with an agreed outcome.

Every page here reads `services.outbound_pack(contact)` and nothing else about the contact's
Stage 2, so sensitive items, items kept inside the MASH and unredacted text never reach it.
Contacts are loaded through `transferred_contact_for`: a practitioner of another team gets 404.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import F, OuterRef, Prefetch, Subquery
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from mash.audit import services as audit
from mash.core.access import transferred_contact_for, transferred_contacts
from mash.decisions.models import Decision, Outcome
from mash.intake.models import ContactPerson

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
    user = request.user
    agreed = Decision.objects.filter(
        review=Decision.Review.AGREED, receiving_team_id=user.team_id, contact=OuterRef("pk")
    ).order_by("-reviewed_at", "-id")
    contacts = (
        transferred_contacts(user)
        .select_related("rag_rating")
        .prefetch_related(
            Prefetch("people", queryset=ContactPerson.objects.filter(role=ContactPerson.Role.SUBJECT_CHILD), to_attr="children")
        )
        .annotate(
            transfer_signed_off_at=Subquery(agreed.values("reviewed_at")[:1]),
            transfer_outcome=Subquery(agreed.values("outcome")[:1]),
        )
        .order_by(F("transfer_signed_off_at").desc(nulls_last=True), "-pk")
    )
    page = Paginator(contacts, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        {
            "contact": contact,
            "child": contact.children[0] if contact.children else None,
            "outcome": Outcome(contact.transfer_outcome).label
            if contact.transfer_outcome in Outcome.values
            else contact.transfer_outcome,
            "signed_off_at": contact.transfer_signed_off_at,
        }
        for contact in page.object_list
    ]
    audit.record(
        user,
        "transfer.listed",
        None,
        summary=f"Viewed the transfers to {user.team or 'no team'} (page {page.number}: {', '.join(row['contact'].reference for row in rows) or 'none'})",
        request=request,
    )
    return render(request, "sharing/transfers/list.html", {"page": page, "rows": rows, "team": user.team, "nav": "transfers"})


def transfer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require_receiving_team(request)
    contact = transferred_contact_for(request.user, pk)
    pack = services.outbound_pack(contact)
    services.view_transfer(request.user, contact, request=request)
    return render(request, "sharing/transfers/detail.html", {"pack": pack, "nav": "transfers"})


def transfer_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    _require_receiving_team(request)
    contact = transferred_contact_for(request.user, pk)
    pack = services.outbound_pack(contact)
    services.view_transfer(request.user, contact, what="PDF export", request=request)
    response = HttpResponse(transfer_pack_pdf(pack), content_type="application/pdf")
    return _attachment(response, f"{contact.reference}-transfer-pack.pdf")


def transfer_json(request: HttpRequest, pk: int) -> HttpResponse:
    _require_receiving_team(request)
    contact = transferred_contact_for(request.user, pk)
    pack = services.outbound_pack(contact)
    services.view_transfer(request.user, contact, what="JSON export", request=request)
    return _attachment(JsonResponse(pack.as_dict()), f"{contact.reference}-transfer-pack.json")
