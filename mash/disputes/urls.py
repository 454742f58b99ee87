"""Professional disagreement: contact-scoped raise page, dispute pages (<int:did>), partners' outcomes list, report."""

from django.urls import path

from . import views

app_name = "disputes"
urlpatterns = [
    path("contacts/<int:pk>/disputes/raise/", views.raise_dispute, name="raise"),
    path("disputes/", views.index, name="index"),
    path("disputes/referrals/", views.outcomes, name="outcomes"),
    path("disputes/report/", views.report, name="report"),
    path("disputes/report/download/", views.report_csv, name="report-csv"),
    path("disputes/<int:did>/", views.detail, name="detail"),
    path("disputes/<int:did>/act/", views.act, name="act"),
]
