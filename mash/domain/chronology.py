"""The chronology of a child (and their household): what happened, when, in one ordered list.

Seed 001 §10 (National Panel 2022, Bradford): "Decisions not to proceed following a referral are
based on a review of previous history, background checks and a chronology of prior concerns."
Seed 002 App. D 2.19: "I have started a synopsis of concerns to inform the chronology."

This module knows nothing about the database: the people service builds the entries, this
orders and filters them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class EntryKind(StrEnum):
    CONTACT = "contact"
    AGENCY = "agency"
    DECISION = "decision"
    OUTCOME = "outcome"
    STRATEGY = "strategy"
    DISPUTE = "dispute"
    EARLY_HELP = "early_help"
    INVOLVEMENT = "involvement"


KIND_LABELS: dict[EntryKind, str] = {
    EntryKind.CONTACT: "Contacts",
    EntryKind.AGENCY: "Agency information",
    EntryKind.DECISION: "Recommendations and challenges",
    EntryKind.OUTCOME: "Outcomes and referrals",
    EntryKind.STRATEGY: "Strategy discussions",
    EntryKind.DISPUTE: "Professional disagreements",
    EntryKind.EARLY_HELP: "Early help",
    EntryKind.INVOLVEMENT: "Involvement with services",
}


@dataclass(frozen=True)
class Entry:
    """One line of the chronology. `items` carries agency information items, rendered only through the firewall tag."""

    when: datetime
    kind: EntryKind
    title: str
    detail: str = ""
    contact_id: int | None = None
    reference: str = ""
    child_id: int | None = None
    child_name: str = ""
    items: tuple[object, ...] = ()
    tag: str = ""
    sequence: int = 0  # orders entries that happened at the same moment (received before rated before decided)

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.kind]

    @property
    def has_time(self) -> bool:
        """Involvements carry a date only; everything else a date and time."""
        return self.kind is not EntryKind.INVOLVEMENT


def parse_kinds(values: Iterable[str]) -> frozenset[EntryKind]:
    """The kinds named in a filter (unknown names ignored); empty means every kind."""
    known = {kind.value for kind in EntryKind}
    return frozenset(EntryKind(value) for value in values if value in known)


def arrange(entries: Iterable[Entry], *, kinds: frozenset[EntryKind] = frozenset(), newest_first: bool = False) -> list[Entry]:
    """Filter by kind (none given: all) and order by time; ties keep the order things happen in a contact."""
    chosen = [e for e in entries if not kinds or e.kind in kinds]
    chosen.sort(key=lambda e: (e.when, e.sequence, e.contact_id or 0, e.title), reverse=newest_first)
    return chosen


def counts_by_kind(entries: Sequence[Entry]) -> dict[EntryKind, int]:
    counts = {kind: 0 for kind in EntryKind}
    for entry in entries:
        counts[entry.kind] += 1
    return counts
