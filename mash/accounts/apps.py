from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "mash.accounts"
    label = "accounts"

    def ready(self) -> None:
        from . import rules, signals  # noqa: F401  (registers permissions and audit receivers)
