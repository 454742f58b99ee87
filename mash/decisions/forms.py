from __future__ import annotations

from typing import Any

from django import forms

from mash.core.forms import GovukForm, GovukRadios
from mash.partnership.models import Team

from .models import Outcome, OutcomeLetter

NEEDS_TEAM = {Outcome.EARLY_HELP, Outcome.S17_ASSESSMENT, Outcome.S47_STRATEGY, Outcome.TRANSFER_ALLOCATED, Outcome.TRANSFER_PREVIOUS_TEAM}


class RecommendationForm(GovukForm):
    analysis = forms.CharField(
        label="Analysis",
        help_text="What the information means for this child, in the light of the history and the current concern.",
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": "Enter your analysis."},
    )
    outcome = forms.ChoiceField(label="Recommended outcome", choices=Outcome.choices, widget=GovukRadios, error_messages={"required": "Choose the recommended outcome."})
    receiving_team = forms.ModelChoiceField(
        label="Receiving team", queryset=Team.objects.exclude(kind="mash"), required=False,
        help_text="Needed for every outcome that passes the child to a team.",
    )
    rationale = forms.CharField(
        label="Rationale", help_text="Why this outcome and not another.", widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Explain the rationale for the outcome."},
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("outcome") in NEEDS_TEAM and not data.get("receiving_team"):
            self.add_error("receiving_team", "Choose the team that will receive the child.")
        return data


class ReviewForm(GovukForm):
    verdict = forms.ChoiceField(
        label="Do you agree with the recommendation?",
        choices=[("agree", "Yes, sign off the outcome"), ("challenge", "No, challenge it and send it back to the decision maker")],
        widget=GovukRadios,
        error_messages={"required": "Choose whether you agree or challenge."},
    )
    comment = forms.CharField(
        label="Manager's comment", required=False, widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Required when you challenge: say what needs to be reconsidered.",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("verdict") == "challenge" and not data.get("comment", "").strip():
            self.add_error("comment", "Say why you are challenging the recommendation.")
        return data


class LetterSentForm(GovukForm):
    method = forms.ChoiceField(label="How was the letter sent?", choices=OutcomeLetter.Method.choices, widget=GovukRadios, error_messages={"required": "Choose how the letter was sent."})
