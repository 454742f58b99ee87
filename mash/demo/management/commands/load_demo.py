"""`manage.py load_demo`: a realistic, clearly fictional partnership so every page has something to show."""

from __future__ import annotations

import random
import time
from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from mash.demo import chronology, disputes, followup, history, matching, outcomes, oversight, stage2, strategy
from mash.demo.builders import DEMO_PASSWORD, DemoUsers, build_partnership, build_users

SIGN_IN_URL = "http://127.0.0.1:8000/"


def stage2_loaded() -> bool:
    from mash.sharing.models import InformationRequest

    return InformationRequest.objects.exists()


def outcome_side_loaded() -> bool:
    from mash.strategy.models import StrategyDiscussion

    return StrategyDiscussion.objects.exists()


class Command(BaseCommand):
    help = (
        "Load the fictional Demoshire partnership: agencies, teams, one user per role, about 60 children in 25 families "
        "with their social care and early help history, contacts in every state of the workflow, and multi-agency "
        "information sharing (Stage 2) in every state, every outcome with its feedback, strategy discussions, "
        "professional disagreements, practice standards, dip-sample audits and a cumulative harm alert, and person "
        "matching: near-duplicates found by a deduplication run and a school extract linked to the index. Safe to run twice."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        with transaction.atomic():
            build_partnership()
            users = build_users(DEMO_PASSWORD)
            if history.already_loaded():
                self.stdout.write("Demo data already loaded")
                if not stage2_loaded() or not outcome_side_loaded():
                    self.stdout.write(
                        self.style.WARNING(
                            "This database was loaded before information sharing (Stage 2) or the outcome side "
                            "(strategy discussions, disputes, audits) was added to the demo: "
                            "delete var/mash.sqlite3 and run `make run` again to see it."
                        )
                    )
            else:
                summary = history.load(users, rng=random.Random(history.SEED))
                contacts = ", ".join(f"{count} {status.replace('_', ' ')}" for status, count in sorted(summary.contacts.items()))
                self.stdout.write(
                    self.style.SUCCESS(
                        f"Loaded {summary.children} children and {summary.adults} adults in {summary.families} families, "
                        f"{summary.involvements} social care and early help involvements, and contacts: {contacts} "
                        f"({time.monotonic() - started:.1f}s)."
                    )
                )
                sharing = stage2.load(users)
                self.stdout.write(self.style.SUCCESS(f"{sharing.line()} ({time.monotonic() - started:.1f}s in all)."))
                # The outcome side (issue #4): every outcome, feedback, strategy discussions,
                # disagreements, oversight and audits, the chronology and cumulative harm.
                # Person matching (issue #5): a deduplication run and a school extract linked to the index.
                for area in (outcomes, followup, strategy, disputes, oversight, chronology, matching):
                    line = area.load(users)
                    self.stdout.write(self.style.SUCCESS(f"{line} ({time.monotonic() - started:.1f}s in all)."))
        self.print_users(users)

    def print_users(self, users: DemoUsers) -> None:
        rows = [(u.username, u.get_role_display(), str(u.agency or "")) for u in users.all()]
        headings = ("Username", "Role", "Agency")
        widths = [max(len(row[i]) for row in [headings, *rows]) for i in range(3)]
        self.stdout.write("")
        self.stdout.write(f"Sign in at {SIGN_IN_URL} with any of these users; password: {DEMO_PASSWORD}")
        self.stdout.write("")
        for row in [headings, tuple("-" * w for w in widths), *rows]:
            self.stdout.write("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
