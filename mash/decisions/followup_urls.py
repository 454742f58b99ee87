"""Spliced into decisions/urls.py (app_name "decisions", included at "contacts/"): paths are contact-scoped."""

from django.urls import path

from . import followup_views as views

urlpatterns: list = [
    path("early-help/", views.early_help_list, name="early-help-list"),
    path("<int:pk>/early-help/<int:ehid>/response/", views.early_help_response, name="early-help-response"),
    path("<int:pk>/early-help/<int:ehid>/escalation/", views.early_help_escalation, name="early-help-escalation"),
    path("<int:pk>/malicious/propose/", views.malicious_propose, name="malicious-propose"),
    path("<int:pk>/malicious/<int:mid>/decide/", views.malicious_decide, name="malicious-decide"),
]
