from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "mash.core"
    label = "core"
