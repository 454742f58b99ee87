from django.urls import path

from . import views

app_name = "triage"
urlpatterns = [
    path("<int:pk>/triage/", views.triage_contact, name="triage"),
    path("<int:pk>/rating/", views.change_rating, name="change-rating"),
]
