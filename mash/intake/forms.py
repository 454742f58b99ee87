from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django import forms
from django.utils import timezone

from mash.core.forms import GovukCheckboxes, GovukDateField, GovukDateTimeField, GovukForm, GovukRadios, clean_identifier
from mash.domain.identifiers import normalise_postcode, validate_nhs_number, validate_upn
from mash.partnership.models import Agency, ConcernCategory
from mash.people.models import Ethnicity, Sex

from .models import Channel, Consent, ConsentNotSoughtReason, ContactPerson, ContactType, ParentsAware, ReferrerSource


def clean_postcode_value(value: str) -> str:
    value = (value or "").strip()
    if not value:
        return ""
    normalised = normalise_postcode(value)
    if normalised is None:
        raise forms.ValidationError("Enter a real postcode, like NN4 7SL, or leave it empty if it is not known.")
    return normalised


class ContactForm(GovukForm):
    """The contact itself: who referred, how, what the concern is, consent.

    The telephone version follows the MASH officer script (seed 002 Appendix A) and makes
    the safety scale compulsory; the written version takes what the referral form said.
    """

    channel = forms.ChoiceField(label="How did the contact arrive?", choices=Channel.choices, widget=GovukRadios, error_messages={"required": "Choose how the contact arrived."})
    contact_type = forms.ChoiceField(label="Type of contact", choices=ContactType.choices, widget=GovukRadios, error_messages={"required": "Choose the type of contact."})
    received_at = GovukDateTimeField(
        label="Date and time received",
        help_text="For example 21/11/2026 and 14:30",
        error_messages={"required": "Enter the date and time the contact was received.", "incomplete": "Enter both the date and the time."},
    )

    referrer_source = forms.ChoiceField(label="Who is the referrer?", choices=[("", "Choose the referrer type")] + ReferrerSource.choices, error_messages={"required": "Choose who the referrer is (choose Anonymous if they did not say)."})
    referrer_name = forms.CharField(label="Referrer's name", max_length=200, required=False, help_text="Leave empty only for an anonymous referrer.")
    referrer_role = forms.CharField(label="Referrer's role", max_length=200, required=False, help_text="For example designated safeguarding lead, health visitor, neighbour.")
    referrer_agency = forms.CharField(label="Referrer's organisation", max_length=200, required=False)
    referring_agency = forms.ModelChoiceField(
        label="Is the referrer from a partner agency?",
        queryset=Agency.objects.filter(is_active=True),
        required=False,
        empty_label="No, or not a partner agency",
        help_text="The partner agency can then see the outcome of its referral and dispute it.",
    )
    referrer_phone = forms.CharField(label="Referrer's telephone number", max_length=40, required=False, error_messages={"required": "Enter the referrer's telephone number so the MASH can call back."})
    referrer_email = forms.EmailField(label="Referrer's e-mail address", required=False, error_messages={"invalid": "Enter an e-mail address in the correct format, like name@example.org"})
    referrer_address = forms.CharField(label="Referrer's postal address", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    concern_categories = forms.ModelMultipleChoiceField(
        label="What kind of concern is it?", queryset=ConcernCategory.objects.none(), required=False, widget=GovukCheckboxes
    )
    concern_details = forms.CharField(
        label="What are the concerns and what is the evidence?",
        help_text="Who, what, where, how severe. Keep fact and opinion apart; say when something is hearsay.",
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": "Enter the concerns and the evidence for them."},
    )
    concern_when = forms.CharField(label="When did it happen, and how often?", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    concern_how_known = forms.CharField(label="How does the referrer know?", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    complicating_factors = forms.CharField(
        label="Are there other worries making it harder to keep the child safe?",
        help_text="For example housing, poverty, mental health, risks outside the home.",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    impact_on_child = forms.CharField(label="How are the concerns affecting the child?", widget=forms.Textarea(attrs={"rows": 4}), error_messages={"required": "Enter how the concerns are affecting the child."})
    child_voice = forms.CharField(
        label="What has the child said?",
        help_text="In the child's own words where possible; what would they say about living in this household?",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    strengths_and_safety = forms.CharField(
        label="Who or what is helping to keep the child safe?",
        help_text="People in the family and professional network, safety plans, what has worked before.",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    safety_scale = forms.TypedChoiceField(
        label="On a scale of 0 to 10, how safe is the child?",
        help_text="0 means the child is not safe at all; 10 means the child is safe and their needs are met.",
        choices=[(str(n), str(n)) for n in range(11)],
        coerce=int,
        required=False,
        empty_value=None,
        widget=GovukRadios(inline=True),
        error_messages={"required": "Choose how safe the child is, from 0 to 10."},
    )
    what_needs_to_change = forms.CharField(
        label="What needs to happen or change to move up the scale?", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    if_nothing_changes = forms.CharField(
        label="What is the referrer worried will happen if nothing changes?", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    referrer_wants = forms.CharField(label="What does the referrer want to happen?", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    child_whereabouts = forms.CharField(label="Where is the child now?", widget=forms.Textarea(attrs={"rows": 2}), error_messages={"required": "Enter where the child is now."})

    parents_aware = forms.ChoiceField(label="Do the parents or carers know about this contact?", choices=ParentsAware.choices, widget=GovukRadios(inline=True), error_messages={"required": "Choose whether the parents or carers know about this contact."})
    child_aware = forms.ChoiceField(label="Does the child know about this contact?", choices=ParentsAware.choices, widget=GovukRadios(inline=True), initial=ParentsAware.NOT_KNOWN, required=False, help_text="Leave as 'Not known' if the referrer did not say.")
    consent = forms.ChoiceField(label="Consent to share information", choices=Consent.choices, widget=GovukRadios, error_messages={"required": "Choose whether consent was given, refused or not sought."})
    consent_not_sought_reason = forms.ChoiceField(
        label="If consent was not sought, why not?",
        help_text="Consent may be left unsought only for one of these reasons.",
        choices=ConsentNotSoughtReason.choices,
        required=False,
        widget=GovukRadios,
    )
    consent_notes = forms.CharField(label="Consent notes", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    # The seven questions of the MASH officer script, in the order the caller is asked them.
    SCRIPT_ORDER = (
        "concern_categories", "concern_details", "concern_when", "concern_how_known",
        "complicating_factors",
        "impact_on_child", "child_voice",
        "strengths_and_safety",
        "safety_scale",
        "what_needs_to_change",
        "if_nothing_changes",
        "referrer_wants", "child_whereabouts",
    )
    # A written referral form asks about impact and safety before the scaling questions.
    WRITTEN_ORDER = (
        "concern_categories", "concern_details", "concern_when", "concern_how_known",
        "impact_on_child", "child_voice", "strengths_and_safety", "complicating_factors",
        "safety_scale", "what_needs_to_change", "if_nothing_changes", "referrer_wants", "child_whereabouts",
    )

    def concern_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in (self.SCRIPT_ORDER if self.telephone else self.WRITTEN_ORDER)]

    def __init__(self, *args: Any, telephone: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.telephone = telephone
        self.fields["concern_categories"].queryset = ConcernCategory.objects.filter(is_active=True)
        if telephone:
            self.fields["channel"].choices = [(Channel.TELEPHONE.value, Channel.TELEPHONE.label), (Channel.OUT_OF_HOURS.value, Channel.OUT_OF_HOURS.label)]
            self.fields["safety_scale"].required = True
            self.fields["referrer_phone"].required = True
            script_labels = {
                "concern_details": "1. What are your safeguarding concerns and what is your evidence?",
                "complicating_factors": "2. Are there other worries making it harder to keep the child safe?",
                "impact_on_child": "3. How are these concerns affecting the child?",
                "strengths_and_safety": "4. Is there anyone or anything helping to keep the child safe?",
                "safety_scale": "5. On a scale of 0 to 10, how safe is the child?",
                "what_needs_to_change": "6. What needs to happen or change to move up the scale?",
                "if_nothing_changes": "7. What are you worried may happen to the child if nothing changes?",
            }
            for name, label in script_labels.items():
                self.fields[name].label = label
        else:
            self.fields["channel"].choices = [c for c in Channel.choices if c[0] != Channel.TELEPHONE]
            for name in ("complicating_factors", "what_needs_to_change", "if_nothing_changes"):
                self.fields[name].help_text = "If the referral form says."

    def clean_received_at(self) -> Any:
        received = self.cleaned_data.get("received_at")
        if received is None:
            raise forms.ValidationError("Enter the date and time the contact was received.")
        if received > timezone.now() + timedelta(minutes=5):
            raise forms.ValidationError("The date and time received cannot be in the future.")
        if received < timezone.now() - timedelta(days=365):
            raise forms.ValidationError("The date received is more than a year ago: check the year.")
        return received

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("referrer_source") != ReferrerSource.ANONYMOUS and not data.get("referrer_name", "").strip():
            self.add_error("referrer_name", "Enter the referrer's name, or choose 'Anonymous' as the referrer type.")
        if not data.get("child_aware"):
            data["child_aware"] = ParentsAware.NOT_KNOWN
        consent = data.get("consent")
        reason = data.get("consent_not_sought_reason")
        if consent == Consent.NOT_SOUGHT and not reason:
            self.add_error("consent_not_sought_reason", "Choose why consent was not sought.")
        if consent and consent != Consent.NOT_SOUGHT and reason:
            data["consent_not_sought_reason"] = ""
        return data


class PersonDetailsForm(GovukForm):
    """One person as the referrer described them."""

    forenames = forms.CharField(label="First name(s)", max_length=150, required=False)
    surname = forms.CharField(label="Last name", max_length=150, required=False)
    other_names = forms.CharField(label="Other names or aliases", max_length=300, required=False, help_text="Separate names with commas.")
    date_of_birth = GovukDateField(label="Date of birth", required=False, help_text="For example 27 3 2015")
    sex = forms.ChoiceField(label="Sex", choices=Sex.choices, initial=Sex.UNKNOWN, widget=GovukRadios(inline=True), error_messages={"required": "Choose the sex, or 'Not known'."})
    address = forms.CharField(label="Address", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    postcode = forms.CharField(label="Postcode", max_length=10, required=False, widget=forms.TextInput(attrs={"class": "govuk-input--width-10", "autocomplete": "off"}))

    def clean_postcode(self) -> str:
        return clean_postcode_value(self.cleaned_data.get("postcode", ""))

    def clean_date_of_birth(self) -> date | None:
        dob = self.cleaned_data.get("date_of_birth")
        if dob and dob > timezone.localdate():
            raise forms.ValidationError("Date of birth must be in the past. For an unborn baby, use the expected date of birth.")
        if dob and dob < date(1900, 1, 1):
            raise forms.ValidationError("Date of birth must be after 1900.")
        return dob

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("forenames", "").strip() and not data.get("surname", "").strip():
            self.add_error("forenames", "Enter a first name or a last name (for an unborn baby, for example 'Unborn baby' and the mother's last name).")
        return data


class ChildForm(PersonDetailsForm):
    prefix = "child"
    expected_date_of_birth = GovukDateField(label="Expected date of birth (unborn baby)", required=False, help_text="Only for an unborn baby.")
    ethnicity = forms.ChoiceField(label="Ethnicity", choices=Ethnicity.choices, initial=Ethnicity.NOBT, error_messages={"required": "Choose the ethnicity, or 'Information not yet obtained'."})
    first_language = forms.CharField(label="First or preferred language", max_length=100, required=False)
    religion = forms.CharField(label="Religion", max_length=100, required=False)
    place_of_birth = forms.CharField(label="Place of birth", max_length=150, required=False)
    disability = forms.CharField(label="Disabilities or learning needs", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    school = forms.CharField(label="School, nursery or college", max_length=200, required=False)
    gp = forms.CharField(label="GP practice", max_length=200, required=False)
    nhs_number = forms.CharField(
        label="NHS number", max_length=14, required=False, help_text="10 digits, if the referrer gave it.",
        widget=forms.TextInput(attrs={"class": "govuk-input--width-10", "inputmode": "numeric", "autocomplete": "off"}),
    )
    upn = forms.CharField(
        label="Unique pupil number (UPN)", max_length=13, required=False, help_text="13 characters, if the school gave it.",
        widget=forms.TextInput(attrs={"class": "govuk-input--width-10", "autocomplete": "off"}),
    )

    field_order = [
        "forenames", "surname", "other_names", "date_of_birth", "expected_date_of_birth", "sex", "ethnicity",
        "first_language", "religion", "place_of_birth", "disability", "address", "postcode", "school", "gp",
        "nhs_number", "upn",
    ]

    def clean_nhs_number(self) -> str:
        return clean_identifier(self.cleaned_data.get("nhs_number", ""), validate_nhs_number)

    def clean_upn(self) -> str:
        return clean_identifier(self.cleaned_data.get("upn", ""), validate_upn)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        expected = data.get("expected_date_of_birth")
        if expected and data.get("date_of_birth"):
            self.add_error("expected_date_of_birth", "Enter either a date of birth or an expected date of birth, not both.")
        if expected and not (timezone.localdate() - timedelta(days=31) <= expected <= timezone.localdate() + timedelta(days=300)):
            self.add_error("expected_date_of_birth", "The expected date of birth must be within the next 10 months.")
        return data


class OtherPersonForm(PersonDetailsForm):
    role = forms.ChoiceField(
        label="Lives with the child?",
        choices=[
            (ContactPerson.Role.HOUSEHOLD_MEMBER.value, "Lives in the household"),
            (ContactPerson.Role.SIGNIFICANT_ADULT.value, "Significant adult who does not live there"),
        ],
        widget=GovukRadios,
        error_messages={"required": "Choose whether this person lives with the child."},
    )
    relationship = forms.CharField(label="Relationship to the child", max_length=100, help_text="For example mother, sibling, mother's partner, grandparent.", error_messages={"required": "Enter how this person is related to the child."})
    school = forms.CharField(label="School (for a child)", max_length=200, required=False)

    field_order = ["forenames", "surname", "relationship", "role", "date_of_birth", "sex", "school", "other_names", "address", "postcode"]

    def has_changed(self) -> bool:
        # Sex and role have defaults; a block with no name, relationship or date is blank.
        return any(self.data.get(self.add_prefix(n), "").strip() for n in ("forenames", "surname", "relationship", "date_of_birth_day", "date_of_birth_month", "date_of_birth_year", "other_names", "address", "postcode", "school"))


OtherPeopleFormSet = forms.formset_factory(OtherPersonForm, extra=1, max_num=30, validate_max=True)
