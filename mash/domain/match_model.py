"""A trained person-matching model as plain data: what the interactive search loads.

Training (:func:`mash.matching.linkage.train`) runs Splink's expectation
maximisation over the partnership's person index and extracts the result into
a :class:`TrainedModel`: the prior, an (m, u) pair for every comparison level
that batch linkage also has (named exactly as in :mod:`mash.domain.matching`)
and the term-frequency tables for first names and surnames. It is stored as
JSON (``MatchModel.parameters``, or :data:`SHIPPED_MODEL_PATH` for the model
that ships with MASH) and turned into :class:`~mash.domain.matching.MatchWeights`
by :meth:`TrainedModel.weights`, so a search needs neither Splink nor DuckDB.

Levels only the interactive scorer has (a forename initial or middle name, a
surname initial, an expected date of delivery, address text) are not in
``levels`` and keep their default weights.
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any, Final

from mash.domain.matching import DEFAULT_WEIGHTS, LevelProbabilities, MatchWeights

__all__ = ["SHIPPED_MODEL_PATH", "TF_FIELDS", "TermFrequencies", "TrainedModel", "load_shipped"]

SHIPPED_MODEL_PATH: Final = Path(__file__).with_name("data") / "match_model.json"
JSON_FORMAT: Final = 1
TF_FIELDS: Final = ("forename", "surname")
_FIELDS: Final = tuple(f.name for f in dataclasses.fields(MatchWeights))


@dataclass(frozen=True)
class TermFrequencies:
    """How common each first name and surname is in the person index.

    ``values[field][name]`` is the proportion of records with that name
    (``name`` normalised and run together, as ``linkage_features`` has it);
    ``floor[field]`` stands in for a name not in the table (the tables keep
    only the most frequent names, so an unlisted name is rarer than all of
    them).
    """

    values: Mapping[str, Mapping[str, float]]
    floor: Mapping[str, float]

    def __post_init__(self) -> None:
        for field_name, table in self.values.items():
            if field_name not in TF_FIELDS:
                raise ValueError(f"Term frequencies are kept for {', '.join(TF_FIELDS)}, not {field_name!r}")
            for name, proportion in table.items():
                if not 0.0 < proportion <= 1.0:
                    raise ValueError(f"The proportion of {field_name} {name!r} must be in (0, 1]; got {proportion}")
        for field_name, proportion in self.floor.items():
            if not 0.0 < proportion <= 1.0:
                raise ValueError(f"The floor for {field_name} must be in (0, 1]; got {proportion}")
        object.__setattr__(self, "values", MappingProxyType({f: MappingProxyType(dict(t)) for f, t in self.values.items()}))
        object.__setattr__(self, "floor", MappingProxyType(dict(self.floor)))

    def proportion(self, field: str, value: str) -> float | None:
        """Proportion of records with this name; ``None`` when ``field`` has no table."""
        table = self.values.get(field)
        if table is None:
            return None
        found = table.get(value)
        if found is not None:
            return found
        return self.floor.get(field)

    def to_json(self) -> dict[str, Any]:
        return {
            "values": {f: dict(t) for f, t in self.values.items()},
            "floor": dict(self.floor),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> TermFrequencies:
        return cls(
            values={str(f): {str(k): float(v) for k, v in t.items()} for f, t in data.get("values", {}).items()},
            floor={str(f): float(v) for f, v in data.get("floor", {}).items()},
        )

    @classmethod
    def empty(cls) -> TermFrequencies:
        return cls(values={}, floor={})


def _check_levels(levels: Mapping[str, Mapping[str, tuple[float, float]]]) -> None:
    for field_name, field_levels in levels.items():
        if field_name not in _FIELDS:
            raise ValueError(f"{field_name!r} is not a comparison of the matching model ({', '.join(_FIELDS)})")
        known: Mapping[str, LevelProbabilities] = getattr(DEFAULT_WEIGHTS, field_name)
        for level, (m, u) in field_levels.items():
            if level not in known:
                raise ValueError(f"{level!r} is not a level of {field_name} ({', '.join(known)})")
            if not (0.0 < m <= 1.0 and 0.0 < u <= 1.0):
                raise ValueError(f"{field_name} {level}: m and u must be in (0, 1]; got m={m}, u={u}")


@dataclass(frozen=True)
class TrainedModel:
    """Prior, trained (m, u) per comparison level, and term frequencies."""

    version: int
    prior: float  # Splink's probability_two_random_records_match (lambda)
    levels: Mapping[str, Mapping[str, tuple[float, float]]]  # field -> level -> (m, u)
    term_frequencies: TermFrequencies
    trained_on_records: int
    trained_at: str  # ISO timestamp
    source: str  # "shipped" | "trained"
    splink_version: str
    em_iterations: int

    def __post_init__(self) -> None:
        if not 0.0 < self.prior < 1.0:
            raise ValueError(f"The prior must be strictly between 0 and 1; got {self.prior}")
        if self.source not in {"shipped", "trained"}:
            raise ValueError(f"source must be 'shipped' or 'trained'; got {self.source!r}")
        _check_levels(self.levels)
        frozen = {f: MappingProxyType({lv: (float(m), float(u)) for lv, (m, u) in ls.items()}) for f, ls in self.levels.items()}
        object.__setattr__(self, "levels", MappingProxyType(frozen))

    def weights(self) -> MatchWeights:
        """The default weights with every trained (m, u) put in their place."""
        replaced: dict[str, Mapping[str, LevelProbabilities]] = {}
        for field_name, trained in self.levels.items():
            default: Mapping[str, LevelProbabilities] = getattr(DEFAULT_WEIGHTS, field_name)
            merged = dict(default)
            for level, (m, u) in trained.items():
                merged[level] = LevelProbabilities(m, u)
            replaced[field_name] = MappingProxyType(merged)
        return dataclasses.replace(DEFAULT_WEIGHTS, **replaced)

    def to_json(self) -> dict[str, Any]:
        return {
            "format": JSON_FORMAT,
            "version": self.version,
            "prior": self.prior,
            "levels": {f: {lv: [m, u] for lv, (m, u) in ls.items()} for f, ls in self.levels.items()},
            "term_frequencies": self.term_frequencies.to_json(),
            "trained_on_records": self.trained_on_records,
            "trained_at": self.trained_at,
            "source": self.source,
            "splink_version": self.splink_version,
            "em_iterations": self.em_iterations,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> TrainedModel:
        if data.get("format") != JSON_FORMAT:
            raise ValueError(f"Unknown match model format {data.get('format')!r}; expected {JSON_FORMAT}")
        levels: dict[str, dict[str, tuple[float, float]]] = {}
        for field_name, field_levels in data["levels"].items():
            levels[str(field_name)] = {str(lv): (float(mu[0]), float(mu[1])) for lv, mu in field_levels.items()}
        return cls(
            version=int(data["version"]),
            prior=float(data["prior"]),
            levels=levels,
            term_frequencies=TermFrequencies.from_json(data.get("term_frequencies", {})),
            trained_on_records=int(data["trained_on_records"]),
            trained_at=str(data["trained_at"]),
            source=str(data["source"]),
            splink_version=str(data["splink_version"]),
            em_iterations=int(data["em_iterations"]),
        )

    def describe(self) -> list[str]:
        """The model in words, one line each, for the retraining command's report."""
        lines = [
            f"Match model version {self.version} ({self.source}), trained on {self.trained_on_records:,} records "
            f"at {self.trained_at} with Splink {self.splink_version} ({self.em_iterations} EM iterations).",
            f"Prior: two records picked at random are the same person with probability {self.prior:.3g} "
            f"(1 in {1 / self.prior:,.0f}).",
            "Each level: m = P(level | same person), u = P(level | different people), weight = log2(m / u).",
        ]
        weights = self.weights()
        for field_name in _FIELDS:
            trained = self.levels.get(field_name, {})
            lines.append(f"{field_name}:")
            field_weights: Mapping[str, LevelProbabilities] = getattr(weights, field_name)
            for level, probabilities in field_weights.items():
                note = "" if level in trained else " (default: not trained)"
                if (field_name, level) == ("surname", "swapped_with_forename") and level in trained:
                    note = " (swapped names are weighed once, under forename)"
                lines.append(
                    f"  {level}: m={probabilities.m:.4g} u={probabilities.u:.4g} weight {probabilities.weight:+.2f}{note}"
                )
        for field_name in TF_FIELDS:
            table = self.term_frequencies.values.get(field_name)
            if not table:
                lines.append(f"Term frequencies for {field_name}: none.")
                continue
            common = sorted(table.items(), key=lambda kv: -kv[1])[:5]
            floor = self.term_frequencies.floor.get(field_name)
            shown = ", ".join(f"{name} {proportion:.2%}" for name, proportion in common)
            floor_text = f"; any other name counts as {floor:.2g}" if floor is not None else ""
            exact = getattr(weights, field_name)["exact"]
            spread = f"exact-match weight from {math.log2(exact.m / common[0][1]):+.2f} for the most common name"
            if floor is not None:
                spread += f" to {math.log2(exact.m / floor):+.2f} for a rare one"
            lines.append(f"Term frequencies for {field_name}: {len(table):,} names (most common: {shown}){floor_text}; {spread}.")
        return lines


def load_shipped() -> TrainedModel:
    """The model that ships with MASH (trained on synthetic records)."""
    return TrainedModel.from_json(json.loads(SHIPPED_MODEL_PATH.read_text(encoding="utf-8")))
