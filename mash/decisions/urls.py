from django.urls import path

from . import followup_urls, views

app_name = "decisions"
urlpatterns = [
    path("<int:pk>/decision/", views.recommend, name="recommend"),
    path("<int:pk>/sign-off/", views.review, name="review"),
    path("<int:pk>/letters/<int:letter_pk>/", views.letter, name="letter"),
    path("<int:pk>/letters/<int:letter_pk>/pdf/", views.letter_pdf, name="letter-pdf"),
    *followup_urls.urlpatterns,
]
