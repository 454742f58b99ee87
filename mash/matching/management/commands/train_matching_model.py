"""Train the match model's weights on this partnership's person index (Splink, EM, no labels) and report them.

    manage.py train_matching_model                  # trains, saves version N+1 and makes it active
    manage.py train_matching_model --no-activate    # saves it for a look first (activate on /matching/models/)

The interactive search reads the saved parameters; it never needs DuckDB or Splink.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from .link_people import ProgressPrinter, check_spark, user_named


class Command(BaseCommand):
    help = "Train the person-matching model on the person index and print its parameters."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--no-activate", action="store_true", help="Save the new version without making it the active model.")
        parser.add_argument("--backend", choices=["duckdb", "spark"], default="duckdb", help="Where Splink runs (default duckdb).")
        parser.add_argument("--min-records", type=int, default=1000, metavar="N", help="Refuse to train on fewer people than this (default 1000).")
        parser.add_argument("--user", metavar="USERNAME", help="Who the new version is recorded as created by (default: nobody, the system).")

    def handle(self, *args: Any, **options: Any) -> None:
        from mash.matching import services

        user = user_named(options["user"]) if options["user"] else None
        if options["min_records"] < 2:
            raise CommandError("--min-records must be at least 2.")
        if options["backend"] == "spark":
            check_spark()
        try:
            row = services.train_from_index(
                user,
                backend=options["backend"],
                activate=not options["no_activate"],
                progress=ProgressPrinter(self.stdout),
                min_records=options["min_records"],
            )
        except services.TooFewRecords as refused:
            raise CommandError(str(refused)) from refused
        self.stdout.write("")
        state = "now the active model" if row.is_active else "saved, not active (make it active on /matching/models/)"
        self.stdout.write(self.style.SUCCESS(f"Match model version {row.version}, trained on {row.trained_on_records:,} people: {state}."))
        self.stdout.write(row.report)
