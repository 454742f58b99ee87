from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class Outcome(models.TextChoices):
    NFA = "nfa", "No further action"
    ADVICE_SIGNPOST = "advice_signpost", "Advice and signposting to universal services"
    EARLY_HELP = "early_help", "Step down to early help"
    S17_ASSESSMENT = "s17_assessment", "Section 17 child in need assessment"
    S47_STRATEGY = "s47_strategy", "Section 47: child protection strategy discussion"
    TRANSFER_ALLOCATED = "transfer_allocated", "Transfer to the allocated worker"
    TRANSFER_PREVIOUS_TEAM = "transfer_previous_team", "Transfer to the previous team (recently closed)"


# Outcomes that make the contact a referral to children's social care.
REFERRAL_OUTCOMES = frozenset(
    {Outcome.S17_ASSESSMENT, Outcome.S47_STRATEGY, Outcome.TRANSFER_ALLOCATED, Outcome.TRANSFER_PREVIOUS_TEAM}
)


class Decision(models.Model):
    """A decision maker's recommended outcome and the manager's response to it.

    A challenged recommendation stays on record; the next recommendation is a new row, so
    the manager's footprint and the reasoning of every round remain visible.
    """

    class Review(models.TextChoices):
        PENDING = "pending", "Awaiting sign-off"
        AGREED = "agreed", "Agreed and signed off"
        CHALLENGED = "challenged", "Challenged"

    contact = models.ForeignKey("intake.Contact", on_delete=models.CASCADE, related_name="decisions")
    analysis = models.TextField()
    outcome = models.CharField("recommended outcome", max_length=30, choices=Outcome.choices)
    rationale = models.TextField()
    receiving_team = models.ForeignKey(
        "partnership.Team", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recommended_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recommended_at = models.DateTimeField(default=timezone.now)
    review = models.CharField(max_length=12, choices=Review.choices, default=Review.PENDING)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    manager_comment = models.TextField(blank=True)

    class Meta:
        ordering = ["recommended_at", "id"]

    @property
    def becomes_referral(self) -> bool:
        return self.outcome in REFERRAL_OUTCOMES


class LetterTemplate(models.Model):
    """Wording of the outcome letter for one outcome; editable by an administrator.

    The body is a Django template. It is given only shareable fields (never sensitive
    information): child_name, child_dob, referrer_name, contact_reference, received_date,
    outcome, outcome_explanation, receiving_team, mash_phone, signatory.
    """

    outcome = models.CharField(max_length=30, choices=Outcome.choices, unique=True)
    subject = models.CharField(max_length=200)
    body = models.TextField()
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Letter to the referrer: {self.get_outcome_display()}"


class OutcomeLetter(models.Model):
    class Method(models.TextChoices):
        EMAIL = "email", "E-mail"
        POST = "post", "Post"
        SECURE_EMAIL = "secure_email", "Secure e-mail"
        HAND = "hand", "By hand"

    contact = models.ForeignKey("intake.Contact", on_delete=models.CASCADE, related_name="letters")
    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="letters")
    recipient_name = models.CharField(max_length=200)
    recipient_address = models.TextField(blank=True)
    subject = models.CharField(max_length=200)
    body = models.TextField()
    generated_at = models.DateTimeField(default=timezone.now)
    generated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    sent_at = models.DateTimeField(null=True, blank=True)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    sent_method = models.CharField(max_length=20, choices=Method.choices, blank=True)

    class Meta:
        ordering = ["-generated_at"]

    @property
    def is_sent(self) -> bool:
        return self.sent_at is not None
