from __future__ import annotations

import dataclasses
import json
import math
from pathlib import Path

import pytest

from mash.domain import match_model
from mash.domain.match_model import TermFrequencies, TrainedModel, load_shipped
from mash.domain.matching import DEFAULT_WEIGHTS, PersonRecord, score

TF = TermFrequencies(
    values={"forename": {"olivia": 0.02, "amelia": 0.015}, "surname": {"smith": 0.05, "jones": 0.03}},
    floor={"forename": 1e-5, "surname": 2e-5},
)


def model(**changes: object) -> TrainedModel:
    base = TrainedModel(
        version=3,
        prior=1e-5,
        levels={
            "dob": {"exact": (0.92, 0.0003), "disagree": (0.01, 0.99)},
            "surname": {"exact": (0.8, 0.006), "swapped_with_forename": (0.02, 0.02)},
        },
        term_frequencies=TF,
        trained_on_records=12_345,
        trained_at="2026-05-01T10:00:00+00:00",
        source="trained",
        splink_version="5.0.0",
        em_iterations=17,
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def test_term_frequency_lookup() -> None:
    assert TF.proportion("surname", "smith") == 0.05
    assert TF.proportion("surname", "zielinska") == 2e-5  # not in the table: the floor
    assert TF.proportion("dob", "2015-01-01") is None  # no table for that field
    assert TermFrequencies.empty().proportion("surname", "smith") is None


@pytest.mark.parametrize(
    ("values", "floor", "message"),
    [
        ({"surname": {"smith": 0.0}}, {}, "proportion"),
        ({"surname": {"smith": 1.5}}, {}, "proportion"),
        ({"postcode": {"NN4 7SL": 0.1}}, {}, "not 'postcode'"),
        ({}, {"surname": -1.0}, "floor"),
    ],
)
def test_term_frequencies_are_checked(values: dict, floor: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        TermFrequencies(values=values, floor=floor)


def test_json_round_trip() -> None:
    m = model()
    data = json.loads(json.dumps(m.to_json()))
    assert TrainedModel.from_json(data) == m
    assert data["levels"]["dob"]["exact"] == [0.92, 0.0003]
    assert data["term_frequencies"]["values"]["surname"]["smith"] == 0.05


def test_from_json_rejects_an_unknown_format() -> None:
    data = model().to_json()
    data["format"] = 99
    with pytest.raises(ValueError, match="format"):
        TrainedModel.from_json(data)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"prior": 0.0}, "prior"),
        ({"prior": 1.0}, "prior"),
        ({"source": "guessed"}, "source"),
        ({"levels": {"shoe_size": {"exact": (0.9, 0.1)}}}, "not a comparison"),
        ({"levels": {"dob": {"nearly": (0.9, 0.1)}}}, "not a level of dob"),
        ({"levels": {"dob": {"exact": (0.0, 0.1)}}}, "m and u"),
        ({"levels": {"dob": {"exact": (0.9, 1.5)}}}, "m and u"),
    ],
)
def test_invalid_models_are_refused(changes: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        model(**changes)


def test_weights_replace_trained_levels_and_keep_the_rest() -> None:
    w = model().weights()
    assert (w.dob["exact"].m, w.dob["exact"].u) == (0.92, 0.0003)
    assert w.dob["exact"].weight == pytest.approx(math.log2(0.92 / 0.0003))
    assert w.surname["swapped_with_forename"].weight == 0.0
    # untrained levels of a trained field, and untrained fields, keep the defaults
    assert w.dob["day_month_swapped"] == DEFAULT_WEIGHTS.dob["day_month_swapped"]
    assert w.forename == DEFAULT_WEIGHTS.forename
    assert w.address == DEFAULT_WEIGHTS.address


def test_trained_weights_change_the_score() -> None:
    a = PersonRecord("Olivia", "Zielinska")
    result = score(a, a, weights=model().weights(), term_frequencies=TF)
    surname = next(c for c in result.comparisons if c.field == "surname")
    assert surname.weight == pytest.approx(math.log2(0.8 / 2e-5))
    assert "rare surname" in surname.explanation


def test_describe_reports_every_level_in_words() -> None:
    lines = model().describe()
    text = "\n".join(lines)
    assert "version 3" in text and "12,345 records" in text and "Splink 5.0.0" in text and "17 EM iterations" in text
    assert "1 in 100,000" in text
    assert any(line.strip().startswith("exact: m=0.92 u=0.0003 weight +11.58") for line in lines)
    assert "(default: not trained)" in text
    assert "smith 5.00%" in text
    for field in ("forename", "surname", "dob", "sex", "postcode", "address", "nhs_number", "upn"):
        assert f"{field}:" in lines


def test_load_shipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "match_model.json"
    path.write_text(json.dumps(model(source="shipped").to_json()), encoding="utf-8")
    monkeypatch.setattr(match_model, "SHIPPED_MODEL_PATH", path)
    assert load_shipped() == model(source="shipped")
