"""Small helpers shared by the thin views."""

from __future__ import annotations

from collections.abc import Iterable

from django import forms
from django.forms.utils import ErrorDict


def without_errors(*form_like: forms.BaseForm | forms.BaseFormSet) -> None:
    """Show bound forms again with what was typed but no errors (e.g. after 'Add another')."""
    for item in form_like:
        if isinstance(item, forms.BaseFormSet):
            item._errors = []
            item._non_form_errors = item.error_class()
            for form in item.forms:
                form._errors = ErrorDict()
        else:
            item._errors = ErrorDict()


def error_list(*form_like: forms.BaseForm | forms.BaseFormSet | None) -> list[tuple[str, str]]:
    """(anchor, message) pairs for the GOV.UK error summary, in page order."""
    items: list[tuple[str, str]] = []

    def add_form(form: forms.BaseForm) -> None:
        for name, errors in form.errors.items():
            if name == "__all__":
                first = next(iter(form.visible_fields()), None)
                for error in errors:
                    items.append((first.auto_id if first is not None else "content", str(error)))
                continue
            bound = form[name]
            anchor = bound.auto_id
            if bound.widget_type in {"govukdate", "govukdatetime"} or bound.widget_type in {"govukradios", "govukcheckboxes"}:
                anchor = f"{bound.auto_id}_0"
            for error in errors:
                items.append((anchor, str(error)))

    for item in form_like:
        if item is None:
            continue
        if isinstance(item, forms.BaseFormSet):
            for error in item.non_form_errors():
                items.append(("content", str(error)))
            forms_: Iterable[forms.BaseForm] = item.forms
            for form in forms_:
                add_form(form)
        else:
            add_form(item)
    return items
