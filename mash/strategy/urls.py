"""Strategy discussions: MASH pages under /contacts/<pk>/strategy/ (pk = contact, sid = discussion,
attendee_pk = attendee, aid = action); an action's owner opens /strategy/actions/<aid>/."""

from django.urls import path

from . import views

app_name = "strategy"
urlpatterns = [
    path("contacts/<int:pk>/strategy/schedule/", views.schedule, name="schedule"),
    path("contacts/<int:pk>/strategy/<int:sid>/", views.discussion, name="discussion"),
    path("contacts/<int:pk>/strategy/<int:sid>/cancel/", views.cancel, name="cancel"),
    path("contacts/<int:pk>/strategy/<int:sid>/attendees/", views.attendees, name="attendees"),
    path(
        "contacts/<int:pk>/strategy/<int:sid>/attendees/<int:attendee_pk>/remove/", views.attendee_remove, name="attendee-remove"
    ),
    path("contacts/<int:pk>/strategy/<int:sid>/attendees/<int:attendee_pk>/attendance/", views.attendance, name="attendance"),
    path("contacts/<int:pk>/strategy/<int:sid>/record/", views.record, name="record"),
    path("contacts/<int:pk>/strategy/<int:sid>/actions/", views.actions, name="actions"),
    path("contacts/<int:pk>/strategy/<int:sid>/actions/<int:aid>/remove/", views.action_remove, name="action-remove"),
    path("strategy/actions/<int:aid>/", views.action, name="action"),
]
