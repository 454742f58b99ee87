"""Builders for strategy discussion tests, through the real services."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from mash.partnership.models import Agency, AgencyKind, Team
from mash.strategy import services
from mash.strategy.models import StrategyAction, StrategyDiscussion
from tests import factories

INFO_MARKER = "INFORMATION-CONSIDERED-MARKER"


def s47(users: Any, *, rag_code: str = "RED", sign: bool = True, **kwargs: Any):  # noqa: ANN201
    """A contact with a section 47 outcome recommended by the decision maker (and signed off unless sign=False)."""
    from mash.decisions.services import sign_off

    level = 4 if rag_code == "RED" else 3
    contact, decision = factories.recommended(
        users,
        outcome="s47_strategy",
        team=Team.objects.get(name="Safeguarding Team East"),
        rag_code=rag_code,
        level_number=level,
        **kwargs,
    )
    if sign:
        decision = sign_off(contact, users.manager, comment="Agreed: strategy discussion today.")
        contact.refresh_from_db()
    return contact, decision


def agency(kind: str) -> Agency:
    return Agency.objects.get(kind=kind)


def arrange(users: Any, contact: Any, when: datetime | None = None, **kwargs: Any) -> StrategyDiscussion:
    return services.schedule(
        contact,
        users.decision_maker,
        kind=kwargs.pop("kind", "discussion"),
        scheduled_for=when or timezone.now() + timedelta(minutes=30),
        arrangements="Telephone conference",
        **kwargs,
    )


def attend(users: Any, discussion: StrategyDiscussion, *kinds: str) -> None:
    people = {
        AgencyKind.POLICE: ("Sergeant Kate Whitfield", users.police),
        AgencyKind.HEALTH: ("Nadia Farouk", users.health),
        AgencyKind.CHILDRENS_SOCIAL_CARE: ("Daniel Hughes", users.decision_maker),
    }
    for kind in kinds:
        name, user = people[kind]
        services.add_attendee(discussion, users.decision_maker, agency=agency(kind), name=name, user=user)


def hold(
    users: Any, discussion: StrategyDiscussion, *, decision: str = "joint_s47", held_at: datetime | None = None
) -> list[str]:
    return services.record_outcome(
        discussion,
        users.decision_maker,
        held_at=held_at or timezone.now(),
        information_considered=f"Police and school information. {INFO_MARKER}",
        decision=decision,
        rationale="Reasonable cause to suspect significant harm.",
    )


def action_for(
    users: Any, discussion: StrategyDiscussion, owner: Any, *, hours: float = 4, text: str = "Visit the child at school"
) -> StrategyAction:
    return services.add_action(
        discussion, users.decision_maker, description=text, owner=owner, due_at=timezone.now() + timedelta(hours=hours)
    )
