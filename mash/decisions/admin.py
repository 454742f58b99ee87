from django.contrib import admin

from mash.core.admin import AuditedModelAdmin

from .models import LetterTemplate

FIELDS_HELP = (
    "The subject and body are templates. They can use only these shareable fields: child_name, child_first_name, child_dob, "
    "contact_reference, received_date, outcome, outcome_explanation, receiving_team, receiving_team_phone, destination, "
    "mash_phone, signatory, partnership_name, today; plus referrer_name in letters to the referrer and family_name in "
    "letters to the family. Nothing else reaches a letter: never the concern, agency information or notes, and the family "
    "letter never names the referrer."
)


@admin.register(LetterTemplate)
class LetterTemplateAdmin(AuditedModelAdmin):
    list_display = ["outcome", "recipient", "subject", "updated_at"]
    list_filter = ["recipient", "outcome"]
    search_fields = ["subject", "body"]
    fieldsets = [(None, {"fields": ["outcome", "recipient", "subject", "body"], "description": FIELDS_HELP})]
