from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

from mash.core.forms import GovukDateField, GovukForm, GovukRadios

from .models import AssessmentOutcome, CaseAudit, StandardCheck
from .services import CheckInput, Checklist


class ChecklistForm(GovukForm):
    """One question per practice standard (met / not met / not applicable) and a note; the record's evidence is the hint."""

    def __init__(self, *args: Any, checklist: Checklist, **kwargs: Any) -> None:
        initial = kwargs.pop("initial", None) or {}
        for row in checklist.rows:
            if row.check is not None:
                initial.setdefault(f"status_{row.standard.pk}", row.check.status)
                initial.setdefault(f"note_{row.standard.pk}", row.check.note)
        super().__init__(*args, initial=initial, **kwargs)
        self.checklist = checklist
        for row in checklist.rows:
            pk = row.standard.pk
            hint = row.evidence.sentence if row.evidence else ""
            if row.check is not None:
                checked = timezone.localtime(row.check.checked_at).strftime("%d/%m/%Y %H:%M")
                hint = f"{hint} Last ticked by {row.check.checked_by} on {checked}.".strip()
            self.fields[f"status_{pk}"] = forms.ChoiceField(
                label=f"{row.standard.code} {row.standard.text}",
                choices=StandardCheck.Status.choices,
                widget=GovukRadios(inline=True),
                required=False,
                help_text=hint,
            )
            self.fields[f"note_{pk}"] = forms.CharField(
                label=f"Note on standard {row.standard.code}",
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
                help_text="Required when the standard is not met: say what is missing.",
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for row in self.checklist.rows:
            pk = row.standard.pk
            status = data.get(f"status_{pk}") or (row.check.status if row.check else "")
            note = (data.get(f"note_{pk}") or "").strip()
            if status == StandardCheck.Status.NOT_MET and not note:
                self.add_error(f"note_{pk}", f"Say what is missing for standard {row.standard.code} (not met).")
            if not status and note:
                self.add_error(f"status_{pk}", f"Choose met, not met or not applicable for standard {row.standard.code}.")
        return data

    def changes(self) -> dict[int, CheckInput]:
        return {
            row.standard.pk: CheckInput(
                status=self.cleaned_data.get(f"status_{row.standard.pk}") or "",
                note=self.cleaned_data.get(f"note_{row.standard.pk}") or "",
            )
            for row in self.checklist.rows
        }


class ManagementNoteForm(GovukForm):
    text = forms.CharField(
        label="Management oversight note",
        help_text="Your oversight of this case: what you reviewed, what you agreed or asked for, and why.",
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": "Write the management oversight note."},
    )


class AssessmentResultForm(GovukForm):
    result = forms.ChoiceField(
        label="What did the assessment conclude?",
        choices=AssessmentOutcome.Result.choices,
        widget=GovukRadios,
        error_messages={"required": "Choose what the assessment concluded."},
    )
    completed_on = GovukDateField(
        label="Date the assessment was completed",
        help_text="For example, 27 3 2026",
        error_messages={"required": "Enter the date the assessment was completed."},
    )
    summary = forms.CharField(
        label="Summary",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="What the assessment found and what happens next. Do not include information the MASH marked as sensitive.",
    )

    def clean_completed_on(self) -> Any:
        value = self.cleaned_data.get("completed_on")
        if value is None:
            raise forms.ValidationError("Enter the date the assessment was completed.")
        if value > timezone.localdate():
            raise forms.ValidationError("The date the assessment was completed must be today or in the past.")
        return value


class CaseAuditForm(GovukForm):
    grade = forms.ChoiceField(
        label="Grade", choices=CaseAudit.Grade.choices, widget=GovukRadios, error_messages={"required": "Choose the grade for this case."}
    )
    findings = forms.CharField(
        label="Findings",
        help_text="What the audit found: quality of the record, analysis and rationale, timeliness, the child's voice, management oversight.",
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": "Write what the audit found."},
    )
    learning = forms.CharField(
        label="Learning",
        help_text="What the worker and the service can learn from this case (listed in the monthly audit summary).",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Write the learning from this case."},
    )
    actions = forms.CharField(label="Actions for the worker or the service", required=False, widget=forms.Textarea(attrs={"rows": 3}))


class DrawMonthForm(GovukForm):
    month = forms.CharField(
        label="Month to draw",
        help_text="As YYYY-MM, for example 2026-10. Samples already drawn for the month are kept.",
        widget=forms.TextInput(attrs={"class": "govuk-input govuk-input--width-10", "inputmode": "numeric"}),
        error_messages={"required": "Enter the month to draw, as YYYY-MM."},
    )
