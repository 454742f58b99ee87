"""Stage 2 pages: the MASH side under /contacts/<id>/sharing/, the agency workspace under /agency/,
the receiving team under /transfers/, and the data protection officer's log search."""

from django.urls import path

from .views import agency, log, redaction, stage2, transfers

app_name = "sharing"

REDACTION = [
    ("redact/<str:part>/", redaction.redact_part, "redact-part"),
    ("items/<int:item_pk>/redact/", redaction.redact_item, "redact-item"),
    ("items/<int:item_pk>/withhold/", redaction.withhold_item, "withhold-item"),
]

urlpatterns = [
    # MASH decision makers and managers (officers read it, without sensitive text)
    path("contacts/<int:pk>/sharing/", stage2.overview, name="overview"),
    path("contacts/<int:pk>/sharing/request/", stage2.send_requests, name="request"),
    path("contacts/<int:pk>/sharing/consent/", stage2.consent, name="consent"),
    path("contacts/<int:pk>/sharing/consent/override/", stage2.override_consent, name="consent-override"),
    path("contacts/<int:pk>/sharing/consent/ask-manager/", stage2.ask_manager, name="consent-ask"),
    path("contacts/<int:pk>/sharing/requests/<int:rid>/", stage2.response_detail, name="response"),
    path("contacts/<int:pk>/sharing/requests/<int:rid>/chase/", stage2.chase, name="chase"),
    path("contacts/<int:pk>/sharing/requests/<int:rid>/withdraw/", stage2.withdraw, name="withdraw"),
    path("contacts/<int:pk>/sharing/escalations/<int:eid>/respond/", stage2.respond_to_escalation, name="escalation-respond"),
    path("contacts/<int:pk>/sharing/outbound/", stage2.outbound_preview, name="outbound-preview"),
    path("contacts/<int:pk>/sharing/log/", log.contact_log, name="log"),
    *[path(f"contacts/<int:pk>/sharing/requests/<int:rid>/{route}", view, {"via": "mash"}, name=name) for route, view, name in REDACTION],
    # Partner agency workspace
    path("agency/", agency.home, name="agency-home"),
    path("agency/requests/<int:rid>/", agency.request_detail, name="agency-request"),
    path("agency/requests/<int:rid>/previous/", agency.previous_response, name="agency-previous"),
    path("agency/requests/<int:rid>/enquiries/", agency.add_enquiry, name="agency-enquiry-add"),
    path("agency/requests/<int:rid>/enquiries/<int:eid>/received/", agency.enquiry_received, name="agency-enquiry-received"),
    path("agency/requests/<int:rid>/escalate/", agency.escalate, name="agency-escalate"),
    *[path(f"agency/requests/<int:rid>/{route}", view, {"via": "agency"}, name=f"agency-{name}") for route, view, name in REDACTION],
    # Receiving teams: what left the MASH with the outcome
    path("transfers/", transfers.transfer_list, name="transfers"),
    path("transfers/<int:pk>/", transfers.transfer_detail, name="transfer"),
    path("transfers/<int:pk>/pack.pdf", transfers.transfer_pdf, name="transfer-pdf"),
    path("transfers/<int:pk>/pack.json", transfers.transfer_json, name="transfer-json"),
    # Data protection officer
    path("sharing-log/", log.search, name="log-search"),
]
