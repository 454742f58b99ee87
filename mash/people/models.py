"""The person index: every child and adult the MASH has known, and their history with services."""

from __future__ import annotations

from datetime import date

from django.db import models
from django.utils import timezone

from mash.domain.matching import phonetic_key


class Sex(models.TextChoices):
    MALE = "M", "Male"
    FEMALE = "F", "Female"
    UNKNOWN = "U", "Not known / not stated"


class Ethnicity(models.TextChoices):
    # DfE / Ofsted codes, so statutory returns map one to one.
    WBRI = "WBRI", "White British"
    WIRI = "WIRI", "White Irish"
    WIRT = "WIRT", "Traveller of Irish heritage"
    WOTH = "WOTH", "Any other White background"
    WROM = "WROM", "Gypsy/Roma"
    MWBC = "MWBC", "White and Black Caribbean"
    MWBA = "MWBA", "White and Black African"
    MWAS = "MWAS", "White and Asian"
    MOTH = "MOTH", "Any other Mixed background"
    AIND = "AIND", "Indian"
    APKN = "APKN", "Pakistani"
    ABAN = "ABAN", "Bangladeshi"
    AOTH = "AOTH", "Any other Asian background"
    BCRB = "BCRB", "Black Caribbean"
    BAFR = "BAFR", "Black African"
    BOTH = "BOTH", "Any other Black background"
    CHNE = "CHNE", "Chinese"
    OOTH = "OOTH", "Any other ethnic group"
    REFU = "REFU", "Refused"
    NOBT = "NOBT", "Information not yet obtained"


class Person(models.Model):
    forenames = models.CharField(max_length=150)
    surname = models.CharField(max_length=150)
    other_names = models.CharField("other names or aliases", max_length=300, blank=True)
    date_of_birth = models.DateField(null=True, blank=True, db_index=True)
    expected_date_of_birth = models.DateField(
        null=True, blank=True, help_text="For an unborn child: the expected date of delivery."
    )
    sex = models.CharField(max_length=1, choices=Sex.choices, default=Sex.UNKNOWN)
    ethnicity = models.CharField(max_length=4, choices=Ethnicity.choices, default=Ethnicity.NOBT)
    first_language = models.CharField(max_length=100, blank=True)
    religion = models.CharField(max_length=100, blank=True)
    place_of_birth = models.CharField(max_length=150, blank=True)
    disability = models.TextField("disabilities or learning needs", blank=True)
    address = models.TextField(blank=True)
    postcode = models.CharField(max_length=10, blank=True, db_index=True)
    nhs_number = models.CharField("NHS number", max_length=10, blank=True, db_index=True)
    upn = models.CharField("unique pupil number", max_length=13, blank=True, db_index=True)
    school = models.CharField(max_length=200, blank=True)
    gp = models.CharField("GP practice", max_length=200, blank=True)
    # Blocking keys for search, kept in step with the names on every save.
    surname_key = models.CharField(max_length=40, db_index=True, editable=False)
    forename_key = models.CharField(max_length=40, db_index=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    # A confirmed duplicate is never deleted: it stays as a source record pointing at the person it
    # was merged into, drops out of searches and lists, and comes back if the merge is undone.
    merged_into = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="merged_records", editable=False
    )

    class Meta:
        ordering = ["surname", "forenames"]
        verbose_name_plural = "people"
        indexes = [
            # Interactive search blocks on both name keys together (and swapped), so 1M people stay fast.
            models.Index(fields=["surname_key", "forename_key", "date_of_birth"], name="person_name_keys_dob"),
            models.Index(fields=["date_of_birth", "surname_key"], name="person_dob_surname_key"),
            models.Index(fields=["date_of_birth", "forename_key"], name="person_dob_forename_key"),
        ]

    def __str__(self) -> str:
        return self.full_name

    def save(self, *args: object, **kwargs: object) -> None:
        self.surname_key = phonetic_key(self.surname)[:40]
        self.forename_key = phonetic_key(self.forenames.split(" ")[0] if self.forenames else "")[:40]
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    @property
    def full_name(self) -> str:
        return f"{self.forenames} {self.surname}".strip()

    @property
    def is_unborn(self) -> bool:
        return self.date_of_birth is None and self.expected_date_of_birth is not None

    def age_on(self, day: date) -> int | None:
        if self.date_of_birth is None:
            return None
        dob = self.date_of_birth
        return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))

    @property
    def age(self) -> int | None:
        return self.age_on(timezone.localdate())


class Relationship(models.Model):
    """A tie between two people: parent, sibling, household member, significant adult."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="relationships")
    relative = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="related_to")
    relationship = models.CharField(max_length=100, help_text="What the relative is to the person, e.g. 'mother'.")
    lives_with = models.BooleanField(default=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["person", "relative"], name="unique_relationship")]

    def __str__(self) -> str:
        return f"{self.relative} is {self.relationship} of {self.person}"


class InvolvementKind(models.TextChoices):
    SOCIAL_CARE = "social_care", "Children's social care case"
    CHILD_PROTECTION = "child_protection", "Child protection plan"
    CHILD_IN_NEED = "child_in_need", "Child in need plan"
    EARLY_HELP = "early_help", "Early help episode"


SOCIAL_WORK_KINDS = (InvolvementKind.SOCIAL_CARE, InvolvementKind.CHILD_PROTECTION, InvolvementKind.CHILD_IN_NEED)


class Involvement(models.Model):
    """A period of work with a child by social care or early help (the history check)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="involvements")
    kind = models.CharField(max_length=30, choices=InvolvementKind.choices)
    team = models.ForeignKey("partnership.Team", on_delete=models.PROTECT, related_name="involvements")
    allocated_worker = models.CharField(
        "allocated worker or lead professional", max_length=200, blank=True
    )
    worker_phone = models.CharField(max_length=40, blank=True)
    started_on = models.DateField()
    closed_on = models.DateField(null=True, blank=True)
    closure_reason = models.CharField(max_length=200, blank=True)
    summary = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_on"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.team})"

    @property
    def is_open(self) -> bool:
        return self.closed_on is None
