"""How an audit event is hashed: kept apart so the writer and the verifier cannot drift."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

GENESIS_HASH = "0" * 64
HASHED_FIELDS = (
    "sequence",
    "occurred_at",
    "actor_id",
    "actor_username",
    "actor_role",
    "actor_agency",
    "action",
    "object_type",
    "object_id",
    "summary",
    "reason",
    "ip_address",
)


def canonical_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return value


def event_hash(previous_hash: str, fields: dict[str, Any]) -> str:
    payload = {name: canonical_value(fields[name]) for name in HASHED_FIELDS}
    body = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(f"{previous_hash}\n{body}".encode()).hexdigest()
