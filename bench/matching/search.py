"""Interactive search ("is this child known?") over a person index of N people.

MASH: the index records (one per person) are loaded into a fresh Django database (SQLite file, or a
PostgreSQL database the runner creates and drops), with the Person table's columns written in bulk
(SQLite ``executemany``, PostgreSQL ``COPY``) including ``surname_key``/``forename_key`` computed with
``matching.phonetic_key`` exactly as ``Person.save`` does; a sample of rows is then re-saved through
``Person.save`` inside a rolled-back transaction and compared column by column, so the bulk load
cannot silently drift from what the product stores. Households are loaded as ``Relationship`` rows
(children to their adults, siblings to each other), because the search returns each candidate's
household. The model MASH trained on the same records (batch run) is made the active ``MatchModel``;
without one the shipped model is used. Each query is a held-out agency record; the time is
``find_candidates(SearchQuery(...), Person.objects.filter(merged_into__isnull=True))`` end to end
(blocking query, scoring, households), after a few untimed warm-up queries.

Splink: ``predict_between`` of a one-row table against the registered index, with the model Splink
trained in its batch run and term-frequency tables computed from the index once beforehand.
"""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

WARMUP = 5


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1)))))
    return ordered[k]


def latency_summary(ms: list[float]) -> dict[str, float]:
    return {
        "queries": len(ms),
        "median_ms": round(statistics.median(ms), 2) if ms else float("nan"),
        "p95_ms": round(_percentile(ms, 95), 2),
        "p99_ms": round(_percentile(ms, 99), 2),
        "max_ms": round(max(ms), 2) if ms else float("nan"),
    }


def recall_at(ranks: list[int | None], k: int) -> float:
    return sum(1 for r in ranks if r is not None and r <= k) / len(ranks) if ranks else float("nan")


# ---------------------------------------------------------------------------------------------
# Loading the index into the product's database
# ---------------------------------------------------------------------------------------------


def _date(value: Any) -> date | None:
    return None if value is None or pd.isna(value) else pd.Timestamp(value).date()


def person_rows(index: pd.DataFrame, fields: list[Any], now: Any) -> Iterator[list[Any]]:
    """One list of column values per person, in the order of ``fields`` (Person's concrete fields)."""
    from mash.domain.identifiers import normalise_postcode
    from mash.domain.matching import phonetic_key

    known = {
        "id", "forenames", "surname", "date_of_birth", "sex", "address", "postcode", "nhs_number", "upn",
        "surname_key", "forename_key", "created_at",
    }  # fmt: skip
    defaults = {
        f.attname: (None if f.null and not f.has_default() else f.get_default()) for f in fields if f.attname not in known
    }
    for row in index.itertuples(index=False):
        forenames = row.forenames
        values = {
            "id": int(row.person_id) + 1,
            "forenames": forenames,
            "surname": row.surname,
            "date_of_birth": _date(row.dob),
            "sex": row.sex if row.sex in ("M", "F") else "U",
            "address": row.address,
            "postcode": normalise_postcode(row.postcode) or "",
            "nhs_number": row.nhs_number,
            "upn": row.upn,
            "surname_key": phonetic_key(row.surname)[:40],
            "forename_key": phonetic_key(forenames.split(" ")[0] if forenames else "")[:40],
            "created_at": now,
            **defaults,
        }
        yield [values[f.attname] for f in fields]


def relationship_rows(people: pd.DataFrame) -> Iterator[tuple[int, int, str, bool]]:
    """(person_id, relative_id, relationship, lives_with): each child to its adults, siblings to each other."""
    ids = people[["household_id", "person_id", "role", "sex"]]
    children = ids[ids["role"] == "child"]
    adults = ids[ids["role"] == "adult"]
    parents = children.merge(adults, on="household_id", suffixes=("", "_rel"))
    parents["word"] = parents["sex_rel"].map({"F": "mother", "M": "father"})
    siblings = children.merge(children, on="household_id", suffixes=("", "_rel"))
    siblings = siblings[siblings["person_id"] < siblings["person_id_rel"]].copy()
    siblings["word"] = siblings["sex_rel"].map({"F": "sister", "M": "brother"})
    for frame in (parents, siblings):
        for a, b, word in zip(
            frame["person_id"].to_numpy() + 1, frame["person_id_rel"].to_numpy() + 1, frame["word"], strict=True
        ):
            yield int(a), int(b), word, True


