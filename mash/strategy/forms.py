from __future__ import annotations

from typing import Any

from django import forms

from mash.accounts.models import Role, User
from mash.core.forms import GovukDateTimeField, GovukForm, GovukRadios
from mash.partnership.models import Agency

from .models import StrategyDiscussion
from .services import ACTION_OWNER_ROLES

CHAIR_ROLES = (Role.DECISION_MAKER, Role.TEAM_MANAGER, Role.SERVICE_MANAGER)


class UserChoiceField(forms.ModelChoiceField):
    """A person, told apart by job title and agency (two Sarah Smiths in different agencies)."""

    def label_from_instance(self, obj: Any) -> str:
        parts = [p for p in (obj.job_title, str(obj.agency or "")) if p]
        return f"{obj.display_name} ({', '.join(parts)})" if parts else obj.display_name


def _users(roles: Any) -> Any:
    return User.objects.filter(is_active=True, role__in=list(roles)).select_related("agency").order_by("first_name", "last_name")


class ScheduleForm(GovukForm):
    kind = forms.ChoiceField(
        label="Discussion or meeting",
        choices=StrategyDiscussion.Kind.choices,
        widget=GovukRadios,
        initial=StrategyDiscussion.Kind.DISCUSSION,
        help_text="A discussion may be held by telephone or video; a meeting brings people together.",
        error_messages={"required": "Choose a strategy discussion or a strategy meeting."},
    )
    scheduled_for = GovukDateTimeField(
        label="When it will be held", error_messages={"required": "Enter the date and time it will be held."}
    )
    arrangements = forms.CharField(
        label="Where or how", max_length=200, required=False, help_text="Room, telephone conference or video link."
    )
    chair = UserChoiceField(
        label="Chair", queryset=User.objects.none(), required=False, help_text="Usually a social work manager."
    )
    delay_reason = forms.CharField(
        label="Why it cannot be held within the timescale",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Needed only when it will be held after the deadline shown above.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["chair"].queryset = _users(CHAIR_ROLES)  # type: ignore[attr-defined]


class AttendeeForm(GovukForm):
    agency = forms.ModelChoiceField(
        label="Agency",
        queryset=Agency.objects.filter(is_active=True),
        error_messages={"required": "Choose the attendee's agency."},
    )
    user = UserChoiceField(
        label="Choose from the users",
        queryset=User.objects.none(),
        required=False,
        help_text="If they use this system: their name and job title are filled in for you.",
    )
    name = forms.CharField(
        label="Name", max_length=200, required=False, help_text="Needed when they are not chosen from the users."
    )
    job_title = forms.CharField(label="Role or job title", max_length=200, required=False)
    attended = forms.TypedChoiceField(
        label="Did they attend?",
        choices=[("yes", "Yes, they attended (or are expected to)"), ("no", "No, invited but did not attend")],
        widget=GovukRadios,
        initial="yes",
        coerce=lambda v: v == "yes",
        error_messages={"required": "Say whether they attended."},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = _users(ACTION_OWNER_ROLES)  # type: ignore[attr-defined]


class RecordForm(GovukForm):
    held_at = GovukDateTimeField(label="When it was held", error_messages={"required": "Enter the date and time it was held."})
    information_considered = forms.CharField(
        label="Information considered",
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="What each agency shared and what the discussion weighed.",
        error_messages={"required": "Say what information the discussion considered."},
    )
    decision = forms.ChoiceField(
        label="What was decided",
        choices=StrategyDiscussion.Decision.choices,
        widget=GovukRadios,
        error_messages={"required": "Choose what the discussion decided."},
    )
    decision_rationale = forms.CharField(
        label="Reasons for the decision",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Give the reasons for the decision."},
    )
    delay_reason = forms.CharField(
        label="Why it was held after the deadline",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Needed only when it was held after its deadline and no reason is recorded yet.",
    )


class CancelForm(GovukForm):
    reason = forms.CharField(
        label="Why is it cancelled?",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example: rearranged for a time the police can attend.",
        error_messages={"required": "Say why the discussion is cancelled."},
    )


class ActionForm(GovukForm):
    description = forms.CharField(
        label="Action", widget=forms.Textarea(attrs={"rows": 3}), error_messages={"required": "Describe the action."}
    )
    owner = UserChoiceField(
        label="Who will do it",
        queryset=User.objects.none(),
        help_text="Anyone who uses this system: MASH staff, a partner agency's practitioner or the receiving team. "
        "It appears on their work queue.",
        error_messages={"required": "Choose who will do it."},
    )
    due_at = GovukDateTimeField(label="Done by", error_messages={"required": "Enter the date and time it must be done by."})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = _users(ACTION_OWNER_ROLES)  # type: ignore[attr-defined]


class CompleteForm(GovukForm):
    note = forms.CharField(
        label="What was done", widget=forms.Textarea(attrs={"rows": 4}), error_messages={"required": "Say what was done."}
    )
