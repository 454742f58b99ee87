"""Every sign-in, failed sign-in, lockout and sign-out goes into the audit trail."""

from __future__ import annotations

from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from mash.audit import services as audit


@receiver(user_logged_in)
def audit_sign_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    audit.record(user, "auth.signed_in", object_type="accounts.user", object_id=user.pk, summary="Signed in", request=request)


@receiver(user_logged_out)
def audit_sign_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        audit.record(user, "auth.signed_out", object_type="accounts.user", object_id=user.pk, summary="Signed out", request=request)


@receiver(user_login_failed)
def audit_failed_sign_in(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    username = str(credentials.get("username", ""))[:150]
    audit.record(None, "auth.sign_in_failed", object_type="accounts.user", object_id=username[:64], summary=f"Failed sign-in for '{username}'", request=request)


@receiver(user_locked_out)
def audit_lockout(sender: Any, request: Any = None, username: str | None = None, ip_address: str | None = None, **kwargs: Any) -> None:
    audit.record(None, "auth.locked_out", object_type="accounts.user", object_id=(username or "")[:64], summary=f"Account '{username}' locked after repeated failed sign-ins", request=request)
