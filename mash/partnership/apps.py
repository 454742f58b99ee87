from django.apps import AppConfig


class PartnershipConfig(AppConfig):
    name = "mash.partnership"
    label = "partnership"
