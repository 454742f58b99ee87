from django.urls import path

from . import views

app_name = "people"
urlpatterns = [
    path("", views.search, name="search"),
    path("known/", views.known, name="known"),
    path("<int:pk>/", views.detail, name="detail"),
]
