from django.contrib import admin

from mash.core.admin import AuditedModelAdmin

from .models import (
    Agency,
    ClosureDay,
    ConcernCategory,
    DisputeLevel,
    LawfulBasis,
    LevelOfNeed,
    OfficeHours,
    Partnership,
    RagRating,
    Team,
    UrgentTrigger,
)


@admin.register(Partnership)
class PartnershipAdmin(AuditedModelAdmin):
    fieldsets = [
        (None, {"fields": ["name", "local_authority_code", "bank_holiday_region", "mash_phone", "mash_address", "letter_sign_off_name"]}),
        ("Rules", {"fields": ["twelve_week_rule_weeks", "repeat_contact_window_days"]}),
        (
            "Timescales",
            {
                "fields": [
                    ("triage_amount", "triage_unit"),
                    ("decision_amount", "decision_unit"),
                    ("mash_exit_amount", "mash_exit_unit"),
                    ("written_record_amount", "written_record_unit"),
                    ("feedback_amount", "feedback_unit"),
                ]
            },
        ),
        ("Information requests (Stage 2)", {"fields": ["request_warning_hours", ("chase_amount", "chase_unit")]}),
        (
            "Outcomes and oversight",
            {
                "fields": [
                    ("strategy_amount", "strategy_unit"),
                    ("dispute_amount", "dispute_unit"),
                    "nfa_audit_percent",
                    ("cumulative_window_days", "cumulative_threshold", "cumulative_max_level"),
                ]
            },
        ),
    ]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return not Partnership.objects.exists()


@admin.register(OfficeHours)
class OfficeHoursAdmin(AuditedModelAdmin):
    list_display = ["weekday", "opens", "closes"]


@admin.register(ClosureDay)
class ClosureDayAdmin(AuditedModelAdmin):
    list_display = ["date", "reason"]


@admin.register(Agency)
class AgencyAdmin(AuditedModelAdmin):
    list_display = ["name", "kind", "is_mash_partner", "required_at_strategy", "is_active", "duty_email", "duty_phone"]
    list_filter = ["kind", "is_mash_partner", "is_active"]


@admin.register(Team)
class TeamAdmin(AuditedModelAdmin):
    list_display = ["name", "kind", "agency", "manager_name"]


@admin.register(LevelOfNeed)
class LevelOfNeedAdmin(AuditedModelAdmin):
    list_display = ["level", "name"]


@admin.register(RagRating)
class RagRatingAdmin(AuditedModelAdmin):
    list_display = ["name", "code", "priority", "sharing_amount", "sharing_unit", "outcome_amount", "outcome_unit"]


@admin.register(UrgentTrigger)
class UrgentTriggerAdmin(AuditedModelAdmin):
    list_display = ["label", "audience", "order", "is_active"]
    list_editable = ["order", "is_active"]


@admin.register(ConcernCategory)
class ConcernCategoryAdmin(AuditedModelAdmin):
    list_display = ["name", "code", "order", "is_active"]
    list_editable = ["order", "is_active"]


@admin.register(LawfulBasis)
class LawfulBasisAdmin(AuditedModelAdmin):
    list_display = ["name", "legislation", "special_category", "order", "is_active"]
    list_editable = ["order", "is_active"]


@admin.register(DisputeLevel)
class DisputeLevelAdmin(AuditedModelAdmin):
    list_display = ["order", "level", "amount", "unit"]
