from django.apps import AppConfig


class OversightConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "mash.oversight"
    verbose_name = "Management oversight and audits"
