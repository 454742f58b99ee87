"""Strategy deadlines depend on the working day: every test here starts on an ordinary weekday
morning (the clock still ticks), so a run late on a Saturday evening tests the same thing as one
on a Tuesday at ten. Tests that need another moment travel there themselves."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import time_machine

from tests.factories import london


@pytest.fixture(autouse=True)
def _a_weekday_morning() -> Iterator[None]:
    with time_machine.travel(london(2026, 11, 10, 10, 0), tick=True):
        yield
