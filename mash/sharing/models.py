"""MASH Stage 2: information requests, agency responses and the sharing log, inside the firewall.

What an agency shares stays here as it was given. What leaves the MASH with an outcome is a
separate, derived thing (see `services.outbound_pack`): sensitive and withheld items stay
behind, and redacted text travels in place of the original.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from mash.domain.sharing import is_overdue


class RequestStatus(models.TextChoices):
    SENT = "sent", "Sent, not opened yet"
    OPENED = "opened", "Opened by the agency"
    DRAFTING = "drafting", "Response in progress"
    ANSWERED = "answered", "Answered"
    NOTHING_HELD = "nothing_held", "Answered: nothing held"
    WITHDRAWN = "withdrawn", "Withdrawn"


OPEN_REQUEST_STATUSES = frozenset({RequestStatus.SENT, RequestStatus.OPENED, RequestStatus.DRAFTING})
ANSWERED_STATUSES = frozenset({RequestStatus.ANSWERED, RequestStatus.NOTHING_HELD})


class InformationRequestQuerySet(models.QuerySet["InformationRequest"]):
    def open(self) -> InformationRequestQuerySet:
        return self.filter(status__in=[s.value for s in OPEN_REQUEST_STATUSES])

    def answered(self) -> InformationRequestQuerySet:
        return self.filter(status__in=[s.value for s in ANSWERED_STATUSES])


class InformationRequest(models.Model):
    """One question from the MASH to one agency about one contact, with its deadline."""

    contact = models.ForeignKey("intake.Contact", on_delete=models.CASCADE, related_name="information_requests")
    agency = models.ForeignKey("partnership.Agency", on_delete=models.PROTECT, related_name="information_requests")
    question = models.TextField("what the MASH needs to know from this agency")
    concern_summary = models.TextField(
        "the concern, as shared with the agency",
        help_text="Only what the agency needs to search its records and analyse what it holds.",
    )
    lawful_bases = models.ManyToManyField("partnership.LawfulBasis", related_name="information_requests")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now, db_index=True)
    due_at = models.DateTimeField(db_index=True)
    status = models.CharField(max_length=20, choices=RequestStatus.choices, default=RequestStatus.SENT, db_index=True)

    # Repeat contacts (seed 002 §12): the agency updates what it shared last time.
    previous_stage2_at = models.DateTimeField("date of the previous Stage 2", null=True, blank=True)
    previous_contact = models.ForeignKey(
        "intake.Contact", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    previous_request = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    opened_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_reason = models.TextField(blank=True)
    last_chased_at = models.DateTimeField(null=True, blank=True)
    next_chase_at = models.DateTimeField(null=True, blank=True)
    chase_count = models.PositiveSmallIntegerField(default=0)

    objects = InformationRequestQuerySet.as_manager()

    class Meta:
        ordering = ["due_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["contact", "agency"],
                condition=~Q(status="withdrawn"),
                name="one_live_request_per_agency_per_contact",
            )
        ]

    def __str__(self) -> str:
        return f"{self.contact.reference} → {self.agency}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_REQUEST_STATUSES

    @property
    def is_answered(self) -> bool:
        return self.status in ANSWERED_STATUSES

    @property
    def is_overdue(self) -> bool:
        return self.is_open and is_overdue(self.due_at, timezone.now())

    @property
    def answered_late(self) -> bool:
        return self.answered_at is not None and self.answered_at > self.due_at


class ItemKind(models.TextChoices):
    FACT = "fact", "Fact"
    OPINION = "opinion", "Professional opinion"
    UNVERIFIED = "unverified", "Unverified or hearsay"


class AgencyResponse(models.Model):
    """An agency's answer: what it holds, what it means for this child ('so what?'), what it recommends."""

    request = models.OneToOneField(InformationRequest, on_delete=models.CASCADE, related_name="response")
    nothing_held = models.BooleanField("nothing held", default=False)
    analysis = models.TextField("what this information means for this child (so what?)", blank=True)
    recommendation = models.TextField("the agency's recommendation", blank=True)
    withheld_summary = models.TextField(
        "information held but not shared", blank=True, help_text="Describe it without disclosing it."
    )
    withheld_reason = models.TextField("why it is not shared", blank=True)
    # What travels with the outcome when a redaction has been made; empty means the original travels.
    outbound_analysis = models.TextField(blank=True)
    analysis_redacted = models.BooleanField(default=False)
    outbound_recommendation = models.TextField(blank=True)
    recommendation_redacted = models.BooleanField(default=False)
    started_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    @property
    def is_submitted(self) -> bool:
        return self.submitted_at is not None

    @property
    def agency(self):  # type: ignore[no-untyped-def]
        return self.request.agency

    def travelling_analysis(self) -> str:
        return self.outbound_analysis if self.analysis_redacted else self.analysis

    def travelling_recommendation(self) -> str:
        return self.outbound_recommendation if self.recommendation_redacted else self.recommendation


