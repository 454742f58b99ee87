from django.urls import path

from . import views

app_name = "intake"
urlpatterns = [
    path("", views.contact_list, name="list"),
    path("record/", views.record_contact, name="record"),
    path("record/telephone/", views.record_contact, {"kind": "telephone"}, name="record-telephone"),
    path("<int:pk>/", views.contact_detail, name="detail"),
    path("<int:pk>/people/", views.link_people, name="link-people"),
    path("<int:pk>/people/<int:cp_pk>/link/", views.link_person, name="link-person"),
    path("<int:pk>/submit/", views.submit_for_triage, name="submit"),
]
