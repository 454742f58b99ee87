"""What a queue is made of; every app that puts work on somebody's queue builds these."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from django.utils import timezone

if TYPE_CHECKING:
    from mash.intake.models import Contact


@dataclass(frozen=True)
class QueueItem:
    contact: Contact
    task: str
    due_at: datetime | None
    # Where the task is done, when not on the contact page (e.g. a partner's strategy action).
    url: str = ""

    @property
    def overdue(self) -> bool:
        return self.due_at is not None and self.due_at < timezone.now()


@dataclass(frozen=True)
class Queue:
    title: str
    items: list[QueueItem]
