"""Forms for the MASH side of Stage 2: requests to agencies, consent, escalations, withdrawal.

The forms check what a person typed (a ticked agency needs a question, a reason is given);
the rules about whether sharing may happen at all stay in `mash.sharing.services`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.forms.utils import ErrorDict

from mash.core.forms import GovukCheckboxes, GovukForm, GovukRadios
from mash.intake.models import Consent, ConsentNotSoughtReason, ParentsAware
from mash.partnership.models import Agency, LawfulBasis


class LawfulBasisField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: LawfulBasis) -> str:  # type: ignore[override]
        return f"{obj.name} ({obj.legislation})" if obj.legislation else obj.name


def lawful_basis_field(queryset: Any, *, label: str, help_text: str, required_message: str) -> LawfulBasisField:
    return LawfulBasisField(
        label=label,
        help_text=help_text,
        queryset=queryset,
        widget=GovukCheckboxes,
        error_messages={"required": required_message},
    )


@dataclass(frozen=True)
class AgencyRow:
    """The fields about one agency on the request form, kept together for the template."""

    agency: Agency
    ask: forms.BoundField
    question: forms.BoundField
    not_asked: forms.BoundField

    @property
    def reveal_always(self) -> bool:
        # A question with an error stays on show even while its box is unticked, so the
        # person can see what they typed and either tick the agency or clear the question.
        return bool(self.question.errors)


class SendRequestsForm(GovukForm):
    """One focused question per agency ticked; one concern summary; the lawful basis for asking."""

    concern_summary = forms.CharField(
        label="The concern, as the agencies will see it",
        help_text=(
            "Share only what the agencies need to search their records and say what it means for the child: "
            "necessary and proportionate. Remove anything they do not need."
        ),
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": "Summarise the concern for the agencies."},
    )

    def __init__(self, *args: Any, agencies: Iterable[Agency], bases: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.agencies = list(agencies)
        # These fields are added after GovukForm styled the declared ones, so they carry their class.
        for agency in self.agencies:
            self.fields[f"ask_{agency.pk}"] = forms.BooleanField(label=f"Ask {agency.name}", required=False)
            self.fields[f"question_{agency.pk}"] = forms.CharField(
                label=f"What do you need to know from {agency.name}?",
                help_text="One focused question: what to search for and why it matters for this child.",
                required=False,
                widget=forms.Textarea(attrs={"rows": 3, "class": "govuk-textarea"}),
            )
            self.fields[f"not_asked_{agency.pk}"] = forms.CharField(
                label=f"Why not ask {agency.name}?",
                required=False,
                widget=forms.Textarea(attrs={"rows": 2, "class": "govuk-textarea"}),
            )
        self.fields["lawful_bases"] = lawful_basis_field(
            bases,
            label="Lawful basis for the request",
            help_text="Select every basis that applies. Consent is not the lawful basis for sharing to safeguard a child.",
            required_message="Select the lawful basis for the request.",
        )
        # The order the page shows them in, so the error summary follows the page.
        agency_fields = [f"{prefix}_{agency.pk}" for agency in self.agencies for prefix in ("ask", "question")]
        self.order_fields([*agency_fields, "concern_summary", "lawful_bases"])

    def full_clean(self) -> None:
        super().full_clean()
        if self._errors:
            # Errors from clean() arrive after the field errors: list them in page order instead.
            order = {name: index for index, name in enumerate(self.fields)}
            ranked = sorted(self._errors.items(), key=lambda pair: order.get(pair[0], -1))
            self._errors = ErrorDict(ranked, renderer=self.renderer)

    def agency_rows(self) -> list[AgencyRow]:
        return [
            AgencyRow(agency, self[f"ask_{agency.pk}"], self[f"question_{agency.pk}"], self[f"not_asked_{agency.pk}"])
            for agency in self.agencies
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        ticked = 0
        for agency in self.agencies:
            ask = data.get(f"ask_{agency.pk}")
            question = (data.get(f"question_{agency.pk}") or "").strip()
            reason = (data.get(f"not_asked_{agency.pk}") or "").strip()
            if ask:
                ticked += 1
                if not question:
                    self.add_error(f"question_{agency.pk}", f"Write the question for {agency.name}.")
                if reason:
                    self.add_error(
                        f"not_asked_{agency.pk}",
                        f"You are asking {agency.name}: clear the reason for not asking it.",
                    )
            elif question:
                self.add_error(f"question_{agency.pk}", "Tick the agency or clear the question.")
        if self.agencies and not ticked and not any(self.has_error(f"question_{a.pk}") for a in self.agencies):
            self.add_error(f"ask_{self.agencies[0].pk}", "Choose at least one agency to ask.")
        return data

    def chosen(self) -> list[tuple[Agency, str]]:
        return [
            (agency, self.cleaned_data[f"question_{agency.pk}"].strip())
            for agency in self.agencies
            if self.cleaned_data.get(f"ask_{agency.pk}")
        ]

    def not_asked(self) -> list[tuple[Agency, str]]:
        return [
            (agency, self.cleaned_data[f"not_asked_{agency.pk}"].strip())
            for agency in self.agencies
            if not self.cleaned_data.get(f"ask_{agency.pk}") and self.cleaned_data.get(f"not_asked_{agency.pk}", "").strip()
        ]

    def not_asked_started(self) -> bool:
        """Whether any reason for not asking was typed (or refused), so that part of the page opens."""
        return any(row.not_asked.value() or row.not_asked.errors for row in self.agency_rows())

    def ask_errors(self) -> list[str]:
        return [str(error) for agency in self.agencies for error in self.errors.get(f"ask_{agency.pk}", [])]


class ConsentForm(GovukForm):
    parents_aware = forms.ChoiceField(
        label="Do the parents or carers know about this contact?",
        choices=ParentsAware.choices,
        widget=GovukRadios(inline=True),
        error_messages={"required": "Say whether the parents or carers know about this contact."},
    )
    child_aware = forms.ChoiceField(
        label="Does the child know about this contact?",
        choices=ParentsAware.choices,
        widget=GovukRadios(inline=True),
        error_messages={"required": "Say whether the child knows about this contact."},
    )
    consent = forms.ChoiceField(
        label="Consent to share information",
        help_text="Consent to share is not the lawful basis for safeguarding, and is not the same as consent to a service.",
        choices=Consent.choices,
        widget=GovukRadios,
        error_messages={"required": "Say whether consent was given, refused or not sought."},
    )
    consent_not_sought_reason = forms.ChoiceField(
        label="If consent was not sought, why not?",
        help_text="Only these three reasons are accepted.",
        choices=ConsentNotSoughtReason.choices,
        widget=GovukRadios,
        required=False,
    )
    notes = forms.CharField(
        label="Notes",
        help_text="Who was asked, when, and what they said.",
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("consent") == Consent.NOT_SOUGHT and not data.get("consent_not_sought_reason"):
            self.add_error("consent_not_sought_reason", "Say which of the three reasons applies when consent was not sought.")
        return data


class ConsentOverrideForm(GovukForm):
    def __init__(self, *args: Any, bases: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lawful_bases"] = lawful_basis_field(
            bases,
            label="Lawful basis for sharing without consent",
            help_text="Select every basis that applies.",
            required_message="Select at least one lawful basis for sharing without consent.",
        )
        self.fields["rationale"] = forms.CharField(
            label="Your rationale",
            help_text="Why sharing without consent is necessary and proportionate to safeguard this child.",
            widget=forms.Textarea(attrs={"rows": 6, "class": "govuk-textarea"}),
            error_messages={"required": "Record the rationale for sharing without consent."},
        )


class AskManagerForm(GovukForm):
    note = forms.CharField(label="Anything the manager should know", required=False, widget=forms.Textarea(attrs={"rows": 3}))


class WithdrawForm(GovukForm):
    reason = forms.CharField(
        label="Why are you withdrawing this request?",
        help_text="The agency is told the reason, and it is recorded in the sharing log.",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Say why the request is withdrawn."},
    )


class EscalationResponseForm(GovukForm):
    action_taken = forms.CharField(
        label="Your response and any immediate action",
        help_text="For example: strategy discussion arranged, police asked to attend, rating raised, no change and why.",
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": "Record what you decided, including any immediate action taken."},
    )
