"""PLACEHOLDER: replaced by the helper who owns this app."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mash.accounts.models import User
    from mash.intake.models import Contact
    from mash.workqueue.items import Queue


def queue_items(user: User) -> list[Queue]:
    """This app's work on the user's queue (may be empty)."""
    return []


def contact_panel(contact: Contact, user: User) -> dict[str, object]:
    """Context for this app's section of the contact page (template <app>/_contact_panel.html, variable `panel`)."""
    return {}
