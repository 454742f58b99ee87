"""Splink 5, configured the way its own documentation's deduplication example does it.

The model follows Splink's "deduplicate_50k_synthetic" example (docs/demos/examples/duckdb), with
the columns renamed to ours:

* comparisons from ``splink.comparison_library``: ``ForenameSurnameComparison`` (with the
  forename+surname concatenation column so term frequencies apply to the full name, and its own
  term-frequency adjusted exact levels on each name), ``DateOfBirthComparison(input_is_string=True)``,
  ``PostcodeComparison`` (full / sector / district / area), and ``ExactMatch`` on sex, NHS number and
  UPN (the example's ``birth_place`` and ``occupation`` exact matches have no counterpart here; the
  identifiers are what a children's services index has instead);
* the example's blocking rules with ``postcode_fake`` -> ``postcode``, its ``dob``/``birth_place``
  rule replaced by one rule per identifier (``nhs_number``, ``upn``);
* training as in the example: ``estimate_probability_two_random_records_match`` with its three
  deterministic rules at recall 0.6, ``estimate_u_using_random_sampling(max_pairs=1e7)``, then EM
  blocked on first name + surname and on date of birth (``estimate_without_term_frequencies=True``);
* prediction with ``linker.inference.predict`` and the pairs joined into clusters at the same
  threshold as every other system (see metrics.py).

Single-record search uses Splink 5's ``predict_between`` (a one-row table against the registered
index, with the index's term-frequency tables computed once beforehand), the same trained model.
"""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path
from typing import Any

import pandas as pd

SEED = 42


def _imports() -> tuple[Any, Any, Any, Any, Any]:
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    return cl, DuckDBAPI, Linker, SettingsCreator, block_on


_SECTOR = "substr(postcode, 1, length(postcode) - 2)"


def blocking_rules() -> list[Any]:
    _, _, _, _, block_on = _imports()
    return [
        block_on("substr(first_name,1,3)", "substr(surname,1,4)"),
        block_on("surname", "dob"),
        block_on("first_name", "dob"),
        block_on("postcode", "first_name"),
        block_on("postcode", "surname"),
        block_on("nhs_number"),
        block_on("upn"),
        block_on("substr(postcode,1,3)", "dob"),
        # The example pairs the postcode's first three characters with a name; in one local
        # authority's index that generates over a billion comparisons at 1M people, so: the sector.
        block_on(_SECTOR, "first_name"),
        block_on(_SECTOR, "surname"),
        block_on("substr(first_name,1,2)", "substr(surname,1,2)", "substr(dob,1,4)"),
    ]


def settings(link_type: str = "dedupe_only") -> Any:
    cl, _, _, SettingsCreator, _ = _imports()
    return SettingsCreator(
        link_type=link_type,
        blocking_rules_to_generate_predictions=blocking_rules(),
        comparisons=[
            cl.ForenameSurnameComparison(
                "first_name",
                "surname",
                forename_surname_concat_col_name="first_name_surname_concat",
            ),
            cl.DateOfBirthComparison("dob", input_is_string=True),
            cl.PostcodeComparison("postcode"),
            cl.ExactMatch("sex"),
            cl.ExactMatch("nhs_number"),
            cl.ExactMatch("upn"),
        ],
        retain_intermediate_calculation_columns=False,
    )


TEMP_DIR = Path(__file__).resolve().parents[1] / ".cache" / "duckdb-tmp"


def db_api() -> Any:
    """Splink's DuckDB API on an in-memory database that spills to bench/.cache (not the repository root).

    DuckDB's own default memory limit (80% of RAM) applies unless BENCH_DUCKDB_MEMORY_LIMIT is set
    (e.g. "12GB"), which a shared machine may need; the results record which was used.
    """
    import duckdb
    from splink import DuckDBAPI

    TEMP_DIR.mkdir(parents=True, exist_ok=True)
    config = {"temp_directory": str(TEMP_DIR)}
    limit = os.environ.get("BENCH_DUCKDB_MEMORY_LIMIT")
    if limit:
        config["memory_limit"] = limit
    return DuckDBAPI(connection=duckdb.connect(":memory:", config=config))


def quiet() -> None:
    logging.getLogger("splink").setLevel(logging.WARNING)


def train(linker: Any) -> None:
    _, _, _, _, block_on = _imports()
    linker.training.estimate_probability_two_random_records_match(
        [
            block_on("first_name", "surname", "dob"),
            block_on("substr(first_name,1,2)", "surname", "substr(postcode,1,2)"),
            block_on("dob", "postcode"),
        ],
        recall=0.6,
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=1e7, seed=SEED)
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("first_name", "surname"), estimate_without_term_frequencies=True
    )
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("dob"), estimate_without_term_frequencies=True)


def dedupe(frame: pd.DataFrame, *, output_threshold: float) -> tuple[pd.DataFrame, dict[str, Any], dict[str, float]]:
    """(pairs >= output_threshold, the trained model JSON, seconds per stage)."""
    _, _, Linker, _, _ = _imports()
    quiet()
    seconds: dict[str, float] = {}
    t = time.perf_counter()
    sdf = db_api().register(frame)
    linker = Linker(sdf, settings(), log_level=None)
    train(linker)
    seconds["train"] = time.perf_counter() - t
    t = time.perf_counter()
    predictions = linker.inference.predict(threshold_match_probability=output_threshold)
    pairs = predictions.as_pandas_dataframe()[["unique_id_l", "unique_id_r", "match_probability"]]
    seconds["predict"] = time.perf_counter() - t
    model = linker.misc.save_model_to_json()
    return pairs, model, seconds


def count_comparisons(frame: pd.DataFrame, sample: float = 1.0) -> list[dict[str, Any]]:
    """Comparisons each blocking rule adds after the rules before it (Splink's own analysis)."""
    from splink.blocking_analysis import count_comparisons_from_blocking_rules

    quiet()
    sdf = db_api().register(frame)
    records = count_comparisons_from_blocking_rules(
        sdf, blocking_rules=blocking_rules(), link_type="dedupe_only", record_sample_proportion=sample
    )
    return [r if isinstance(r, dict) else dict(vars(r)) for r in records]


class Searcher:
    """Splink's single-record search: one query row against the registered index."""

    def __init__(self, index: pd.DataFrame, model: dict[str, Any]) -> None:
        _, _, Linker, _, _ = _imports()
        quiet()
        self.db_api = db_api()
        self.index = self.db_api.register(index, dataset_display_name="index")
        self.linker = Linker(self.index, model, log_level=None)
        for column in ("first_name", "surname", "first_name_surname_concat"):
            self.linker.table_management.compute_tf_table(column)
        self._n = 0

    def top(self, query: pd.DataFrame, k: int = 5) -> list[str]:
        self._n += 1
        q = self.db_api.register(query, dataset_display_name=f"query_{self._n}")
        predictions = self.linker.inference.predict_between(q, self.index, warning_mode="never")
        frame = predictions.as_pandas_dataframe()
        predictions.drop_table_from_database_and_remove_from_cache()
        q.drop_table_from_database_and_remove_from_cache(force_non_splink_table=True)
        if frame.empty:
            return []
        frame = frame.sort_values("match_probability", ascending=False)
        return [str(x) for x in frame["unique_id_r"].head(k)]
