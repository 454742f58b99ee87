"""Batch linkage with Splink: training the model, deduplicating the index, linking an extract.

Never imported by request-time code (it imports Splink, DuckDB and pandas). The
interactive search uses :mod:`mash.domain.matching` with the
:class:`~mash.domain.match_model.TrainedModel` that :func:`train` produces.

The Splink comparisons are the interactive scorer's comparisons written in SQL:
the same fields, the same level names (each level's ``label_for_charts``) in
the same order of precedence, over the pre-normalised columns of
:mod:`mash.domain.linkage_features`. ``mash/matching/tests/test_linkage.py``
checks that a few hundred awkward pairs reach the same level in both. The SQL
is written for each dialect (DuckDB locally, Spark for a cluster) rather than
translated, because the two spell list functions, lambdas and Jaro-Winkler
differently.

See docs/decisions/0003-person-matching.md.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from mash.domain import linkage_features as lf
from mash.domain.linkage_features import FEATURE_COLUMNS
from mash.domain.match_model import TermFrequencies, TrainedModel
from mash.domain.matching import (
    FORENAME_LEVEL_ORDER,
    JW_HIGH,
    JW_MEDIUM,
    SURNAME_LEVEL_ORDER,
    MatchWeights,
    PersonRecord,
)

__all__ = [
    "BLOCKING_RULES",
    "MIN_TRAINING_RECORDS",
    "BackendUnavailable",
    "LinkageResult",
    "Progress",
    "comparison_levels",
    "dedupe",
    "link",
    "make_db_api",
    "records_frame",
    "splink_settings",
    "train",
]

logger = logging.getLogger(__name__)

Progress = Callable[[str, int], None]

MIN_TRAINING_RECORDS: Final = 1000
TF_TOP_N: Final = 20_000
# Splink's u estimate: pairs of records drawn at random (almost all different people), 100 per record
# between these bounds (a small index has few distinct pairs to draw from anyway).
U_PAIRS_PER_RECORD: Final = 100
U_MIN_PAIRS: Final = 2e5
U_MAX_PAIRS: Final = 5e6
# Above this many records each EM session is limited to about EM_MAX_PAIRS blocked pairs (Splink
# samples records to get there); below it every blocked pair is used.
EM_SAMPLE_ABOVE: Final = 100_000
EM_MAX_PAIRS: Final = 2e6
# The deterministic rules below (same NHS number, same UPN, or the same first name, surname and date of
# birth) are taken to find this share of all true duplicate pairs; on the synthetic multi-agency records
# of bench/ they find 0.68 of them at 100,000 people (typos, nicknames, missing and mistyped dates of birth
# account for the rest).
DETERMINISTIC_RECALL: Final = 0.65

_UNIQUE_ID: Final = "unique_id"
_FIELDS: Final = ("forename", "surname", "dob", "sex", "postcode", "nhs_number", "upn")


class BackendUnavailable(RuntimeError):
    """The requested linkage backend cannot run here; the message says what to install."""


# ---------------------------------------------------------------------------
# Input frames
# ---------------------------------------------------------------------------

_LIST = pa.list_(pa.string())
_SCHEMA: Final = pa.schema(
    [
        pa.field(_UNIQUE_ID, pa.string(), nullable=False),
        pa.field("forename1", pa.string()),
        pa.field("forename_keys", _LIST),
        pa.field("forename_multi", pa.bool_()),
        pa.field("forename_groups", _LIST),
        pa.field("forename_mp", pa.string()),
        pa.field("forename_mps", _LIST),
        pa.field("surname", pa.string()),
        pa.field("surname_mp", pa.string()),
        pa.field("surname_groups", _LIST),
        pa.field("surname_parts", _LIST),
        pa.field("surname_tokens_n", pa.int32()),
        pa.field("dob", pa.string()),
        pa.field("dob_swapped", pa.string()),
        pa.field("dob_year", pa.int32()),
        pa.field("dob_month", pa.int32()),
        pa.field("dob_day", pa.int32()),
        pa.field("sex", pa.string()),
        pa.field("postcode", pa.string()),
        pa.field("pc_sector", pa.string()),
        pa.field("pc_district", pa.string()),
        pa.field("pc_area", pa.string()),
        pa.field("nhs_number", pa.string()),
        pa.field("upn", pa.string()),
        pa.field("upn_temporary", pa.bool_()),
    ]
)
assert tuple(_SCHEMA.names[1:]) == FEATURE_COLUMNS


def records_frame(records: Iterable[tuple[str, PersonRecord]]) -> pd.DataFrame:
    """``unique_id`` plus :data:`~mash.domain.linkage_features.FEATURE_COLUMNS`, one row per record.

    The same values as :func:`~mash.domain.linkage_features.features`, but each distinct name, date,
    postcode and identifier is worked out once (an index of a million people has far fewer). List
    columns are Arrow lists (``pd.ArrowDtype``), so DuckDB and Spark see typed arrays even when every
    list is empty.
    """
    ids: list[str] = []
    inputs: dict[str, list[Any]] = {"forename": [], "surname": [], "dob": [], "sex": [], "postcode": [], "identifiers": []}
    for unique_id, r in records:
        ids.append(str(unique_id))
        inputs["forename"].append((r.forenames or "", tuple(r.other_names)))
        inputs["surname"].append(r.surname or "")
        inputs["dob"].append((r.dob, r.dob_is_expected))
        inputs["sex"].append(r.sex or "")
        inputs["postcode"].append(r.postcode or "")
        inputs["identifiers"].append((r.nhs_number, r.upn))
    pieces: dict[str, Callable[..., Any]] = {
        "forename": lambda v: lf.forename_columns(*v),
        "surname": lf.surname_columns,
        "dob": lambda v: lf.dob_columns(*v),
        "sex": lambda v: {"sex": lf.sex_column(v)},
        "postcode": lf.postcode_columns,
        "identifiers": lambda v: lf.identifier_columns(*v),
    }
    columns: dict[str, Any] = {_UNIQUE_ID: ids}
    for part, values in inputs.items():
        distinct = {v: pieces[part](v) for v in set(values)}
        rows = [distinct[v] for v in values]
        names = rows[0] if rows else pieces[part](_EMPTY_INPUT[part])
        for name in names:
            columns[name] = [row[name] for row in rows]
    table = pa.Table.from_pydict(columns, schema=_SCHEMA)
    return table.to_pandas(types_mapper=pd.ArrowDtype)


_EMPTY_INPUT: Final[dict[str, Any]] = {
    "forename": ("", ()),
    "surname": "",
    "dob": (None, False),
    "sex": "",
    "postcode": "",
    "identifiers": (None, None),
}


def _arrow_table(frame: pd.DataFrame) -> pa.Table:
    missing = [name for name in _SCHEMA.names if name not in frame.columns]
    if missing:
        raise ValueError(f"The frame lacks {', '.join(missing)}; build it with records_frame()")
    selected = frame[list(_SCHEMA.names)].reset_index(drop=True)
    return pa.Table.from_pandas(selected, schema=_SCHEMA, preserve_index=False)


# ---------------------------------------------------------------------------
# The comparisons in SQL
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Sql:
    """The few functions whose spelling differs between DuckDB and Spark SQL."""

    dialect: str

    def jw(self, a: str, b: str) -> str:
        name = "jaro_winkler_similarity" if self.dialect == "duckdb" else "jaro_winkler"
        return f"{name}({a}, {b})"

    def overlap(self, a: str, b: str) -> str:
        # Both sides are lists without NULL elements; a NULL list makes the level false.
        if self.dialect == "duckdb":
            return f"list_has_any({a}, {b})"
        return f"arrays_overlap({a}, {b})"

    def contains(self, array: str, value: str) -> str:
        if self.dialect == "duckdb":
            return f"list_contains({array}, {value})"
        return f"array_contains({array}, {value})"

    def max_jw_to(self, array: str, value: str) -> str:
        """Highest Jaro-Winkler similarity between any element of ``array`` and ``value``."""
        if self.dialect == "duckdb":
            return f"list_max(list_transform({array}, lambda kx: {self.jw('kx', value)}))"
        return f"array_max(transform({array}, kx -> {self.jw('kx', value)}))"

    def max_jw_between(self, a: str, b: str) -> str:
        """Highest Jaro-Winkler similarity between any element of ``a`` and any of ``b``."""
        if self.dialect == "duckdb":
            inner = f"list_max(list_transform({b}, lambda ky: {self.jw('kx', 'ky')}))"
            return f"list_max(list_transform({a}, lambda kx: {inner}))"
        inner = f"array_max(transform({b}, ky -> {self.jw('kx', 'ky')}))"
        return f"array_max(transform({a}, kx -> {inner}))"


def _forenames(single: str, listed: str) -> str:
    """``single`` when both records have one first-name alternative (most do), else ``listed``.

    With one alternative ``forename_keys`` is ``[forename1]`` and ``forename_mps`` is ``[forename_mp]``,
    so both give the same answer; the scalar form is several times cheaper than list functions and
    lambdas, and a CASE only evaluates the branch a pair takes.
    """
    return f"(CASE WHEN forename_multi_l OR forename_multi_r THEN {listed} ELSE {single} END)"


def _names_swapped_sql(s: _Sql) -> str:
    """A first-name alternative of each record is the other record's surname, a variant of it, or
    spelt very like it (the interactive scorer's ``_names_swapped``)."""

    def crosses(side: str, other: str) -> str:
        keys, groups = f"forename_keys_{side}", f"forename_groups_{side}"
        surname, surname_groups = f"surname_{other}", f"surname_groups_{other}"
        exact = f"(CASE WHEN forename_multi_{side} THEN {s.contains(keys, surname)} ELSE forename1_{side} = {surname} END)"
        similar = (
            f"(CASE WHEN forename_multi_{side} THEN {s.max_jw_to(keys, surname)} "
            f"ELSE {s.jw(f'forename1_{side}', surname)} END) >= {JW_HIGH}"
        )
        return f"({exact} OR {s.overlap(groups, surname_groups)} OR {similar})"

    return f"({crosses('l', 'r')} AND {crosses('r', 'l')})"


def comparison_levels(dialect: str = "duckdb") -> dict[str, list[dict[str, Any]]]:
    """Field -> Splink comparison levels (dicts), in order: first true condition wins.

    The level names (``label_for_charts``) are :mod:`mash.domain.matching`'s; the null level is
    called ``missing`` as there.
    """
    if dialect not in {"duckdb", "spark"}:
        raise ValueError(f"No SQL is written for the {dialect!r} dialect; use 'duckdb' or 'spark'")
    s = _Sql(dialect)
    swapped = _names_swapped_sql(s)
    forename_jw = _forenames(s.jw("forename1_l", "forename1_r"), s.max_jw_between("forename_keys_l", "forename_keys_r"))

    def null(*columns: str) -> dict[str, Any]:
        condition = " OR ".join(f"{c}_l IS NULL OR {c}_r IS NULL" for c in columns)
        return {"sql_condition": condition, "label_for_charts": "missing", "is_null_level": True}

    def level(label: str, condition: str, **extra: Any) -> dict[str, Any]:
        return {"sql_condition": condition, "label_for_charts": label, **extra}

    disagree = {"sql_condition": "ELSE", "label_for_charts": "disagree"}
    forename = [
        null("forename_keys"),
        level(
            "exact",
            _forenames("forename1_l = forename1_r", s.overlap("forename_keys_l", "forename_keys_r")),
            # The exact level is a list overlap, not "forename1_l = forename1_r", so Splink is told to
            # use this level's own u for the term-frequency adjustment.
            tf_adjustment_column="forename1",
            tf_adjustment_weight=1.0,
            disable_tf_exact_match_detection=True,
        ),
        level("swapped_with_surname", f"{swapped} AND NOT (surname_l = surname_r)"),
        level("nickname", s.overlap("forename_groups_l", "forename_groups_r")),
        level("jaro_winkler_high", f"{forename_jw} >= {JW_HIGH}"),
        level("phonetic", _forenames("forename_mp_l = forename_mp_r", s.overlap("forename_mps_l", "forename_mps_r"))),
        level("jaro_winkler_medium", f"{forename_jw} >= {JW_MEDIUM}"),
        disagree,
    ]
    surname = [
        null("surname"),
        level("exact", "surname_l = surname_r", tf_adjustment_column="surname", tf_adjustment_weight=1.0),
        level(
            "swapped_with_forename",
            f"{swapped} AND NOT {_forenames('forename1_l = forename1_r', s.overlap('forename_keys_l', 'forename_keys_r'))}",
            # Swapped names are one event, already weighed by the forename comparison's
            # "swapped_with_surname" level; a second weight here would count it twice.
            m_probability=0.5,
            u_probability=0.5,
            fix_m_probability=True,
            fix_u_probability=True,
        ),
        level("variant", s.overlap("surname_groups_l", "surname_groups_r")),
        level("jaro_winkler_high", f"{s.jw('surname_l', 'surname_r')} >= {JW_HIGH}"),
        level(
            "part_of_double_barrelled",
            f"(surname_tokens_n_l > 1 OR surname_tokens_n_r > 1) AND {s.overlap('surname_parts_l', 'surname_parts_r')}",
        ),
        level("phonetic", "surname_mp_l = surname_mp_r"),
        level("jaro_winkler_medium", f"{s.jw('surname_l', 'surname_r')} >= {JW_MEDIUM}"),
        disagree,
    ]
    dob = [
        null("dob"),
        level("exact", "dob_l = dob_r"),
        level("day_month_swapped", "dob_swapped_l = dob_r"),
        level("year_off_by_one", "dob_month_l = dob_month_r AND dob_day_l = dob_day_r AND abs(dob_year_l - dob_year_r) = 1"),
        level(
            "one_part_differs",
            "(dob_day_l = dob_day_r AND dob_month_l = dob_month_r) OR (dob_day_l = dob_day_r AND dob_year_l = dob_year_r) "
            "OR (dob_month_l = dob_month_r AND dob_year_l = dob_year_r)",
        ),
        disagree,
    ]
    sex = [null("sex"), level("agree", "sex_l = sex_r"), disagree]
    postcode = [
        null("postcode"),
        level("full", "postcode_l = postcode_r"),
        level("same_sector", "pc_sector_l = pc_sector_r"),
        level("same_district", "pc_district_l = pc_district_r"),
        level("same_area", "pc_area_l = pc_area_r"),
        disagree,
    ]
    nhs_number = [null("nhs_number"), level("exact", "nhs_number_l = nhs_number_r"), disagree]
    upn = [
        null("upn"),
        level("exact", "upn_l = upn_r"),
        level("disagree_temporary", "upn_temporary_l OR upn_temporary_r"),
        disagree,
    ]
    levels = {
        "forename": forename,
        "surname": surname,
        "dob": dob,
        "sex": sex,
        "postcode": postcode,
        "nhs_number": nhs_number,
        "upn": upn,
    }
    _check_order(levels)
    return levels


def _check_order(levels: Mapping[str, list[dict[str, Any]]]) -> None:
    """The SQL levels must come in the interactive scorer's order of precedence."""
    for field_name, order in (("forename", FORENAME_LEVEL_ORDER), ("surname", SURNAME_LEVEL_ORDER)):
        names = [lv["label_for_charts"] for lv in levels[field_name] if not lv.get("is_null_level")]
        assert names == [n for n in order if n in names], (field_name, names)


# Blocking: which pairs are compared at all. Each rule is an equality join (fast at any size) and
# together they catch duplicates with one or two fields wrong: a mistyped or missing date of birth
# (the name rules), a nickname, misspelling or changed surname (the date of birth and postcode rules),
# swapped names and a swapped day and month. Measured on the bench's synthetic records (100,000
# people, 196,000 records): 97% of true pairs blocked with about 1.3 pairs per record. Rules that
# added many pairs for few duplicates were dropped: same names and birth year, same postcode and
# surname (every household), swapped names alone.
BLOCKING_RULES: Final[tuple[str, ...]] = (
    "l.nhs_number = r.nhs_number",
    "l.upn = r.upn",
    "l.dob = r.dob AND l.surname_mp = r.surname_mp",
    "l.dob = r.dob AND l.forename_mp = r.forename_mp",
    "l.forename_mp = r.forename_mp AND l.surname_mp = r.surname_mp AND l.pc_district = r.pc_district",
    "l.dob = r.dob AND l.postcode = r.postcode",
    "l.forename_mp = r.forename_mp AND l.surname_mp = r.surname_mp AND l.dob_month = r.dob_month AND l.dob_day = r.dob_day",
    "l.postcode = r.postcode AND l.forename_mp = r.forename_mp",
    "l.forename_mp = r.surname_mp AND l.surname_mp = r.forename_mp AND l.dob_year = r.dob_year",
    "l.forename_mp = r.surname_mp AND l.surname_mp = r.forename_mp AND l.pc_district = r.pc_district",
    "l.dob_swapped = r.dob AND l.surname_mp = r.surname_mp",
)
# EM: each session estimates m for the fields not in its rule.
_EM_RULES: Final = (
    "l.forename1 = r.forename1 AND l.surname = r.surname",
    "l.dob = r.dob",
)
_DETERMINISTIC_RULES: Final = (
    "l.nhs_number = r.nhs_number",
    "l.upn = r.upn",
    "l.forename1 = r.forename1 AND l.surname = r.surname AND l.dob = r.dob",
)


def _separate(weights: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Nudge m so that no two levels of a comparison, nor a level and "missing" (0), have the same
    weight: the level of a scored pair is read back from its weight (see :func:`_predict`). The
    nudges are a few millionths of a bit."""
    taken = [0.0]
    out = []
    for m, u in weights:
        while any(abs(math.log2(m / u) - w) < 1e-6 for w in taken):
            m *= 1.0 - 1e-6
        taken.append(math.log2(m / u))
        out.append((m, u))
    return out


def _settings(dialect: str, link_type: str, weights: MatchWeights | None, prior: float) -> tuple[Any, dict[str, Any]]:
    """Splink's SettingsCreator, and the same comparisons as plain dicts (with each level's m and u)."""
    from splink import SettingsCreator

    levels = comparison_levels(dialect)
    comparisons = []
    for field_name in _FIELDS:
        field_levels = [dict(lv) for lv in levels[field_name]]
        if weights is not None:
            probabilities = getattr(weights, field_name)
            compared = [lv for lv in field_levels if not lv.get("is_null_level")]
            given = [(probabilities[lv["label_for_charts"]].m, probabilities[lv["label_for_charts"]].u) for lv in compared]
            for lv, (m, u) in zip(compared, _separate(given), strict=True):
                lv["m_probability"], lv["u_probability"] = m, u
        comparisons.append({"output_column_name": field_name, "comparison_levels": field_levels})
    creator = SettingsCreator(
        link_type=link_type,  # type: ignore[arg-type]
        comparisons=comparisons,
        blocking_rules_to_generate_predictions=[{"blocking_rule": rule} for rule in BLOCKING_RULES],
        probability_two_random_records_match=prior,
        # Per-field weights (mw_) of the scored pairs are kept for the family check; the compared
        # values are not (copying them out costs more than the comparisons).
        retain_matching_columns=False,
        retain_intermediate_calculation_columns=True,
        max_iterations=25,
        em_convergence=0.0001,
    )
    return creator, {"comparisons": comparisons, "probability_two_random_records_match": prior}


def splink_settings(
    *,
    dialect: str = "duckdb",
    link_type: str = "dedupe_only",
    weights: MatchWeights | None = None,
    prior: float = 1e-4,
) -> dict[str, Any]:
    """A Splink settings dict: our comparisons, blocking rules, term frequencies on names.

    With ``weights``, every level carries that model's (m, u) so the settings can predict without
    training (this is how a :class:`TrainedModel` is given to Splink for dedupe and link).
    """
    creator, _ = _settings(dialect, link_type, weights, prior)
    settings: dict[str, Any] = creator.get_settings(dialect).as_dict()
    return settings


# ---------------------------------------------------------------------------
# Backends
# ---------------------------------------------------------------------------


def make_db_api(backend: str = "duckdb", *, spark_session: Any = None) -> Any:
    """Splink's database API: ``"duckdb"`` (this machine) or ``"spark"`` (a cluster).

    For Spark, pass the session to use (a cluster's); without one, ``SparkSession.builder.getOrCreate()``
    starts a local one. Raises :class:`BackendUnavailable` saying what to install when pyspark or Java
    is missing.
    """
    if backend == "duckdb":
        from splink import DuckDBAPI

        return DuckDBAPI()
    if backend != "spark":
        raise ValueError(f"Unknown linkage backend {backend!r}: use 'duckdb' or 'spark'")
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:
        raise BackendUnavailable(
            "The Spark backend needs pyspark, which is not installed. Install it with "
            "`pip install 'pyspark>=3.5'` and install a Java runtime (JDK 17), or run on a machine with "
            "Spark (e.g. Databricks) and pass its SparkSession."
        ) from exc
    if spark_session is None:
        try:
            spark_session = SparkSession.builder.appName("mash-linkage").getOrCreate()
        except Exception as exc:  # pyspark raises several kinds when Java is missing or broken
            raise BackendUnavailable(
                "pyspark is installed but could not start Spark, usually because no Java runtime was "
                f"found: install a JDK (17) and set JAVA_HOME, or pass a SparkSession ({exc})"
            ) from exc
    from splink.backends.spark import SparkAPI

    return SparkAPI(spark_session=spark_session)


_SPARK_TYPES: Final = {pa.string(): "string", pa.int32(): "int", pa.bool_(): "boolean", _LIST: "array<string>"}


def _spark_schema() -> str:
    """The frame's schema as Spark DDL, so Spark does not have to guess the list columns' type."""
    return ", ".join(f"{f.name} {_SPARK_TYPES[f.type]}" for f in _SCHEMA)


def _register(db_api: Any, frame: pd.DataFrame, name: str, backend: str, spark_session: Any) -> Any:
    table = _arrow_table(frame)
    if backend == "spark":
        session = spark_session if spark_session is not None else db_api.spark
        rows = table.to_pandas()
        for column in lf.LIST_COLUMNS:
            rows[column] = [None if v is None else list(v) for v in rows[column]]
        return db_api.register(session.createDataFrame(rows, schema=_spark_schema()), dataset_display_name=name)
    return db_api.register(table, dataset_display_name=name)


def _linker(tables: Any, settings: Any) -> Any:
    from splink import Linker

    # Our settings are fixed and tested; Splink's validation parses every condition again (most of a second).
    return Linker(tables, settings, log_level=None, validate_settings=False)


def _report(progress: Progress | None, stage: str, percent: int) -> None:
    logger.info("%s (%d%%)", stage, percent)
    if progress is not None:
        progress(stage, percent)


# ---------------------------------------------------------------------------
# Training
# ---------------------------------------------------------------------------


def _term_frequencies(frame: pd.DataFrame) -> TermFrequencies:
    values: dict[str, dict[str, float]] = {}
    floor: dict[str, float] = {}
    for field_name, column in (("forename", "forename1"), ("surname", "surname")):
        names = frame[column].dropna().astype(str)
        if names.empty:
            continue
        counts = names.value_counts()
        proportions = counts / len(names)
        kept = proportions.iloc[:TF_TOP_N]
        values[field_name] = {str(k): float(v) for k, v in kept.items()}
        # An unlisted name is at most as common as the most common name left out; when nothing was
        # left out it was never seen, so count it as seen once.
        floor[field_name] = float(proportions.iloc[TF_TOP_N]) if len(proportions) > TF_TOP_N else 1.0 / len(names)
    return TermFrequencies(values=values, floor=floor)


def _trained_levels(splink_model: Mapping[str, Any]) -> dict[str, dict[str, tuple[float, float]]]:
    """(m, u) of every level Splink estimated, by our field and level names."""
    from mash.domain.matching import DEFAULT_WEIGHTS

    levels: dict[str, dict[str, tuple[float, float]]] = {}
    for comparison in splink_model["comparisons"]:
        field_name = comparison["output_column_name"]
        defaults = getattr(DEFAULT_WEIGHTS, field_name)
        for lv in comparison["comparison_levels"]:
            if lv.get("is_null_level"):
                continue
            label = lv["label_for_charts"]
            m, u = lv.get("m_probability"), lv.get("u_probability")
            if lv.get("fix_m_probability") and lv.get("fix_u_probability"):
                continue  # not estimated (the surname half of swapped names): filled in below
            trained_m = m is not None and 0.0 < m <= 1.0
            trained_u = u is not None and 0.0 < u <= 1.0
            if not (trained_m or trained_u):
                continue
            # A level Splink could not estimate (never seen among the sampled or blocked pairs) keeps
            # the default for that half.
            levels.setdefault(field_name, {})[label] = (
                float(m) if trained_m else defaults[label].m,
                float(u) if trained_u else defaults[label].u,
            )
    swapped = levels.get("forename", {}).get("swapped_with_surname")
    if swapped is not None:
        # Weight 0: the forename level carries the whole weight of swapped names.
        levels.setdefault("surname", {})["swapped_with_forename"] = (swapped[0], swapped[0])
    return levels


def train(
    frame: pd.DataFrame,
    *,
    backend: str = "duckdb",
    seed: int = 42,
    progress: Progress | None = None,
    spark_session: Any = None,
    version: int = 1,
) -> tuple[TrainedModel, dict[str, Any]]:
    """Estimate the model from the partnership's own records, without labels.

    The prior from deterministic rules with a stated recall (:data:`DETERMINISTIC_RECALL`); u by
    random sampling (seeded); m by expectation maximisation over two blocking rules (same names;
    same date of birth), each estimating the fields it does not block on. Returns the model and
    Splink's own model JSON.
    """
    import splink

    n = len(frame)
    if n < MIN_TRAINING_RECORDS:
        raise ValueError(
            f"Training needs at least {MIN_TRAINING_RECORDS:,} person records to estimate the model "
            f"reliably; there are {n:,}. Keep using the shipped model until the index is larger."
        )
    _report(progress, "Preparing the records", 2)
    db_api = make_db_api(backend, spark_session=spark_session)
    dialect = db_api.sql_dialect.sql_dialect_str
    table = _register(db_api, frame, "person_index", backend, spark_session)
    creator, _ = _settings(dialect, "dedupe_only", None, 1e-4)
    linker = _linker(table, creator)

    _report(progress, "Estimating how likely two records are to be the same person", 5)
    linker.training.estimate_probability_two_random_records_match(list(_DETERMINISTIC_RULES), recall=DETERMINISTIC_RECALL)
    _report(progress, "Estimating u from random pairs of records", 15)
    u_pairs = min(U_MAX_PAIRS, max(U_MIN_PAIRS, float(U_PAIRS_PER_RECORD * n)))
    linker.training.estimate_u_using_random_sampling(max_pairs=u_pairs, seed=seed)
    iterations = 0
    for i, rule in enumerate(_EM_RULES):
        _report(progress, f"Estimating m by expectation maximisation ({i + 1} of {len(_EM_RULES)})", 40 + 25 * i)
        session = linker.training.estimate_parameters_using_expectation_maximisation(
            rule, estimate_without_term_frequencies=True, max_pairs=EM_MAX_PAIRS if n > EM_SAMPLE_ABOVE else None
        )
        iterations += max(len(getattr(session, "_core_model_settings_history", [])) - 1, 0)
    _report(progress, "Counting names for term-frequency adjustment", 92)
    splink_model: dict[str, Any] = linker.misc.save_model_to_json()
    model = TrainedModel(
        version=version,
        prior=float(splink_model["probability_two_random_records_match"]),
        levels=_trained_levels(splink_model),
        term_frequencies=_term_frequencies(frame),
        trained_on_records=n,
        trained_at=datetime.now(UTC).isoformat(timespec="seconds"),
        source="trained",
        splink_version=splink.__version__,
        em_iterations=iterations,
    )
    _report(progress, "Training finished", 100)
    return model, splink_model


# ---------------------------------------------------------------------------
# Prediction, the family check, clusters
# ---------------------------------------------------------------------------


@dataclass
class LinkageResult:
    """Scored pairs (after the family check), clusters of strong pairs, and time per stage."""

    # unique_id_l, unique_id_r, match_probability, match_weight, the level of each field and the family
    # check's level ("" when it did not apply), in no particular order
    pairs: pd.DataFrame
    clusters: pd.DataFrame  # unique_id, cluster_id: records in a strong pair only
    seconds: dict[str, float] = field(default_factory=dict)


_FORENAME_DISTINGUISHES: Final = frozenset({"exact", "nickname", "jaro_winkler_high", "swapped_with_surname"})
_FORENAME_WEAK: Final = frozenset({"phonetic", "jaro_winkler_medium", "disagree"})


def _level_table(settings: Mapping[str, Any], field_name: str) -> tuple[np.ndarray, np.ndarray]:
    """(level names, their weights) of one comparison, "missing" (weight 0) first."""
    comparison = next(c for c in settings["comparisons"] if c["output_column_name"] == field_name)
    names, weights = ["missing"], [0.0]
    for lv in comparison["comparison_levels"]:
        if not lv.get("is_null_level"):
            names.append(lv["label_for_charts"])
            weights.append(math.log2(lv["m_probability"] / lv["u_probability"]))
    return np.array(names, dtype=object), np.array(weights)


def _levels_from_weights(scored: pd.DataFrame, settings: Mapping[str, Any]) -> dict[str, np.ndarray]:
    """Field -> the level each pair reached, read back from Splink's per-field weight (mw_<field>).

    Every level of a comparison has a different weight (:func:`_separate`), so the nearest one is
    the level; this avoids copying the compared values out of the database to get Splink's gamma
    columns.
    """
    levels = {}
    for field_name in _FIELDS:
        names, weights = _level_table(settings, field_name)
        observed = scored[f"mw_{field_name}"].to_numpy(dtype=float)
        levels[field_name] = names[np.abs(observed[:, None] - weights[None, :]).argmin(axis=1)]
    return levels


def _family_check(
    levels: Mapping[str, np.ndarray], surname_w: np.ndarray, dob_w: np.ndarray, postcode_w: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`mash.domain.matching._family_check` over whole columns: (weight cancelled, check level).

    As in :func:`mash.domain.matching.score`, no check when the NHS number or UPN agrees. The
    household is the postcode: batch linkage does not compare address text.
    """
    forename, dob = levels["forename"], levels["dob"]
    identified = (levels["nhs_number"] == "exact") | (levels["upn"] == "exact")
    surname_w = np.maximum(surname_w, 0.0)
    address_w = np.maximum(postcode_w, 0.0)
    weak = np.isin(forename, list(_FORENAME_WEAK))
    ok = np.isin(forename, list(_FORENAME_DISTINGUISHES))

    twin_or_sibling = ~identified & weak & (surname_w > 0) & (dob_w > 0)
    household_only = ~identified & ~twin_or_sibling & ~ok & (dob_w <= 0) & ((surname_w > 0) | (address_w > 0))
    same_name = ~identified & ~twin_or_sibling & ~household_only & ok & (surname_w > 0) & (dob == "disagree") & (address_w > 0)

    cancelled = np.select(
        [twin_or_sibling, household_only, same_name],
        [surname_w + dob_w + address_w, surname_w + address_w, address_w],
        0.0,
    )
    check = np.select(
        [
            twin_or_sibling & (dob == "exact"),
            twin_or_sibling,
            household_only & weak,
            household_only,
            same_name,
        ],
        ["possible_twin", "possible_sibling", "possible_sibling", "household_details_only", "same_name_different_dob"],
        "",
    )
    return cancelled, check


def _clusters(left: np.ndarray, right: np.ndarray) -> pd.DataFrame:
    """Connected components of the given pairs, numbered 1, 2, ... in order of their smallest id.

    Label propagation: every record starts as its own label; each round, both ends of every pair
    take the smaller of their labels, then labels follow each other (pointer jumping) until
    nothing changes. Clusters of duplicates are small, so a few rounds suffice.
    """
    if len(left) == 0:
        return pd.DataFrame({"unique_id": pd.Series(dtype=object), "cluster_id": pd.Series(dtype="int64")})
    codes, ids = pd.factorize(np.concatenate([left, right]))
    a, b = codes[: len(left)], codes[len(left) :]
    label = np.arange(len(ids))
    while True:
        low = np.minimum(label[a], label[b])
        new = label.copy()
        np.minimum.at(new, a, low)
        np.minimum.at(new, b, low)
        new = new[new]
        if np.array_equal(new, label):
            break
        label = new
    ids = np.asarray(ids, dtype=object)
    by_id = pc.sort_indices(pa.array(ids, pa.string())).to_numpy()  # Arrow sorts strings far faster than numpy
    # Position (in id order) of each component's smallest id; numbering follows those positions.
    roots, first = np.unique(label[by_id], return_index=True)
    number = np.empty(len(ids), dtype="int64")
    number[roots[np.argsort(first)]] = np.arange(1, len(roots) + 1)
    clusters = pd.DataFrame({"unique_id": ids[by_id], "cluster_id": number[label[by_id]]})
    return clusters.sort_values("cluster_id", kind="stable").reset_index(drop=True)


def _predict(linker: Any, review_threshold: float) -> pd.DataFrame:
    """Splink's scored pairs at or above the review threshold, with the per-field weights."""
    predictions = linker.inference.predict(threshold_match_probability=review_threshold, warning_mode="never")
    weights = ", ".join(f"mw_{f}" for f in _FIELDS)
    sql = f"""
        select unique_id_l, unique_id_r, match_weight, {weights},
               coalesce(mw_tf_adj_forename, 0.0) as mw_tf_adj_forename,
               coalesce(mw_tf_adj_surname, 0.0) as mw_tf_adj_surname
        from {predictions.physical_name}
    """  # noqa: S608 (the table name comes from Splink; nothing here is user-supplied)
    scored: pd.DataFrame = linker._db_api.query_sql(sql, output_type="pandas")
    predictions.drop_table_from_database_and_remove_from_cache()
    return scored


def _finish(
    scored: pd.DataFrame,
    settings: Mapping[str, Any],
    review_threshold: float,
    strong_threshold: float,
    seconds: dict[str, float],
) -> LinkageResult:
    start = time.perf_counter()
    prior = float(settings["probability_two_random_records_match"])
    prior_log_odds = math.log2(prior / (1.0 - prior))
    levels = _levels_from_weights(scored, settings)
    surname_w = scored["mw_surname"].to_numpy(dtype=float) + scored["mw_tf_adj_surname"].to_numpy(dtype=float)
    cancelled, check = _family_check(
        levels, surname_w, scored["mw_dob"].to_numpy(dtype=float), scored["mw_postcode"].to_numpy(dtype=float)
    )
    # Splink's match_weight includes the prior; ours, like MatchResult.match_weight, does not.
    weight = scored["match_weight"].to_numpy(dtype=float) - prior_log_odds - cancelled
    probability = 1.0 / (1.0 + np.exp2(-np.clip(weight + prior_log_odds, -1000.0, 1000.0)))
    keep = probability >= review_threshold
    pairs = pd.DataFrame(
        {
            "unique_id_l": scored["unique_id_l"].to_numpy(dtype=object)[keep],
            "unique_id_r": scored["unique_id_r"].to_numpy(dtype=object)[keep],
            "match_probability": probability[keep],
            "match_weight": weight[keep],
            **{name: levels[name][keep] for name in _FIELDS},
            "family_check": check[keep],
        }
    )
    seconds["family_check"] = time.perf_counter() - start
    start = time.perf_counter()
    strong = pairs["match_probability"].to_numpy() >= strong_threshold
    clusters = _clusters(pairs["unique_id_l"].to_numpy()[strong], pairs["unique_id_r"].to_numpy()[strong])
    seconds["clusters"] = time.perf_counter() - start
    seconds["total"] = sum(v for k, v in seconds.items() if k != "total")
    return LinkageResult(pairs=pairs, clusters=clusters, seconds=seconds)


def _check_thresholds(review_threshold: float, strong_threshold: float) -> None:
    if not 0.0 < review_threshold <= strong_threshold < 1.0:
        raise ValueError("Thresholds must satisfy 0 < review threshold <= strong threshold < 1")


def dedupe(
    frame: pd.DataFrame,
    model: TrainedModel,
    splink_model: Mapping[str, Any],
    *,
    review_threshold: float,
    strong_threshold: float,
    backend: str = "duckdb",
    progress: Progress | None = None,
    spark_session: Any = None,
) -> LinkageResult:
    """Possible duplicates within ``frame``: pairs at or above ``review_threshold`` after the family
    check, and clusters of pairs at or above ``strong_threshold``.

    The (m, u) used are ``model``'s (``splink_model`` is what training saved alongside it and may
    be empty, as for the shipped model); term frequencies are counted afresh from ``frame``.
    """
    _check_thresholds(review_threshold, strong_threshold)
    del splink_model  # the same numbers as `model`; kept in the signature for the caller's record
    seconds: dict[str, float] = {}
    start = time.perf_counter()
    _report(progress, "Loading the records", 5)
    db_api = make_db_api(backend, spark_session=spark_session)
    dialect = db_api.sql_dialect.sql_dialect_str
    creator, settings = _settings(dialect, "dedupe_only", model.weights(), model.prior)
    table = _register(db_api, frame, "person_index", backend, spark_session)
    linker = _linker(table, creator)
    seconds["load"] = time.perf_counter() - start
    start = time.perf_counter()
    _report(progress, "Comparing pairs of records", 20)
    scored = _predict(linker, review_threshold)
    seconds["predict"] = time.perf_counter() - start
    _report(progress, "Checking for brothers, sisters and twins, and forming clusters", 85)
    result = _finish(scored, settings, review_threshold, strong_threshold, seconds)
    _report(progress, "Finished", 100)
    return result


def link(
    extract: pd.DataFrame,
    index: pd.DataFrame,
    model: TrainedModel,
    splink_model: Mapping[str, Any],
    *,
    review_threshold: float,
    strong_threshold: float,
    backend: str = "duckdb",
    progress: Progress | None = None,
    spark_session: Any = None,
) -> LinkageResult:
    """Records of the index that may be the same people as rows of ``extract``.

    Only extract-to-index pairs are returned, with the extract row's id in ``unique_id_l`` and the
    person's in ``unique_id_r``. Clusters join extract rows and people through strong pairs (one
    person matched strongly by two rows, or one row by two people, shows up as a cluster of three).
    """
    _check_thresholds(review_threshold, strong_threshold)
    del splink_model
    overlap = set(extract[_UNIQUE_ID].astype(str)) & set(index[_UNIQUE_ID].astype(str))
    if overlap:
        raise ValueError(f"Extract and index share unique ids (e.g. {sorted(overlap)[0]!r}); prefix the extract's ids")
    seconds: dict[str, float] = {}
    start = time.perf_counter()
    _report(progress, "Loading the extract and the person index", 5)
    db_api = make_db_api(backend, spark_session=spark_session)
    dialect = db_api.sql_dialect.sql_dialect_str
    creator, settings = _settings(dialect, "link_only", model.weights(), model.prior)
    tables = [
        _register(db_api, extract, "extract", backend, spark_session),
        _register(db_api, index, "person_index", backend, spark_session),
    ]
    linker = _linker(tables, creator)
    seconds["load"] = time.perf_counter() - start
    start = time.perf_counter()
    _report(progress, "Comparing the extract with the person index", 20)
    scored = _predict(linker, review_threshold)
    extract_ids = set(extract[_UNIQUE_ID].astype(str))
    flip = ~scored["unique_id_l"].isin(extract_ids)
    scored.loc[flip, ["unique_id_l", "unique_id_r"]] = scored.loc[flip, ["unique_id_r", "unique_id_l"]].to_numpy()
    seconds["predict"] = time.perf_counter() - start
    _report(progress, "Checking for brothers, sisters and twins, and forming clusters", 85)
    result = _finish(scored, settings, review_threshold, strong_threshold, seconds)
    _report(progress, "Finished", 100)
    return result
