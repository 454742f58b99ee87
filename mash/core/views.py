from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template import loader


@login_not_required
def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "core/403.html", status=403)


@login_not_required
def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "core/404.html", status=404)


@login_not_required
def server_error(request: HttpRequest) -> HttpResponse:
    # No request context: whatever broke (often the database) must not break this page too.
    return HttpResponse(loader.get_template("core/500.html").render({}), status=500)
