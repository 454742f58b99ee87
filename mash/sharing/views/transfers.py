"""PLACEHOLDER: replaced by the real views."""
from django.http import HttpResponse


def transfer_list(request, *args, **kwargs):  # noqa
    return HttpResponse(status=501)


def transfer_detail(request, *args, **kwargs):  # noqa
    return HttpResponse(status=501)


def transfer_pdf(request, *args, **kwargs):  # noqa
    return HttpResponse(status=501)


def transfer_json(request, *args, **kwargs):  # noqa
    return HttpResponse(status=501)

