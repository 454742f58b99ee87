"""PLACEHOLDER: replaced by the real views."""
from django.http import HttpResponse


def overview(request, *args, **kwargs):  # noqa
    return HttpResponse(status=501)


def send_requests(request, *args, **kwargs):  # noqa
    return HttpResponse(status=501)


def consent(request, *args, **kwargs):  # noqa
    return HttpResponse(status=501)


def override_consent(request, *args, **kwargs):  # noqa
    return HttpResponse(status=501)


def ask_manager(request, *args, **kwargs):  # noqa
    return HttpResponse(status=501)


def response_detail(request, *args, **kwargs):  # noqa
    return HttpResponse(status=501)


def chase(request, *args, **kwargs):  # noqa
    return HttpResponse(status=501)


def withdraw(request, *args, **kwargs):  # noqa
    return HttpResponse(status=501)


def respond_to_escalation(request, *args, **kwargs):  # noqa
    return HttpResponse(status=501)


def outbound_preview(request, *args, **kwargs):  # noqa
    return HttpResponse(status=501)

