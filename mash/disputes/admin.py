"""Disputes are casework, not configuration: they are not in the admin (administrators manage the
partnership's configuration, and the ladder itself is partnership.DisputeLevel, registered there)."""
