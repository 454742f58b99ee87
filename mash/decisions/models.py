from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator
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
    ADULT_SOCIAL_CARE = "adult_social_care", "Refer to adult social care"
    OTHER_LOCAL_AUTHORITY = "other_local_authority", "Transfer to another local authority"
    POLICE_ACTION = "police_action", "Police action"
    MARAC = "marac", "MARAC referral (high-risk domestic abuse)"


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
        SUPERSEDED = "superseded", "Changed after a professional disagreement"

    contact = models.ForeignKey("intake.Contact", on_delete=models.CASCADE, related_name="decisions")
    analysis = models.TextField()
    outcome = models.CharField("recommended outcome", max_length=30, choices=Outcome.choices)
    rationale = models.TextField()
    receiving_team = models.ForeignKey(
        "partnership.Team", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    destination = models.CharField(
        "where the child is passed", max_length=200, blank=True,
        help_text="The other local authority, adult social care team or police unit, when the outcome passes the child outside the partnership's teams.",
    )
    dash_score = models.PositiveSmallIntegerField(
        "DASH risk checklist score", null=True, blank=True, validators=[MaxValueValidator(24)],
        help_text="Number of 'yes' answers on the 24-question DASH risk checklist.",
    )
    marac_professional_judgement = models.BooleanField(
        "high risk on professional judgement", default=False,
        help_text="A MARAC referral below the DASH threshold, on the practitioner's judgement.",
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

    @property
    def spec(self):  # noqa: ANN201 (mash.domain.outcomes.OutcomeSpec)
        from mash.domain.outcomes import spec_for

        return spec_for(self.outcome)


class Recipient(models.TextChoices):
    REFERRER = "referrer", "Referrer"
    FAMILY = "family", "Family (parents or carers)"


class LetterTemplate(models.Model):
    """Wording of the outcome letter for one outcome; editable by an administrator.

    The body is a Django template. It is given only shareable fields (never sensitive
    information): child_name, child_dob, referrer_name, contact_reference, received_date,
    outcome, outcome_explanation, receiving_team, mash_phone, signatory.
    """

    outcome = models.CharField(max_length=30, choices=Outcome.choices)
    recipient = models.CharField(max_length=10, choices=Recipient.choices, default=Recipient.REFERRER)
    subject = models.CharField(max_length=200)
    body = models.TextField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["outcome", "recipient"]
        constraints = [models.UniqueConstraint(fields=["outcome", "recipient"], name="one_letter_template_per_outcome_and_recipient")]

    def __str__(self) -> str:
        return f"Letter to the {self.get_recipient_display().lower()}: {self.get_outcome_display()}"


class OutcomeLetter(models.Model):
    class Method(models.TextChoices):
        EMAIL = "email", "E-mail"
        POST = "post", "Post"
        SECURE_EMAIL = "secure_email", "Secure e-mail"
        HAND = "hand", "By hand"

    contact = models.ForeignKey("intake.Contact", on_delete=models.CASCADE, related_name="letters")
    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="letters")
    recipient = models.CharField(max_length=10, choices=Recipient.choices, default=Recipient.REFERRER)
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


class FeedbackCall(models.Model):
    """A section 47 outcome is given by telephone, not by letter (seed 002 §9 point 5)."""

    contact = models.ForeignKey("intake.Contact", on_delete=models.CASCADE, related_name="feedback_calls")
    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="feedback_calls")
    recipient = models.CharField(max_length=10, choices=Recipient.choices)
    spoken_to = models.CharField("name of the person spoken to", max_length=200)
    telephone = models.CharField(max_length=40, blank=True)
    called_at = models.DateTimeField("date and time of the call")
    summary = models.TextField("what they were told")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["called_at", "id"]


class FeedbackWithheld(models.Model):
    """Feedback to one recipient deliberately not given, with a manager's reason (e.g. telling the family would put the child at risk)."""

    contact = models.ForeignKey("intake.Contact", on_delete=models.CASCADE, related_name="feedback_withheld")
    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="feedback_withheld")
    recipient = models.CharField(max_length=10, choices=Recipient.choices)
    reason = models.TextField()
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["decision", "recipient"], name="withhold_feedback_once_per_recipient")]


class EarlyHelpReferral(models.Model):
    """A step down to early help, tracked so the next contact shows it and a refusal is not lost (seed 001 case 3)."""

    class Status(models.TextChoices):
        OFFERED = "offered", "Offered: waiting for the family's answer"
        ACCEPTED = "accepted", "Accepted by the family"
        DECLINED = "declined", "Declined by the family"
        NO_CONTACT = "no_contact", "Family could not be reached"

    class Escalation(models.TextChoices):
        ESCALATE = "escalate", "Escalate: re-assess the threshold"
        NOT_NEEDED = "not_needed", "Escalation considered and not needed"

    contact = models.ForeignKey("intake.Contact", on_delete=models.CASCADE, related_name="early_help_referrals")
    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="early_help_referrals")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, null=True, blank=True, related_name="early_help_referrals")
    team = models.ForeignKey("partnership.Team", on_delete=models.PROTECT, related_name="+")
    referred_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OFFERED)
    response_notes = models.TextField(blank=True)
    response_recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    response_recorded_at = models.DateTimeField(null=True, blank=True)
    escalation = models.CharField(max_length=12, choices=Escalation.choices, blank=True)
    escalation_rationale = models.TextField(blank=True)
    escalation_decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    escalation_decided_at = models.DateTimeField(null=True, blank=True)
    reassessment_contact = models.ForeignKey(
        "intake.Contact", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        help_text="The new contact opened to re-assess the threshold.",
    )

    class Meta:
        ordering = ["-referred_at"]


class MaliciousFinding(models.Model):
    """A referral recorded as malicious: only after a full multi-agency assessment, a conversation
    with the referrer and a manager's agreement (seed 001 §8, National Panel 2022)."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", "Proposed: waiting for a manager"
        AGREED = "agreed", "Agreed by a manager: recorded as malicious"
        REFUSED = "refused", "Not agreed by a manager"

    contact = models.ForeignKey("intake.Contact", on_delete=models.CASCADE, related_name="malicious_findings")
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField(default=timezone.now)
    rationale = models.TextField()
    assessment_summary = models.TextField("the multi-agency assessment that was done")
    referrer_spoken_at = models.DateTimeField("when the referrer was spoken to", null=True, blank=True)
    referrer_spoken_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    referrer_conversation = models.TextField("what the referrer said", blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PROPOSED)
    manager = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    manager_decided_at = models.DateTimeField(null=True, blank=True)
    manager_comment = models.TextField(blank=True)

    class Meta:
        ordering = ["-proposed_at"]
