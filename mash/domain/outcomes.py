"""The outcome catalogue and the rules of a sound recommendation (DOMAIN.md §5, seed 002 §9, App. B).

Pure: no Django. The decisions app asks this module what each outcome means (does it make the
contact a referral, does it need a receiving team or a destination outside the partnership,
is feedback given by telephone) and whether a recommendation is complete, given facts about
the child that the caller gathers (open or recently closed social work involvement).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum


class OutcomeCode(StrEnum):
    NFA = "nfa"
    ADVICE_SIGNPOST = "advice_signpost"
    EARLY_HELP = "early_help"
    S17_ASSESSMENT = "s17_assessment"
    S47_STRATEGY = "s47_strategy"
    TRANSFER_ALLOCATED = "transfer_allocated"
    TRANSFER_PREVIOUS_TEAM = "transfer_previous_team"
    ADULT_SOCIAL_CARE = "adult_social_care"
    OTHER_LOCAL_AUTHORITY = "other_local_authority"
    POLICE_ACTION = "police_action"
    MARAC = "marac"


class FeedbackRecipient(StrEnum):
    REFERRER = "referrer"
    FAMILY = "family"


# Seed 002 §9 point 8: "in all cases ... feedback to the referrer and the family".
FEEDBACK_RECIPIENTS: tuple[FeedbackRecipient, ...] = (FeedbackRecipient.REFERRER, FeedbackRecipient.FAMILY)

# SafeLives: 14 or more 'yes' answers on the 24-question DASH risk checklist means high risk (MARAC).
DASH_HIGH_RISK = 14
DASH_QUESTIONS = 24


@dataclass(frozen=True)
class OutcomeSpec:
    code: OutcomeCode
    becomes_referral: bool = False  # the threshold for children's social care is met
    needs_team: bool = False  # passed to one of the partnership's teams
    needs_destination: bool = False  # passed outside the partnership's teams (Decision.destination)
    destination_label: str = ""  # what the destination is, in the words of the form
    feedback_by_phone: bool = False  # seed 002 §9 point 5: "advised via phone not a letter"
    starts_strategy: bool = False
    tracks_early_help: bool = False
    next_steps: tuple[str, ...] = ()

    @property
    def feedback_method(self) -> str:
        return "phone" if self.feedback_by_phone else "letter"


CATALOGUE: dict[OutcomeCode, OutcomeSpec] = {
    spec.code: spec
    for spec in (
        OutcomeSpec(
            OutcomeCode.NFA,
            next_steps=(
                "The contact is closed. It does not become a referral.",
                "Letters go to the referrer and to the family within 24 hours, explaining the decision.",
                "Record the rationale clearly: the case may be chosen for the monthly audit of no further action decisions.",
            ),
        ),
        OutcomeSpec(
            OutcomeCode.ADVICE_SIGNPOST,
            next_steps=(
                "Give the referrer and the family advice and details of universal services (school, health visitor, GP, children's centre).",
                "The contact is closed. It does not become a referral.",
                "Letters go to the referrer and to the family within 24 hours.",
            ),
        ),
        OutcomeSpec(
            OutcomeCode.EARLY_HELP,
            needs_team=True,
            tracks_early_help=True,
            next_steps=(
                "The case passes to the early help team for screening; support is offered with the family's agreement.",
                "The early help offer is tracked: the next contact shows it, and a refusal prompts the decision maker to consider escalation.",
                "Letters go to the referrer and to the family within 24 hours.",
            ),
        ),
        OutcomeSpec(
            OutcomeCode.S17_ASSESSMENT,
            becomes_referral=True,
            needs_team=True,
            next_steps=(
                "The contact becomes a referral to children's social care.",
                "The case transfers at once to the receiving team for a child in need single assessment (section 17).",
                "Letters go to the referrer and to the family within 24 hours, with the receiving team's contact details.",
            ),
        ),
        OutcomeSpec(
            OutcomeCode.S47_STRATEGY,
            becomes_referral=True,
            needs_team=True,
            feedback_by_phone=True,
            starts_strategy=True,
            next_steps=(
                "The contact becomes a referral. The case transfers to the social work team at once.",
                "Hold a strategy discussion with social care, police and health: today for a RED rating.",
                "Take any protective action needed today.",
                "Phone the referrer and the family (not a letter) and record each call.",
            ),
        ),
        OutcomeSpec(
            OutcomeCode.TRANSFER_ALLOCATED,
            becomes_referral=True,
            needs_team=True,
            next_steps=(
                "The child already has an allocated social worker: send the information straight to them today.",
                "The contact becomes a referral on the open case.",
                "Letters go to the referrer and to the family within 24 hours.",
            ),
        ),
        OutcomeSpec(
            OutcomeCode.TRANSFER_PREVIOUS_TEAM,
            becomes_referral=True,
            needs_team=True,
            next_steps=(
                "The child's case closed recently (the 12-week rule): pass the contact to the team that worked with the child.",
                "No information sharing is needed in the MASH. The contact becomes a referral.",
                "Letters go to the referrer and to the family within 24 hours.",
            ),
        ),
        OutcomeSpec(
            OutcomeCode.ADULT_SOCIAL_CARE,
            needs_destination=True,
            destination_label="the adult social care team",
            next_steps=(
                "Refer the adult's needs to adult social care (Care Act 2014); say whether the adult knows and agrees.",
                "The contact is closed for the MASH. It does not become a referral to children's social care.",
                "Letters go to the referrer and to the family within 24 hours.",
            ),
        ),
        OutcomeSpec(
            OutcomeCode.OTHER_LOCAL_AUTHORITY,
            needs_destination=True,
            destination_label="the local authority",
            next_steps=(
                "The child lives in another local authority: phone their front door today and send the contact securely.",
                "Record who accepted the transfer. The contact is closed here.",
                "Letters go to the referrer and to the family within 24 hours, naming the authority now responsible.",
            ),
        ),
        OutcomeSpec(
            OutcomeCode.POLICE_ACTION,
            needs_destination=True,
            destination_label="the police team or unit",
            next_steps=(
                "The police lead: pass the information to the named police team or unit to investigate or act.",
                "There is no role for children's social care now. The contact is closed.",
                "Letters go to the referrer and to the family within 24 hours, unless telling the family would harm the investigation (a manager withholds it).",
            ),
        ),
        OutcomeSpec(
            OutcomeCode.MARAC,
            needs_destination=True,
            destination_label="the MARAC (and IDVA service)",
            next_steps=(
                "Complete the DASH risk checklist: 14 or more 'yes' answers, or high risk on professional judgement.",
                "Refer to the MARAC and the IDVA service; the adult victim is offered an independent domestic violence adviser.",
                "Tell the child's school through Operation Encompass where relevant.",
                "Never send a letter the abuser could read: a manager withholds the family letter where it would increase the risk.",
            ),
        ),
    )
}


def spec_for(outcome: str) -> OutcomeSpec:
    """The catalogue entry; KeyError for an outcome the catalogue does not know."""
    return CATALOGUE[OutcomeCode(outcome)]


def recently_closed(closed_on: Iterable[date | None], today: date, weeks: int) -> bool:
    """The 12-week rule: some social work involvement closed within the last `weeks` weeks (and not in the future)."""
    earliest = today - timedelta(weeks=weeks)
    return any(day is not None and earliest <= day <= today for day in closed_on)


def recommendation_problems(
    outcome: str,
    *,
    team_chosen: bool,
    destination: str = "",
    dash_score: int | None = None,
    professional_judgement: bool = False,
    open_involvement: bool = False,
    closed_recently: bool = False,
    weeks: int = 12,
    dash_threshold: int = DASH_HIGH_RISK,
) -> dict[str, str]:
    """What is wrong with a recommendation, by form field, in words a practitioner understands.

    The caller passes facts about the child: whether social work involvement is open now, and
    whether one closed within the partnership's `weeks` (the 12-week rule).
    """
    try:
        spec = spec_for(outcome)
    except ValueError:
        return {"outcome": "Choose the recommended outcome."}
    problems: dict[str, str] = {}
    if spec.needs_team and not team_chosen:
        problems["receiving_team"] = "Choose the team that will receive the child."
    if spec.needs_destination and not destination.strip():
        problems["destination"] = f"Enter {spec.destination_label} the child's information goes to."
    if dash_score is not None and not 0 <= dash_score <= DASH_QUESTIONS:
        problems["dash_score"] = f"The DASH score is the number of 'yes' answers: a whole number from 0 to {DASH_QUESTIONS}."
    elif spec.code is OutcomeCode.MARAC and not professional_judgement:
        if dash_score is None:
            problems["dash_score"] = (
                f"Enter the DASH risk checklist score, or tick high risk on professional judgement: a MARAC referral needs {dash_threshold} "
                "or more 'yes' answers or a practitioner's judgement that the risk is high."
            )
        elif dash_score < dash_threshold:
            problems["dash_score"] = (
                f"A DASH score of {dash_score} is below the MARAC threshold of {dash_threshold}. Tick high risk on professional "
                "judgement if you are referring anyway, and say why in the rationale."
            )
    if spec.code is OutcomeCode.TRANSFER_ALLOCATED and not open_involvement:
        problems["outcome"] = (
            "The child has no open social work involvement, so there is no allocated worker to transfer to. Check the history, or choose another outcome."
        )
    if spec.code is OutcomeCode.TRANSFER_PREVIOUS_TEAM:
        if open_involvement:
            problems["outcome"] = "The child's case is still open: transfer to the allocated worker instead."
        elif not closed_recently:
            problems["outcome"] = (
                f"The child's social work involvement did not close in the last {weeks} weeks, so the {weeks}-week rule does not apply. "
                "Choose another outcome, for example a section 17 assessment."
            )
    return problems


def is_parent_or_carer(relationship: str) -> bool:
    """A household member the family letter is addressed to (mother, father, parent, carer, step-parent, guardian)."""
    words = relationship.strip().lower().replace("-", " ").replace("(", " ").replace(")", " ").split()
    if not words:
        return False
    if "'s" in relationship or "’s" in relationship:
        return False  # "mother's boyfriend" is not a parent
    core = {"mother", "father", "parent", "carer", "guardian", "stepmother", "stepfather", "stepparent", "mum", "dad"}
    joined = "".join(words)
    if joined in core:
        return True
    if words[0] == "step" and len(words) >= 2 and words[1] in {"parent", "mother", "father", "mum", "dad"}:
        return True
    # "foster carer", "special guardian", "kinship carer", "maternal grandmother (kinship carer)"
    return words[-1] in {"carer", "guardian"}


def family_addressee(household: Sequence[tuple[str, str]], child_name: str) -> str:
    """Who the family letter is addressed to: the parents or carers named as household members, else a fallback.

    `household` holds (full name, relationship to the child) for each household member.
    """
    names: list[str] = []
    for name, relationship in household:
        name = name.strip()
        if name and is_parent_or_carer(relationship) and name not in names:
            names.append(name)
    if not names:
        return f"The parent or carer of {child_name}"
    if len(names) == 1:
        return names[0]
    return ", ".join(names[:-1]) + " and " + names[-1]


def outstanding_recipients(done: Mapping[str, bool]) -> list[str]:
    """Recipients still owed feedback (a sent letter, a recorded call or a manager's withholding counts as done)."""
    return [recipient.value for recipient in FEEDBACK_RECIPIENTS if not done.get(recipient.value, False)]


def feedback_is_complete(done: Mapping[str, bool]) -> bool:
    return not outstanding_recipients(done)
