from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from mash.sharing.services import agency_queue, view_agency_queue

from .services import AlertRefused, acknowledge_alert, open_alerts, queues_for


def home(request: HttpRequest) -> HttpResponse:
    context = {"queues": queues_for(request.user), "alerts": open_alerts(request.user), "nav": "home"}
    if request.user.has_perm("sharing.view_agency_workspace"):
        # Partner practitioners: the requests addressed to their own agency (sharing/agency/queue.html).
        context["agency_queue"] = agency_queue(request.user)
        view_agency_queue(request.user, context["agency_queue"], request=request)
    return render(request, "workqueue/home.html", context)


def queue_partial(request: HttpRequest) -> HttpResponse:
    """Refreshed by htmx every minute so new urgent alerts appear without a reload."""
    return render(request, "workqueue/queues.html", {"queues": queues_for(request.user), "alerts": open_alerts(request.user)})


@require_POST
def acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    alert = get_object_or_404(open_alerts(request.user), pk=pk)
    try:
        acknowledge_alert(alert, request.user)
        messages.success(request, "Alert acknowledged.")
    except AlertRefused as refused:
        messages.error(request, str(refused))
    return redirect("workqueue:home")


