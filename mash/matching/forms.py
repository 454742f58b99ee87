from __future__ import annotations

import importlib.util
from typing import Any

from django import forms
from django.conf import settings

from mash.core.forms import GovukForm, GovukRadios
from mash.partnership.models import Agency

from .models import LinkageJob

# Uploads are held in memory while they are checked and stored on the job; bigger extracts are linked
# from the command line (`manage.py link_people --extract FILE`), which has no limit.
MAX_EXTRACT_MB = int(getattr(settings, "MASH_MATCHING_MAX_EXTRACT_MB", 50))

REASON_HELP = "Recorded with the decision in the audit log. Say what convinced you, for example a matching NHS number."


def spark_available() -> bool:
    # find_spec does not import pyspark, so pages stay light; a JVM problem is reported by the job itself.
    return importlib.util.find_spec("pyspark") is not None


class BackendField(forms.ChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            label="Where should the job run?",
            choices=LinkageJob.Backend.choices,
            initial=LinkageJob.Backend.DUCKDB,
            widget=GovukRadios,
            help_text="DuckDB runs on this server and suits a person index of a few million records. "
            "Spark needs pyspark and a Java runtime (or a cluster) on the server that runs background jobs.",
            error_messages={"required": "Choose where the job should run."},
            **kwargs,
        )

    def validate(self, value: Any) -> None:
        super().validate(value)
        if value == LinkageJob.Backend.SPARK and not spark_available():
            raise forms.ValidationError(
                "Spark is not installed on this server (the pyspark package is missing). Choose DuckDB, or install pyspark "
                "and a Java runtime first."
            )


class DeduplicateForm(GovukForm):
    backend = BackendField()


class ExtractForm(GovukForm):
    agency = forms.ModelChoiceField(
        label="Which agency sent the extract?",
        queryset=Agency.objects.filter(is_active=True),
        empty_label="Choose the agency",
        error_messages={"required": "Choose the agency that sent the extract."},
    )
    file = forms.FileField(
        label="Upload the extract",
        help_text=f"A CSV file (UTF-8) or a Parquet file, up to {MAX_EXTRACT_MB} MB, with a heading row. Columns used: "
        "forenames or first_name, surname or last_name, date_of_birth or dob (YYYY-MM-DD or DD/MM/YYYY), sex, postcode, "
        "address, nhs_number, upn, and the agency's own id or reference. Larger files: use the link_people command.",
        widget=forms.FileInput(attrs={"accept": ".csv,.parquet,.pq,text/csv"}),
        error_messages={"required": "Choose the extract file to upload.", "empty": "The file is empty."},
    )
    backend = BackendField()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs["class"] = "govuk-file-upload"

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_EXTRACT_MB * 1024 * 1024:
            raise forms.ValidationError(
                f"The file is {upload.size / (1024 * 1024):.0f} MB; the largest you can upload here is {MAX_EXTRACT_MB} MB. "
                "Link bigger extracts with the link_people command."
            )
        return upload

    def full_clean(self) -> None:
        super().full_clean()
        if "file" in self.errors:
            self.fields["file"].widget.attrs["class"] = "govuk-file-upload govuk-file-upload--error"


class ReasonField(forms.CharField):
    def __init__(self, *, label: str = "Reason", required_message: str = "Give a reason for your decision.", **kwargs: Any) -> None:
        super().__init__(
            label=label,
            help_text=REASON_HELP,
            widget=forms.Textarea(attrs={"rows": 3}),
            error_messages={"required": required_message},
            **kwargs,
        )


class PairDecisionForm(GovukForm):
    decision = forms.ChoiceField(
        label="Are these the same person?",
        choices=[("confirm", "Yes, the same person"), ("reject", "No, different people")],
        widget=GovukRadios,
        error_messages={"required": "Choose whether these are the same person."},
    )
    survivor = forms.TypedChoiceField(
        label="If they are the same person, which record should be kept?",
        help_text="The other record is merged into it: its contacts, involvements, relationships and agency records move "
        "across, and it stays in the index pointing at the one kept, so the merge can be undone.",
        coerce=int,
        required=False,
        widget=GovukRadios,
    )
    reason = ReasonField()

    def __init__(self, *args: Any, survivors: list[tuple[int, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if survivors:
            self.fields["survivor"].choices = survivors  # type: ignore[attr-defined]
        else:
            del self.fields["survivor"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if "survivor" in self.fields and cleaned.get("decision") == "confirm" and not cleaned.get("survivor"):
            self.add_error("survivor", "Choose which record to keep.")
        return cleaned


class ClusterForm(GovukForm):
    survivor = forms.TypedChoiceField(
        label="Which record should be kept?",
        help_text="Every other record in the group is merged into it. Each merge can be undone.",
        coerce=int,
        widget=GovukRadios,
        error_messages={"required": "Choose which record to keep."},
    )
    reason = ReasonField(required_message="Give a reason for confirming these are the same person.")

    def __init__(self, *args: Any, survivors: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["survivor"].choices = survivors  # type: ignore[attr-defined]


class UndoMergeForm(GovukForm):
    outcome = forms.ChoiceField(
        label="What should happen to the pair?",
        choices=[
            ("review", "Put it back in the review queue: I am not sure they are different people"),
            ("different", "They are different people: do not suggest this pair again"),
        ],
        initial="review",
        widget=GovukRadios,
        error_messages={"required": "Choose what should happen to the pair."},
    )
    reason = ReasonField(label="Why are you undoing the merge?", required_message="Give a reason for undoing the merge.")


class ActivateModelForm(GovukForm):
    reason = ReasonField(label="Why use this version?", required_message="Give a reason for changing the active model.")
