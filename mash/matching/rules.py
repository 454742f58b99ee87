"""Who may do what with person matching (django-rules, autodiscovered).

Administrators run the batch jobs and look after the model; team managers (and administrators)
decide whether two records are the same child. Nobody else sees these pages: they put children's
details from different agencies side by side.
"""

from __future__ import annotations

import rules

from mash.accounts.rules import is_administrator, is_team_manager

# Start deduplication and extract-linkage jobs, upload extracts, change the active model.
rules.add_perm("matching.manage_linkage", is_administrator)
# The review queue: confirm or reject pairs, confirm clusters, merge and undo merges.
rules.add_perm("matching.review_matches", is_administrator | is_team_manager)
