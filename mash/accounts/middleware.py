"""Two-factor authentication for staff: after the password, a code from an authenticator app."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

EXEMPT_PREFIXES = ("/accounts/", "/static/", "/assets/")


class TwoFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not request.path.startswith(EXEMPT_PREFIXES):
            if not user.is_verified():
                has_device = TOTPDevice.objects.filter(user=user, confirmed=True).exists()
                if has_device:
                    return redirect(f"{reverse('accounts:two-factor')}?next={request.get_full_path()}")
                if settings.MASH_REQUIRE_TWO_FACTOR:
                    return redirect(reverse("accounts:two-factor-setup"))
        return self.get_response(request)
