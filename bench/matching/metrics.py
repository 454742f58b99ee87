"""Pairwise precision, recall and F1, computed the same way for every system.

Two views of a deduplication:

``clusters``
    The predicted pairs at or above the threshold are joined into clusters (connected components,
    the way MASH's ``dedupe`` and Splink's ``cluster_pairwise_predictions_at_threshold`` do it); every
    pair of records in the same predicted cluster counts as a predicted match. This is what a
    deduplicated index ends up holding, so it is the headline figure.
``pairs``
    The predicted pairs at or above the threshold as they are, without transitive closure.

Counts for the cluster view come from the contingency table of (predicted cluster, true person), so a
giant over-merged cluster is scored exactly without listing its pairs.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components


@dataclass(frozen=True)
class PairScores:
    threshold: float
    predicted: int
    true: int
    true_positive: int

    @property
    def precision(self) -> float:
        return self.true_positive / self.predicted if self.predicted else 1.0

    @property
    def recall(self) -> float:
        return self.true_positive / self.true if self.true else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict[str, float | int]:
        d: dict[str, float | int] = dict(asdict(self))
        d.update(precision=round(self.precision, 5), recall=round(self.recall, 5), f1=round(self.f1, 5))
        return d


def _choose2(x: np.ndarray) -> int:
    x = x.astype(np.int64)
    return int((x * (x - 1) // 2).sum())


def true_pair_count(truth: pd.Series) -> int:
    """Number of record pairs that belong to the same entity (``truth``: record id -> entity id)."""
    return _choose2(truth.value_counts().to_numpy())


def components(ids: pd.Index, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Cluster label per id in ``ids`` from edges given as positions into ``ids``."""
    n = len(ids)
    graph = coo_matrix((np.ones(len(left), dtype=np.int8), (left, right)), shape=(n, n))
    _, labels = connected_components(graph, directed=False)
    return labels


def _positions(ids: pd.Index, values: pd.Series) -> np.ndarray:
    pos = ids.get_indexer(values.astype(str))
    if (pos < 0).any():
        missing = values[pos < 0].iloc[:3].tolist()
        raise ValueError(f"predicted pairs name records that are not in the input: {missing}")
    return pos


def cluster_scores(pairs: pd.DataFrame, truth: pd.Series, threshold: float) -> PairScores:
    """Scores of the clusters formed by ``pairs`` with ``match_probability >= threshold``.

    ``truth`` maps every record id (str) to its true entity id.
    """
    ids = pd.Index(truth.index.astype(str))
    kept = pairs[pairs["match_probability"] >= threshold]
    labels = components(ids, _positions(ids, kept["unique_id_l"]), _positions(ids, kept["unique_id_r"]))
    return labelled_cluster_scores(labels, truth.to_numpy(), threshold)


def labelled_cluster_scores(predicted: np.ndarray, truth: np.ndarray, threshold: float) -> PairScores:
    frame = pd.DataFrame({"p": predicted, "t": truth})
    predicted_pairs = _choose2(frame.groupby("p").size().to_numpy())
    true_pairs = _choose2(frame.groupby("t").size().to_numpy())
    tp = _choose2(frame.groupby(["p", "t"]).size().to_numpy())
    return PairScores(threshold, predicted_pairs, true_pairs, tp)


def pair_scores(pairs: pd.DataFrame, truth: pd.Series, threshold: float) -> PairScores:
    """Scores of the predicted pairs themselves (no transitive closure)."""
    kept = pairs[pairs["match_probability"] >= threshold]
    t = truth.copy()
    t.index = t.index.astype(str)
    left = t.reindex(kept["unique_id_l"].astype(str)).to_numpy()
    right = t.reindex(kept["unique_id_r"].astype(str)).to_numpy()
    tp = int((left == right).sum())
    return PairScores(threshold, len(kept), true_pair_count(truth), tp)


def link_scores(pairs: pd.DataFrame, true_links: set[tuple[str, str]], threshold: float) -> PairScores:
    """For a link between two files: predicted (left, right) pairs against the true links."""
    kept = pairs[pairs["match_probability"] >= threshold]
    found = {(str(a), str(b)) for a, b in zip(kept["unique_id_l"], kept["unique_id_r"], strict=True)}
    found |= {(b, a) for a, b in found}
    tp = sum(1 for link in true_links if link in found)
    return PairScores(threshold, len(kept), len(true_links), tp)


THRESHOLDS = (0.5, 0.8, 0.9, 0.95, 0.99, 0.999)


def sweep(pairs: pd.DataFrame, truth: pd.Series, thresholds: Iterable[float] = THRESHOLDS) -> dict[str, dict[str, float | int]]:
    """Cluster scores at several thresholds (to show calibration as well as the chosen point)."""
    return {f"{t:g}": cluster_scores(pairs, truth, t).as_dict() for t in thresholds}


def family_false_matches(
    pairs: pd.DataFrame, truth: pd.Series, household: pd.Series, twin: pd.Series, threshold: float
) -> dict[str, int]:
    """Wrongly linked pairs of *family members* in the clusters at ``threshold``.

    ``truth``, ``household`` and ``twin`` are indexed by record id. Returns the number of predicted
    pairs that join two different people of the same household, and of those the twin pairs: the
    mistakes the family check exists to prevent.
    """
    ids = pd.Index(truth.index.astype(str))
    kept = pairs[pairs["match_probability"] >= threshold]
    labels = components(ids, _positions(ids, kept["unique_id_l"]), _positions(ids, kept["unique_id_r"]))
    frame = pd.DataFrame({"p": labels, "t": truth.to_numpy(), "h": household.to_numpy(), "twin": twin.to_numpy()})
    same_household = _choose2(frame.groupby(["p", "h"]).size().to_numpy()) - _choose2(frame.groupby(["p", "t"]).size().to_numpy())
    twins = frame[frame["twin"]]
    twin_pairs = _choose2(twins.groupby(["p", "h"]).size().to_numpy()) - _choose2(twins.groupby(["p", "t"]).size().to_numpy())
    return {"same_household_false_pairs": same_household, "twin_false_pairs": twin_pairs}
