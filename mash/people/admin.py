from django.contrib import admin

from mash.core.admin import AuditedModelAdmin

from .models import Involvement


@admin.register(Involvement)
class InvolvementAdmin(AuditedModelAdmin):
    """Reference data of social care and early help episodes (normally fed from the case system)."""

    list_display = ["person", "kind", "team", "allocated_worker", "started_on", "closed_on"]
    list_filter = ["kind", "team"]
    raw_id_fields = ["person"]
