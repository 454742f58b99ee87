from __future__ import annotations

from django import forms

from mash.core.forms import GovukCheckboxes, GovukForm, GovukRadios
from mash.partnership.models import LevelOfNeed, RagRating, UrgentTrigger


class RatingChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: RagRating) -> str:  # type: ignore[override]
        return f"{obj.name}: {obj.descriptor.splitlines()[0] if obj.descriptor else ''} (outcome within {obj.outcome_timescale().describe()})"


class RatingForm(GovukForm):
    level_of_need = forms.ModelChoiceField(
        label="Level of need", queryset=LevelOfNeed.objects.all(), widget=GovukRadios, empty_label=None,
        error_messages={"required": "Choose the level of need."},
    )
    rag_rating = RatingChoiceField(
        label="RAG rating", queryset=RagRating.objects.all(), widget=GovukRadios, empty_label=None,
        error_messages={"required": "Choose a RAG rating."},
    )
    reason = forms.CharField(
        label="Why this rating?",
        help_text="Your analysis of risk and need, so partners and the manager can follow your reasoning.",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Say why you chose this rating."},
    )


class TriageForm(RatingForm):
    urgent_triggers = forms.ModelMultipleChoiceField(
        label="Do any urgent referral criteria apply?",
        help_text="Ticking one alerts the MASH managers at once.",
        queryset=UrgentTrigger.objects.filter(is_active=True),
        required=False,
        widget=GovukCheckboxes,
    )
