"""One benchmark task per process: ``python -m bench.matching.systems TASK --data DIR --out DIR``.

The runner starts each task in its own process so each system's peak memory (the process's own
``VmHWM``) is its own. A task reads its input from Parquet, runs the system, writes the
predicted pairs to ``OUT/pairs.parquet`` and what it measured to ``OUT/result.json``; the runner
scores the pairs (metrics.py) so every system is scored by the same code.

Timed (``seconds``): from the raw records to scored pairs, including each system's own
preparation: MASH's feature rows (``records_frame``), training and prediction; Splink's and
recordlinkage's training/indexing, comparison and classification. The standard cleaning the
baselines are given (adapters.baseline_frame) is done before the clock starts, which favours them.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from pathlib import Path
from typing import Any

import pandas as pd

from . import adapters

REVIEW_THRESHOLD = 0.5
STRONG_THRESHOLD = 0.99
OUTPUT_THRESHOLD = 0.5  # every system writes its pairs at or above this; scoring picks thresholds


def _rss_mb() -> float:
    """This process's own peak resident memory (VmHWM), in MB.

    Not ``getrusage``'s ``ru_maxrss``, which on Linux keeps the peak of the runner's memory this
    process was forked from.
    """
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _write(out: Path, result: dict[str, Any], pairs: pd.DataFrame | None = None) -> None:
    out.mkdir(parents=True, exist_ok=True)
    if pairs is not None:
        pairs = pairs[["unique_id_l", "unique_id_r", "match_probability"]].copy()
        pairs["unique_id_l"] = pairs["unique_id_l"].astype(str)
        pairs["unique_id_r"] = pairs["unique_id_r"].astype(str)
        pairs.to_parquet(out / "pairs.parquet", index=False)
    result["peak_rss_mb_self"] = round(_rss_mb(), 1)
    (out / "result.json").write_text(json.dumps(result, indent=2, default=str))


def _raw(data: Path) -> pd.DataFrame:
    return pd.read_parquet(data / "raw.parquet")


# ---------------------------------------------------------------------------------------------
# Deduplication of the synthetic records
# ---------------------------------------------------------------------------------------------


def mash_dedupe(data: Path, out: Path, options: dict[str, Any]) -> None:
    from mash.matching import linkage

    raw = _raw(data)
    rss_loaded = _rss_mb()
    seconds: dict[str, float] = {}
    start = time.perf_counter()
    frame = linkage.records_frame(adapters.person_records(raw))
    seconds["features"] = time.perf_counter() - start
    t = time.perf_counter()
    model, splink_model = linkage.train(frame, seed=42)
    seconds["train"] = time.perf_counter() - t
    t = time.perf_counter()
    result = linkage.dedupe(frame, model, splink_model, review_threshold=REVIEW_THRESHOLD, strong_threshold=STRONG_THRESHOLD)
    seconds["dedupe"] = time.perf_counter() - t
    seconds["total"] = time.perf_counter() - start
    (out / "model").mkdir(parents=True, exist_ok=True)
    (out / "model" / "mash_model.json").write_text(json.dumps(model.to_json()))
    (out / "model" / "mash_splink_model.json").write_text(json.dumps(splink_model))
    clusters = result.clusters.rename(columns={"unique_id": "record_id"})
    clusters.to_parquet(out / "mash_clusters.parquet", index=False)
    _write(
        out,
        {
            "system": "mash",
            "records": len(raw),
            "seconds": seconds,
            "engine_seconds": result.seconds,
            "rss_mb_after_load": round(rss_loaded, 1),
            "threshold": STRONG_THRESHOLD,
            "prior": model.prior,
            "pairs_written": len(result.pairs),
            "family_checks": {k: int(v) for k, v in result.pairs["family_check"].value_counts().items() if k},
        },
        result.pairs,
    )


def splink_dedupe(data: Path, out: Path, options: dict[str, Any]) -> None:
    from . import splink_baseline

    raw = _raw(data)
    frame = adapters.baseline_frame(raw)
    del raw
    rss_loaded = _rss_mb()
    start = time.perf_counter()
    pairs, model, seconds = splink_baseline.dedupe(frame, output_threshold=OUTPUT_THRESHOLD)
    seconds["total"] = time.perf_counter() - start
    (out / "model").mkdir(parents=True, exist_ok=True)
    (out / "model" / "splink_model.json").write_text(json.dumps(model))
    _write(
        out,
        {
            "system": "splink",
            "records": len(frame),
            "duckdb_memory_limit": os.environ.get("BENCH_DUCKDB_MEMORY_LIMIT") or "DuckDB default (80% of RAM)",
            "seconds": seconds,
            "rss_mb_after_load": round(rss_loaded, 1),
            "threshold": STRONG_THRESHOLD,
            "prior": model.get("probability_two_random_records_match"),
            "pairs_written": len(pairs),
        },
        pairs,
    )


def rl_dedupe(data: Path, out: Path, options: dict[str, Any]) -> None:
    from . import rl_baseline

    raw = _raw(data)
    frame = adapters.baseline_frame(raw)
    del raw
    rss_loaded = _rss_mb()
    estimate = rl_baseline.candidate_estimate(frame)
    limit = int(options.get("rl_max_candidates", rl_baseline.MAX_CANDIDATES))
    if estimate > limit:
        _write(
            out,
            {
                "system": "recordlinkage",
                "records": len(frame),
                "skipped": (
                    f"not run: its blocking passes give ~{estimate / 1e6:,.0f}M candidate pairs, over the "
                    f"{limit / 1e6:,.0f}M that recordlinkage's in-memory pandas pipeline can hold and compare "
                    "on this 2-core machine (about 120 bytes and a few microseconds of single-threaded "
                    "Python per pair)"
                ),
                "candidate_estimate": estimate,
            },
        )
        return
    start = time.perf_counter()
    pairs, seconds, info = rl_baseline.dedupe(frame, output_threshold=OUTPUT_THRESHOLD)
    seconds["total"] = time.perf_counter() - start
    _write(
        out,
        {
            "system": "recordlinkage",
            "records": len(frame),
            "seconds": seconds,
            "rss_mb_after_load": round(rss_loaded, 1),
            "threshold": STRONG_THRESHOLD,
            "candidate_estimate": estimate,
            **info,
            "pairs_written": len(pairs),
        },
        pairs,
    )


# ---------------------------------------------------------------------------------------------
# Interactive search and FEBRL
# ---------------------------------------------------------------------------------------------


def mash_search(data: Path, out: Path, options: dict[str, Any]) -> None:
    from . import search

    _write(out, search.mash_search(data, out, options))


def splink_search(data: Path, out: Path, options: dict[str, Any]) -> None:
    from . import search

    _write(out, search.splink_search(data, out, options))


def _febrl(system: str, out: Path) -> None:
    from . import febrl

    runs: dict[str, Any] = {}
    for name in febrl.DATASETS:
        if system == "mash":
            pairs, seconds = febrl.run_mash(name, REVIEW_THRESHOLD, STRONG_THRESHOLD)
        elif system == "splink":
            pairs, seconds = febrl.run_splink(name)
        else:
            pairs, seconds = febrl.run_rl(name)
        pairs[["unique_id_l", "unique_id_r", "match_probability"]].to_parquet(out / f"pairs_{name}.parquet", index=False)
        runs[name] = {"seconds": seconds, "pairs_written": len(pairs)}
    _write(out, {"system": system, "datasets": runs})


def febrl_mash(data: Path, out: Path, options: dict[str, Any]) -> None:
    _febrl("mash", out)


def febrl_splink(data: Path, out: Path, options: dict[str, Any]) -> None:
    _febrl("splink", out)


def febrl_rl(data: Path, out: Path, options: dict[str, Any]) -> None:
    _febrl("recordlinkage", out)


TASKS = {
    "mash_dedupe": mash_dedupe,
    "splink_dedupe": splink_dedupe,
    "rl_dedupe": rl_dedupe,
    "mash_search": mash_search,
    "splink_search": splink_search,
    "febrl_mash": febrl_mash,
    "febrl_splink": febrl_splink,
    "febrl_rl": febrl_rl,
}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("task")
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--options", default="{}")
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    args.out.mkdir(parents=True, exist_ok=True)
    TASKS[args.task](args.data, args.out, json.loads(args.options))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
