"""Fixtures for the matching tests: an active model with the hand-set weights, and people to match."""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any

import pytest

from mash.domain.match_model import TermFrequencies, TrainedModel
from mash.domain.matching import DEFAULT_WEIGHTS


def default_model(version: int = 1, prior: float = 1 / 1000) -> TrainedModel:
    """The hand-set weights as a TrainedModel, so the tests do not depend on a shipped model file."""
    levels = {
        f.name: {level: (p.m, p.u) for level, p in getattr(DEFAULT_WEIGHTS, f.name).items()}
        for f in dataclasses.fields(DEFAULT_WEIGHTS)
    }
    return TrainedModel(
        version=version, prior=prior, levels=levels, term_frequencies=TermFrequencies.empty(), trained_on_records=0,
        trained_at="2026-01-01T00:00:00+00:00", source="shipped", splink_version="test", em_iterations=0,
    )


@pytest.fixture
def model_row(partnership):  # noqa: ANN001, ARG001
    from mash.matching.models import MatchModel

    model = default_model()
    return MatchModel.objects.create(
        version=1, source=MatchModel.Source.SHIPPED, parameters=model.to_json(), report="\n".join(model.describe()), is_active=True
    )


def nhs_number(body: str) -> str:
    """A valid NHS number from nine digits (the body must not need check digit 10)."""
    total = sum(int(d) * w for d, w in zip(body, (10, 9, 8, 7, 6, 5, 4, 3, 2), strict=True))
    check = 11 - total % 11
    check = 0 if check == 11 else check
    assert check != 10, "choose another body: no valid check digit"
    return body + str(check)


def make_person(**fields: Any):  # noqa: ANN201
    from mash.people.models import Person

    defaults: dict[str, Any] = {
        "forenames": "Amelia", "surname": "Testcase", "date_of_birth": date(2015, 3, 27), "sex": "F",
        "postcode": "NN4 7SL", "address": "12 Example Street, Demotown",
    }
    defaults.update(fields)
    return Person.objects.create(**defaults)


# Twenty different children: nobody here is anybody else.
DIFFERENT = [
    ("Oliver", "Nowak"), ("Isla", "Mensah"), ("Noah", "Brown"), ("Ava", "Patel"), ("Leo", "Evans"), ("Mia", "Okafor"),
    ("Arlo", "Wilson"), ("Ivy", "Hughes"), ("Theo", "Clarke"), ("Freya", "Ahmed"), ("Finley", "Kowalski"), ("Aisha", "Taylor"),
    ("Yusuf", "Begum"), ("Zofia", "Jones"), ("Kwame", "Murphy"), ("Grace", "Shah"), ("Harry", "Adeyemi"), ("Sophie", "Price"),
    ("Jack", "Lewis"), ("Ruby", "Singh"),
]


def crowd() -> list:
    """Twenty different children in different places."""
    people = []
    for k, (forename, surname) in enumerate(DIFFERENT):
        people.append(
            make_person(
                forenames=forename, surname=surname, date_of_birth=date(2008 + k % 9, 1 + k % 12, 1 + k), sex="F" if k % 2 else "M",
                postcode=f"NN{1 + k % 5} {k % 9}AB", address=f"{k + 1} Road {k}, Demotown",
            )
        )
    return people
