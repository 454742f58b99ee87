from __future__ import annotations

from typing import Any

from django import forms

from mash.core.forms import GovukDateTimeField, GovukForm, GovukRadios
from mash.partnership.models import Team

from .models import Outcome, OutcomeLetter


class RecommendationForm(GovukForm):
    """The decision maker's recommendation. The outcome rules live in mash.domain.outcomes and are
    enforced by decisions.services.recommend; the view shows its refusals next to the fields."""

    analysis = forms.CharField(
        label="Analysis",
        help_text="What the information means for this child, in the light of the history and the current concern.",
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": "Enter your analysis."},
    )
    outcome = forms.ChoiceField(label="Recommended outcome", choices=Outcome.choices, widget=GovukRadios, error_messages={"required": "Choose the recommended outcome."})
    receiving_team = forms.ModelChoiceField(
        label="Receiving team", queryset=Team.objects.exclude(kind="mash"), required=False,
        help_text="Needed for early help, section 17, section 47 and both transfers.",
    )
    destination = forms.CharField(
        label="Where the information goes", required=False, max_length=200,
        help_text="Needed for adult social care, another local authority, police action and MARAC: name the team, authority, police unit or MARAC.",
    )
    dash_score = forms.IntegerField(
        label="DASH risk checklist score", required=False, min_value=0, max_value=24,
        help_text="For a MARAC referral: the number of 'yes' answers on the 24-question DASH checklist (14 or more is high risk).",
        error_messages={
            "invalid": "Enter the DASH score as a whole number from 0 to 24.",
            "min_value": "The DASH score cannot be less than 0.",
            "max_value": "The DASH score cannot be more than 24: the checklist has 24 questions.",
        },
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-3"}),
    )
    marac_professional_judgement = forms.BooleanField(
        label="High risk on professional judgement", required=False,
        help_text="Tick to refer to MARAC below the DASH threshold; explain why in the rationale.",
    )
    rationale = forms.CharField(
        label="Rationale", help_text="Why this outcome and not another.", widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Explain the rationale for the outcome."},
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        outcome = data.get("outcome")
        if outcome and "dash_score" not in self.errors:
            from mash.domain.outcomes import recommendation_problems

            # The rules that need no history; the service checks the rest (and these again).
            problems = recommendation_problems(
                outcome,
                team_chosen=data.get("receiving_team") is not None,
                destination=data.get("destination") or "",
                dash_score=data.get("dash_score"),
                professional_judgement=bool(data.get("marac_professional_judgement")),
                open_involvement=True,
                closed_recently=True,
            )
            problems.pop("outcome", None)
            for name, message in problems.items():
                self.add_error(name, message)
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


class FeedbackCallForm(GovukForm):
    spoken_to = forms.CharField(label="Who did you speak to?", max_length=200, help_text="Their name, and their role if they are a professional.", error_messages={"required": "Enter the name of the person you spoke to."})
    telephone = forms.CharField(label="Telephone number called", max_length=40, required=False)
    called_at = GovukDateTimeField(label="When was the call?", error_messages={"required": "Enter the date and time of the call."})
    summary = forms.CharField(
        label="What were they told?", widget=forms.Textarea(attrs={"rows": 5}),
        help_text="The outcome, what happens next and who will contact them. Do not repeat what agencies shared in the MASH.",
        error_messages={"required": "Say what they were told."},
    )


class WithholdFeedbackForm(GovukForm):
    reason = forms.CharField(
        label="Why will they not be told?", widget=forms.Textarea(attrs={"rows": 4}),
        help_text="For example: the referrer was anonymous and left no contact details, or telling the family would put the child at risk.",
        error_messages={"required": "Say why feedback will not be given."},
    )
