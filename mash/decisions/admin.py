from django.contrib import admin

from mash.core.admin import AuditedModelAdmin

from .models import LetterTemplate


@admin.register(LetterTemplate)
class LetterTemplateAdmin(AuditedModelAdmin):
    list_display = ["outcome", "subject", "updated_at"]
