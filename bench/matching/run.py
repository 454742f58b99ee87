"""Run the matching benchmarks: ``python -m bench.matching.run --sizes 10k,100k,1M [--only ...]``.

For each size, on the same generated data and in the same run: batch deduplication by MASH, Splink
and recordlinkage; interactive search by MASH on SQLite and PostgreSQL and by Splink; then FEBRL 1-4.
Every system runs in its own process; its wall time is measured inside it (the stages that belong to
the system) and its peak resident memory is the process's own high-water mark (``VmHWM``, polled by
this process and reported by the child at the end), so figures never mix. Results are merged into bench/results/matching.json (a size run
again replaces that size's figures) and the table is written into bench/README.md between markers.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from . import metrics, synthetic
from .synthetic import parse_size, size_label

ROOT = Path(__file__).resolve().parents[2]
BENCH = ROOT / "bench"
RESULTS = BENCH / "results" / "matching.json"
README = BENCH / "README.md"
WORK = BENCH / ".cache" / "runs"
PG_ADMIN_URL = os.environ.get("BENCH_PG_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres")
PG_BENCH_DB = os.environ.get("BENCH_PG_DATABASE", "mash_bench")
THRESHOLD = 0.99  # the partnership's default strong threshold: the figure every system is reported at
PARTS = ("dedupe", "search", "febrl")
SYSTEMS = ("mash", "splink", "recordlinkage", "sqlite", "postgres")
MARK_START = "<!-- bench-matching:results:start -->"
MARK_END = "<!-- bench-matching:results:end -->"


# ---------------------------------------------------------------------------------------------
# Child processes
# ---------------------------------------------------------------------------------------------


def _high_water_kb(pid: int) -> int:
    """The process's own peak resident set (VmHWM), in kB; 0 once it has gone.

    Not ``wait4``'s ``ru_maxrss``: on Linux that keeps the high-water mark of the memory the child
    had before ``exec``, i.e. a copy of this runner's, which would put a floor under every figure.
    """
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def run_child(argv: list[str], *, timeout: float, env: dict[str, str] | None = None, log: Path) -> dict[str, Any]:
    """Run ``argv`` in its own process group; return wall seconds, peak RSS (MB) and the exit status."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("w") as out:
        proc = subprocess.Popen(  # noqa: S603 (our own interpreter and module)
            argv, cwd=ROOT, env={**os.environ, **(env or {})}, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
        start = time.perf_counter()
        status = None
        timed_out = False
        peak_kb = 0
        while True:
            peak_kb = max(peak_kb, _high_water_kb(proc.pid))
            pid, status, _ = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() - start > timeout:
                timed_out = True
                os.killpg(proc.pid, signal.SIGKILL)
                _, status, _ = os.wait4(proc.pid, 0)
                break
            time.sleep(0.1)
        proc.returncode = os.waitstatus_to_exitcode(status)
    return {
        "wall_seconds": round(time.perf_counter() - start, 2),
        "peak_rss_mb": round(peak_kb / 1024, 1) if peak_kb else None,
        "returncode": proc.returncode,
        "timed_out": timed_out,
        "log_tail": "" if proc.returncode == 0 else log.read_text()[-3000:],
    }


def run_task(
    task: str, data: Path, out: Path, *, timeout: float, options: dict[str, Any] | None = None, env: dict[str, str] | None = None
) -> dict[str, Any]:
    out.mkdir(parents=True, exist_ok=True)
    result_file = out / "result.json"
    result_file.unlink(missing_ok=True)
    argv = [
        sys.executable,
        "-m",
        "bench.matching.systems",
        task,
        "--data",
        str(data),
        "--out",
        str(out),
        "--options",
        json.dumps(options or {}),
    ]
    print(f"  {task} ...", flush=True)
    proc = run_child(argv, timeout=timeout, env=env, log=out / "log.txt")
    result: dict[str, Any] = json.loads(result_file.read_text()) if result_file.exists() else {}
    # The process reports its own final high-water mark too (the runner polls, so could miss the end).
    proc["peak_rss_mb"] = max(proc["peak_rss_mb"] or 0.0, result.get("peak_rss_mb_self") or 0.0) or None
    result["process"] = {k: v for k, v in proc.items() if k != "log_tail"}
    if proc["timed_out"]:
        result["failed"] = f"timed out after {timeout / 60:.0f} minutes (guard); stopped"
    elif proc["returncode"] != 0:
        result["failed"] = (
            f"exited with status {proc['returncode']}: " + proc["log_tail"].strip().splitlines()[-1][:300]
            if proc["log_tail"].strip()
            else f"exited with status {proc['returncode']}"
        )
        result["log_tail"] = proc["log_tail"]
    status = result.get("failed") or result.get("skipped") or "ok"
    print(f"    {status} ({proc['wall_seconds']:.0f}s, peak {proc['peak_rss_mb']} MB)", flush=True)
    return result


# ---------------------------------------------------------------------------------------------
# Scoring
# ---------------------------------------------------------------------------------------------


def score_dedupe(result: dict[str, Any], out: Path, truth: pd.Series, family: pd.DataFrame | None = None) -> dict[str, Any]:
    pairs_file = out / "pairs.parquet"
    if result.get("failed") or result.get("skipped") or not pairs_file.exists():
        return result
    pairs = pd.read_parquet(pairs_file)
    at = metrics.cluster_scores(pairs, truth, THRESHOLD)
    result["clusters"] = at.as_dict()
    result["pairs"] = metrics.pair_scores(pairs, truth, THRESHOLD).as_dict()
    result["sweep"] = metrics.sweep(pairs, truth)
    best = max(result["sweep"].values(), key=lambda s: s["f1"])
    result["best"] = best
    if family is not None:
        result["family"] = metrics.family_false_matches(pairs, truth, family["household_id"], family["twin"], THRESHOLD)
    clusters_file = out / "mash_clusters.parquet"
    if clusters_file.exists():
        # The engine's own clusters must be the ones we score.
        own = pd.read_parquet(clusters_file)
        ids = pd.Index(truth.index.astype(str))
        labels = pd.Series(range(len(ids)), index=ids)
        labels.loc[own["record_id"].astype(str)] = own["cluster_id"].to_numpy() + len(ids)
        engine = metrics.labelled_cluster_scores(labels.to_numpy(), truth.to_numpy(), THRESHOLD)
        result["engine_clusters_agree"] = engine.as_dict() == at.as_dict()
    return result


def score_febrl(result: dict[str, Any], out: Path) -> dict[str, Any]:
    from . import febrl

    if result.get("failed"):
        return result
    for name in febrl.DATASETS:
        frames = febrl.load(name)
        pairs = pd.read_parquet(out / f"pairs_{name}.parquet")
        entry = result["datasets"][name]
        if name == "febrl4":
            links = febrl.true_links(*frames)
            entry["at_threshold"] = metrics.link_scores(pairs, links, THRESHOLD).as_dict()
            sweep = {f"{t:g}": metrics.link_scores(pairs, links, t).as_dict() for t in metrics.THRESHOLDS}
            entry["measure"] = "pairs between A and B"
        else:
            t = febrl.truth(frames)
            entry["at_threshold"] = metrics.cluster_scores(pairs, t, THRESHOLD).as_dict()
            sweep = metrics.sweep(pairs, t)
            entry["measure"] = "pairs implied by clusters"
        entry["best"] = max(sweep.values(), key=lambda s: s["f1"])
    return result


# ---------------------------------------------------------------------------------------------
# Databases for the interactive search
# ---------------------------------------------------------------------------------------------


def _pg(sql: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(sql)


def _fresh_database(kind: str, workdir: Path) -> str:
    if kind == "sqlite":
        path = workdir / "search.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{path}"
    if PG_BENCH_DB in {"test", "postgres"}:
        raise SystemExit(f"refusing to use the {PG_BENCH_DB!r} database for the benchmark")
    _pg(f'DROP DATABASE IF EXISTS "{PG_BENCH_DB}" WITH (FORCE)')
    _pg(f'CREATE DATABASE "{PG_BENCH_DB}"')
    base = PG_ADMIN_URL.rsplit("/", 1)[0]
    return f"{base}/{PG_BENCH_DB}"


def _drop_database(kind: str, url: str) -> None:
    if kind == "sqlite":
        path = url.removeprefix("sqlite:///")
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    else:
        _pg(f'DROP DATABASE IF EXISTS "{PG_BENCH_DB}" WITH (FORCE)')


def run_search(kind: str, data: Path, out: Path, *, model: Path | None, timeout: float) -> dict[str, Any]:
    try:
        url = _fresh_database(kind, out)
    except Exception as exc:  # no PostgreSQL server here: say so in the table
        return {"failed": f"could not create the {kind} database: {exc}"}
    env = {"DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "config.settings", "MASH_REQUIRE_TWO_FACTOR": "0"}
    try:
        migrate = run_child(
            [sys.executable, "manage.py", "migrate", "--no-input"], timeout=1800, env=env, log=out / "migrate.txt"
        )
        if migrate["returncode"] != 0:
            return {"failed": "manage.py migrate failed: " + migrate["log_tail"][-300:]}
        options = {"model": str(model) if model else ""}
        return run_task("mash_search", data, out, timeout=timeout, options=options, env=env)
    finally:
        _drop_database(kind, url)


# ---------------------------------------------------------------------------------------------
# One size
# ---------------------------------------------------------------------------------------------

TIMEOUTS = {  # seconds, per task, by size (guards: a system that needs longer is reported as not finishing)
    "dedupe": {10_000: 1800, 100_000: 3 * 3600, 1_000_000: 6 * 3600},
    "rl_dedupe": {10_000: 1800, 100_000: 3 * 3600, 1_000_000: 3 * 3600},
    "search": {10_000: 1800, 100_000: 3600, 1_000_000: 3 * 3600},
}


def _timeout(kind: str, n: int, scale: float) -> float:
    table = TIMEOUTS[kind]
    size = min((s for s in table if s >= n), default=max(table))
    return table[size] * scale


def splink_search_queries(n: int) -> int:
    return 300 if n <= 100_000 else 100


def run_size(n: int, seed: int, parts: set[str], systems: set[str], scale: float) -> dict[str, Any]:
    label = size_label(n)
    started = time.perf_counter()
    print(f"== {label} people (seed {seed})", flush=True)
    t = time.perf_counter()
    data = synthetic.load_or_generate(n, seed)
    data_dir = synthetic.cache_path(n, seed)
    raw_file = data_dir / "raw.parquet"
    if not raw_file.exists():
        from .adapters import synthetic_raw

        synthetic_raw(data).to_parquet(raw_file, index=False)
    entry: dict[str, Any] = {
        "size": label,
        "generator_version": synthetic.GENERATOR_VERSION,
        "people": n,
        "seed": seed,
        "data": {**synthetic.summary(data), "generate_or_load_seconds": round(time.perf_counter() - t, 1)},
        "corruption_rates": {k: round(v, 4) for k, v in synthetic.corruption_rates(data.records).items()},
    }
    truth = data.records.set_index("record_id")["person_id"]
    family = data.people.set_index("person_id").loc[truth.to_numpy(), ["household_id", "twin"]].set_axis(truth.index)
    del data
    gc.collect()
    work = WORK / f"{label}-seed{seed}"

    if "dedupe" in parts:
        entry["dedupe"] = {}
        for system, task, kind in (
            ("mash", "mash_dedupe", "dedupe"),
            ("splink", "splink_dedupe", "dedupe"),
            ("recordlinkage", "rl_dedupe", "rl_dedupe"),
        ):
            if system not in systems:
                continue
            out = work / task
            result = run_task(task, data_dir, out, timeout=_timeout(kind, n, scale))
            entry["dedupe"][system] = score_dedupe(result, out, truth, family)
    if "search" in parts:
        entry["search"] = {}
        mash_model = work / "mash_dedupe" / "model" / "mash_model.json"
        for kind in ("sqlite", "postgres"):
            if kind in systems or ("mash" in systems and not systems & {"sqlite", "postgres"}):
                entry["search"][f"mash_{kind}"] = run_search(
                    kind,
                    data_dir,
                    work / f"search_{kind}",
                    model=mash_model if mash_model.exists() else None,
                    timeout=_timeout("search", n, scale),
                )
        if "splink" in systems:
            splink_model = work / "splink_dedupe" / "model" / "splink_model.json"
            options = {"queries": splink_search_queries(n), "model": str(splink_model) if splink_model.exists() else ""}
            entry["search"]["splink"] = run_task(
                "splink_search", data_dir, work / "search_splink", timeout=_timeout("search", n, scale), options=options
            )
    entry["seconds"] = round(time.perf_counter() - started, 1)
    entry["finished_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    return entry


def run_febrl(systems: set[str]) -> dict[str, Any]:
    print("== FEBRL 1-4", flush=True)
    out: dict[str, Any] = {}
    for system, task in (("mash", "febrl_mash"), ("splink", "febrl_splink"), ("recordlinkage", "febrl_rl")):
        if system in systems:
            work = WORK / "febrl" / system
            out[system] = score_febrl(run_task(task, work, work, timeout=1800), work)
    out["finished_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    return out


# ---------------------------------------------------------------------------------------------
# Environment, results file, README table
# ---------------------------------------------------------------------------------------------


def environment() -> dict[str, Any]:
    import duckdb
    import psutil
    import recordlinkage
    import splink

    cpu = platform.processor()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpu": cpu,
            "cores": os.cpu_count(),
            "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
            "os": platform.platform(),
        },
        "versions": {
            "python": platform.python_version(),
            "splink": splink.__version__,
            "recordlinkage": recordlinkage.__version__,
            "duckdb": duckdb.__version__,
            "pandas": pd.__version__,
        },
    }


def _comparable(data: dict[str, Any] | None) -> dict[str, Any]:
    return {k: v for k, v in (data or {}).items() if k != "generate_or_load_seconds"}


def merge_results(
    new_sizes: dict[str, Any], febrl_result: dict[str, Any] | None, env: dict[str, Any], path: Path = RESULTS
) -> dict[str, Any]:
    current: dict[str, Any] = json.loads(path.read_text()) if path.exists() else {}
    current.setdefault("sizes", {})
    # Figures from another version of the generator are not comparable with these: drop them.
    current["sizes"] = {k: v for k, v in current["sizes"].items() if v.get("generator_version") == synthetic.GENERATOR_VERSION}
    for label, entry in new_sizes.items():
        entry["environment"] = env
        previous = current["sizes"].get(label, {})
        if previous.get("seed") != entry["seed"] or _comparable(previous.get("data")) != _comparable(entry["data"]):
            previous = {}  # other data: nothing earlier is comparable
        for part in ("dedupe", "search"):
            if part in entry:
                entry[part] = {**previous.get(part, {}), **entry[part]}
            elif part in previous:
                entry[part] = previous[part]
        current["sizes"][label] = entry
    if febrl_result is not None:
        febrl_result["environment"] = env
        current["febrl"] = febrl_result
    current["generator_version"] = synthetic.GENERATOR_VERSION
    current["threshold"] = THRESHOLD
    current["updated"] = env["date"]
    order = sorted(current["sizes"], key=parse_size)
    current["sizes"] = {k: current["sizes"][k] for k in order}
    current["targets"] = targets(current)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(current, indent=1, default=str))
    return current


def _f(x: Any, digits: int = 3) -> str:
    if x is None or (isinstance(x, float) and x != x):
        return "-"
    return f"{x:.{digits}f}" if isinstance(x, float) else str(x)


def _secs(s: float | None) -> str:
    if s is None:
        return "-"
    return f"{s:.0f} s" if s < 600 else f"{s / 60:.1f} min"


def targets(results: dict[str, Any]) -> list[dict[str, str]]:
    out = []
    febrl4 = results.get("febrl", {}).get("mash", {}).get("datasets", {}).get("febrl4", {})
    f1 = febrl4.get("at_threshold", {}).get("f1")
    out.append(
        {
            "target": "FEBRL4 F1 >= 0.99 (MASH, pairs at 0.99)",
            "status": "not measured" if f1 is None else ("met" if f1 >= 0.99 else "not met"),
            "figure": _f(f1),
        }
    )
    big = results.get("sizes", {}).get("1M")
    if big is None:
        note = "not measured (1M not run)"
        out += [
            {"target": t, "status": note, "figure": "-"}
            for t in (
                "1M batch F1 >= Splink's",
                "1M batch time <= Splink's",
                "interactive p95 <= 50 ms at 1M with recall@5 >= 0.98",
            )
        ]
        return out
    d = big.get("dedupe", {})
    m, s = d.get("mash", {}), d.get("splink", {})
    mf, sf = m.get("clusters", {}).get("f1"), s.get("clusters", {}).get("f1")
    out.append(
        {
            "target": "1M batch F1 >= Splink's (clusters at 0.99)",
            "status": "not measured" if mf is None or sf is None else ("met" if mf >= sf else "not met"),
            "figure": f"MASH {_f(mf)} vs Splink {_f(sf)}",
        }
    )
    mt, st = m.get("seconds", {}).get("total"), s.get("seconds", {}).get("total")
    out.append(
        {
            "target": "1M batch time <= Splink's",
            "status": "not measured" if mt is None or st is None else ("met" if mt <= st else "not met"),
            "figure": f"MASH {_secs(mt)} vs Splink {_secs(st)}",
        }
    )
    for kind in ("sqlite", "postgres"):
        r = big.get("search", {}).get(f"mash_{kind}", {})
        p95, rec = r.get("p95_ms"), r.get("recall_at_5")
        ok = p95 is not None and rec is not None and p95 <= 50 and rec >= 0.98
        out.append(
            {
                "target": f"interactive p95 <= 50 ms at 1M with recall@5 >= 0.98 ({'SQLite' if kind == 'sqlite' else 'PostgreSQL'})",
                "status": "not measured" if p95 is None else ("met" if ok else "not met"),
                "figure": f"p95 {_f(p95, 1)} ms, recall@5 {_f(rec)}",
            }
        )
    return out


def _status(r: dict[str, Any]) -> str | None:
    if r.get("skipped"):
        return r["skipped"]
    if r.get("failed"):
        return r["failed"]
    return None


def render(results: dict[str, Any]) -> str:
    lines: list[str] = []
    any_env = next(iter(results.get("sizes", {}).values()), results.get("febrl", {})).get("environment", {})
    if any_env:
        mach, ver = any_env["machine"], any_env["versions"]
        lines.append(
            f"Machine: {mach['cpu']}, {mach['cores']} cores, {mach['memory_gb']} GB, {mach['os']}. "
            f"Python {ver['python']}, Splink {ver['splink']}, recordlinkage {ver['recordlinkage']}, "
            f"DuckDB {ver['duckdb']}, pandas {ver['pandas']}. Generator v{results.get('generator_version')}; "
            f"all figures at match probability {results.get('threshold')} unless stated."
        )
        lines.append("")
    lines.append("**Targets**")
    lines.append("")
    lines.append("| target | status | figure |")
    lines.append("|---|---|---|")
    for t in results.get("targets", []):
        lines.append(f"| {t['target']} | {t['status']} | {t['figure']} |")
    lines.append("")
    lines.append(
        "**Batch deduplication** (pairwise precision / recall / F1 of the clusters at 0.99; best F1 over thresholds "
        "0.5-0.999 in brackets; family members merged: wrongly linked pairs of two different people of one household "
        "at 0.99, twins in brackets; time from raw records to scored pairs; peak RSS of the system's own process)"
    )
    lines.append("")
    lines.append(
        "| size | run | records | system | precision | recall | F1 | best F1 (at) | family members merged (twins) | time | peak memory |"
    )
    lines.append("|---|---|---|---|---|---|---|---|---|---|---|")
    for label, entry in results.get("sizes", {}).items():
        for system, r in entry.get("dedupe", {}).items():
            status = _status(r)
            when = entry.get("finished_at", "")[:10]
            if status:
                lines.append(
                    f"| {label} | {when} | {entry['data']['records']:,} | {system} | {status} | | | | | | {r.get('process', {}).get('peak_rss_mb', '-')} MB |"
                )
                continue
            c, b = r["clusters"], r["best"]
            fam = r.get("family", {})
            merged = f"{fam.get('same_household_false_pairs', '-'):,} ({fam.get('twin_false_pairs', '-'):,})" if fam else "-"
            lines.append(
                f"| {label} | {when} | {entry['data']['records']:,} | {system} | {_f(c['precision'])} | {_f(c['recall'])} | "
                f"**{_f(c['f1'])}** | {_f(b['f1'])} ({b['threshold']:g}) | {merged} | {_secs(r.get('seconds', {}).get('total'))} | "
                f"{r['process']['peak_rss_mb']:,.0f} MB |"
            )
    lines.append("")
    lines.append(
        "**Interactive search** (held-out agency records as queries against the index of N people; latency per query end to end; recall@k: the true person in the first k)"
    )
    lines.append("")
    lines.append("| size | system | queries | median | p95 | recall@1 | recall@5 | note |")
    lines.append("|---|---|---|---|---|---|---|---|")
    for label, entry in results.get("sizes", {}).items():
        for system, r in entry.get("search", {}).items():
            status = _status(r)
            if status:
                lines.append(f"| {label} | {system} | | | | | | {status} |")
                continue
            note = ""
            if system.startswith("mash"):
                pool = r.get("pool_size", {})
                note = f"candidate pool median {pool.get('median')}, p95 {pool.get('p95')}; load {_secs(r.get('load_seconds', {}).get('load'))}"
                splink = entry.get("search", {}).get("splink", {})
                if splink.get("ranks") and r.get("ranks"):
                    k = len(splink["ranks"])
                    sub = metrics_recall(r["ranks"][:k], 5)
                    note += f"; recall@5 on Splink's {k} queries {_f(sub)}"
            lines.append(
                f"| {label} | {system} | {r['queries']} | {_f(r['median_ms'], 1)} ms | {_f(r['p95_ms'], 1)} ms | "
                f"{_f(r.get('recall_at_1'))} | {_f(r.get('recall_at_5'))} | {note} |"
            )
    febrl_results = results.get("febrl")
    if febrl_results:
        lines.append("")
        lines.append(
            "**FEBRL** (F1 at 0.99: FEBRL 1-3 pairs implied by clusters, FEBRL 4 pairs between A and B; best F1 over thresholds in brackets)"
        )
        lines.append("")
        systems = [s for s in ("mash", "splink", "recordlinkage") if s in febrl_results]
        lines.append("| dataset | " + " | ".join(systems) + " |")
        lines.append("|---|" + "---|" * len(systems))
        for name in ("febrl1", "febrl2", "febrl3", "febrl4"):
            cells = []
            for s in systems:
                r = febrl_results[s]
                if _status(r):
                    cells.append(_status(r) or "")
                    continue
                d = r["datasets"][name]
                cells.append(f"{_f(d['at_threshold']['f1'])} ({_f(d['best']['f1'])})")
            lines.append(f"| {name} | " + " | ".join(cells) + " |")
    lines.append("")
    lines.append("**Run times** (whole size, including data generation, all systems, database loads)")
    lines.append("")
    for label, entry in results.get("sizes", {}).items():
        lines.append(f"- {label}: {_secs(entry.get('seconds'))} on {entry.get('finished_at', '')[:16].replace('T', ' ')} UTC")
    return "\n".join(lines)


def metrics_recall(ranks: list[int | None], k: int) -> float:
    return sum(1 for r in ranks if r is not None and r <= k) / len(ranks) if ranks else float("nan")


def write_readme(table: str, path: Path = README) -> None:
    if not path.exists():
        return
    text = path.read_text()
    if MARK_START not in text or MARK_END not in text:
        return
    head, rest = text.split(MARK_START, 1)
    _, tail = rest.split(MARK_END, 1)
    path.write_text(f"{head}{MARK_START}\n{table}\n{MARK_END}{tail}")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sizes", default=os.environ.get("BENCH_SIZES", "10k,100k,1M"))
    parser.add_argument("--seed", type=int, default=synthetic.DEFAULT_SEED)
    parser.add_argument(
        "--only",
        default="",
        help=f"comma list of parts ({', '.join(PARTS)}) and/or systems ({', '.join(SYSTEMS)}); default: everything",
    )
    parser.add_argument("--timeout-scale", type=float, default=1.0)
    parser.add_argument("--no-febrl", action="store_true")
    args = parser.parse_args(argv)
    only = {x.strip() for x in args.only.split(",") if x.strip()}
    unknown = only - set(PARTS) - set(SYSTEMS)
    if unknown:
        parser.error(f"unknown --only values: {', '.join(sorted(unknown))}")
    parts = (only & set(PARTS)) or set(PARTS)
    systems = (only & set(SYSTEMS)) or set(SYSTEMS)
    env = environment()
    sizes = [parse_size(s) for s in args.sizes.split(",") if s.strip()]
    started = time.perf_counter()
    new: dict[str, Any] = {}
    for n in sizes:
        if parts & {"dedupe", "search"}:
            new[size_label(n)] = run_size(n, args.seed, parts, systems, args.timeout_scale)
    febrl_result = run_febrl(systems) if "febrl" in parts and not args.no_febrl else None
    results = merge_results(new, febrl_result, env)
    table = render(results)
    write_readme(table)
    print()
    print(table)
    print(f"\nbench-matching finished in {_secs(time.perf_counter() - started)}; results in {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
