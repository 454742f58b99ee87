from django.apps import AppConfig


class TriageConfig(AppConfig):
    name = "mash.triage"
    label = "triage"
