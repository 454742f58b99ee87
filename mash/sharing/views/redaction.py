"""PLACEHOLDER: replaced by the real views."""
from django.http import HttpResponse


def redact_part(request, *args, **kwargs):  # noqa
    return HttpResponse(status=501)


def redact_item(request, *args, **kwargs):  # noqa
    return HttpResponse(status=501)


def withhold_item(request, *args, **kwargs):  # noqa
    return HttpResponse(status=501)

