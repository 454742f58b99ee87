"""Who may do what after the outcome: early help tracking and the malicious-referral guard (django-rules, autodiscovered)."""

from __future__ import annotations

import rules

from mash.accounts.rules import is_decider, is_mash_member, is_receiving_practitioner, is_team_manager


@rules.predicate
def of_the_referral_team(user, referral) -> bool:  # type: ignore[no-untyped-def]
    """The early help referral was made to the user's own team."""
    if referral is None or getattr(user, "team_id", None) is None:
        return False
    return getattr(referral, "team_id", None) == user.team_id


@rules.predicate
def in_an_early_help_team(user) -> bool:  # type: ignore[no-untyped-def]
    team = getattr(user, "team", None)
    return team is not None and team.kind == "early_help"


@rules.predicate
def proposed_it(user, finding) -> bool:  # type: ignore[no-untyped-def]
    """The user proposed this malicious finding (so may not decide on it)."""
    if finding is None:
        return False
    return getattr(finding, "proposed_by_id", None) == user.pk


# Early help: MASH members and the receiving team's practitioners see the purpose-built referral page.
rules.add_perm("decisions.view_early_help_referrals", is_mash_member | is_receiving_practitioner)
# The early help team's own list of the step-downs made to it.
rules.add_perm("decisions.view_early_help_list", is_receiving_practitioner & in_an_early_help_team)
rules.add_perm("decisions.record_early_help_response", is_mash_member | (is_receiving_practitioner & of_the_referral_team))
rules.add_perm("decisions.decide_early_help_escalation", is_decider)

# Malicious referrals: proposed by a decision maker or manager, decided by a team manager who did not propose it.
rules.add_perm("decisions.propose_malicious", is_decider)
rules.add_perm("decisions.decide_malicious", is_team_manager & ~proposed_it)
