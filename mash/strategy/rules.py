"""Who may do what in this app (django-rules, autodiscovered)."""

from __future__ import annotations

import rules  # noqa: F401
