from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "mash.audit"
    label = "audit"
