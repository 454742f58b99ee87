"""Who may do what with strategy discussions (django-rules, autodiscovered).

* schedule, record the outcome, manage attendees and actions, cancel: decision makers and
  team managers (the MASH's deciders);
* read discussions on the contact page: MASH members (need to know);
* complete an action: its owner, whoever they are (a MASH worker, a police officer, a
  receiving team's social worker), or a team manager (e.g. told by phone that it is done).
"""

from __future__ import annotations

import rules

from mash.accounts.rules import is_decider, is_mash_member, is_team_manager


@rules.predicate
def owns_the_action(user, action) -> bool:  # type: ignore[no-untyped-def]
    return action is not None and getattr(action, "owner_id", None) is not None and action.owner_id == getattr(user, "pk", None)


rules.add_perm("strategy.schedule", is_decider)
rules.add_perm("strategy.record", is_decider)
rules.add_perm("strategy.manage", is_decider)
rules.add_perm("strategy.view", is_mash_member)
rules.add_perm("strategy.complete_action", owns_the_action | is_team_manager)
