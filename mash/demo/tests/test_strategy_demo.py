"""The strategy discussion demo loads through the real services and shows what it says."""

from __future__ import annotations

import re
import time

import pytest
import time_machine
from django.urls import reverse

from mash.audit.services import verify_chain
from mash.demo import strategy as strategy_demo
from mash.intake.models import Contact
from mash.strategy import services
from mash.strategy.models import StrategyAction, StrategyDiscussion
from tests.factories import london

pytestmark = pytest.mark.django_db


def test_loads_quickly_and_names_its_contacts(users) -> None:  # noqa: ANN001
    started = time.monotonic()
    line = strategy_demo.load(users)
    assert time.monotonic() - started < 5
    references = re.findall(r"MASH-\d{4}-\d{6}", line)
    assert len(references) == 3
    held, later, two = (Contact.objects.get(reference=r) for r in references)

    rows = services.discussion_rows(held)
    assert [r.discussion.status for r in rows] == [StrategyDiscussion.Status.HELD]
    assert any("No one from Health" in w for w in rows[0].warnings)
    owners = {a.owner.username for a in rows[0].actions}
    assert {"decider", "police", "receiving"} <= owners
    assert any(a.is_done for a in rows[0].actions)

    rows = services.discussion_rows(later)
    assert [r.discussion.status for r in rows] == [StrategyDiscussion.Status.SCHEDULED]
    assert rows[0].warnings == []
    assert rows[0].discussion.scheduled_for <= rows[0].discussion.due_by

    rows = services.discussion_rows(two)
    assert [r.number for r in rows] == [1, 2]
    assert [r.discussion.decision for r in rows] == ["further_discussion", "joint_s47"]
    for row in (*services.discussion_rows(held), *rows):
        assert row.discussion.held_at <= row.discussion.due_by or row.discussion.delay_reason

    assert StrategyAction.objects.filter(owner=users.police, completed_at__isnull=True).count() == 2
    assert verify_chain().ok


def test_the_police_user_sees_their_actions_at_home(client, users) -> None:  # noqa: ANN001
    strategy_demo.load(users)
    client.force_login(users.police)
    home = client.get(reverse("workqueue:home")).content.decode()
    for action in StrategyAction.objects.filter(owner=users.police, completed_at__isnull=True):
        assert reverse("strategy:action", args=[action.pk]) in home
        assert client.get(reverse("strategy:action", args=[action.pk])).status_code == 200


@pytest.mark.parametrize(
    "moment",
    [
        london(2026, 11, 13, 17, 25),  # Friday, minutes before closing
        london(2026, 11, 15, 2, 0),  # Sunday night
        london(2026, 11, 10, 23, 58),  # a minute before midnight
        london(2026, 12, 28, 9, 5),  # bank holiday morning
        london(2026, 3, 29, 1, 30),  # the clocks go forward
    ],
)
def test_loads_whatever_the_time(users, moment) -> None:  # noqa: ANN001
    with time_machine.travel(moment, tick=False):
        line = strategy_demo.load(users)
    assert len(re.findall(r"MASH-\d{4}-\d{6}", line)) == 3
    assert StrategyDiscussion.objects.filter(status=StrategyDiscussion.Status.HELD).count() == 3
    assert StrategyDiscussion.objects.filter(status=StrategyDiscussion.Status.SCHEDULED).count() == 1
