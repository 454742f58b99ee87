from django.apps import AppConfig


class DecisionsConfig(AppConfig):
    name = "mash.decisions"
    label = "decisions"