class InformationItem(models.Model):
    """One piece of what an agency holds, marked fact, opinion or unverified, and perhaps sensitive."""

    response = models.ForeignKey(AgencyResponse, on_delete=models.CASCADE, related_name="items")
    text = models.TextField("what the agency holds")
    kind = models.CharField(max_length=12, choices=ItemKind.choices)
    source = models.CharField("where it comes from", max_length=200, blank=True)
    recorded_on = models.DateField("date of the record or event", null=True, blank=True)
    is_sensitive = models.BooleanField(
        "sensitive or soft information",
        default=False,
        help_text="Stays inside the MASH: for the decision only, never sent on.",
    )
    sensitive_holder = models.CharField(
        "who holds it and can be asked about it", max_length=300, blank=True
    )
    outbound_text = models.TextField(blank=True)
    redacted = models.BooleanField(default=False)
    withheld = models.BooleanField("kept inside the MASH", default=False)
    withheld_reason = models.TextField(blank=True)
    order = models.PositiveSmallIntegerField(default=0)
    added_at = models.DateTimeField(default=timezone.now)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    shared_at = models.DateTimeField(null=True, blank=True, help_text="Empty while the response is a draft.")

    class Meta:
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} item from {self.response.request.agency}"

    @property
    def leaves_the_mash(self) -> bool:
        return not self.is_sensitive and not self.withheld

    def travelling_text(self) -> str:
        return self.outbound_text if self.redacted else self.text


class Redaction(models.Model):
    """Every redaction: the original and the travelling version, side by side (append-only)."""

    class Part(models.TextChoices):
        ITEM = "item", "Information item"
        ANALYSIS = "analysis", "Analysis"
        RECOMMENDATION = "recommendation", "Recommendation"
        WITHHOLD = "withhold", "Whole item kept inside the MASH"

    response = models.ForeignKey(AgencyResponse, on_delete=models.CASCADE, related_name="redactions")
    item = models.ForeignKey(InformationItem, on_delete=models.CASCADE, null=True, blank=True, related_name="redactions")
    part = models.CharField(max_length=20, choices=Part.choices)
    original = models.TextField()
    redacted = models.TextField(blank=True)
    reason = models.TextField()
    redacted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    redacted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["redacted_at", "id"]


class PendingEnquiry(models.Model):
    """An enquiry still waiting inside the agency: when, from whom (name and designation) (seed 002 §10)."""

    request = models.ForeignKey(InformationRequest, on_delete=models.CASCADE, related_name="pending_enquiries")
    requested_at = models.DateTimeField("when it was requested")
    from_name = models.CharField("requested from (name)", max_length=200)
    from_designation = models.CharField("their designation", max_length=200)
    from_service = models.CharField("team or service", max_length=200, blank=True)
    about = models.TextField("what was asked", blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)
    received_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["requested_at", "id"]

    @property
    def is_outstanding(self) -> bool:
        return self.received_at is None


class Escalation(models.Model):
    """An agency found information that heightens the risk: the manager must consider acting now."""

    request = models.ForeignKey(InformationRequest, on_delete=models.CASCADE, related_name="escalations")
    concern = models.TextField("what heightens the risk")
    phoned_manager = models.BooleanField("the agency has also telephoned the MASH manager", default=False)
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    raised_at = models.DateTimeField(default=timezone.now)
    alert = models.OneToOneField("workqueue.Alert", on_delete=models.SET_NULL, null=True, blank=True, related_name="escalation")
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    responded_at = models.DateTimeField(null=True, blank=True)
    action_taken = models.TextField("the manager's response and any immediate action", blank=True)

    class Meta:
        ordering = ["-raised_at"]

    @property
    def is_open(self) -> bool:
        return self.responded_at is None


