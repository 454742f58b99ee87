"""Redacting before information leaves the MASH: remove words or mark them, never reword."""

from __future__ import annotations

from typing import Any

from django import forms

from mash.core.forms import GovukForm
from mash.domain.redaction import REDACTION_MARK, redaction_problems


class RedactForm(GovukForm):
    redacted = forms.CharField(
        label="What may leave the MASH",
        help_text=(
            f"Delete the words that must not leave the MASH, or replace them with {REDACTION_MARK}. "
            "Do not add or reword anything."
        ),
        widget=forms.Textarea(attrs={"rows": 8}),
        strip=False,
        error_messages={"required": "Nothing would be left. To keep the whole item inside the MASH, withhold it instead."},
    )
    reason = forms.CharField(
        label="Why is this redacted?",
        help_text="Recorded in the sharing log with your name.",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say why this is redacted."},
    )

    def __init__(self, *args: Any, original: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.original = original

    def clean_redacted(self) -> str:
        redacted = self.cleaned_data["redacted"]
        problems = redaction_problems(self.original, redacted)
        if problems:
            raise forms.ValidationError(problems)
        return redacted


class WithholdForm(GovukForm):
    reason = forms.CharField(
        label="Why must this item stay inside the MASH?",
        help_text="For example: not relevant to this child, or it would identify a source. Recorded in the sharing log.",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Say why this item stays inside the MASH."},
    )
