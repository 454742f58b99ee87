"""The audit trail: append-only and hash-chained so that any edit or deletion is detectable."""

from __future__ import annotations

from typing import Any, NoReturn

from django.db import models


class AuditTamperingRefused(Exception):
    """Raised when code tries to change or remove an audit event."""


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AuditTamperingRefused("Audit events are append-only: they cannot be updated.")

    def delete(self) -> NoReturn:
        raise AuditTamperingRefused("Audit events are append-only: they cannot be deleted.")


class AuditEvent(models.Model):
    """One thing that happened: who (with role and agency at that moment), what, which record, why."""

    sequence = models.PositiveBigIntegerField(unique=True, editable=False)
    occurred_at = models.DateTimeField(db_index=True, editable=False)
    # Plain values rather than foreign keys: the event must stay byte-for-byte as written
    # even if the user, agency or record is later changed or removed.
    actor_id = models.BigIntegerField(null=True, blank=True, db_index=True, editable=False)
    actor_username = models.CharField(max_length=150, blank=True, editable=False)
    actor_role = models.CharField(max_length=40, blank=True, editable=False)
    actor_agency = models.CharField(max_length=200, blank=True, editable=False)
    action = models.CharField(max_length=60, db_index=True, editable=False)
    object_type = models.CharField(max_length=60, blank=True, editable=False)
    object_id = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    summary = models.TextField(blank=True, editable=False)
    reason = models.TextField(blank=True, editable=False)
    ip_address = models.CharField(max_length=45, blank=True, editable=False)
    previous_hash = models.CharField(max_length=64, editable=False)
    hash = models.CharField(max_length=64, unique=True, editable=False)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-sequence"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"#{self.sequence} {self.action} by {self.actor_username or 'system'}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AuditTamperingRefused("Audit events are append-only: they cannot be updated.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AuditTamperingRefused("Audit events are append-only: they cannot be deleted.")


class AuditChainHead(models.Model):
    """The single row that serialises writers and remembers the end of the chain.

    Keeping the last sequence and hash here (rather than reading MAX over the events)
    means a deleted final event is detected too, and writers lock one row instead of a table.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_sequence = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64)
