"""Deduplicate the person index, or link an agency extract to it, and print what was found.

    manage.py link_people --deduplicate
    manage.py link_people --extract police.csv --agency demoshire-constabulary
    manage.py link_people --deduplicate --backend spark     # needs pyspark and Java; see docs

Runs in the foreground (the same job the administrator's page runs in the background) and leaves
the pairs in the review queue at /matching/review/. Nothing is merged without a person confirming it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser, OutputWrapper
from django.utils.text import slugify


def user_named(username: str | None) -> Any:
    """The user recorded as starting the job; by default the first active administrator."""
    from mash.accounts.models import Role, User

    if username:
        try:
            return User.objects.get(username=username, is_active=True)
        except User.DoesNotExist:
            raise CommandError(f"There is no active user called '{username}'.") from None
    user = User.objects.filter(role=Role.ADMINISTRATOR, is_active=True).order_by("pk").first()
    if user is None:
        raise CommandError("Name the user to record as running this with --user USERNAME (there is no active administrator).")
    return user


def agency_named(code: str) -> Any:
    """An agency by its id, its name, its name as a slug ('demoshire-constabulary') or its kind when only one has it."""
    from mash.partnership.models import Agency

    wanted = code.strip().lower()
    agencies = list(Agency.objects.all())
    found = [a for a in agencies if wanted in {str(a.pk), a.name.lower(), slugify(a.name)}]
    if not found:
        found = [a for a in agencies if a.kind == wanted]
    if len(found) == 1:
        return found[0]
    if found:
        names = ", ".join(f"{a.name} (id {a.pk})" for a in found)
        raise CommandError(f"More than one agency matches '{code}': {names}. Use the name or id.")
    names = ", ".join(f"{slugify(a.name)} (id {a.pk})" for a in agencies) or "none are set up"
    raise CommandError(f"Unknown agency '{code}'. Agencies: {names}.")


def check_spark() -> None:
    """Fail early, in words, when Spark cannot run here (no pyspark, no Java)."""
    from mash.matching import linkage

    try:
        linkage.make_db_api("spark")
    except Exception as exc:  # the engine explains what is missing; any failure means Spark is unusable here
        raise CommandError(str(exc)) from exc


class ProgressPrinter:
    def __init__(self, stdout: OutputWrapper) -> None:
        self.stdout = stdout
        self.last: tuple[str, int] | None = None

    def __call__(self, stage: str, percent: int) -> None:
        if (stage, percent) != self.last:
            self.last = (stage, percent)
            self.stdout.write(f"{percent:3d}%  {stage}")


class Command(BaseCommand):
    help = "Deduplicate the person index (--deduplicate) or link an agency extract to it (--extract FILE --agency CODE)."

    def add_arguments(self, parser: CommandParser) -> None:
        what = parser.add_mutually_exclusive_group(required=True)
        what.add_argument("--deduplicate", action="store_true", help="Find likely duplicates in the person index.")
        what.add_argument("--extract", metavar="FILE", help="An agency extract to link: CSV (UTF-8) or Parquet.")
        parser.add_argument("--agency", metavar="CODE", help="The agency that sent the extract: its name, slug or id.")
        parser.add_argument("--backend", choices=["duckdb", "spark"], default="duckdb", help="Where Splink runs (default duckdb).")
        parser.add_argument("--user", metavar="USERNAME", help="Who the job is recorded as started by (default: an administrator).")

    def handle(self, *args: Any, **options: Any) -> None:
        from mash.matching import services
        from mash.matching.models import LinkageJob

        user = user_named(options["user"])
        backend = options["backend"]
        if options["extract"]:
            if not options["agency"]:
                raise CommandError("Say which agency sent the extract with --agency CODE.")
            agency = agency_named(options["agency"])
            path = Path(options["extract"])
            try:
                data = path.read_bytes()
            except OSError as exc:
                raise CommandError(f"Cannot read {path}: {exc.strerror or exc}.") from exc
            if backend == "spark":
                check_spark()
            try:
                job = services.start_extract_link(user, agency=agency, filename=path.name, data=data, backend=backend, enqueue=False)
            except services.ExtractRefused as refused:
                raise CommandError(str(refused)) from refused
        else:
            if options["agency"]:
                raise CommandError("--agency goes with --extract; deduplication covers the whole index.")
            if backend == "spark":
                check_spark()
            job = services.start_deduplication(user, backend=backend, enqueue=False)

        self.stdout.write(f"Job #{job.pk}: {job.get_kind_display().lower()} on {backend}")
        job = services.run_job(job.pk, progress=ProgressPrinter(self.stdout))
        if job.status != LinkageJob.Status.DONE:
            raise CommandError(f"Job #{job.pk} failed. {job.error}")
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Job #{job.pk} finished."))
        if job.kind == LinkageJob.Kind.DEDUPLICATE:
            lines = [
                ("People compared", job.records),
                ("Pairs scored at or above the review threshold", job.pairs_scored),
                ("Strong pairs", job.strong_pairs),
                ("Clusters of likely duplicates", job.clusters),
                ("Other pairs queued for review (below the strong threshold)", job.queued_for_review),
            ]
        else:
            lines = [
                ("Rows in the extract", job.records),
                ("Pairs scored at or above the review threshold", job.pairs_scored),
                ("Rows linked automatically", job.linked_automatically),
                ("Rows queued for review", job.queued_for_review),
                ("Rows unmatched", job.unmatched),
            ]
        for label, value in lines:
            self.stdout.write(f"  {label}: {value:,}")
        if job.pairs.filter(status="pending").exists():
            self.stdout.write(f"Review the pairs at /matching/review/?job={job.pk}")