def _bulk_insert(connection: Any, table: str, columns: list[str], rows: Iterator[list[Any]] | Iterator[tuple[Any, ...]]) -> int:
    count = 0
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            raw = cursor.cursor  # the psycopg cursor under Django's wrapper
            with raw.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    count += 1
        return count
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('%s' for _ in columns)})"  # noqa: S608
    batch: list[Any] = []
    with connection.cursor() as cursor:
        for row in rows:
            batch.append(row)
            if len(batch) >= 20_000:
                cursor.executemany(sql, batch)
                count += len(batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
            count += len(batch)
    return count


def _check_against_save(index: pd.DataFrame, sample: int = 50) -> None:
    """Re-save a sample of people through Person.save (rolled back) and compare every column."""
    from django.db import transaction

    from mash.people.models import Person

    skip = {"id", "created_at"}
    rows = index.sample(n=min(sample, len(index)), random_state=1)
    with transaction.atomic():
        for row in rows.itertuples(index=False):
            stored = Person.objects.get(pk=int(row.person_id) + 1)
            fresh = Person.objects.get(pk=int(row.person_id) + 1)
            fresh.pk = None
            fresh.save()
            fresh.refresh_from_db()
            for f in Person._meta.concrete_fields:
                if f.attname in skip:
                    continue
                if getattr(stored, f.attname) != getattr(fresh, f.attname):
                    raise AssertionError(
                        f"bulk load stored {f.attname}={getattr(stored, f.attname)!r} for person {stored.pk}, "
                        f"Person.save() stores {getattr(fresh, f.attname)!r}"
                    )
        transaction.set_rollback(True)


def load_index(people: pd.DataFrame, index: pd.DataFrame) -> dict[str, float]:
    from django.db import connection, transaction
    from django.utils import timezone

    from mash.people.models import Person, Relationship

    seconds: dict[str, float] = {}
    start = time.perf_counter()
    fields = list(Person._meta.concrete_fields)
    columns = [connection.ops.quote_name(f.column) for f in fields]
    with transaction.atomic():
        n = _bulk_insert(connection, Person._meta.db_table, columns, person_rows(index, fields, timezone.now()))
        rel_fields = [f for f in Relationship._meta.concrete_fields if f.attname != "id"]
        assert [f.attname for f in rel_fields] == ["person_id", "relative_id", "relationship", "lives_with"], rel_fields
        rel_columns = [connection.ops.quote_name(f.column) for f in rel_fields]
        r = _bulk_insert(connection, Relationship._meta.db_table, rel_columns, relationship_rows(people))
    seconds["load"] = time.perf_counter() - start
    start = time.perf_counter()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for table in (Person._meta.db_table, Relationship._meta.db_table):
                cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")  # noqa: S608
                cursor.execute(f"ANALYZE {table}")
        else:
            cursor.execute("ANALYZE")
    seconds["analyze"] = time.perf_counter() - start
    _check_against_save(index)
    seconds["people"] = n
    seconds["relationships"] = r
    return seconds


def _activate_model(model_path: Path | None) -> str:
    if model_path is None or not model_path.exists():
        return "shipped"
    from mash.matching.models import MatchModel

    parameters = json.loads(model_path.read_text())
    MatchModel.objects.update(is_active=False)
    MatchModel.objects.create(
        version=(MatchModel.objects.order_by("-version").values_list("version", flat=True).first() or 0) + 1,
        source=MatchModel.Source.TRAINED,
        trained_on_records=int(parameters.get("trained_on_records", 0)),
        parameters=parameters,
        is_active=True,
    )
    return "trained on this benchmark's records (MASH batch run)"


def search_query(row: Any) -> Any:
    from mash.people.services import SearchQuery

    return SearchQuery(
        forenames=row.forenames or "",
        surname=row.surname or "",
        date_of_birth=_date(row.dob),
        postcode=row.postcode or "",
        address=row.address or "",
        sex=row.sex if row.sex in ("M", "F") else "",
        nhs_number=row.nhs_number or "",
        upn=row.upn or "",
    )


def mash_search(data: Path, out: Path, options: dict[str, Any]) -> dict[str, Any]:
    """Runs in its own process with DATABASE_URL set to a migrated, empty database."""
    import django

    django.setup()
    from django.db import connection

    from mash.people.models import Person
    from mash.people.services import candidate_pool, find_candidates

    people = pd.read_parquet(data / "people.parquet")
    records = pd.read_parquet(data / "records.parquet")
    queries = pd.read_parquet(data / "queries.parquet")
    index = records[records["agency"] == "index"]
    load = load_index(people, index)
    model = _activate_model(Path(options["model"]) if options.get("model") else None)
    by_id = records.set_index("record_id")
    query_rows = by_id.loc[queries["record_id"]].reset_index()
    people_qs = Person.objects.filter(merged_into__isnull=True)

    for row in query_rows.head(WARMUP).itertuples(index=False):
        find_candidates(search_query(row), people_qs)
    latencies: list[float] = []
    ranks: list[int | None] = []
    for row in query_rows.itertuples(index=False):
        q = search_query(row)
        start = time.perf_counter()
        found = find_candidates(q, people_qs)
        latencies.append((time.perf_counter() - start) * 1000)
        truth = int(row.person_id) + 1
        ranks.append(next((i + 1 for i, c in enumerate(found) if c.person.pk == truth), None))
    # Untimed diagnostics: how many people the blocking query hands to the scorer.
    pools = [candidate_pool(people_qs, search_query(row)).count() for row in query_rows.head(200).itertuples(index=False)]
    misses = [
        {"record_id": row.record_id, "corruptions": row.corruptions}
        for row, rank in zip(query_rows.itertuples(index=False), ranks, strict=True)
        if rank is None or rank > 5
    ]
    return {
        "system": f"mash_{connection.vendor}",
        "database": connection.vendor,
        "model": model,
        "load_seconds": load,
        **latency_summary(latencies),
        "recall_at_1": round(recall_at(ranks, 1), 4),
        "recall_at_5": round(recall_at(ranks, 5), 4),
        "recall_at_10": round(recall_at(ranks, 10), 4),
        "ranks": ranks,
        "latencies_ms": [round(x, 3) for x in latencies],
        "pool_size": {"median": statistics.median(pools), "p95": _percentile([float(p) for p in pools], 95), "max": max(pools)},
        "misses_at_5": misses[:50],
    }


def splink_search(data: Path, out: Path, options: dict[str, Any]) -> dict[str, Any]:
    from . import adapters, splink_baseline

    records = pd.read_parquet(data / "records.parquet")
    queries = pd.read_parquet(data / "queries.parquet")
    n_queries = int(options.get("queries", len(queries)))
    index_raw = adapters.raw_from_synthetic(records[records["agency"] == "index"])
    index = adapters.baseline_frame(index_raw)
    person_of = dict(zip(index_raw["record_id"], index_raw["truth"], strict=True))
    model_path = Path(options["model"]) if options.get("model") else None
    if model_path is not None and model_path.exists():
        model = json.loads(model_path.read_text())
        model_source = "trained on this benchmark's records (Splink batch run)"
    else:
        from splink import Linker

        linker = Linker(splink_baseline.db_api().register(index), splink_baseline.settings(), log_level=None)
        splink_baseline.train(linker)
        model = linker.misc.save_model_to_json()
        model_source = "trained on the index records"
    start = time.perf_counter()
    searcher = splink_baseline.Searcher(index, model)
    setup = time.perf_counter() - start
    by_id = records.set_index("record_id")
    chosen = queries.head(n_queries)
    query_raw = adapters.raw_from_synthetic(by_id.loc[chosen["record_id"]].reset_index())
    query_frame = adapters.baseline_frame(query_raw)
    query_frame["unique_id"] = "q" + query_frame["unique_id"]
    for i in range(min(WARMUP, len(query_frame))):
        searcher.top(query_frame.iloc[[i]].reset_index(drop=True))
    latencies: list[float] = []
    ranks: list[int | None] = []
    for i in range(len(query_frame)):
        one = query_frame.iloc[[i]].reset_index(drop=True)
        start = time.perf_counter()
        top = searcher.top(one, k=5)
        latencies.append((time.perf_counter() - start) * 1000)
        truth = int(chosen["person_id"].iloc[i])
        ranks.append(next((j + 1 for j, uid in enumerate(top) if person_of.get(uid) == truth), None))
    return {
        "system": "splink",
        "model": model_source,
        "setup_seconds": round(setup, 2),
        **latency_summary(latencies),
        "recall_at_1": round(recall_at(ranks, 1), 4),
        "recall_at_5": round(recall_at(ranks, 5), 4),
        "ranks": ranks,
        "latencies_ms": [round(x, 3) for x in latencies],
    }
