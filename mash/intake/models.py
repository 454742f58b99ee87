"""A contact: one concern about a child, from arrival to outcome."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from mash.domain.workflow import INITIAL_STATUS, STATUS_LABELS, ContactStatus
from mash.people.models import Ethnicity, Sex


class Channel(models.TextChoices):
    TELEPHONE = "telephone", "Telephone"
    ONLINE_FORM = "online_form", "Online referral form"
    EMAIL = "email", "E-mail"
    POLICE_NOTIFICATION = "police_notification", "Police notification"
    HEALTH_NOTIFICATION = "health_notification", "A&E / ambulance notification"
    LETTER = "letter", "Letter"
    IN_PERSON = "in_person", "In person"
    OUT_OF_HOURS = "out_of_hours", "Out-of-hours (EDT) handover"


class ContactType(models.TextChoices):
    NEW_CONCERN = "new_concern", "New concern"
    ADVICE = "advice", "Request for advice or consultation"
    POLICE_NOTIFICATION = "police_notification", "Police notification"
    REQUEST_FOR_INFORMATION = "request_for_information", "Request for information"


class ReferrerSource(models.TextChoices):
    # Ofsted Annex A / CIN census contact source codes.
    FAMILY = "1A", "Individual: family member, relative or carer"
    ACQUAINTANCE = "1B", "Individual: acquaintance, neighbour or childminder"
    SELF = "1C", "Individual: the child themself"
    OTHER_INDIVIDUAL = "1D", "Individual: other, including strangers"
    SCHOOL = "2A", "School"
    EDUCATION_SERVICES = "2B", "Education services"
    GP = "3A", "Health: GP"
    HEALTH_VISITOR = "3B", "Health: health visitor"
    SCHOOL_NURSE = "3C", "Health: school nurse"
    OTHER_PRIMARY_HEALTH = "3D", "Health: other primary health services"
    A_AND_E = "3E", "Health: A&E"
    OTHER_HEALTH = "3F", "Health: other health services"
    HOUSING = "4", "Housing"
    LA_SOCIAL_CARE = "5A", "Local authority: social care (e.g. adults)"
    LA_OTHER_INTERNAL = "5B", "Local authority: other internal (e.g. youth offending)"
    LA_EXTERNAL = "5C", "Local authority: external (e.g. another local authority)"
    LA_EARLY_HELP = "5D", "Local authority: early help"
    POLICE = "6", "Police"
    OTHER_LEGAL = "7", "Other legal agency (courts, probation, CAFCASS, prison)"
    OTHER = "8", "Other (children's centres, voluntary organisations)"
    ANONYMOUS = "9", "Anonymous"
    UNKNOWN = "10", "Unknown"


class Consent(models.TextChoices):
    GIVEN = "given", "Given"
    REFUSED = "refused", "Refused"
    NOT_SOUGHT = "not_sought", "Not sought"


class ConsentNotSoughtReason(models.TextChoices):
    # The only three reasons the information sharing guidance accepts (seed 002 App. F, 004).
    INCREASE_RISK = "increase_risk", "Seeking consent would increase the risk of harm to the child"
    PREJUDICE_CRIME = "prejudice_crime", "Seeking consent would prejudice the prevention or detection of serious crime"
    UNDUE_DELAY = "undue_delay", "Seeking consent would cause unjustified delay"


class ParentsAware(models.TextChoices):
    YES = "yes", "Yes"
    NO = "no", "No"
    NOT_KNOWN = "not_known", "Not known"


class IllegalStatusChange(Exception):
    """Somebody assigned Contact.status directly instead of going through the workflow."""


class ContactQuerySet(models.QuerySet["Contact"]):
    def open(self) -> ContactQuerySet:
        return self.exclude(status=ContactStatus.CLOSED)

    def update(self, **kwargs: Any) -> int:
        if "status" in kwargs:
            raise IllegalStatusChange("Contact status changes only through mash.intake.workflow.apply_event.")
        return super().update(**kwargs)


class Contact(models.Model):
    reference = models.CharField(max_length=20, unique=True, editable=False)
    status = models.CharField(
        max_length=30, choices=[(s.value, STATUS_LABELS[s]) for s in ContactStatus], default=INITIAL_STATUS.value,
        db_index=True, editable=False,
    )
    channel = models.CharField(max_length=30, choices=Channel.choices)
    contact_type = models.CharField(max_length=30, choices=ContactType.choices, default=ContactType.NEW_CONCERN)
    received_at = models.DateTimeField("date and time received", db_index=True)
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="contacts_recorded", null=True
    )

    # Referrer
    referrer_name = models.CharField("referrer's name", max_length=200, blank=True)
    referrer_role = models.CharField("referrer's role", max_length=200, blank=True)
    referrer_agency = models.CharField("referrer's organisation", max_length=200, blank=True)
    referrer_phone = models.CharField("referrer's telephone", max_length=40, blank=True)
    referrer_email = models.EmailField("referrer's e-mail", blank=True)
    referrer_address = models.TextField("referrer's postal address", blank=True)
    referrer_source = models.CharField("referrer type", max_length=3, choices=ReferrerSource.choices)
    referring_agency = models.ForeignKey(
        "partnership.Agency", on_delete=models.PROTECT, null=True, blank=True, related_name="referrals_made",
        verbose_name="referrer's agency (if a partner)",
        help_text="Lets the referrer's agency see the outcome and dispute it.",
    )

    # The concern (seed 004 referral form and the MASHO script of seed 002 App. A)
    concern_categories = models.ManyToManyField("partnership.ConcernCategory", blank=True, related_name="contacts")
    concern_details = models.TextField("what the concern is and the evidence for it")
    concern_when = models.TextField("when it happened and how often", blank=True)
    concern_how_known = models.TextField("how the referrer knows", blank=True)
    complicating_factors = models.TextField("other worries making it harder to keep the child safe", blank=True)
    impact_on_child = models.TextField("impact on the child")
    child_voice = models.TextField("what the child has said", blank=True)
    strengths_and_safety = models.TextField("strengths and who keeps the child safe", blank=True)
    safety_scale = models.PositiveSmallIntegerField(
        "safety scale (0 not safe at all, 10 safe and needs met)",
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(10)],
    )
    what_needs_to_change = models.TextField("what needs to change to move up the scale", blank=True)
    if_nothing_changes = models.TextField("what the referrer fears will happen if nothing changes", blank=True)
    referrer_wants = models.TextField("what the referrer wants to happen", blank=True)
    child_whereabouts = models.TextField("where the child is now")

    parents_aware = models.CharField(
        "do the parents or carers know about this contact?", max_length=10, choices=ParentsAware.choices
    )
    child_aware = models.CharField(
        "does the child know about this contact?", max_length=10, choices=ParentsAware.choices, default=ParentsAware.NOT_KNOWN
    )
    consent = models.CharField("consent to share information", max_length=12, choices=Consent.choices)
    consent_not_sought_reason = models.CharField(
        "why consent was not sought", max_length=20, choices=ConsentNotSoughtReason.choices, blank=True
    )
    consent_notes = models.TextField("consent notes", blank=True)

    # Triage (kept current here for queues; every change is in triage.RatingChange)
    level_of_need = models.ForeignKey("partnership.LevelOfNeed", on_delete=models.PROTECT, null=True, blank=True)
    rag_rating = models.ForeignKey("partnership.RagRating", on_delete=models.PROTECT, null=True, blank=True)

    # Deadlines, computed from partnership configuration (see mash.triage.deadlines)
    record_due_at = models.DateTimeField(null=True, blank=True)
    triage_due_at = models.DateTimeField(null=True, blank=True)
    decision_due_at = models.DateTimeField(null=True, blank=True, db_index=True)
    outcome_due_at = models.DateTimeField(null=True, blank=True, db_index=True)
    mash_exit_due_at = models.DateTimeField(null=True, blank=True)

    decided_at = models.DateTimeField(null=True, blank=True, help_text="When a manager signed off the outcome.")
    referral_at = models.DateTimeField(
        "became a referral", null=True, blank=True, db_index=True,
        help_text="When a manager agreed the threshold for social care was met (the statutory returns count this).",
    )
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = ContactQuerySet.as_manager()

    class Meta:
        ordering = ["-received_at"]
        permissions = []

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._persisted_status = self.status if not self._state.adding else None
        self._status_change_authorised = False

    @classmethod
    def from_db(cls, db: Any, field_names: Any, values: Any) -> Contact:
        instance = super().from_db(db, field_names, values)
        instance._persisted_status = instance.status
        return instance

    def __str__(self) -> str:
        return self.reference

    def refresh_from_db(self, using: Any = None, fields: Any = None, **kwargs: Any) -> None:
        super().refresh_from_db(using=using, fields=fields, **kwargs)
        if fields is None or "status" in fields:
            self._persisted_status = self.status

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self._state.adding and self.status != INITIAL_STATUS and not self._status_change_authorised:
            raise IllegalStatusChange("A new contact starts as 'recorded'; use the workflow to move it on.")
        if (
            not self._state.adding
            and self._persisted_status is not None
            and self.status != self._persisted_status
            and not self._status_change_authorised
        ):
            raise IllegalStatusChange(
                "Contact status changes only through mash.intake.workflow.apply_event (the state machine)."
            )
        super().save(*args, **kwargs)
        self._persisted_status = self.status
        self._status_change_authorised = False

    @property
    def status_enum(self) -> ContactStatus:
        return ContactStatus(self.status)

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status_enum]

    @property
    def subject_child(self) -> ContactPerson | None:
        return self.people.filter(role=ContactPerson.Role.SUBJECT_CHILD).first()

    @property
    def is_open(self) -> bool:
        return self.status != ContactStatus.CLOSED


class ContactPerson(models.Model):
    """A person named on a contact, as the referrer described them, and who they turned out to be."""

    class Role(models.TextChoices):
        SUBJECT_CHILD = "subject_child", "Child the concern is about"
        HOUSEHOLD_MEMBER = "household_member", "Household member"
        SIGNIFICANT_ADULT = "significant_adult", "Significant adult not living in the household"

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="people")
    role = models.CharField(max_length=20, choices=Role.choices)
    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, null=True, blank=True, related_name="contact_appearances"
    )
    linked_at = models.DateTimeField(null=True, blank=True)
    linked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    created_new_person = models.BooleanField(default=False)

    forenames = models.CharField(max_length=150, blank=True)
    surname = models.CharField(max_length=150, blank=True)
    other_names = models.CharField("other names or aliases", max_length=300, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    expected_date_of_birth = models.DateField(null=True, blank=True)
    sex = models.CharField(max_length=1, choices=Sex.choices, default=Sex.UNKNOWN)
    ethnicity = models.CharField(max_length=4, choices=Ethnicity.choices, default=Ethnicity.NOBT)
    first_language = models.CharField(max_length=100, blank=True)
    religion = models.CharField(max_length=100, blank=True)
    place_of_birth = models.CharField(max_length=150, blank=True)
    disability = models.TextField("disabilities or learning needs", blank=True)
    address = models.TextField(blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    school = models.CharField(max_length=200, blank=True)
    gp = models.CharField("GP practice", max_length=200, blank=True)
    nhs_number = models.CharField("NHS number", max_length=10, blank=True)
    upn = models.CharField("unique pupil number", max_length=13, blank=True)
    relationship = models.CharField("relationship to the child", max_length=100, blank=True)
    lives_with_child = models.BooleanField(default=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.forenames} {self.surname}".strip() or "(name not known)"


class StatusChange(models.Model):
    """Every move of a contact through the workflow: who, when, from, to, why."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="status_changes")
    event = models.CharField(max_length=30)
    from_status = models.CharField(max_length=30)
    to_status = models.CharField(max_length=30)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    occurred_at = models.DateTimeField(default=timezone.now)
    comment = models.TextField(blank=True)

    class Meta:
        ordering = ["occurred_at", "id"]
