"""PLACEHOLDER: replaced by the real views."""
from django.http import HttpResponse


def contact_log(request, *args, **kwargs):  # noqa
    return HttpResponse(status=501)


def search(request, *args, **kwargs):  # noqa
    return HttpResponse(status=501)

