"""Builders for dispute tests: contacts signed off through the real services, at frozen times."""

from __future__ import annotations

from typing import Any

import time_machine

from mash.decisions.services import sign_off
from mash.disputes import services
from mash.partnership.models import Agency, AgencyKind
from tests import factories
from tests.factories import london

MONDAY = (2026, 11, 23)  # an ordinary working Monday (office 09:00-17:30 Mon-Thu, 09:00-17:00 Fri)


def police() -> Agency:
    return Agency.objects.get(kind=AgencyKind.POLICE)


def at(hour: int, minute: int = 0, *, day: tuple[int, int, int] = MONDAY) -> Any:
    return time_machine.travel(london(*day, hour, minute), tick=False)


def signed_off_nfa(users: Any, *, outcome: str = "nfa", team: Any = None, day: tuple[int, int, int] = MONDAY, hour: int = 9, **kwargs: Any) -> tuple[Any, Any]:
    """(contact, decision): referred by the police, recommended by the decision maker, signed off by `manager`."""
    kwargs.setdefault("referring_agency", police())
    kwargs.setdefault("referrer_agency", "Demoshire Constabulary")
    with at(hour, day=day):
        contact, _ = factories.recommended(users, outcome=outcome, team=team, **kwargs)
        decision = sign_off(contact, users.manager, comment="Agreed: threshold not met.")
    contact.refresh_from_db()
    decision.refresh_from_db()
    return contact, decision


def raise_by(user: Any, contact: Any, *, hour: int = 10, minute: int = 0, day: tuple[int, int, int] = MONDAY, grounds: str = "The bruise pattern needs a strategy discussion.", proposed: str = "s47_strategy") -> Any:
    with at(hour, minute, day=day):
        return services.raise_dispute(contact, user, grounds=grounds, proposed_outcome=proposed)


def act_by(user: Any, dispute: Any, action: str, *, hour: int, minute: int = 0, day: tuple[int, int, int] = MONDAY, **fields: Any) -> Any:
    defaults = {
        "escalate": {"notes": "We could not agree on the level of risk."},
        "decision_stands": {"notes": "Discussed with the sergeant.", "resolution_summary": "The NFA stands: the account was consistent.", "learning": "Share the threshold guidance with the police."},
        "decision_changed": {"notes": "New information changes the picture.", "agreed_outcome": "s17_assessment", "resolution_summary": "An assessment is needed.", "learning": "Check police intelligence before NFA."},
    }[action]
    with at(hour, minute, day=day):
        return services.act(dispute, user, action=action, **{**defaults, **fields})
