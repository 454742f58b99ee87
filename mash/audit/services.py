"""The one audit service: every view, search, share and change is written here.

Callers use `record()` inside the same transaction as the change it describes, so a rolled
back change leaves no event and an event never describes something that did not happen.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import models, transaction
from django.utils import timezone

from .hashing import GENESIS_HASH, HASHED_FIELDS, event_hash
from .models import AuditChainHead, AuditEvent

if TYPE_CHECKING:
    from django.http import HttpRequest


def client_ip(request: HttpRequest | None) -> str:
    if request is None:
        return ""
    return str(request.META.get("REMOTE_ADDR", ""))[:45]


def record(
    actor: Any,
    action: str,
    target: models.Model | None = None,
    *,
    summary: str = "",
    reason: str = "",
    object_type: str = "",
    object_id: str | int = "",
    request: HttpRequest | None = None,
) -> AuditEvent:
    """Append one event to the chain. `actor` is a user or None for the system."""
    if target is not None:
        object_type = object_type or target._meta.label_lower
        object_id = object_id or str(target.pk)
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    with transaction.atomic():
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(
            id=1, defaults={"last_hash": GENESIS_HASH}
        )
        fields: dict[str, Any] = {
            "sequence": head.last_sequence + 1,
            "occurred_at": timezone.now(),
            "actor_id": actor.pk if is_user else None,
            "actor_username": actor.get_username() if is_user else "",
            "actor_role": getattr(actor, "role", "") if is_user else "",
            "actor_agency": str(getattr(actor, "agency", "") or "") if is_user else "",
            "action": action,
            "object_type": object_type,
            "object_id": str(object_id),
            "summary": summary,
            "reason": reason,
            "ip_address": client_ip(request),
        }
        digest = event_hash(head.last_hash, fields)
        event = AuditEvent.objects.create(previous_hash=head.last_hash, hash=digest, **fields)
        head.last_sequence = fields["sequence"]
        head.last_hash = digest
        head.save(update_fields=["last_sequence", "last_hash"])
    return event


@dataclass(frozen=True)
class VerificationResult:
    ok: bool
    events_checked: int
    first_bad_sequence: int | None = None
    problem: str = ""


def verify_chain() -> VerificationResult:
    """Walk the whole chain; report the first event that was altered, removed or inserted."""
    expected_previous = GENESIS_HASH
    expected_sequence = 1
    checked = 0
    rows = AuditEvent.objects.order_by("sequence").values("previous_hash", "hash", *HASHED_FIELDS)
    for row in rows.iterator(chunk_size=2000):
        sequence = row["sequence"]
        if sequence != expected_sequence:
            return VerificationResult(
                False, checked, expected_sequence, f"event #{expected_sequence} is missing (next found is #{sequence})"
            )
        if row["previous_hash"] != expected_previous:
            return VerificationResult(False, checked, sequence, f"event #{sequence} does not follow the event before it")
        if event_hash(row["previous_hash"], row) != row["hash"]:
            return VerificationResult(False, checked, sequence, f"event #{sequence} has been altered since it was written")
        expected_previous = row["hash"]
        expected_sequence += 1
        checked += 1
    head = AuditChainHead.objects.filter(id=1).first()
    if head is not None and (head.last_sequence != checked or head.last_hash != expected_previous):
        missing = checked + 1
        return VerificationResult(False, checked, missing, f"event #{missing} onwards is missing from the end of the log")
    return VerificationResult(True, checked)
