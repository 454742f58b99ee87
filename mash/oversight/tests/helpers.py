"""Builders for oversight tests: contacts signed off at a given moment, through the real services."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import time_machine

from tests import factories
from tests.factories import london

MONDAY_10 = london(2026, 10, 5, 10, 0)


def at(moment: datetime):  # noqa: ANN201
    return time_machine.travel(moment, tick=False)


def signed_off_at(users: Any, moment: datetime, *, outcome: str = "nfa", by: Any = None, manager: Any = None, team: Any = None,
                  surname: str = "Testcase") -> Any:
    """A contact received 30 minutes before `moment`, triaged and recommended in between, signed off at `moment`."""
    from mash.decisions.services import recommend, sign_off

    with at(moment - timedelta(minutes=20)):
        contact = factories.triaged(users, child=factories.child_fields(surname=surname))
        recommend(
            contact, by or users.decision_maker, analysis="Analysis of the case.", outcome=outcome,
            rationale="The rationale for the outcome.", receiving_team=team,
        )
    with at(moment):
        sign_off(contact, manager or users.manager, comment="Agreed.")
    contact.refresh_from_db()
    return contact


def team(name: str = "First Response Team North") -> Any:
    from mash.partnership.models import Team

    return Team.objects.get(name=name)
