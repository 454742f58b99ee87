from django.apps import AppConfig


class SharingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "mash.sharing"
    verbose_name = "Information sharing (Stage 2)"
