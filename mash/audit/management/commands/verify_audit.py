from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from mash.audit.services import verify_chain


class Command(BaseCommand):
    help = "Check that the audit log is complete and unaltered (hash chain)."

    def handle(self, *args: Any, **options: Any) -> None:
        result = verify_chain()
        if not result.ok:
            raise CommandError(
                f"Audit log FAILED verification at event #{result.first_bad_sequence}: {result.problem} "
                f"({result.events_checked} events verified before it)."
            )
        self.stdout.write(f"Audit log OK: {result.events_checked} events verified.")
