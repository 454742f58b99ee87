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


@rules.predicate
def is_service_manager(user) -> bool:  # type: ignore[no-untyped-def]
    return getattr(user, "role", None) == Role.SERVICE_MANAGER


@rules.predicate
def is_strategic_manager(user) -> bool:  # type: ignore[no-untyped-def]
    return getattr(user, "role", None) == Role.STRATEGIC_MANAGER


@rules.predicate
def is_assistant_director(user) -> bool:  # type: ignore[no-untyped-def]
    return getattr(user, "role", None) == Role.ASSISTANT_DIRECTOR


is_mash_member = is_mash_officer | is_decision_maker | is_team_manager | is_service_manager
is_senior_manager = is_service_manager | is_strategic_manager | is_assistant_director

rules.add_perm("intake.record_contact", is_mash_member)
rules.add_perm("intake.view_contacts", is_mash_member)
rules.add_perm("intake.link_people", is_mash_member)
rules.add_perm("people.search_people", is_mash_member)
rules.add_perm("people.view_person", is_mash_member)
# A partner agency may ask whether the MASH holds a record of interest, never see what it holds.
rules.add_perm("people.check_known", is_partner_practitioner)
rules.add_perm("triage.triage_contact", is_decision_maker | is_team_manager)
rules.add_perm("decisions.recommend_outcome", is_decision_maker | is_team_manager)
rules.add_perm("decisions.sign_off", is_team_manager)
rules.add_perm("decisions.send_letter", is_mash_member)
rules.add_perm("workqueue.acknowledge_alert", is_team_manager)
rules.add_perm("audit.view_audit_log", is_administrator | is_team_manager)


@rules.predicate
def is_receiving_practitioner(user) -> bool:  # type: ignore[no-untyped-def]
    return getattr(user, "role", None) == Role.RECEIVING_PRACTITIONER


@rules.predicate
def is_data_protection_officer(user) -> bool:  # type: ignore[no-untyped-def]
    return getattr(user, "role", None) == Role.DATA_PROTECTION_OFFICER


@rules.predicate
def of_the_agency_asked(user, obj) -> bool:  # type: ignore[no-untyped-def]
    """The object (a request, response or item) belongs to a request addressed to the user's agency."""
    if obj is None or getattr(user, "agency_id", None) is None:
        return False
    request = getattr(obj, "request", None) or getattr(getattr(obj, "response", None), "request", None) or obj
    return getattr(request, "agency_id", None) == user.agency_id


@rules.predicate
def may_see_sensitive(user, item) -> bool:  # type: ignore[no-untyped-def]
    from mash.domain.sharing import may_see_sensitive as rule

    if item is None:
        return False
    return rule(getattr(user, "role", ""), getattr(user, "agency_id", None), item.response.request.agency_id)


is_decider = is_decision_maker | is_team_manager

# MASH Stage 2 (information sharing inside the firewall).
rules.add_perm("sharing.view_stage2", is_mash_member)
rules.add_perm("sharing.request_information", is_decider)
rules.add_perm("sharing.chase_request", is_decider)
rules.add_perm("sharing.review_consent", is_mash_member)
rules.add_perm("sharing.override_consent", is_team_manager)
rules.add_perm("sharing.respond_to_escalation", is_team_manager)
rules.add_perm("sharing.view_escalation_detail", is_decider)
rules.add_perm("sharing.preview_outbound", is_decider)
rules.add_perm("sharing.answer_request", is_partner_practitioner & of_the_agency_asked)
rules.add_perm("sharing.view_sensitive", may_see_sensitive)
rules.add_perm("sharing.redact", is_team_manager | (is_partner_practitioner & of_the_agency_asked))
rules.add_perm("sharing.view_contact_sharing_log", is_mash_member | is_data_protection_officer)
rules.add_perm("sharing.search_sharing_log", is_data_protection_officer | is_team_manager)
rules.add_perm("sharing.view_agency_workspace", is_partner_practitioner)
rules.add_perm("sharing.view_transfers", is_receiving_practitioner)
