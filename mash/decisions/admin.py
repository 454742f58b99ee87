from django.contrib import admin

from .models import LetterTemplate


@admin.register(LetterTemplate)
class LetterTemplateAdmin(admin.ModelAdmin):
    list_display = ["outcome", "subject", "updated_at"]
