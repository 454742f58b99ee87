from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from mash.core.admin import AuditedModelAdmin

from .models import User


@admin.register(User)
class MashUserAdmin(AuditedModelAdmin, UserAdmin):
    list_display = ["username", "first_name", "last_name", "role", "agency", "team", "is_active"]
    list_filter = ["role", "agency", "is_active"]
    fieldsets = UserAdmin.fieldsets + (("MASH role", {"fields": ("role", "agency", "team", "job_title", "phone")}),)
    add_fieldsets = UserAdmin.add_fieldsets + (("MASH role", {"fields": ("role", "agency", "team", "job_title")}),)
