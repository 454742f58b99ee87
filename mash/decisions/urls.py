from django.urls import path

from . import followup_urls, views

app_name = "decisions"
urlpatterns = [
    path("<int:pk>/decision/", views.recommend, name="recommend"),
    path("<int:pk>/sign-off/", views.review, name="review"),
    path("<int:pk>/letters/<int:letter_pk>/", views.letter, name="letter"),
    path("<int:pk>/letters/<int:letter_pk>/pdf/", views.letter_pdf, name="letter-pdf"),
    path("<int:pk>/feedback/<str:recipient>/call/", views.feedback_call, name="feedback-call"),
    path("<int:pk>/feedback/<str:recipient>/withhold/", views.feedback_withhold, name="feedback-withhold"),
    *followup_urls.urlpatterns,
]
