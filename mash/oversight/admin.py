from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin

from mash.core.admin import AuditedModelAdmin

from .models import PracticeStandard


class PracticeStandardForm(forms.ModelForm):
    class Meta:
        model = PracticeStandard
        fields = ["code", "text", "evidence_rule", "order", "is_active"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from .services import evidence_choices

        super().__init__(*args, **kwargs)
        self.fields["evidence_rule"] = forms.ChoiceField(
            label="Evidence from the record",
            choices=evidence_choices(),
            required=False,
            help_text="What the product reads from the record and shows beside the tick for this standard.",
        )


@admin.register(PracticeStandard)
class PracticeStandardAdmin(AuditedModelAdmin):
    """The partnership's practice standards (seed 002 App. D): wording, order and evidence are configuration."""

    form = PracticeStandardForm
    list_display = ["code", "short_text", "evidence_rule", "order", "is_active"]
    list_editable = ["order", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["code", "text"]

    @admin.display(description="Standard")
    def short_text(self, obj: PracticeStandard) -> str:
        return obj.text if len(obj.text) <= 90 else f"{obj.text[:87]}..."

    def has_delete_permission(self, request: Any, obj: PracticeStandard | None = None) -> bool:
        # Ticks refer to standards: retire a standard (untick "is active") rather than delete it.
        if obj is not None and obj.checks.exists():
            return False
        return super().has_delete_permission(request, obj)
