"""Partnership configuration: the data an administrator edits, never constants in code.

Timescales, RAG descriptors, levels of need, office hours, closures, agencies, teams and
urgent-referral triggers differ between partnerships (the Northamptonshire procedure's own
two RAG tables disagree), so every one of them is a row here.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from mash.domain.worktime import Timescale, TimescaleUnit


class TimescaleUnitChoices(models.TextChoices):
    WORKING_HOURS = TimescaleUnit.WORKING_HOURS.value, "working hours"
    WORKING_DAYS = TimescaleUnit.WORKING_DAYS.value, "working days"
    CALENDAR_HOURS = TimescaleUnit.CALENDAR_HOURS.value, "hours (clock time)"
    CALENDAR_DAYS = TimescaleUnit.CALENDAR_DAYS.value, "days (clock time)"


def amount_field(verbose: str, default: str) -> models.DecimalField:
    return models.DecimalField(
        f"{verbose}: amount",
        max_digits=6,
        decimal_places=2,
        default=Decimal(default),
        validators=[MinValueValidator(Decimal("0"))],
    )


def unit_field(verbose: str, default: str) -> models.CharField:
    return models.CharField(f"{verbose}: unit", max_length=20, choices=TimescaleUnitChoices.choices, default=default)


class Partnership(models.Model):
    """The one safeguarding partnership this installation serves (a singleton row)."""

    name = models.CharField(max_length=200)
    local_authority_code = models.CharField(
        "local authority code", max_length=3, blank=True, help_text="DfE LA number, used in statutory returns."
    )
    bank_holiday_region = models.CharField(
        max_length=3,
        choices=[("ENG", "England and Wales"), ("SCT", "Scotland"), ("NIR", "Northern Ireland")],
        default="ENG",
    )
    twelve_week_rule_weeks = models.PositiveSmallIntegerField(
        "weeks for the 'recently closed' rule",
        default=12,
        help_text="A child closed to a social work team within this many weeks returns to that team.",
    )
    repeat_contact_window_days = models.PositiveSmallIntegerField(
        "repeat contact window (days)", default=365
    )
    triage_amount = amount_field("Triage by a decision maker", "1")
    triage_unit = unit_field("Triage by a decision maker", "working_days")
    decision_amount = amount_field("Decision on the type of response", "1")
    decision_unit = unit_field("Decision on the type of response", "working_days")
    mash_exit_amount = amount_field("Longest stay in the MASH without manager agreement", "24")
    mash_exit_unit = unit_field("Longest stay in the MASH without manager agreement", "calendar_hours")
    written_record_amount = amount_field("Recording a written contact", "24")
    written_record_unit = unit_field("Recording a written contact", "calendar_hours")
    feedback_amount = amount_field("Outcome letter after the decision", "24")
    feedback_unit = unit_field("Outcome letter after the decision", "calendar_hours")
    request_warning_hours = models.DecimalField(
        "warn when an information request is due within (hours)",
        max_digits=5,
        decimal_places=1,
        default=Decimal("2"),
        validators=[MinValueValidator(Decimal("0"))],
        help_text="Requests due within this many clock hours show as 'due soon' on the queues.",
    )
    chase_amount = amount_field("Chase an overdue information request again after", "2")
    chase_unit = unit_field("Chase an overdue information request again after", "working_hours")
    strategy_amount = amount_field("Strategy discussion after a section 47 outcome (ratings not marked 'same day')", "1")
    strategy_unit = unit_field("Strategy discussion after a section 47 outcome (ratings not marked 'same day')", "working_days")
    dispute_amount = amount_field("Resolve a professional disagreement", "1")
    dispute_unit = unit_field("Resolve a professional disagreement", "working_days")
    nfa_audit_percent = models.PositiveSmallIntegerField(
        "share of NFA outcomes drawn for audit each month (%)", default=20, validators=[MaxValueValidator(100)],
        help_text="Seed 002 §16: 20% of NFA cases are audited monthly by the MASH service manager.",
    )
    match_display_threshold = models.DecimalField(
        "person search: show candidates from this match probability", max_digits=5, decimal_places=4, default=Decimal("0.0001"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
        help_text="Candidates below this are noise. The prior is the trained model's: with a large index a real "
        "match with a typo and no postcode can be well under 1%, so keep this low; the best are shown first, with "
        "the reasons, and the officer decides.",
    )
    match_review_threshold = models.DecimalField(
        "batch linkage: queue pairs for review from this match probability", max_digits=5, decimal_places=4,
        default=Decimal("0.5000"), validators=[MinValueValidator(Decimal("0.0001")), MaxValueValidator(Decimal("0.9999"))],
        help_text="Pairs between this and the 'strong' threshold go to the review queue for a person to confirm or reject.",
    )
    match_strong_threshold = models.DecimalField(
        "batch linkage: strong match from this match probability", max_digits=5, decimal_places=4,
        default=Decimal("0.9900"), validators=[MinValueValidator(Decimal("0.0001")), MaxValueValidator(Decimal("0.9999"))],
        help_text="Strong pairs form clusters of likely duplicates; an extract row with one strong match is linked automatically.",
    )
    cumulative_window_days = models.PositiveSmallIntegerField(
        "cumulative harm: window (days)", default=365,
        help_text="Low-level contacts about a child or household within this many days are counted together.",
    )
    cumulative_threshold = models.PositiveSmallIntegerField(
        "cumulative harm: alert at this many low-level contacts", default=3, validators=[MinValueValidator(2)],
    )
    cumulative_max_level = models.PositiveSmallIntegerField(
        "cumulative harm: highest level of need counted as low-level", default=2,
        help_text="Contacts at or below this level of need, or ending in NFA, advice or early help, count as low-level.",
    )
    letter_sign_off_name = models.CharField(max_length=200, default="MASH Team Manager")
    mash_phone = models.CharField("MASH telephone number", max_length=40, blank=True)
    mash_address = models.TextField("MASH postal address", blank=True)

    class Meta:
        verbose_name = "partnership settings"
        verbose_name_plural = "partnership settings"

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.match_review_threshold is not None and self.match_strong_threshold is not None:
            if self.match_review_threshold > self.match_strong_threshold:
                raise ValidationError(
                    {"match_review_threshold": "The review threshold must not be above the strong-match threshold."}
                )

    def timescale(self, prefix: str) -> Timescale:
        return Timescale(getattr(self, f"{prefix}_amount"), TimescaleUnit(getattr(self, f"{prefix}_unit")))


class OfficeHours(models.Model):
    WEEKDAYS = [(0, "Monday"), (1, "Tuesday"), (2, "Wednesday"), (3, "Thursday"), (4, "Friday"), (5, "Saturday"), (6, "Sunday")]

    weekday = models.PositiveSmallIntegerField(choices=WEEKDAYS, unique=True)
    opens = models.TimeField(null=True, blank=True, help_text="Leave both times empty for a closed day.")
    closes = models.TimeField(null=True, blank=True)

    class Meta:
        ordering = ["weekday"]
        verbose_name_plural = "office hours"

    def __str__(self) -> str:
        day = self.get_weekday_display()
        return f"{day}: {self.opens:%H:%M}-{self.closes:%H:%M}" if self.opens else f"{day}: closed"

    def clean(self) -> None:
        if (self.opens is None) != (self.closes is None):
            raise ValidationError("Enter both an opening and a closing time, or neither for a closed day.")
        if self.opens and self.closes and self.closes <= self.opens:
            raise ValidationError({"closes": "Closing time must be after the opening time."})


class ClosureDay(models.Model):
    """A local closure on top of the bank holidays the `holidays` library already knows."""

    date = models.DateField(unique=True)
    reason = models.CharField(max_length=200)

    class Meta:
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} {self.reason}"


class AgencyKind(models.TextChoices):
    CHILDRENS_SOCIAL_CARE = "childrens_social_care", "Children's social care"
    EARLY_HELP = "early_help", "Early help"
    POLICE = "police", "Police"
    HEALTH = "health", "Health"
    EDUCATION = "education", "Education"
    PROBATION = "probation", "Probation"
    HOUSING = "housing", "Housing"
    YOUTH_OFFENDING = "youth_offending", "Youth offending service"
    MENTAL_HEALTH = "mental_health", "Mental health"
    SUBSTANCE_MISUSE = "substance_misuse", "Substance misuse"
    EARLY_YEARS = "early_years", "Early years"
    ADULT_SOCIAL_CARE = "adult_social_care", "Adult social care"
    OTHER_LOCAL_AUTHORITY = "other_local_authority", "Another local authority"
    OTHER = "other", "Other"


class Agency(models.Model):
    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=40, choices=AgencyKind.choices)
    is_mash_partner = models.BooleanField(default=True, help_text="Takes part in MASH information sharing.")
    is_active = models.BooleanField(default=True)
    duty_email = models.EmailField(
        "duty inbox", blank=True, help_text="Told of new, tightened and overdue requests (never with a child's details)."
    )
    duty_phone = models.CharField("duty telephone", max_length=40, blank=True)
    required_at_strategy = models.BooleanField(
        "expected at every strategy discussion", default=False,
        help_text="Working Together: social care, police and health at least. The product warns when none attends.",
    )

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "agencies"

    def __str__(self) -> str:
        return self.name


class TeamKind(models.TextChoices):
    MASH = "mash", "MASH"
    ASSESSMENT = "assessment", "Assessment / first response"
    SAFEGUARDING = "safeguarding", "Safeguarding / child protection"
    CHILDREN_IN_NEED = "children_in_need", "Children in need"
    EARLY_HELP = "early_help", "Early help"
    DISABILITY = "disability", "Children with disabilities"
    OTHER = "other", "Other"


class Team(models.Model):
    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=30, choices=TeamKind.choices)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="teams")
    manager_name = models.CharField(max_length=200, blank=True)
    phone = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class LevelOfNeed(models.Model):
    level = models.PositiveSmallIntegerField(unique=True)
    name = models.CharField(max_length=100)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["level"]
        verbose_name_plural = "levels of need"

    def __str__(self) -> str:
        return f"Level {self.level}: {self.name}"


class RagRating(models.Model):
    """A RAG rating and the timescales it sets for partners and for the MASH outcome."""

    code = models.CharField(max_length=10, unique=True, help_text="RED, AMBER or GREEN.")
    name = models.CharField(max_length=50)
    priority = models.PositiveSmallIntegerField(unique=True, help_text="1 is the most urgent.")
    descriptor = models.TextField(help_text="What the rating means, shown to decision makers.")
    typical_level = models.ForeignKey(LevelOfNeed, null=True, blank=True, on_delete=models.SET_NULL)
    sharing_amount = amount_field("Partner information sharing deadline", "8")
    sharing_unit = unit_field("Partner information sharing deadline", "working_hours")
    outcome_amount = amount_field("MASH outcome deadline", "1")
    outcome_unit = unit_field("MASH outcome deadline", "working_days")
    strategy_same_day = models.BooleanField(
        "strategy discussion the same day", default=False,
        help_text="A section 47 outcome at this rating needs its strategy discussion on the day of the decision.",
    )

    class Meta:
        ordering = ["priority"]

    def __str__(self) -> str:
        return self.name

    def sharing_timescale(self) -> Timescale:
        return Timescale(self.sharing_amount, TimescaleUnit(self.sharing_unit))

    def outcome_timescale(self) -> Timescale:
        return Timescale(self.outcome_amount, TimescaleUnit(self.outcome_unit))

    @property
    def tag_colour(self) -> str:
        return {"RED": "red", "AMBER": "orange", "GREEN": "green"}.get(self.code.upper(), "grey")


class UrgentTrigger(models.Model):
    """Appendix E criteria: ticking one alerts a manager at once."""

    class Audience(models.TextChoices):
        MASH_MANAGERS = "mash_managers", "MASH managers (progress to a strategy discussion the same day)"
        TEAM_MANAGER = "team_manager", "MASH team manager's immediate attention"

    code = models.SlugField(max_length=60, unique=True)
    label = models.CharField(max_length=300)
    audience = models.CharField(max_length=20, choices=Audience.choices)
    order = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.label


class LawfulBasis(models.Model):
    """A lawful basis or statutory gateway the partnership accepts for sharing (DOMAIN.md §4)."""

    code = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=200)
    legislation = models.CharField(max_length=200, help_text="The Act, article or common-law power.")
    description = models.TextField(blank=True, help_text="When it applies, shown next to the choice.")
    special_category = models.BooleanField(
        default=False, help_text="A condition for special category data (UK GDPR Article 9, DPA 2018 Schedule 1)."
    )
    order = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["order", "name"]
        verbose_name_plural = "lawful bases"

    def __str__(self) -> str:
        return self.name


class ConcernCategory(models.Model):
    code = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=200)
    order = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["order", "name"]
        verbose_name_plural = "concern categories"

    def __str__(self) -> str:
        return self.name


class DisputeLevel(models.Model):
    """One rung of the professional disagreement ladder (seed 002 §14) and how long it may take.

    Each step's deadline is the sooner of its own timescale and the whole dispute's deadline
    (Partnership.dispute_*), so the ladder as a whole ends within one working day.
    """

    class Level(models.TextChoices):
        TEAM_MANAGER = "team_manager", "Team managers"
        SERVICE_MANAGER = "service_manager", "Service managers"
        STRATEGIC_MANAGER = "strategic_manager", "Strategic managers"
        ASSISTANT_DIRECTOR = "assistant_director", "Assistant director"

    level = models.CharField(max_length=30, choices=Level.choices, unique=True)
    order = models.PositiveSmallIntegerField(unique=True, help_text="1 is the first rung.")
    amount = amount_field("Time allowed at this level", "2")
    unit = unit_field("Time allowed at this level", "working_hours")

    class Meta:
        ordering = ["order"]

    def __str__(self) -> str:
        return f"{self.order}. {self.get_level_display()}"

    def timescale(self) -> Timescale:
        return Timescale(self.amount, TimescaleUnit(self.unit))
