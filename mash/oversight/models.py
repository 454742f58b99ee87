"""Management oversight: practice standards (seed 002 App. D), the manager's footprint, dip-sample audits (§16)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class PracticeStandard(models.Model):
    """One line of the practice standards checklist; the wording is partnership configuration."""

    code = models.CharField(max_length=10, unique=True, help_text="As numbered in the partnership's standards, e.g. 2.8.")
    text = models.TextField()
    evidence_rule = models.CharField(
        max_length=40, blank=True,
        help_text="What the record itself can show for this standard (read by the product, shown beside the tick).",
    )
    order = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return f"{self.code} {self.text[:60]}"


class StandardCheck(models.Model):
    class Status(models.TextChoices):
        MET = "met", "Met"
        NOT_MET = "not_met", "Not met"
        NOT_APPLICABLE = "not_applicable", "Not applicable"

    contact = models.ForeignKey("intake.Contact", on_delete=models.CASCADE, related_name="standard_checks")
    standard = models.ForeignKey(PracticeStandard, on_delete=models.PROTECT, related_name="checks")
    status = models.CharField(max_length=15, choices=Status.choices)
    note = models.TextField(blank=True)
    checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    checked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["contact", "standard"], name="one_check_per_standard_per_contact")]


class ManagementNote(models.Model):
    """A manager's oversight recorded on the child's record (the manager's footprint)."""

    contact = models.ForeignKey("intake.Contact", on_delete=models.CASCADE, related_name="management_notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]


class AssessmentOutcome(models.Model):
    """What an assessment after the MASH concluded, recorded by the receiving team (feeds the NFA audit stream)."""

    class Result(models.TextChoices):
        NFA = "nfa", "No further action"
        EARLY_HELP = "early_help", "Step down to early help"
        CHILD_IN_NEED = "child_in_need", "Child in need plan"
        CHILD_PROTECTION = "child_protection", "Child protection conference / plan"
        LOOKED_AFTER = "looked_after", "Became looked after"
        OTHER = "other", "Other"

    contact = models.OneToOneField("intake.Contact", on_delete=models.CASCADE, related_name="assessment_outcome")
    result = models.CharField(max_length=20, choices=Result.choices)
    completed_on = models.DateField("date the assessment was completed")
    summary = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)


class AuditSample(models.Model):
    """A case drawn for a dip-sample audit in a month, and why it was drawn."""

    class Stream(models.TextChoices):
        PER_WORKER = "per_worker", "One case per worker"
        NFA = "nfa", "Share of NFA outcomes"
        ASSESSMENT_NFA = "assessment_nfa", "Assessment that ended in NFA"

    month = models.DateField(help_text="First day of the month sampled.", db_index=True)
    contact = models.ForeignKey("intake.Contact", on_delete=models.CASCADE, related_name="audit_samples")
    stream = models.CharField(max_length=20, choices=Stream.choices)
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="audited_cases",
        help_text="The worker whose case this is (for the per-worker stream and feedback).",
    )
    drawn_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["month", "stream", "id"]
        constraints = [models.UniqueConstraint(fields=["month", "contact", "stream"], name="one_sample_per_case_stream_month")]


class CaseAudit(models.Model):
    class Grade(models.TextChoices):
        OUTSTANDING = "outstanding", "Outstanding"
        GOOD = "good", "Good"
        REQUIRES_IMPROVEMENT = "requires_improvement", "Requires improvement"
        INADEQUATE = "inadequate", "Inadequate"

    sample = models.OneToOneField(AuditSample, on_delete=models.CASCADE, related_name="audit")
    auditor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    completed_at = models.DateTimeField(default=timezone.now)
    grade = models.CharField(max_length=25, choices=Grade.choices)
    findings = models.TextField()
    learning = models.TextField()
    actions = models.TextField("actions for the worker or the service", blank=True)
