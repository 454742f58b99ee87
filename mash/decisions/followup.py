"""PLACEHOLDER (issue #4 helper): early help tracking and the malicious-referral guard."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django.http import HttpRequest

    from mash.accounts.models import User
    from mash.decisions.models import Decision
    from mash.intake.models import Contact
    from mash.workqueue.items import Queue


def start_early_help(decision: Decision, actor: User, *, request: HttpRequest | None = None) -> None:
    """Called by decisions.services.sign_off when an early help outcome is agreed."""
    return None


def queue_items(user: User) -> list[Queue]:
    return []


def contact_panel(contact: Contact, user: User) -> dict[str, object]:
    return {}
