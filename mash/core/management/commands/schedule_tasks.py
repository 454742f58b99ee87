from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand
from django.utils.module_loading import module_has_submodule

from mash.core.scheduling import PERIODIC, ensure_scheduled


class Command(BaseCommand):
    help = "Start every periodic background task that is not already scheduled (e.g. chasing overdue requests)."

    def handle(self, *args: Any, **options: Any) -> None:
        for config in apps.get_app_configs():
            if config.name.startswith("mash.") and module_has_submodule(config.module, "tasks"):
                __import__(f"{config.name}.tasks")
        started = ensure_scheduled()
        for path in PERIODIC:
            state = "started" if path in started else "already scheduled"
            self.stdout.write(f"{path}: every {PERIODIC[path]}, {state}")
