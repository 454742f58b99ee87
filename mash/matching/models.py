"""Person matching: the trained model, batch linkage jobs, agency extracts, the review queue and merges.

The interactive search ("is this child known?") reads the active :class:`MatchModel`'s parameters as
plain JSON; only training and batch linkage use Splink and DuckDB.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.utils import timezone


class MatchModel(models.Model):
    """One version of the trained Fellegi-Sunter model. Exactly one is active at a time."""

    class Source(models.TextChoices):
        SHIPPED = "shipped", "Shipped with MASH (trained on synthetic records)"
        TRAINED = "trained", "Trained on this partnership's person index"

    version = models.PositiveIntegerField(unique=True)
    source = models.CharField(max_length=20, choices=Source.choices)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    trained_on_records = models.PositiveIntegerField(default=0)
    # mash.domain.match_model.TrainedModel.to_json(): prior, m/u per comparison level, term frequencies.
    parameters = models.JSONField()
    # Splink's own model JSON (settings + trained m/u), for batch linkage with the same model.
    splink_model = models.JSONField(default=dict, blank=True)
    report = models.TextField(blank=True, help_text="What training printed: the parameters in words.")
    is_active = models.BooleanField(default=False)

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(fields=["is_active"], condition=models.Q(is_active=True), name="one_active_match_model")
        ]

    def __str__(self) -> str:
        return f"Match model v{self.version} ({self.get_source_display()})"


class LinkageJob(models.Model):
    """A batch run: deduplicate the whole person index, or link one agency's extract to it."""

    class Kind(models.TextChoices):
        DEDUPLICATE = "deduplicate", "Deduplicate the person index"
        LINK_EXTRACT = "link_extract", "Link an agency extract"

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting to start"
        RUNNING = "running", "Running"
        DONE = "done", "Finished"
        FAILED = "failed", "Failed"

    class Backend(models.TextChoices):
        DUCKDB = "duckdb", "DuckDB (this machine)"
        SPARK = "spark", "Spark (a cluster)"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    backend = models.CharField(max_length=10, choices=Backend.choices, default=Backend.DUCKDB)
    agency = models.ForeignKey("partnership.Agency", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    extract_name = models.CharField(max_length=255, blank=True)
    extract_data = models.BinaryField(null=True, blank=True, editable=False)
    match_model = models.ForeignKey(MatchModel, on_delete=models.PROTECT, null=True, blank=True, related_name="jobs")
    review_threshold = models.DecimalField(max_digits=5, decimal_places=4, null=True, blank=True)
    strong_threshold = models.DecimalField(max_digits=5, decimal_places=4, null=True, blank=True)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Progress, written by the background task as it goes and polled by the job page.
    stage = models.CharField(max_length=200, blank=True)
    percent = models.PositiveSmallIntegerField(default=0)
    records = models.PositiveIntegerField(default=0)
    pairs_scored = models.PositiveIntegerField(default=0)
    clusters = models.PositiveIntegerField(default=0)
    strong_pairs = models.PositiveIntegerField(default=0)
    queued_for_review = models.PositiveIntegerField(default=0)
    linked_automatically = models.PositiveIntegerField(default=0)
    unmatched = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        what = self.extract_name if self.kind == self.Kind.LINK_EXTRACT else "person index"
        return f"{self.get_kind_display()} #{self.pk} ({what})"

    @property
    def is_finished(self) -> bool:
        return self.status in {self.Status.DONE, self.Status.FAILED}


class SourceRecord(models.Model):
    """One row of an agency extract, kept as it arrived, and the person it was linked to (if any)."""

    class LinkedBy(models.TextChoices):
        AUTOMATIC = "automatic", "Linked automatically (one strong match)"
        REVIEWER = "reviewer", "Confirmed by a reviewer"

    job = models.ForeignKey(LinkageJob, on_delete=models.CASCADE, related_name="source_records")
    agency = models.ForeignKey("partnership.Agency", on_delete=models.PROTECT, related_name="+")
    row_number = models.PositiveIntegerField()
    source_id = models.CharField("the agency's own reference", max_length=100, blank=True)
    # The row's identifying fields after validation: forenames, surname, other_names, date_of_birth
    # (ISO), sex, postcode, address, nhs_number, upn; invalid identifiers are blanked here and
    # explained in `problems`, never used for matching.
    fields = models.JSONField()
    raw = models.JSONField(help_text="The row exactly as the agency sent it.")
    problems = models.JSONField(default=list, blank=True)
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, null=True, blank=True, related_name="source_records")
    link_probability = models.FloatField(null=True, blank=True)
    linked_by = models.CharField(max_length=20, choices=LinkedBy.choices, blank=True)
    linked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["job", "row_number"]
        constraints = [models.UniqueConstraint(fields=["job", "row_number"], name="one_source_record_per_row")]

    def __str__(self) -> str:
        return f"{self.agency} row {self.row_number}"

    @property
    def date_of_birth(self) -> date | None:
        """The row's date of birth as a date, for display (stored as ISO text in `fields`)."""
        value = self.fields.get("date_of_birth") or ""
        try:
            return date.fromisoformat(value) if value else None
        except ValueError:
            return None


class CandidatePair(models.Model):
    """A possible duplicate (two people in the index) or a possible link (an extract row and a person)."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for review"
        CONFIRMED = "confirmed", "Confirmed: same person"
        REJECTED = "rejected", "Rejected: different people"
        SUPERSEDED = "superseded", "No longer applies"

    job = models.ForeignKey(LinkageJob, on_delete=models.CASCADE, related_name="pairs")
    left = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    source_record = models.ForeignKey(SourceRecord, on_delete=models.CASCADE, null=True, blank=True, related_name="pairs")
    right = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    probability = models.FloatField()
    match_weight = models.FloatField()
    # The reasons in words (mash.domain.matching.FieldComparison as dicts), as the officer sees them.
    comparisons = models.JSONField(default=list)
    strong = models.BooleanField(default=False)
    cluster = models.PositiveIntegerField(null=True, blank=True, help_text="Cluster number within the job (strong pairs).")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-probability", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(left__isnull=False, source_record__isnull=True)
                | models.Q(left__isnull=True, source_record__isnull=False),
                name="pair_is_duplicate_or_link",
            )
        ]

    def __str__(self) -> str:
        return f"Pair #{self.pk} ({self.probability:.0%})"


class PersonMerge(models.Model):
    """A confirmed merge: `merged` now points at `survivor`; every moved row is listed so it can be undone."""

    survivor = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="merges_received")
    merged = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="merges_given")
    pair = models.ForeignKey(CandidatePair, on_delete=models.SET_NULL, null=True, blank=True, related_name="merges")
    reason = models.TextField()
    merged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    merged_at = models.DateTimeField(default=timezone.now)
    # {"contact_people": [ids], "involvements": [...], "relationships_person": [...],
    #  "relationships_relative": [...], "early_help_referrals": [...], "source_records": [...]}
    moved = models.JSONField(default=dict)
    undone_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    undone_at = models.DateTimeField(null=True, blank=True)
    undo_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-merged_at", "-id"]

    def __str__(self) -> str:
        return f"Merge #{self.pk}: {self.merged_id} into {self.survivor_id}"

    @property
    def is_undone(self) -> bool:
        return self.undone_at is not None
