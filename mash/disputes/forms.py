from __future__ import annotations

from django import forms

from mash.core.forms import GovukForm, GovukRadios
from mash.decisions.models import Outcome
from mash.domain.disputes import Action


class RaiseDisputeForm(GovukForm):
    grounds = forms.CharField(
        label="Why do you disagree with the decision?",
        help_text="Say what the decision missed or got wrong, and what you know that supports a different outcome.",
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": "Say why you disagree with the decision."},
    )
    proposed_outcome = forms.ChoiceField(
        label="What outcome do you believe is right? (optional)",
        choices=[("", "I am not proposing a particular outcome"), *Outcome.choices],
        required=False,
    )


class ActOnDisputeForm(GovukForm):
    action = forms.ChoiceField(
        label="What is your decision?",
        choices=[
            (Action.DECISION_STANDS.value, "Resolve: the decision stands"),
            (Action.DECISION_CHANGED.value, "Resolve: the decision changes and goes back to the MASH"),
            (Action.ESCALATE.value, "Escalate to the next level"),
        ],
        widget=GovukRadios,
        error_messages={"required": "Choose whether the decision stands, changes, or the dispute is escalated."},
    )
    notes = forms.CharField(
        label="Discussion and reasons",
        help_text="Required when you escalate: say why the disagreement could not be resolved at this level. "
        "Seen in the MASH and by managers on the ladder, not by partner agencies.",
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
    )
    agreed_outcome = forms.ChoiceField(
        label="Agreed outcome (when the decision changes)",
        help_text="The decision maker records this outcome and a manager signs it off again.",
        choices=[("", "Choose the agreed outcome"), *Outcome.choices],
        required=False,
    )
    resolution_summary = forms.CharField(
        label="Resolution (when you resolve)",
        help_text="The person who raised the dispute sees this.",
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )
    learning = forms.CharField(
        label="Learning for the monthly review (when you resolve)",
        help_text="What the MASH and its partners should learn from this disagreement. Write 'none identified' if there is none.",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )

    def __init__(self, *args: object, can_escalate: bool = True, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        if not can_escalate:
            field = self.fields["action"]
            field.choices = [c for c in field.choices if c[0] != Action.ESCALATE.value]  # type: ignore[attr-defined]
            field.help_text = "This is the final level of the ladder: your decision is final."
