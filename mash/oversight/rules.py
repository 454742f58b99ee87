"""Who may do what in management oversight (django-rules, autodiscovered).

Object-level rules for audit samples live in services (`may_audit`, `may_view_findings`) and are
exposed here as permissions taking the sample, so views and templates ask one question.
"""

from __future__ import annotations

import rules

from mash.accounts.rules import (
    is_assistant_director,
    is_mash_member,
    is_receiving_practitioner,
    is_service_manager,
    is_strategic_manager,
    is_team_manager,
)


@rules.predicate
def may_audit_sample(user, sample) -> bool:  # type: ignore[no-untyped-def]
    from .services import may_audit

    return sample is not None and may_audit(user, sample)


@rules.predicate
def may_read_findings(user, sample) -> bool:  # type: ignore[no-untyped-def]
    from .services import may_view_findings

    return sample is not None and may_view_findings(user, sample)


is_oversight_manager = is_team_manager | is_service_manager
is_audit_reader = is_team_manager | is_service_manager | is_strategic_manager | is_assistant_director

# Appendix D checklist: MASH officers, decision makers and managers tick it as the work goes.
rules.add_perm("oversight.complete_checklist", is_mash_member)
# The manager's footprint: a team manager or the service manager adds an oversight note.
rules.add_perm("oversight.add_management_note", is_oversight_manager)
# The receiving team records what the assessment after the MASH concluded.
rules.add_perm("oversight.record_assessment_result", is_receiving_practitioner)
# Dip-sample audits (seed 002 §16).
rules.add_perm("oversight.draw_audit_samples", is_oversight_manager)
rules.add_perm("oversight.view_audit_summary", is_audit_reader)
rules.add_perm("oversight.audit_case", may_audit_sample)
rules.add_perm("oversight.view_audit_findings", may_read_findings)
