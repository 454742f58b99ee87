from django.urls import path

from . import views

app_name = "workqueue"
urlpatterns = [
    path("", views.home, name="home"),
    path("queue/", views.queue_partial, name="queue-partial"),
    path("alerts/<int:pk>/acknowledge/", views.acknowledge, name="acknowledge"),
]
