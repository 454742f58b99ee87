"""Management oversight pages. Parameters: `pk` a contact (under contacts/ or transfers/), `said` an audit sample."""

from django.urls import path

from . import views

app_name = "oversight"
urlpatterns = [
    path("contacts/<int:pk>/practice-standards/", views.checklist, name="checklist"),
    path("contacts/<int:pk>/management-note/", views.management_note, name="note"),
    path("transfers/<int:pk>/assessment-result/", views.assessment_result, name="assessment-result"),
    path("oversight/audits/", views.audits, name="audits"),
    path("oversight/audits/draw/", views.draw, name="draw"),
    path("oversight/audits/<int:said>/", views.audit_sample, name="audit"),
]
