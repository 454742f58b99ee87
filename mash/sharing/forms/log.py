"""The data protection officer's search of the sharing log (a GET form: nothing is changed)."""

from __future__ import annotations

from typing import Any

from django import forms

from mash.core.forms import GovukDateField, GovukForm, GovukRadios
from mash.partnership.models import Agency, LawfulBasis

from ..models import SharingLogEntry
from ..services import LogSearch

SHARED_CHOICES = [
    ("", "Either"),
    ("yes", "Shared"),
    ("no", "Decision not to share"),
]


class SharingLogSearchForm(GovukForm):
    reference = forms.CharField(
        label="Contact reference", required=False, max_length=20, help_text="All or part of it, for example MASH-2026-000123"
    )
    agency = forms.ModelChoiceField(
        label="Agency",
        queryset=Agency.objects.order_by("name"),
        required=False,
        empty_label="Any agency",
        help_text="Entries where this agency shared, was asked, or decided not to share.",
    )
    kind = forms.ChoiceField(label="Kind of entry", choices=[("", "Any kind"), *SharingLogEntry.Kind.choices], required=False)
    shared = forms.ChoiceField(
        label="Shared or not shared", choices=SHARED_CHOICES, required=False, widget=GovukRadios(inline=True)
    )
    lawful_basis = forms.ModelChoiceField(
        label="Lawful basis",
        queryset=LawfulBasis.objects.order_by("order", "name"),
        required=False,
        empty_label="Any lawful basis",
    )
    since = GovukDateField(label="From date", required=False, help_text="For example, 27 3 2026")
    until = GovukDateField(label="To date", required=False, help_text="For example, 31 3 2026")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reference"].widget.attrs["class"] += " govuk-input--width-20"
        self.fields["reference"].widget.attrs["spellcheck"] = "false"

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and until < since:
            self.add_error("until", "The to date must be the same as or after the from date.")
        return cleaned

    def criteria(self) -> LogSearch:
        """The search the service runs; call only on a valid form."""
        data = self.cleaned_data
        shared = {"yes": True, "no": False}.get(data.get("shared") or "")
        return LogSearch(
            reference=(data.get("reference") or "").strip(),
            agency_id=data["agency"].pk if data.get("agency") else None,
            kind=data.get("kind") or "",
            shared=shared,
            lawful_basis_id=data["lawful_basis"].pk if data.get("lawful_basis") else None,
            since=data.get("since"),
            until=data.get("until"),
        )
