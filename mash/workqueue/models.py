from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class Alert(models.Model):
    """Something a manager must see at once: an urgent trigger, an agency's escalation, a consent decision."""

    class Kind(models.TextChoices):
        URGENT_TRIGGER = "urgent_trigger", "Urgent referral criteria met"
        ESCALATION = "escalation", "Heightened risk escalated by an agency"
        CONSENT_OVERRIDE = "consent_override", "Decision needed on sharing without consent"
        CUMULATIVE_HARM = "cumulative_harm", "Several low-level contacts: consider cumulative harm"
        EARLY_HELP_DECLINED = "early_help_declined", "Early help declined: consider escalation"
        DISPUTE = "dispute", "Professional disagreement raised"
        MALICIOUS_PROPOSED = "malicious_proposed", "A referral proposed as malicious needs a manager"

    contact = models.ForeignKey("intake.Contact", on_delete=models.CASCADE, related_name="alerts")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    message = models.TextField()
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    raised_at = models.DateTimeField(default=timezone.now)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-raised_at"]

    @property
    def is_open(self) -> bool:
        return self.acknowledged_at is None
