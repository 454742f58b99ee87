"""Child protection strategy discussions and meetings (seed 002 §9 point 5, App. B; Working Together)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class StrategyDiscussion(models.Model):
    """One discussion or meeting about a contact; a contact may have several."""

    class Kind(models.TextChoices):
        DISCUSSION = "discussion", "Strategy discussion"
        MEETING = "meeting", "Strategy meeting"

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        HELD = "held", "Held"
        CANCELLED = "cancelled", "Cancelled"

    class Decision(models.TextChoices):
        JOINT_S47 = "joint_s47", "Joint section 47 enquiry (children's social care and police)"
        SINGLE_S47 = "single_s47", "Single agency section 47 enquiry (children's social care)"
        NO_S47_ASSESSMENT = "no_s47_assessment", "No section 47 enquiry: child and family assessment"
        NO_S47_NFA = "no_s47_nfa", "No section 47 enquiry: no further action by children's social care"
        FURTHER_DISCUSSION = "further_discussion", "Another strategy discussion or meeting is needed"

    contact = models.ForeignKey("intake.Contact", on_delete=models.CASCADE, related_name="strategy_discussions")
    decision_record = models.ForeignKey(
        "decisions.Decision",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="strategy_discussions",
        help_text="The section 47 outcome that called for it.",
    )
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.DISCUSSION)
    scheduled_for = models.DateTimeField()
    due_by = models.DateTimeField(help_text="Latest time allowed by the partnership's timescale (same day for RED).")
    arrangements = models.CharField("where or how", max_length=200, blank=True, help_text="Room, telephone or video link.")
    chair = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    delay_reason = models.TextField(
        "why it cannot be held within the timescale",
        blank=True,
        help_text="Needed only when the discussion is scheduled after its deadline.",
    )
    convened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    convened_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    held_at = models.DateTimeField(null=True, blank=True)
    information_considered = models.TextField(blank=True)
    decision = models.CharField(max_length=30, choices=Decision.choices, blank=True)
    decision_rationale = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    recorded_at = models.DateTimeField(null=True, blank=True)
    cancelled_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["scheduled_for", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.scheduled_for:%d/%m/%Y %H:%M}"


class Attendee(models.Model):
    discussion = models.ForeignKey(StrategyDiscussion, on_delete=models.CASCADE, related_name="attendees")
    agency = models.ForeignKey("partnership.Agency", on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=200)
    job_title = models.CharField("role or job title", max_length=200, blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    attended = models.BooleanField(default=True, help_text="Untick for someone invited who did not attend.")

    class Meta:
        ordering = ["agency__name", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.agency})"


class StrategyAction(models.Model):
    """An action agreed at a discussion: it appears on its owner's queue until done."""

    discussion = models.ForeignKey(StrategyDiscussion, on_delete=models.CASCADE, related_name="actions")
    description = models.TextField()
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="strategy_actions")
    due_at = models.DateTimeField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    completion_note = models.TextField(blank=True)

    class Meta:
        ordering = ["due_at", "id"]

    @property
    def is_done(self) -> bool:
        return self.completed_at is not None
