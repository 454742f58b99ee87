"""Professional disagreement about a MASH decision, climbing the escalation ladder (seed 002 §14)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from mash.decisions.models import Outcome
from mash.partnership.models import DisputeLevel


class Dispute(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "Open"
        RESOLVED = "resolved", "Resolved"

    class Resolution(models.TextChoices):
        DECISION_STANDS = "decision_stands", "The decision stands"
        DECISION_CHANGED = "decision_changed", "The decision changes: back to the MASH"

    contact = models.ForeignKey("intake.Contact", on_delete=models.CASCADE, related_name="disputes")
    decision = models.ForeignKey("decisions.Decision", on_delete=models.PROTECT, related_name="disputes")
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    raised_by_agency = models.ForeignKey("partnership.Agency", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    raised_at = models.DateTimeField(default=timezone.now)
    grounds = models.TextField("why the decision is disputed")
    proposed_outcome = models.CharField("the outcome the disputing professional believes is right", max_length=30, choices=Outcome.choices, blank=True)
    due_at = models.DateTimeField(help_text="The whole ladder ends by this time (one working day).")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True)
    resolution = models.CharField(max_length=20, choices=Resolution.choices, blank=True)
    agreed_outcome = models.CharField(max_length=30, choices=Outcome.choices, blank=True)
    resolution_summary = models.TextField(blank=True)
    learning = models.TextField("learning for the monthly review", blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-raised_at"]

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


class DisputeStep(models.Model):
    """One rung of the ladder: who looked at it, by when, and whether they resolved or escalated it."""

    class Result(models.TextChoices):
        RESOLVED = "resolved", "Resolved at this level"
        ESCALATED = "escalated", "Escalated to the next level"

    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="steps")
    level = models.CharField(max_length=30, choices=DisputeLevel.Level.choices)
    opened_at = models.DateTimeField(default=timezone.now)
    due_at = models.DateTimeField()
    handled_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    closed_at = models.DateTimeField(null=True, blank=True)
    result = models.CharField(max_length=10, choices=Result.choices, blank=True)
    notes = models.TextField("discussion and reasons", blank=True)

    class Meta:
        ordering = ["opened_at", "id"]

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    @property
    def level_name(self) -> str:
        """One person at this level: 'team manager', 'assistant director'."""
        from mash.domain.disputes import LEVEL_LABELS

        return LEVEL_LABELS.get(self.level, self.get_level_display())
