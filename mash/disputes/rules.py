"""Who may do what in this app (django-rules, autodiscovered).

Role-level permissions only; whether a person may raise a dispute about *this* decision or act
on *this* step is decided by `mash.disputes.services` with the pure rules of
`mash.domain.disputes` (raise_refusal, act_refusal), which also explain a refusal.
"""

from __future__ import annotations

import rules

from mash.accounts.rules import (
    is_assistant_director,
    is_mash_member,
    is_partner_practitioner,
    is_receiving_practitioner,
    is_service_manager,
    is_strategic_manager,
    is_team_manager,
)

is_on_the_ladder = is_team_manager | is_service_manager | is_strategic_manager | is_assistant_director


@rules.predicate
def may_act_on(user, dispute) -> bool:  # type: ignore[no-untyped-def]
    from .services import may_act

    return dispute is not None and may_act(dispute, user)


# Raise a dispute (which decision: see services.raise_refusal).
rules.add_perm("disputes.raise_dispute", is_mash_member | is_partner_practitioner | is_receiving_practitioner)
# The purpose-built list of the outcomes of the agency's own referrals.
rules.add_perm("disputes.view_referral_outcomes", is_partner_practitioner)
# The disputes page: waiting for you, your disputes.
rules.add_perm(
    "disputes.view_disputes", is_mash_member | is_on_the_ladder | is_partner_practitioner | is_receiving_practitioner
)
# Resolve or escalate: the role of the open step's level, never the raiser, never (first step) the signer.
rules.add_perm("disputes.act_on_step", is_on_the_ladder)
rules.add_perm("disputes.act_on_dispute", is_on_the_ladder & may_act_on)
# The monthly review of all disputes (seed 002 §14).
rules.add_perm("disputes.view_report", is_on_the_ladder)
