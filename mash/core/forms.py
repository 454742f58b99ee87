"""GOV.UK Design System form rendering for ordinary Django forms.

Forms stay plain Django forms; this renderer and these widgets produce the Design System's
markup (labels, hints, error messages next to the field, fieldsets for radios, checkboxes
and dates), so every form in the product explains errors the same accessible way.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.forms.renderers import TemplatesSetting


class GovukFormRenderer(TemplatesSetting):
    form_template_name = "core/forms/form.html"
    field_template_name = "core/forms/field.html"


class GovukRadios(forms.RadioSelect):
    template_name = "core/widgets/radios.html"
    option_template_name = "core/widgets/radio_option.html"

    def __init__(self, *args: Any, inline: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.inline = inline

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        context["widget"]["inline"] = self.inline
        return context


class GovukCheckboxes(forms.CheckboxSelectMultiple):
    template_name = "core/widgets/checkboxes.html"
    option_template_name = "core/widgets/checkbox_option.html"


class GovukDateInput(forms.MultiWidget):
    """Day, month and year boxes, as the Design System asks for memorable dates."""

    template_name = "core/widgets/date_input.html"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        widgets = {
            "day": forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input govuk-date-input__input govuk-input--width-2", "maxlength": "2"}),
            "month": forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input govuk-date-input__input govuk-input--width-2", "maxlength": "2"}),
            "year": forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input govuk-date-input__input govuk-input--width-4", "maxlength": "4"}),
        }
        super().__init__(widgets, attrs)

    def decompress(self, value: Any) -> list[Any]:
        if isinstance(value, dt.date):
            return [value.day, value.month, value.year]
        return [None, None, None]


class GovukDateField(forms.MultiValueField):
    """A date typed as three boxes; every problem is explained in words, and what was typed is kept."""

    widget = GovukDateInput

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        fields = (forms.CharField(), forms.CharField(), forms.CharField())
        kwargs.setdefault("require_all_fields", False)
        super().__init__(fields, *args, **kwargs)

    def compress(self, data_list: list[str]) -> dt.date | None:
        if not data_list or not any(part.strip() for part in data_list if part):
            return None
        label = (self.label or "date").lower() if isinstance(self.label, str) else "date"
        day, month, year = ((part or "").strip() for part in data_list)
        missing = [name for name, part in (("day", day), ("month", month), ("year", year)) if not part]
        if missing:
            raise forms.ValidationError(f"The {label} must include a {' and '.join(missing)}.")
        if not (day.isdigit() and month.isdigit() and year.isdigit()):
            raise forms.ValidationError(f"The {label} must be written in numbers, for example 27 3 2019.")
        if len(year) != 4:
            raise forms.ValidationError(f"The year of the {label} must have 4 numbers, for example 2019.")
        try:
            return dt.date(int(year), int(month), int(day))
        except ValueError:
            raise forms.ValidationError(f"The {label} must be a real date.") from None


class GovukDateTimeWidget(forms.MultiWidget):
    template_name = "core/widgets/datetime_input.html"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        widgets = {
            "date": forms.DateInput(attrs={"type": "date", "class": "govuk-input govuk-input--width-10"}, format="%Y-%m-%d"),
            "time": forms.TimeInput(attrs={"type": "time", "class": "govuk-input govuk-input--width-10"}, format="%H:%M"),
        }
        super().__init__(widgets, attrs)

    def decompress(self, value: Any) -> list[Any]:
        if isinstance(value, dt.datetime):
            from django.utils import timezone

            local = timezone.localtime(value) if timezone.is_aware(value) else value
            return [local.date(), local.time().replace(second=0, microsecond=0)]
        return [None, None]


class GovukDateTimeField(forms.MultiValueField):
    widget = GovukDateTimeWidget

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        fields = (
            forms.DateField(error_messages={"invalid": "Enter a real date"}),
            forms.TimeField(error_messages={"invalid": "Enter a real time, for example 14:30"}),
        )
        kwargs.setdefault("require_all_fields", False)
        super().__init__(fields, *args, **kwargs)

    def compress(self, data_list: list[Any]) -> dt.datetime | None:
        if not data_list:
            return None
        date_part, time_part = data_list
        if date_part is None and time_part is None:
            return None
        if date_part is None or time_part is None:
            raise forms.ValidationError("Enter both the date and the time.")
        from django.utils import timezone

        return timezone.make_aware(dt.datetime.combine(date_part, time_part))


INPUT_CLASSES: dict[type[forms.Widget], str] = {
    forms.Textarea: "govuk-textarea",
    forms.Select: "govuk-select",
}


class GovukFormMixin:
    """Adds the Design System classes and error states to ordinary widgets."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[call-arg]
        for field in self.fields.values():  # type: ignore[attr-defined]
            widget = field.widget
            if isinstance(widget, (forms.RadioSelect, forms.CheckboxSelectMultiple, forms.MultiWidget, forms.CheckboxInput)):
                continue
            css = next((c for t, c in INPUT_CLASSES.items() if isinstance(widget, t)), "govuk-input")
            existing = widget.attrs.get("class", "")
            if css not in existing.split():
                widget.attrs["class"] = f"{css} {existing}".strip()

    def full_clean(self) -> None:
        super().full_clean()  # type: ignore[misc]
        for name in self.errors:  # type: ignore[attr-defined]
            if name in self.fields:  # type: ignore[attr-defined]
                widget = self.fields[name].widget  # type: ignore[attr-defined]
                classes = widget.attrs.get("class", "")
                for base in ("govuk-input", "govuk-textarea", "govuk-select"):
                    if base in classes.split() and f"{base}--error" not in classes:
                        widget.attrs["class"] = f"{classes} {base}--error"


class GovukForm(GovukFormMixin, forms.Form):
    pass


class GovukModelForm(GovukFormMixin, forms.ModelForm):
    pass


def clean_identifier(value: str, validate: Any) -> str:
    """An NHS number or UPN as typed: blank is fine, anything else must pass `validate` (which explains why not).

    An identifier that fails its check is refused on the form rather than stored, so it is never used for matching.
    """
    from mash.domain.identifiers import InvalidIdentifier

    value = (value or "").strip()
    if not value:
        return ""
    try:
        return str(validate(value))
    except InvalidIdentifier as invalid:
        raise forms.ValidationError(str(invalid)) from None
