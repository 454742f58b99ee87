from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from . import services
from .models import AuditEvent


def log(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("audit.view_audit_log"):
        raise PermissionDenied
    events = AuditEvent.objects.all()
    filters = {key: request.GET.get(key, "").strip() for key in ("actor", "action", "object_id")}
    if filters["actor"]:
        events = events.filter(actor_username__icontains=filters["actor"])
    if filters["action"]:
        events = events.filter(action__startswith=filters["action"])
    if filters["object_id"]:
        events = events.filter(object_id=filters["object_id"])
    page = Paginator(events.order_by("-sequence"), 100).get_page(request.GET.get("page"))
    services.record(request.user, "audit.viewed", summary=f"Viewed the audit log (filters: {', '.join(f'{k}={v}' for k, v in filters.items() if v) or 'none'})", request=request)
    # Administrators investigate sign-ins and configuration; the details of casework events
    # (which name children) are for MASH managers only.
    return render(
        request,
        "audit/log.html",
        {"page": page, "filters": filters, "show_case_details": request.user.is_mash_member, "nav": "audit"},
    )
