from __future__ import annotations

import base64

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from mash.audit import services as audit
from mash.core.views_helpers import error_list

from .forms import SignInForm, TokenForm


class SignInView(auth_views.LoginView):
    template_name = "accounts/sign_in.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: object) -> dict[str, object]:
        context = super().get_context_data(**kwargs)
        form = context["form"]
        context["errors"] = error_list(form) if form.is_bound else []
        context["demo_mode"] = settings.DEMO_MODE
        return context


sign_in = login_not_required(SignInView.as_view())


def sign_out(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        return auth_views.LogoutView.as_view()(request)
    return render(request, "accounts/sign_out.html")


def _safe_next(request: HttpRequest) -> str:
    target = request.GET.get("next") or request.POST.get("next") or "/"
    return target if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}) else "/"


def two_factor(request: HttpRequest) -> HttpResponse:
    devices = TOTPDevice.objects.filter(user=request.user, confirmed=True)
    if not devices.exists():
        return redirect("accounts:two-factor-setup")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        token = form.cleaned_data["token"]
        device = next((d for d in devices if d.verify_token(token)), None)
        if device is not None:
            otp_login(request, device)
            audit.record(request.user, "auth.second_factor_passed", object_type="accounts.user", object_id=request.user.pk, summary="Two-factor code accepted", request=request)
            return redirect(_safe_next(request))
        audit.record(request.user, "auth.second_factor_failed", object_type="accounts.user", object_id=request.user.pk, summary="Wrong two-factor code", request=request)
        form.add_error("token", "The code is not right. Check your authenticator app and try again.")
    return render(request, "accounts/two_factor.html", {"form": form, "errors": error_list(form) if form.is_bound else [], "next": _safe_next(request)})


def two_factor_setup(request: HttpRequest) -> HttpResponse:
    if TOTPDevice.objects.filter(user=request.user, confirmed=True).exists():
        messages.info(request, "Two-factor authentication is already set up for your account.")
        return redirect("workqueue:home")
    device, _ = TOTPDevice.objects.get_or_create(user=request.user, confirmed=False, defaults={"name": "Authenticator app"})
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            device.confirmed = True
            device.save()
            otp_login(request, device)
            audit.record(request.user, "auth.second_factor_enrolled", object_type="accounts.user", object_id=request.user.pk, summary="Set up two-factor authentication", request=request)
            messages.success(request, "Two-factor authentication is set up. You will be asked for a code each time you sign in.")
            return redirect("workqueue:home")
        form.add_error("token", "The code is not right. Scan the QR code again and enter the current code.")
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage)
    svg = image.to_string(encoding="unicode")
    secret = base64.b32encode(device.bin_key).decode()
    return render(
        request,
        "accounts/two_factor_setup.html",
        {"form": form, "qr_svg": svg, "secret": secret, "errors": error_list(form) if form.is_bound else []},
    )