class RequestNotice(models.Model):
    """What the agency is told about its request: new, brought forward, chased, withdrawn."""

    class Kind(models.TextChoices):
        NEW = "new", "New request"
        DEADLINE_TIGHTENED = "deadline_tightened", "Rating raised: expedite"
        CHASED = "chased", "Overdue: chased"
        WITHDRAWN = "withdrawn", "Withdrawn"
        ESCALATION_ANSWERED = "escalation_answered", "Escalation answered"

    request = models.ForeignKey(InformationRequest, on_delete=models.CASCADE, related_name="notices")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    message = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    read_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["-created_at", "-id"]


class Chase(models.Model):
    request = models.ForeignKey(InformationRequest, on_delete=models.CASCADE, related_name="chases")
    chased_at = models.DateTimeField(default=timezone.now)
    chased_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        help_text="Empty when the scheduled task chased.",
    )
    due_at = models.DateTimeField(help_text="The deadline that had passed.")
    message = models.TextField()
    emailed_to = models.EmailField(blank=True)

    class Meta:
        ordering = ["chased_at", "id"]

    @property
    def automatic(self) -> bool:
        return self.chased_by_id is None


class ConsentChange(models.Model):
    """Each time whether parents and child were informed, and consent, is recorded or reviewed."""

    contact = models.ForeignKey("intake.Contact", on_delete=models.CASCADE, related_name="consent_changes")
    parents_aware = models.CharField(max_length=10)
    child_aware = models.CharField(max_length=10)
    consent = models.CharField(max_length=12)
    consent_not_sought_reason = models.CharField(max_length=20, blank=True)
    notes = models.TextField(blank=True)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["changed_at", "id"]


class ConsentOverride(models.Model):
    """A team manager's decision to share without consent: the lawful basis and the rationale (seed 002 §6)."""

    contact = models.ForeignKey("intake.Contact", on_delete=models.CASCADE, related_name="consent_overrides")
    consent_at_the_time = models.CharField(max_length=12)
    lawful_bases = models.ManyToManyField("partnership.LawfulBasis", related_name="+")
    rationale = models.TextField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["recorded_at", "id"]


class SharingLogEntry(models.Model):
    """Golden rule 7: every decision to share or not to share, with what, who, when, why and the basis.

    `what` describes the information without repeating it, so the log can be searched by a data
    protection officer without exposing sensitive content.
    """

    class Kind(models.TextChoices):
        REQUESTED = "requested", "Information requested"
        NOT_REQUESTED = "not_requested", "Decided not to ask an agency"
        SHARED_WITH_MASH = "shared_with_mash", "Shared with the MASH"
        NOTHING_HELD = "nothing_held", "Nothing held"
        WITHHELD_BY_AGENCY = "withheld_by_agency", "Agency decided not to share"
        ESCALATED = "escalated", "Heightened risk escalated"
        CONSENT_OVERRIDDEN = "consent_overridden", "Sharing without consent agreed"
        REDACTED = "redacted", "Redacted before leaving the MASH"
        KEPT_IN_MASH = "kept_in_mash", "Kept inside the MASH"
        SHARED_ONWARD = "shared_onward", "Shared with the receiving team"
        WITHDRAWN = "withdrawn", "Request withdrawn"

    NOT_SHARING_KINDS = frozenset({Kind.NOT_REQUESTED, Kind.WITHHELD_BY_AGENCY, Kind.KEPT_IN_MASH, Kind.REDACTED, Kind.WITHDRAWN})

    contact = models.ForeignKey("intake.Contact", on_delete=models.CASCADE, related_name="sharing_log")
    request = models.ForeignKey(InformationRequest, on_delete=models.SET_NULL, null=True, blank=True, related_name="log_entries")
    kind = models.CharField(max_length=30, choices=Kind.choices, db_index=True)
    shared = models.BooleanField(help_text="False for a decision not to share.")
    what = models.TextField()
    from_user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    from_party = models.CharField("from", max_length=200)
    to_party = models.CharField("to", max_length=200)
    from_agency = models.ForeignKey("partnership.Agency", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    to_agency = models.ForeignKey("partnership.Agency", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    why = models.TextField(blank=True)
    lawful_bases = models.ManyToManyField("partnership.LawfulBasis", blank=True, related_name="+")
    occurred_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name_plural = "sharing log entries"
