from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "mash.demo"
    label = "demo"
