"""The malicious-referral guard (seed 001 §8, National Panel Review 2022 recommendation).

"No referral is deemed malicious without a full and thorough multi-agency assessment,
including talking with the referrer, and agreement with the appropriate manager."

Pure rules, no Django: the caller gathers the facts (Stage 2 answers, strategy discussions,
the record of the conversation with the referrer, who proposed and who agrees) and asks
here whether a referral may be recorded as malicious, and if not, why not, in words a
practitioner understands.
"""

from __future__ import annotations

MINIMUM_AGENCIES = 2

SOURCE_BIAS_CAUTION = (
    "Beware source bias: judge the referral on its substance, not on who made it. In Star Hobson's case, "
    "family members' referrals were dismissed as malicious (National Panel Review, 2022)."
)


def assessment_shortfall(
    agencies_responded: int,
    requests_outstanding: int,
    strategy_discussion_held: bool,
    minimum_agencies: int = MINIMUM_AGENCIES,
) -> list[str]:
    """What is missing from a full multi-agency assessment (empty when it is complete).

    Complete means: no agency's information request is still outstanding, and either at
    least `minimum_agencies` agencies answered (an answer of "nothing held" counts) or a
    strategy discussion was held.
    """
    if agencies_responded < 0 or requests_outstanding < 0 or minimum_agencies < 1:
        raise ValueError("Counts cannot be negative and at least one agency must be required.")
    missing: list[str] = []
    if requests_outstanding:
        missing.append(
            f"{requests_outstanding} agenc{'y has' if requests_outstanding == 1 else 'ies have'} not answered the MASH's "
            "request for information yet."
        )
    if not strategy_discussion_held and agencies_responded < minimum_agencies:
        answered = "No agency has" if agencies_responded == 0 else f"Only {agencies_responded} agenc{'y has' if agencies_responded == 1 else 'ies have'}"
        missing.append(
            f"{answered} shared what they know: at least {minimum_agencies} must answer, or a strategy discussion "
            "must be held, before the assessment is full."
        )
    return missing


def full_assessment_done(
    agencies_responded: int,
    requests_outstanding: int,
    strategy_discussion_held: bool,
    minimum_agencies: int = MINIMUM_AGENCIES,
) -> bool:
    return not assessment_shortfall(agencies_responded, requests_outstanding, strategy_discussion_held, minimum_agencies)


NO_FULL_ASSESSMENT = (
    "A full multi-agency assessment has not been completed. A referral cannot be deemed malicious without one."
)
REFERRER_NOT_SPOKEN_TO = (
    "Nobody has spoken to the referrer. Record when the referrer was spoken to, by whom, and what they said: a "
    "referral cannot be deemed malicious without talking with the referrer."
)
NO_MANAGER_AGREEMENT = "A manager has not agreed. A referral is recorded as malicious only with a manager's agreement."
MANAGER_IS_PROPOSER = (
    "You proposed this finding, so you cannot also agree it: a different manager must agree that the referral was malicious."
)


def proposal_problems(*, full_assessment: bool, referrer_spoken_to: bool) -> list[str]:
    """Why the referral cannot yet be put to a manager as malicious (empty when it can)."""
    problems: list[str] = []
    if not full_assessment:
        problems.append(NO_FULL_ASSESSMENT)
    if not referrer_spoken_to:
        problems.append(REFERRER_NOT_SPOKEN_TO)
    return problems


def malicious_problems(
    *, full_assessment: bool, referrer_spoken_to: bool, manager_agreed: bool, manager_is_proposer: bool
) -> list[str]:
    """Why the referral cannot be recorded as malicious (empty only when every condition holds)."""
    problems = proposal_problems(full_assessment=full_assessment, referrer_spoken_to=referrer_spoken_to)
    if not manager_agreed:
        problems.append(NO_MANAGER_AGREEMENT)
    if manager_is_proposer:
        problems.append(MANAGER_IS_PROPOSER)
    return problems


def may_record_malicious(
    *, full_assessment: bool, referrer_spoken_to: bool, manager_agreed: bool, manager_is_proposer: bool
) -> bool:
    return not malicious_problems(
        full_assessment=full_assessment,
        referrer_spoken_to=referrer_spoken_to,
        manager_agreed=manager_agreed,
        manager_is_proposer=manager_is_proposer,
    )
