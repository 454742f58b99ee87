"""recordlinkage 0.16, configured the way its documentation shows.

* Index: ``recordlinkage.Index`` with ``Block`` passes on the same keys as the Splink baseline's
  blocking rules (so both baselines see the same candidate pairs), plus one ``SortedNeighbourhood``
  pass on surname (window 5, within the first letter of the first name), the documentation's answer
  to typos in a blocking key.
* Compare: ``string`` Jaro-Winkler with threshold 0.85 on first name and surname (the documentation's
  choice), ``exact`` on date of birth, postcode, sex, NHS number and UPN. Missing values compare as 0
  (the library's default).
* Classify: ``ECMClassifier`` (unsupervised Fellegi-Sunter, Expectation/Conditional Maximisation), as in
  the documentation's unsupervised example; its ``prob`` is the match probability used for thresholds.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np
import pandas as pd

# Beyond this many candidate pairs recordlinkage's in-memory pandas pipeline does not fit in this
# machine's memory and time budget (each pair costs ~120 bytes of index and features, and the string
# comparisons run at a few hundred thousand pairs a second in one Python thread).
MAX_CANDIDATES = 40_000_000


def _keys(frame: pd.DataFrame) -> pd.DataFrame:
    f = frame.set_index("unique_id")
    keys = pd.DataFrame(index=f.index)
    keys["first_name"] = f["first_name"]
    keys["surname"] = f["surname"]
    keys["dob"] = f["dob"]
    keys["postcode"] = f["postcode"]
    keys["sex"] = f["sex"]
    keys["nhs_number"] = f["nhs_number"]
    keys["upn"] = f["upn"]
    keys["fn3"] = f["first_name"].str[:3]
    keys["sn4"] = f["surname"].str[:4]
    keys["fn2"] = f["first_name"].str[:2]
    keys["fn1"] = f["first_name"].str[:1]
    keys["sn2"] = f["surname"].str[:2]
    keys["year"] = f["dob"].str[:4]
    keys["pc3"] = f["postcode"].str[:3]
    keys["sector"] = f["postcode"].str[:-2]
    return keys


BLOCKS: tuple[tuple[str, ...], ...] = (
    ("fn3", "sn4"),
    ("surname", "dob"),
    ("first_name", "dob"),
    ("postcode", "first_name"),
    ("postcode", "surname"),
    ("nhs_number",),
    ("upn",),
    ("pc3", "dob"),
    ("sector", "first_name"),
    ("sector", "surname"),
    ("fn2", "sn2", "year"),
)


def _block_pairs(keys: pd.DataFrame, columns: tuple[str, ...]) -> int:
    k = keys[list(columns)].dropna()
    sizes = k.groupby(list(columns)).size().to_numpy().astype(np.int64)
    return int((sizes * (sizes - 1) // 2).sum())


def candidate_estimate(frame: pd.DataFrame) -> int:
    """Upper bound on candidate pairs (sum over passes, before de-duplication across passes)."""
    keys = _keys(frame)
    return sum(_block_pairs(keys, cols) for cols in BLOCKS)


def dedupe(frame: pd.DataFrame, *, output_threshold: float) -> tuple[pd.DataFrame, dict[str, float], dict[str, Any]]:
    import recordlinkage as rl
    from recordlinkage.index import Block, SortedNeighbourhood

    seconds: dict[str, float] = {}
    t = time.perf_counter()
    keys = _keys(frame)
    indexer = rl.Index()
    for cols in BLOCKS:
        indexer.add(Block(left_on=list(cols), right_on=list(cols)))
    indexer.add(SortedNeighbourhood("surname", window=5, block_on=["fn1"]))
    candidates = indexer.index(keys)
    seconds["index"] = time.perf_counter() - t

    t = time.perf_counter()
    compare = rl.Compare()
    compare.string("first_name", "first_name", method="jarowinkler", threshold=0.85, label="first_name")
    compare.string("surname", "surname", method="jarowinkler", threshold=0.85, label="surname")
    for column in ("dob", "postcode", "sex", "nhs_number", "upn"):
        compare.exact(column, column, label=column)
    features = compare.compute(candidates, keys)
    seconds["compare"] = time.perf_counter() - t

    t = time.perf_counter()
    ecm = rl.ECMClassifier()
    ecm.fit(features)
    prob = ecm.prob(features)
    seconds["classify"] = time.perf_counter() - t
    kept = prob[prob >= output_threshold]
    pairs = pd.DataFrame(
        {
            "unique_id_l": kept.index.get_level_values(0).astype(str),
            "unique_id_r": kept.index.get_level_values(1).astype(str),
            "match_probability": kept.to_numpy(),
        }
    )
    info = {"candidate_pairs": len(candidates), "ecm_predicted_matches": int((prob >= 0.5).sum())}
    return pairs, seconds, info
