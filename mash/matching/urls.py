"""Person matching: overview, model versions, linkage jobs, the review queue, pairs and merges."""

from django.urls import path

from . import views

app_name = "matching"
urlpatterns = [
    path("", views.overview, name="index"),
    path("deduplicate/", views.start_deduplication, name="deduplicate"),
    path("extracts/", views.upload_extract, name="upload"),
    path("models/", views.models, name="models"),
    path("models/shipped/", views.shipped_model, name="shipped-model"),
    path("models/<int:version>/", views.model_detail, name="model"),
    path("models/<int:version>/activate/", views.activate_model, name="activate-model"),
    path("jobs/<int:job_id>/", views.job, name="job"),
    path("jobs/<int:job_id>/progress/", views.job_progress, name="job-progress"),
    path("jobs/<int:job_id>/retry/", views.retry_job, name="retry-job"),
    path("jobs/<int:job_id>/clusters/<int:cluster>/", views.confirm_cluster, name="confirm-cluster"),
    path("review/", views.review, name="review"),
    path("pairs/<int:pair_id>/", views.pair, name="pair"),
    path("merges/", views.merges, name="merges"),
    path("merges/<int:merge_id>/", views.merge, name="merge"),
]
