from django.apps import AppConfig


class WorkqueueConfig(AppConfig):
    name = "mash.workqueue"
    label = "workqueue"
