"""PLACEHOLDER: replaced by the real views."""
from django.http import HttpResponse


def home(request, *args, **kwargs):  # noqa
    return HttpResponse(status=501)


def request_detail(request, *args, **kwargs):  # noqa
    return HttpResponse(status=501)


def previous_response(request, *args, **kwargs):  # noqa
    return HttpResponse(status=501)


def add_enquiry(request, *args, **kwargs):  # noqa
    return HttpResponse(status=501)


def enquiry_received(request, *args, **kwargs):  # noqa
    return HttpResponse(status=501)


def escalate(request, *args, **kwargs):  # noqa
    return HttpResponse(status=501)

