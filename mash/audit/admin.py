from django.contrib import admin

from .models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the audit log can be searched here but never edited or deleted."""

    list_display = ["sequence", "occurred_at", "actor_username", "actor_role", "action", "object_type", "object_id"]
    list_filter = ["action", "actor_role"]
    search_fields = ["actor_username", "object_id", "summary"]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
