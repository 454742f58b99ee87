"""Train the model that ships with MASH and write it to mash/domain/data/match_model.json.

A new partnership has no history to learn from, so MASH ships a model trained the same way a partnership's
own retraining does (`manage.py train_matching_model`: Splink, EM, no labels) on synthetic multi-agency
records. The seed differs from the benchmark's, so the benchmarks never score the data the shipped model was
trained on.

    .venv/bin/python -m bench.matching.ship_model [--size 100k] [--seed 2026]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import time
from collections.abc import Sequence

from mash.domain.match_model import SHIPPED_MODEL_PATH

from .adapters import person_records, synthetic_raw
from .synthetic import load_or_generate, parse_size

SHIPPED_SEED = 2026


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="100k")
    parser.add_argument("--seed", type=int, default=SHIPPED_SEED)
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from mash.matching import linkage

    started = time.monotonic()
    data = load_or_generate(parse_size(args.size), seed=args.seed)
    frame = linkage.records_frame(person_records(synthetic_raw(data)))
    model, _splink_model = linkage.train(frame, progress=lambda stage, pct: print(f"{pct:3d}% {stage}", flush=True))
    model = dataclasses.replace(model, version=1, source="shipped")
    SHIPPED_MODEL_PATH.write_text(json.dumps(model.to_json(), indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print("\n".join(model.describe()))
    print(f"Wrote {SHIPPED_MODEL_PATH} from {len(frame):,} synthetic records in {time.monotonic() - started:.0f}s")


if __name__ == "__main__":
    main()
