"""Forms of the partner agency workspace: answering a request, pending enquiries, escalation."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django import forms
from django.utils import timezone

from mash.core.forms import GovukDateField, GovukDateTimeField, GovukForm, GovukRadios
from mash.sharing.models import ItemKind
from mash.sharing.services import ItemInput

# The fields whose content makes an item block worth saving (the kind radios alone do not:
# a radio cannot be unticked without JavaScript, so clearing the text is how an item is removed).
ITEM_CONTENT_FIELDS = ("text", "source", "recorded_on_day", "recorded_on_month", "recorded_on_year", "sensitive_holder")


class ItemForm(GovukForm):
    """One piece of information the agency holds, marked fact, opinion or unverified."""

    text = forms.CharField(
        label="What does your agency hold?",
        help_text="One piece of information per item. Say what happened, when, and who was involved.",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Enter what your agency holds, or clear this item's other boxes to remove it."},
    )
    kind = forms.ChoiceField(
        label="Is this a fact, a professional opinion, or unverified?",
        choices=ItemKind.choices,
        widget=GovukRadios,
        error_messages={"required": "Choose whether this is a fact, a professional opinion, or unverified or hearsay."},
    )
    source = forms.CharField(
        label="Where does it come from?",
        help_text="For example the record system, a crime reference, a clinic letter.",
        max_length=200,
        required=False,
    )
    recorded_on = GovukDateField(label="Date of the record or event", required=False, help_text="For example 27 3 2024")
    is_sensitive = forms.BooleanField(
        label="This is sensitive or soft information",
        help_text="For example a live operation or soft intelligence. It is seen only by the MASH decision makers and "
        "managers, and never leaves the MASH.",
        required=False,
    )
    sensitive_holder = forms.CharField(
        label="Who holds it and can be asked about it",
        help_text="Name, role and team, so the assessing social worker can ask them. Needed when the item is sensitive.",
        max_length=300,
        required=False,
    )

    def has_content(self) -> bool:
        if self.data.get(self.add_prefix("is_sensitive")):
            return True
        return any(str(self.data.get(self.add_prefix(name), "")).strip() for name in ITEM_CONTENT_FIELDS)

    def has_changed(self) -> bool:
        # Blank blocks (the spare one at the end) are not items: the formset skips them.
        return self.has_content()

    def clean_recorded_on(self) -> date | None:
        value = self.cleaned_data.get("recorded_on")
        if value is not None and value > timezone.localdate():
            raise forms.ValidationError("The date of the record or event must be today or in the past.")
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("DELETE") or not self.has_content():
            return data
        if data.get("is_sensitive") and not data.get("sensitive_holder", "").strip():
            self.add_error(
                "sensitive_holder", "Say who holds the sensitive information, so the assessing social worker can ask them."
            )
        return data

    def as_item(self) -> ItemInput:
        data = self.cleaned_data
        return ItemInput(
            text=data.get("text", ""),
            kind=data.get("kind", ""),
            source=data.get("source", ""),
            recorded_on=data.get("recorded_on"),
            is_sensitive=bool(data.get("is_sensitive")),
            sensitive_holder=data.get("sensitive_holder", "") if data.get("is_sensitive") else "",
        )


class BaseItemFormSet(forms.BaseFormSet):
    """Items of an answer. Every block, draft or new, may be left blank: blank blocks are not items."""

    def get_form_kwargs(self, index: int | None) -> dict[str, Any]:
        return {**super().get_form_kwargs(index), "empty_permitted": True}

    def add_fields(self, form: forms.Form, index: int | None) -> None:
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = "Remove this draft item"

    def items(self) -> list[ItemInput]:
        """The items typed, in order, leaving out blank blocks and those marked for removal."""
        return [
            form.as_item()
            for form in self.forms
            if form.has_content() and not form.cleaned_data.get("DELETE")
        ]


ItemFormSet = forms.formset_factory(
    ItemForm, formset=BaseItemFormSet, extra=1, max_num=50, validate_max=True, can_delete=True, can_delete_extra=False
)


def item_initial(item: Any) -> dict[str, Any]:
    """A draft item as the formset's initial data."""
    return {
        "text": item.text,
        "kind": item.kind,
        "source": item.source,
        "recorded_on": item.recorded_on,
        "is_sensitive": item.is_sensitive,
        "sensitive_holder": item.sensitive_holder,
    }


class ResponseForm(GovukForm):
    """The analysis, the recommendation, 'nothing held' and what is held but not shared."""

    nothing_held = forms.BooleanField(
        label="My agency holds nothing relevant about this child or household",
        help_text="Tick this only after searching your systems for everyone named on the request.",
        required=False,
    )
    analysis = forms.CharField(
        label="So what does this mean for this child?",
        help_text="Your analysis: what the information tells you about the risk to the child and their needs.",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    recommendation = forms.CharField(
        label="What does your agency recommend?",
        help_text="For example the level of need you see, and what should happen next.",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    withheld_summary = forms.CharField(
        label="Information held but not shared",
        help_text="Describe it without disclosing it. Leave empty if you are sharing everything relevant.",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    withheld_reason = forms.CharField(
        label="Why it is not shared",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("withheld_summary", "").strip() and not data.get("withheld_reason", "").strip():
            self.add_error("withheld_reason", "Say why the information held is not shared.")
        return data

    def check_for_sending(self, items: list[ItemInput]) -> None:
        """What sending needs that a draft does not: errors go next to the boxes to fix."""
        data = self.cleaned_data
        if data.get("nothing_held"):
            if items:
                self.add_error("nothing_held", "You said nothing is held but also entered information: remove the items or untick 'nothing held'.")
            return
        if not items:
            self.add_error(None, "Enter what your agency holds in at least one item, or tick 'nothing held'.")
        if not data.get("analysis", "").strip():
            self.add_error("analysis", "Say what the information means for this child (the 'so what?').")
        if not data.get("recommendation", "").strip():
            self.add_error("recommendation", "Give your agency's recommendation.")


class PendingEnquiryForm(GovukForm):
    """An enquiry the agency is still waiting on: when, from whom (name and designation)."""

    requested_at = GovukDateTimeField(
        label="When was it requested?",
        help_text="For example 21/11/2026 and 14:30",
        error_messages={"required": "Enter the date and time the enquiry was made.", "incomplete": "Enter both the date and the time."},
    )
    from_name = forms.CharField(
        label="Requested from (name)", max_length=200, error_messages={"required": "Enter the name of the person you are waiting for."}
    )
    from_designation = forms.CharField(
        label="Their designation",
        max_length=200,
        help_text="For example health visitor, school nurse, detective constable.",
        error_messages={"required": "Enter the designation of the person you are waiting for."},
    )
    from_service = forms.CharField(label="Team or service", max_length=200, required=False)
    about = forms.CharField(label="What was asked", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def clean_requested_at(self) -> Any:
        value = self.cleaned_data.get("requested_at")
        if value is None:
            raise forms.ValidationError("Enter the date and time the enquiry was made.")
        if value > timezone.now() + timedelta(minutes=1):
            raise forms.ValidationError("The date and time the enquiry was made must be in the past.")
        return value


class EscalationForm(GovukForm):
    concern = forms.CharField(
        label="What heightens the risk to the child?",
        help_text="What you found, when, and why it means the child may need protecting now.",
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": "Say what heightens the risk to the child."},
    )
    phoned_manager = forms.BooleanField(label="I have also telephoned the MASH manager", required=False)
