from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class RatingChange(models.Model):
    """Every setting or change of a contact's level of need and RAG rating, with who, when and why."""

    contact = models.ForeignKey("intake.Contact", on_delete=models.CASCADE, related_name="rating_changes")
    previous_rag = models.ForeignKey("partnership.RagRating", on_delete=models.PROTECT, null=True, related_name="+")
    new_rag = models.ForeignKey("partnership.RagRating", on_delete=models.PROTECT, related_name="+")
    previous_level = models.ForeignKey("partnership.LevelOfNeed", on_delete=models.PROTECT, null=True, related_name="+")
    new_level = models.ForeignKey("partnership.LevelOfNeed", on_delete=models.PROTECT, related_name="+")
    reason = models.TextField()
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["changed_at", "id"]

    @property
    def is_initial(self) -> bool:
        return self.previous_rag_id is None


class UrgentTriggerFlag(models.Model):
    contact = models.ForeignKey("intake.Contact", on_delete=models.CASCADE, related_name="urgent_flags")
    trigger = models.ForeignKey("partnership.UrgentTrigger", on_delete=models.PROTECT, related_name="+")
    flagged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    flagged_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["flagged_at", "id"]
        constraints = [models.UniqueConstraint(fields=["contact", "trigger"], name="unique_trigger_per_contact")]
