"""Who may do what with person matching (django-rules, autodiscovered).

Administrators run the batch jobs and look after the model, and see progress and counts, never the
children (their role is configuration). MASH team managers and the MASH service manager decide
whether two records are the same child: they already see every record, and these pages put
children's details from different agencies side by side. Nobody else sees these pages.
"""

from __future__ import annotations

import rules

from mash.accounts.rules import is_administrator, is_service_manager, is_team_manager

# Start deduplication and extract-linkage jobs, upload extracts, change the active model.
rules.add_perm("matching.manage_linkage", is_administrator)
# The review queue: confirm or reject pairs, confirm clusters, merge and undo merges.
rules.add_perm("matching.review_matches", is_team_manager | is_service_manager)
