from __future__ import annotations

from typing import Any

from django import forms

from mash.core.forms import GovukDateField, GovukForm, clean_identifier
from mash.domain.identifiers import normalise_postcode, validate_nhs_number, validate_upn


class PersonSearchForm(GovukForm):
    forenames = forms.CharField(label="First name", max_length=150, required=False)
    surname = forms.CharField(label="Last name", max_length=150, required=False)
    date_of_birth = GovukDateField(label="Date of birth", required=False, help_text="For example 27 3 2015. Day and month swapped are found too.")
    postcode = forms.CharField(label="Postcode", max_length=10, required=False, widget=forms.TextInput(attrs={"class": "govuk-input--width-10"}))
    nhs_number = forms.CharField(label="NHS number", max_length=14, required=False, widget=forms.TextInput(attrs={"class": "govuk-input--width-10", "inputmode": "numeric"}))
    upn = forms.CharField(label="Unique pupil number (UPN)", max_length=13, required=False, widget=forms.TextInput(attrs={"class": "govuk-input--width-10"}))

    def clean_postcode(self) -> str:
        value = self.cleaned_data.get("postcode", "").strip()
        if value and normalise_postcode(value) is None:
            raise forms.ValidationError("Enter a real postcode, like NN4 7SL.")
        return normalise_postcode(value) or "" if value else ""

    def clean_nhs_number(self) -> str:
        return clean_identifier(self.cleaned_data.get("nhs_number", ""), validate_nhs_number)

    def clean_upn(self) -> str:
        return clean_identifier(self.cleaned_data.get("upn", ""), validate_upn)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.errors and not any(data.get(k) for k in ("forenames", "surname", "date_of_birth", "postcode", "nhs_number", "upn")):
            raise forms.ValidationError("Enter at least a name, a date of birth, a postcode or an identifier to search.")
        return data
