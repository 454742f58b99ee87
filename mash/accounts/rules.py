"""Who may do what, as readable predicates (django-rules).

Object-level checks (may this user open this contact?) live in `mash.core.access`, which
also provides the one queryset filter used by every list and search.
"""

from __future__ import annotations

import rules

from .models import Role


@rules.predicate
def is_mash_officer(user) -> bool:  # type: ignore[no-untyped-def]
    return getattr(user, "role", None) == Role.MASH_OFFICER


@rules.predicate
def is_decision_maker(user) -> bool:  # type: ignore[no-untyped-def]
    return getattr(user, "role", None) == Role.DECISION_MAKER


@rules.predicate
def is_team_manager(user) -> bool:  # type: ignore[no-untyped-def]
    return getattr(user, "role", None) == Role.TEAM_MANAGER


@rules.predicate
def is_partner_practitioner(user) -> bool:  # type: ignore[no-untyped-def]
    return getattr(user, "role", None) == Role.PARTNER_PRACTITIONER


@rules.predicate
def is_administrator(user) -> bool:  # type: ignore[no-untyped-def]
    return getattr(user, "role", None) == Role.ADMINISTRATOR


is_mash_member = is_mash_officer | is_decision_maker | is_team_manager

rules.add_perm("intake.record_contact", is_mash_member)
rules.add_perm("intake.view_contacts", is_mash_member)
rules.add_perm("intake.link_people", is_mash_member)
rules.add_perm("people.search_people", is_mash_member)
rules.add_perm("people.view_person", is_mash_member)
rules.add_perm("triage.triage_contact", is_decision_maker | is_team_manager)
rules.add_perm("decisions.recommend_outcome", is_decision_maker | is_team_manager)
rules.add_perm("decisions.sign_off", is_team_manager)
rules.add_perm("decisions.send_letter", is_mash_member)
rules.add_perm("workqueue.acknowledge_alert", is_team_manager)
rules.add_perm("audit.view_audit_log", is_administrator | is_team_manager)
