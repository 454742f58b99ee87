from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

from mash.accounts.models import MASH_ROLES, User
from mash.core.forms import GovukDateTimeField, GovukForm, GovukRadios

from .models import EarlyHelpReferral

Status = EarlyHelpReferral.Status


class EarlyHelpResponseForm(GovukForm):
    status = forms.ChoiceField(
        label="What was the family's answer?",
        choices=[
            (Status.ACCEPTED.value, "They accepted early help"),
            (Status.DECLINED.value, "They declined early help"),
            (Status.NO_CONTACT.value, "We could not reach the family"),
        ],
        widget=GovukRadios,
        error_messages={"required": "Choose the family's answer."},
    )
    notes = forms.CharField(
        label="Notes",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="What the family said, or how and when you tried to reach them. Required if they declined or could not be reached.",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("status") in {Status.DECLINED, Status.NO_CONTACT} and not data.get("notes", "").strip():
            self.add_error("notes", "Say what the family said, or how you tried to reach them.")
        return data


class EscalationForm(GovukForm):
    escalation = forms.ChoiceField(
        label="Does the child's situation need escalating?",
        choices=[
            (EarlyHelpReferral.Escalation.ESCALATE.value, "Yes, escalate: re-assess the threshold (a new contact is recorded and sent for triage)"),
            (EarlyHelpReferral.Escalation.NOT_NEEDED.value, "No, escalation considered and not needed"),
        ],
        widget=GovukRadios,
        error_messages={"required": "Choose whether to escalate."},
    )
    rationale = forms.CharField(
        label="Rationale",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Required if escalation is not needed: say why the child is safe without early help. If you escalate, "
        "say what the re-assessment should look at.",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("escalation") == EarlyHelpReferral.Escalation.NOT_NEEDED and not data.get("rationale", "").strip():
            self.add_error("rationale", "Explain why escalation is not needed.")
        return data


class SpokenByField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:  # type: ignore[override]
        return f"{obj.display_name} ({obj.get_role_display()})"


class MaliciousProposalForm(GovukForm):
    assessment_summary = forms.CharField(
        label="The multi-agency assessment that was done",
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Which agencies shared what they know, any strategy discussion, and what the assessment found.",
        error_messages={"required": "Describe the multi-agency assessment that was done."},
    )
    rationale = forms.CharField(
        label="Why you believe the referral was malicious",
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Judge the referral on its substance, not on who made it.",
        error_messages={"required": "Explain why you believe the referral was malicious."},
    )
    referrer_spoken_at = GovukDateTimeField(
        label="When the referrer was spoken to", required=False,
        help_text="A referral cannot be deemed malicious without talking with the referrer.",
    )
    referrer_spoken_by = SpokenByField(
        label="Who spoke to the referrer", queryset=User.objects.none(), required=False, empty_label="Choose a MASH practitioner",
    )
    referrer_conversation = forms.CharField(
        label="What the referrer said", required=False, widget=forms.Textarea(attrs={"rows": 5}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["referrer_spoken_by"].queryset = User.objects.filter(role__in=list(MASH_ROLES), is_active=True)  # type: ignore[attr-defined]

    def clean_referrer_spoken_at(self) -> Any:
        value = self.cleaned_data.get("referrer_spoken_at")
        if value is not None and value > timezone.now():
            raise forms.ValidationError("The conversation with the referrer cannot be in the future.")
        return value


class MaliciousDecisionForm(GovukForm):
    verdict = forms.ChoiceField(
        label="Do you agree that this referral was malicious?",
        choices=[("agree", "Yes, agree: record the referral as malicious"), ("refuse", "No, refuse")],
        widget=GovukRadios,
        error_messages={"required": "Choose whether you agree or refuse."},
    )
    comment = forms.CharField(
        label="Your reasons", widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Give your reasons."},
    )
