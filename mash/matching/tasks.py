"""Batch linkage runs in the background on the Tasks API (database backend: SQLite and PostgreSQL alike)."""

from __future__ import annotations

from django_tasks import task

from . import services


@task()
def run_linkage_job(job_id: int) -> str:
    """Run one linkage job to the end; returns its final status ("done" or "failed")."""
    return str(services.run_job(job_id).status)
