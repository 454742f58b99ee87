from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "mash.intake"
    label = "intake"
