"""Batch linkage with Splink: parity with the interactive scorer, training, dedupe, link, Spark settings.

The parity test is the important one: batch linkage and the interactive search must put a pair of
records on the same comparison level, or a trained model would mean different things in each.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import json
import random
from datetime import date, timedelta
from typing import Any

import pandas as pd
import pyarrow as pa
import pytest
import sqlglot

from mash.domain.identifiers import upn_check_letter
from mash.domain.linkage_features import FEATURE_COLUMNS, features
from mash.domain.match_model import TrainedModel
from mash.domain.matching import DEFAULT_WEIGHTS, PersonRecord, name_variants, score
from mash.matching import linkage as L

# ---------------------------------------------------------------------------
# Small seeded record generator
# ---------------------------------------------------------------------------

FORENAMES = [
    "Oliver", "Olivia", "Amelia", "Mohammed", "Muhammad", "Aisha", "Ayesha", "Charlie", "Charles", "Charlotte",
    "William", "Liam", "Katherine", "Catherine", "Kathryn", "John", "Jonathan", "Zofia", "Sophia", "Łukasz",
    "Oluwaseun", "Chiamaka", "Fatima", "Yusuf", "Joseph", "Siobhan", "Eleanor", "Thomas", "Seán", "Harry",
    "Isla", "Noah", "Ava", "Leo", "Mia", "Arlo", "Ivy", "Theo", "Freya", "Finley", "Grace", "Jack", "Poppy",
    "Alfie", "Evie", "Rosie", "Oscar", "Lily", "George", "Emily", "Jacob", "Ruby", "Archie", "Daisy", "Henry",
    "Mary Jane", "Abdul Rahman", "Ann-Marie", "Kacper", "Wiktoria", "Chidi", "Ngozi", "Priya", "Arjun", "Zara",
]  # fmt: skip
SURNAMES = [
    "Smith", "Smyth", "Jones", "Khan", "Nowak", "Okafor", "O'Brien", "Smith-Jones", "McDonald", "Wiśniewska",
    "Patel", "Ahmed", "Begum", "Kowalski", "Adeyemi", "Thompson", "Thomson", "Taylor", "Brown", "Wilson",
    "Evans", "Hughes", "Clarke", "Mensah", "Hussain", "Singh", "Murphy", "Walker", "Wright", "Green", "Hall",
    "Edwards", "Roberts", "Lewis", "Mohammed", "Ali", "Chukwu", "Zielinska", "Fairweather", "Ashdown",
]  # fmt: skip
POSTCODES = ["NN4 7SL", "NN4 7AB", "NN4 8AB", "NN1 1AA", "NN3 6QP", "NN5 5EU", "MK8 7YJ", "LE1 1AA", "LE3 8BH", "CV10 8ZF"]


def nhs_number(rng: random.Random) -> str:
    while True:
        body = "".join(str(rng.randrange(10)) for _ in range(9))
        total = sum(int(d) * w for d, w in zip(body, range(10, 1, -1), strict=True))
        check = (11 - total % 11) % 11
        if check != 10 and len(set(body)) > 1:
            return body + str(check)


def upn(rng: random.Random, temporary: bool = False) -> str:
    body = "".join(str(rng.randrange(10)) for _ in range(11)) + (rng.choice("ABCDEFGH") if temporary else str(rng.randrange(10)))
    return upn_check_letter(body) + body


def typo(name: str, rng: random.Random) -> str:
    letters = list(name)
    i = rng.randrange(1, max(len(letters) - 1, 2))
    op = rng.randrange(4)
    if op == 0 and i < len(letters):
        letters[i] = rng.choice("aeiourstn")
    elif op == 1 and len(letters) > 3:
        del letters[i]
    elif op == 2:
        letters.insert(i, rng.choice("aeiourstn"))
    elif i + 1 < len(letters):
        letters[i], letters[i + 1] = letters[i + 1], letters[i]
    return "".join(letters)


def nickname(name: str, rng: random.Random) -> str:
    others = sorted(name_variants(name) - {name.lower()})
    return rng.choice(others).title() if others else name


def random_person(rng: random.Random) -> PersonRecord:
    forenames = rng.choice(FORENAMES)
    if rng.random() < 0.3:
        forenames += " " + rng.choice(FORENAMES).split()[0]
    return PersonRecord(
        forenames=forenames,
        surname=rng.choice(SURNAMES),
        dob=date(2005, 1, 1) + timedelta(days=rng.randrange(365 * 19)),
        sex=rng.choice(["M", "F", ""]),
        postcode=rng.choice([*POSTCODES, None]),
        nhs_number=nhs_number(rng) if rng.random() < 0.4 else None,
        upn=upn(rng, temporary=rng.random() < 0.2) if rng.random() < 0.3 else None,
    )


def corrupt(p: PersonRecord, rng: random.Random, mistakes: int = 1) -> PersonRecord:
    """``p`` as another agency might have written it down, with some mistakes."""
    changes: dict[str, Any] = {}
    first, *rest = p.forenames.split()
    for _ in range(mistakes):
        kind = rng.randrange(16)
        if kind == 0:
            changes["forenames"] = " ".join([nickname(first, rng), *rest])
        elif kind == 1:
            changes["forenames"] = typo(p.forenames, rng)
        elif kind == 2:
            changes["surname"] = typo(p.surname, rng)
        elif kind == 3:
            changes["forenames"], changes["surname"] = p.surname, first
        elif kind == 4 and p.dob and p.dob.day <= 12 and p.dob.day != p.dob.month:
            changes["dob"] = p.dob.replace(day=p.dob.month, month=p.dob.day)
        elif kind == 5 and p.dob and not (p.dob.month == 2 and p.dob.day == 29):
            changes["dob"] = p.dob.replace(year=p.dob.year + rng.choice([-1, 1]))
        elif kind == 6 and p.dob:
            changes["dob"] = p.dob.replace(day=1 + (p.dob.day + rng.randrange(1, 27)) % 28)
        elif kind == 7:
            changes["dob"] = None
        elif kind == 8:
            changes["postcode"] = rng.choice([*POSTCODES, None, "ZZ99 3VZ", "junk"])
        elif kind == 9:
            changes["sex"] = rng.choice(["", "M", "F", "unknown"])
        elif kind == 10:
            changes["nhs_number"] = rng.choice([None, nhs_number(rng), "1234567890"])
        elif kind == 11:
            changes["upn"] = rng.choice([None, upn(rng), upn(rng, temporary=True), "nonsense"])
        elif kind == 12:
            changes["forenames"] = first.upper()
        elif kind == 13:
            changes["other_names"] = (rng.choice(FORENAMES),)
        elif kind == 14:
            changes["surname"] = p.surname + "-" + rng.choice(SURNAMES)
        else:
            changes["forenames"] = rest[0] if rest else first
    return dataclasses.replace(p, **changes)


# ---------------------------------------------------------------------------
# Parity: Splink's comparison levels and matching.score's
# ---------------------------------------------------------------------------

# Levels that only the interactive scorer has: a pair on one of them is on some other level in SQL.
PYTHON_ONLY = {"initial", "middle_name", "expected_date_near"}


def parity_pairs() -> list[tuple[PersonRecord, PersonRecord]]:
    rng = random.Random(20260505)
    pairs: list[tuple[PersonRecord, PersonRecord]] = []
    for i in range(420):
        a = random_person(rng)
        if i % 7 == 0:
            b = random_person(rng)  # unrelated
        elif i % 11 == 0:
            b = dataclasses.replace(random_person(rng), surname=a.surname, postcode=a.postcode)  # a sibling
        else:
            b = corrupt(a, rng, mistakes=1 + i % 3)
        pairs.append((a, b))
    d = date(2016, 4, 3)
    explicit = [
        (PersonRecord("Alfie", "Smith", dob=d), PersonRecord("Alfred", "Smith", dob=d)),
        (PersonRecord("Smith", "Alfred", dob=d), PersonRecord("Alfred", "Smith", dob=d)),
        (PersonRecord("Smith", "Alfie", dob=d), PersonRecord("Alfred", "Smyth", dob=d)),
        (PersonRecord("Katherine", "Nowak", dob=d), PersonRecord("Kathryn", "Novak", dob=d.replace(day=4, month=3))),
        (PersonRecord("Mary Jane", "Smith-Jones", dob=d), PersonRecord("Maryjane", "Jones", dob=d)),
        (PersonRecord("Jon", "Smith", other_names=("Jonathan",)), PersonRecord("Jonathan", "Smith")),
        (PersonRecord("Tom", "Li", dob=d), PersonRecord("Tim", "Li", dob=d)),
        (PersonRecord("Łukasz", "Wiśniewski"), PersonRecord("Lukasz", "Wisniewski")),
        (PersonRecord("J", "Smith"), PersonRecord("John", "Smith")),  # initials are not compared in batch
        (PersonRecord("Amelia", "S"), PersonRecord("Amelia", "Smith")),
        (PersonRecord("Baby", "Khan", dob=d, dob_is_expected=True), PersonRecord("Baby", "Khan", dob=d + timedelta(days=20))),
        (PersonRecord("", "Khan"), PersonRecord("Aisha", "Khan")),
        (PersonRecord("Aisha", ""), PersonRecord("Aisha", "Khan")),
        (PersonRecord("Yusuf", "Ahmed", dob=d), PersonRecord("Yusuf", "Ahmad", dob=d)),
        (PersonRecord("Ali", "Mohammed", dob=d), PersonRecord("Ali", "Mahomed", dob=d)),
        (PersonRecord("Ann", "Lee", postcode="ZZ99 3VZ"), PersonRecord("Ann", "Lee", postcode="ZZ99 3VZ")),
    ]
    return pairs + explicit


def _register(db_api: Any, frame: pd.DataFrame, pair_ids: list[int]) -> Any:
    table = L._arrow_table(frame).append_column("pair_id", pa.array(pair_ids, pa.int64()))
    return db_api.register(table)


def splink_levels(pairs: list[tuple[PersonRecord, PersonRecord]], *, tf: bool = True) -> pd.DataFrame:
    """Splink's levels (from the gamma columns) and scores of each pair, one row per pair."""
    from splink import Linker

    settings = L.splink_settings(dialect="duckdb", link_type="link_only", weights=DEFAULT_WEIGHTS, prior=1 / 1000)
    settings["blocking_rules_to_generate_predictions"] = [{"blocking_rule": "l.pair_id = r.pair_id", "sql_dialect": "duckdb"}]
    settings["retain_matching_columns"] = True
    settings["additional_columns_to_retain"] = ["pair_id"]
    if not tf:
        for comparison in settings["comparisons"]:
            for lv in comparison["comparison_levels"]:
                for key in ("tf_adjustment_column", "tf_adjustment_weight", "disable_tf_exact_match_detection"):
                    lv.pop(key, None)
    db_api = L.make_db_api("duckdb")
    ids = list(range(len(pairs)))
    left = _register(db_api, L.records_frame((f"a{i}", a) for i, (a, _) in enumerate(pairs)), ids)
    right = _register(db_api, L.records_frame((f"b{i}", b) for i, (_, b) in enumerate(pairs)), ids)
    linker = Linker([left, right], settings, log_level=None)
    predicted = linker.inference.predict(warning_mode="never").as_pandas_dataframe()
    assert len(predicted) == len(pairs)
    for comparison in settings["comparisons"]:
        field_name = comparison["output_column_name"]
        names = {-1: "missing"}
        compared = [lv["label_for_charts"] for lv in comparison["comparison_levels"] if not lv.get("is_null_level")]
        names.update({len(compared) - 1 - i: name for i, name in enumerate(compared)})
        predicted[field_name] = predicted[f"gamma_{field_name}"].map(names)
    predicted["pair"] = predicted["pair_id_l"].astype(int)
    return predicted.set_index("pair").sort_index().assign(settings=json.dumps(settings))


def expected_batch_level(field_name: str, python_level: str, a: PersonRecord, b: PersonRecord) -> str | None:
    """The level batch linkage should reach given the interactive scorer's, or None (not comparable)."""
    if python_level in PYTHON_ONLY:
        return None
    fa, fb = features(a), features(b)
    if field_name == "forename" and (fa["forename_keys"] is None or fb["forename_keys"] is None):
        return "missing"  # only initials: batch linkage does not compare them
    if field_name == "surname" and (fa["surname"] is None or fb["surname"] is None):
        return "missing"
    if python_level == "swapped_with_surname" and (fa["surname"] is None or fb["surname"] is None):
        return None  # a first name swapped with a one-letter surname: batch cannot tell
    if field_name == "dob" and (a.dob_is_expected or b.dob_is_expected):
        return "missing"  # expected dates of delivery are not compared in batch
    return python_level


@pytest.fixture(scope="module")
def parity() -> tuple[list[tuple[PersonRecord, PersonRecord]], pd.DataFrame]:
    pairs = parity_pairs()
    return pairs, splink_levels(pairs, tf=False)


def test_splink_and_python_reach_the_same_level_for_every_field(parity: Any) -> None:
    pairs, predicted = parity
    covered: set[tuple[str, str]] = set()
    mismatches = []
    for i, (a, b) in enumerate(pairs):
        result = score(a, b)
        python = {c.field: c.level for c in result.comparisons}
        for field_name in L._FIELDS:
            expected = expected_batch_level(field_name, python[field_name], a, b)
            if expected is None:
                continue
            got = predicted.loc[i, field_name]
            covered.add((field_name, got))
            if got != expected:
                mismatches.append((field_name, expected, got, a, b))
    assert not mismatches, "\n".join(map(str, mismatches[:10]))
    # Every level of every batch comparison was reached by some pair, so none was tested vacuously.
    every_level = {(f, lv["label_for_charts"]) for f, levels in L.comparison_levels().items() for lv in levels}
    assert every_level <= covered, sorted(every_level - covered)


def test_batch_probability_and_family_check_equal_the_interactive_ones(parity: Any) -> None:
    """Without term frequencies and Python-only levels, batch scoring is matching.score exactly."""
    pairs, predicted = parity
    settings = json.loads(predicted["settings"].iloc[0])
    scored = predicted.copy()  # the mw_ columns are what _finish reads
    scored["mw_tf_adj_forename"] = 0.0
    scored["mw_tf_adj_surname"] = 0.0
    result = L._finish(scored.reset_index(drop=True), settings, 0.0, 0.99, {})
    by_pair = {(row.unique_id_l, row.unique_id_r): row for row in result.pairs.itertuples()}
    compared = 0
    for i, (a, b) in enumerate(pairs):
        python = score(a, b, prior=1 / 1000)
        levels = {c.field: c.level for c in python.comparisons}
        if any(expected_batch_level(f, levels[f], a, b) != levels[f] for f in L._FIELDS):
            continue
        row = by_pair.get((f"a{i}", f"b{i}")) or by_pair[(f"b{i}", f"a{i}")]
        family = levels.get("family_check", "")
        assert row.family_check == family, (a, b)
        assert row.match_weight == pytest.approx(python.match_weight, abs=1e-4), (a, b)
        compared += 1
    assert compared > 300


def test_levels_read_back_from_weights_equal_splinks_gamma_levels(parity: Any) -> None:
    _, predicted = parity
    settings = json.loads(predicted["settings"].iloc[0])
    read_back = L._levels_from_weights(predicted, settings)
    for field_name in L._FIELDS:
        assert list(read_back[field_name]) == list(predicted[field_name])


def test_term_frequencies_lower_the_weight_of_a_common_name() -> None:
    common = [(PersonRecord("Olivia", "Smith"), PersonRecord("Olivia", "Smith")) for _ in range(30)]
    rare = [(PersonRecord("Olivia", "Fairweather"), PersonRecord("Olivia", "Fairweather"))]
    predicted = splink_levels(common + rare)
    weights = predicted["mw_surname"] + predicted["mw_tf_adj_surname"]
    assert weights.iloc[-1] > weights.iloc[0] + 3


# ---------------------------------------------------------------------------
# A small population with households, twins and duplicates
# ---------------------------------------------------------------------------


@dataclasses.dataclass
class Population:
    frame: pd.DataFrame
    person_of: dict[str, int]
    twins: list[tuple[str, str]]
    records: dict[str, PersonRecord]

    def true_pairs(self) -> set[frozenset[str]]:
        by_person: dict[int, list[str]] = {}
        for uid, pid in self.person_of.items():
            by_person.setdefault(pid, []).append(uid)
        return {frozenset((a, b)) for ids in by_person.values() for i, a in enumerate(ids) for b in ids[i + 1 :]}


def population(n_households: int, seed: int, prefix: str = "") -> Population:
    rng = random.Random(seed)
    records: dict[str, PersonRecord] = {}
    person_of: dict[str, int] = {}
    twins: list[tuple[str, str]] = []
    pid = 0

    def add(p: PersonRecord, person: int) -> str:
        uid = f"{prefix}{len(records)}"
        records[uid] = p
        person_of[uid] = person
        return uid

    for _ in range(n_households):
        surname = rng.choice(SURNAMES) if rng.random() < 0.7 else typo(rng.choice(SURNAMES), rng) + "son"
        postcode = rng.choice(POSTCODES[:-1]) if rng.random() < 0.9 else None
        parent_dob = date(1985, 1, 1) + timedelta(days=rng.randrange(3650))
        members = [dataclasses.replace(random_person(rng), surname=surname, postcode=postcode, dob=parent_dob)]
        for _ in range(rng.randrange(1, 4)):
            members.append(dataclasses.replace(random_person(rng), surname=surname, postcode=postcode))
        has_twins = rng.random() < 0.15
        if has_twins:  # same surname, address and date of birth; a first name that is no variant of the other's
            sibling = members[-1].forenames.split()[0]
            name = rng.choice([n for n in FORENAMES if not (name_variants(n.split()[0]) & name_variants(sibling))])
            members.append(
                dataclasses.replace(random_person(rng), forenames=name, surname=surname, postcode=postcode, dob=members[-1].dob)
            )
        first_records = []
        for member in members:
            first_records.append(add(member, pid))
            if rng.random() < 0.5:
                add(corrupt(member, rng, mistakes=1), pid)
            pid += 1
        if has_twins:
            twins.append((first_records[-2], first_records[-1]))
    frame = L.records_frame(records.items())
    return Population(frame, person_of, twins, records)


@pytest.fixture(scope="module")
def people() -> Population:
    return population(650, seed=7)


@pytest.fixture(scope="module")
def trained(people: Population) -> tuple[TrainedModel, dict[str, Any], list[tuple[str, int]]]:
    stages: list[tuple[str, int]] = []
    model, splink_model = L.train(people.frame, seed=1, progress=lambda stage, percent: stages.append((stage, percent)))
    return model, splink_model, stages


def test_population_is_big_enough_and_has_twins(people: Population) -> None:
    assert len(people.frame) >= L.MIN_TRAINING_RECORDS
    assert len(people.twins) >= 20
    assert list(people.frame.columns) == ["unique_id", *FEATURE_COLUMNS]


def test_training_learns_sensible_weights(trained: Any, people: Population) -> None:
    model, splink_model, stages = trained
    w = model.weights()
    dob = {k: v.weight for k, v in w.dob.items()}
    assert dob["exact"] > dob["day_month_swapped"] > 0 > dob["disagree"]
    assert dob["exact"] > dob["year_off_by_one"] > 0
    forename = {k: v.weight for k, v in w.forename.items()}
    assert forename["exact"] > forename["jaro_winkler_medium"] and forename["nickname"] > 0 > forename["disagree"]
    surname = {k: v.weight for k, v in w.surname.items()}
    assert surname["exact"] > 0 > surname["disagree"]
    assert surname["swapped_with_forename"] == 0.0  # swapped names are weighed once, as a forename level
    postcode = {k: v.weight for k, v in w.postcode.items()}
    assert postcode["full"] > postcode["same_district"] and postcode["full"] > 0 > postcode["disagree"]
    assert w.nhs_number["exact"].weight > 10 and w.nhs_number["disagree"].weight < 0
    # lambda: about 1 record in 3 is a second record of someone, out of ~2,400 records
    assert 1e-4 < model.prior < 1e-2
    assert model.trained_on_records == len(people.frame) and model.source == "trained" and model.em_iterations > 0
    assert {"forename", "surname", "dob", "sex", "postcode", "nhs_number", "upn"} <= set(model.levels)
    assert "initial" not in model.levels["forename"] and "expected_date_near" not in model.levels["dob"]
    # progress reported in order, ending at 100
    percents = [p for _, p in stages]
    assert percents == sorted(percents) and percents[-1] == 100
    # the model survives a trip through JSON, and Splink's model is JSON too
    assert TrainedModel.from_json(json.loads(json.dumps(model.to_json()))) == model
    assert json.loads(json.dumps(splink_model))["comparisons"]


def test_trained_term_frequencies(trained: Any) -> None:
    model, _, _ = trained
    tf = model.term_frequencies
    smith = tf.proportion("surname", "smith")
    assert smith is not None and smith > tf.floor["surname"]
    assert tf.proportion("surname", "neverseenbefore") == tf.floor["surname"]
    assert sum(tf.values["forename"].values()) == pytest.approx(1.0)
    # In the interactive scorer a common surname counts for less than a rare one.
    w = model.weights()
    common = score(PersonRecord("Olivia", "Smith"), PersonRecord("Olivia", "Smith"), weights=w, term_frequencies=tf)
    rare = score(PersonRecord("Olivia", "Zzyzx"), PersonRecord("Olivia", "Zzyzx"), weights=w, term_frequencies=tf)
    assert common.comparisons[1].weight < rare.comparisons[1].weight
    assert "common surname" in common.comparisons[1].explanation


def test_training_refuses_too_few_records(people: Population) -> None:
    with pytest.raises(ValueError, match="at least 1,000"):
        L.train(people.frame.head(999))


@pytest.fixture(scope="module")
def deduped(people: Population, trained: Any) -> L.LinkageResult:
    model, splink_model, _ = trained
    return L.dedupe(people.frame, model, splink_model, review_threshold=0.5, strong_threshold=0.99)


def test_dedupe_finds_planted_duplicates_and_keeps_twins_apart(people: Population, deduped: L.LinkageResult) -> None:
    pairs = deduped.pairs
    assert set(pairs.columns) >= {"unique_id_l", "unique_id_r", "match_probability", "match_weight", "family_check"}
    found = {frozenset(p) for p in zip(pairs["unique_id_l"], pairs["unique_id_r"], strict=True)}
    truth = people.true_pairs()
    assert len(found & truth) / len(truth) > 0.85
    strong = pairs[pairs["match_probability"] >= 0.99]
    strong_pairs = [frozenset(p) for p in zip(strong["unique_id_l"], strong["unique_id_r"], strict=True)]
    assert sum(p in truth for p in strong_pairs) / len(strong_pairs) > 0.97
    cluster = dict(zip(deduped.clusters["unique_id"], deduped.clusters["cluster_id"], strict=True))
    merged_twins = [t for t in people.twins if t[0] in cluster and cluster[t[0]] == cluster.get(t[1])]
    assert not merged_twins
    assert (pairs["match_probability"] >= 0.5).all()


def test_clusters_are_connected_components_of_strong_pairs(deduped: L.LinkageResult) -> None:
    strong = deduped.pairs[deduped.pairs["match_probability"] >= 0.99]
    cluster = dict(zip(deduped.clusters["unique_id"], deduped.clusters["cluster_id"], strict=True))
    assert set(cluster) == set(strong["unique_id_l"]) | set(strong["unique_id_r"])
    assert all(cluster[a] == cluster[b] for a, b in zip(strong["unique_id_l"], strong["unique_id_r"], strict=True))
    assert sorted(set(cluster.values())) == list(range(1, len(set(cluster.values())) + 1))
    assert set(deduped.seconds) >= {"load", "predict", "family_check", "clusters", "total"}


def test_connected_components() -> None:
    clusters = L._clusters(
        pd.Series(["d", "a", "x", "c"]).to_numpy(dtype=object), pd.Series(["e", "b", "y", "b"]).to_numpy(dtype=object)
    )
    assert dict(zip(clusters["unique_id"], clusters["cluster_id"], strict=True)) == {
        "a": 1, "b": 1, "c": 1, "d": 2, "e": 2, "x": 3, "y": 3,
    }  # fmt: skip


def test_link_returns_only_extract_to_index_pairs(people: Population, trained: Any) -> None:
    model, splink_model, _ = trained
    rng = random.Random(3)
    chosen = rng.sample(sorted(people.records), 150)
    extract = L.records_frame((f"x{i}", corrupt(people.records[uid], rng)) for i, uid in enumerate(chosen))
    result = L.link(extract, people.frame, model, splink_model, review_threshold=0.5, strong_threshold=0.99)
    assert len(result.pairs) > 100
    assert result.pairs["unique_id_l"].str.startswith("x").all()
    assert result.pairs["unique_id_r"].isin(set(people.frame["unique_id"])).all()
    best = result.pairs.sort_values("match_probability").drop_duplicates("unique_id_l", keep="last")
    source = {f"x{i}": people.person_of[uid] for i, uid in enumerate(chosen)}
    right = sum(source[x] == people.person_of[r] for x, r in zip(best["unique_id_l"], best["unique_id_r"], strict=True))
    assert right / len(best) > 0.95
    with pytest.raises(ValueError, match="share unique ids"):
        L.link(people.frame.head(5), people.frame, model, splink_model, review_threshold=0.5, strong_threshold=0.99)


def test_thresholds_are_checked(people: Population, trained: Any) -> None:
    model, splink_model, _ = trained
    with pytest.raises(ValueError, match="review threshold"):
        L.dedupe(people.frame, model, splink_model, review_threshold=0.99, strong_threshold=0.5)


# ---------------------------------------------------------------------------
# Frames, backends, Spark settings
# ---------------------------------------------------------------------------


def test_records_frame_types_and_invalid_identifiers() -> None:
    frame = L.records_frame(
        [
            ("1", PersonRecord("Amelia Rose", "Smith-Jones", nhs_number="1234567890", upn="nonsense", postcode="ZZ99 3VZ")),
            ("2", PersonRecord("", "", dob=date(2020, 2, 29))),
        ]
    )
    assert list(frame.columns) == ["unique_id", *FEATURE_COLUMNS]
    first = frame.iloc[0]
    assert pd.isna(first["nhs_number"]) and pd.isna(first["upn"]) and pd.isna(first["postcode"])
    assert list(first["forename_keys"]) == ["amelia", "ameliarose"] and bool(first["forename_multi"])
    assert list(first["surname_parts"]) == ["jones", "smith"]
    second = frame.iloc[1]
    assert pd.isna(second["forename_keys"]) and second["dob"] == "2020-02-29" and pd.isna(second["dob_swapped"])


def test_spark_settings_are_produced_and_parse_as_spark_sql() -> None:
    settings = L.splink_settings(dialect="spark")
    duckdb_only = ("list_", "lambda", "jaro_winkler_similarity")
    conditions = [lv["sql_condition"] for c in settings["comparisons"] for lv in c["comparison_levels"]]
    for condition in conditions:
        if condition != "ELSE":
            sqlglot.parse_one(condition, read="spark")
            assert not any(word in condition for word in duckdb_only), condition
    for rule in settings["blocking_rules_to_generate_predictions"]:
        sqlglot.parse_one(rule["blocking_rule"], read="spark")
    assert any("jaro_winkler(" in c for c in conditions) and any("arrays_overlap" in c for c in conditions)
    assert [c["output_column_name"] for c in settings["comparisons"]] == list(L._FIELDS)
    duck = L.splink_settings(dialect="duckdb")
    for spark_c, duck_c in zip(settings["comparisons"], duck["comparisons"], strict=True):
        assert [lv["label_for_charts"] for lv in spark_c["comparison_levels"]] == [
            lv["label_for_charts"] for lv in duck_c["comparison_levels"]
        ]


def test_unknown_dialect_and_backend_are_refused() -> None:
    with pytest.raises(ValueError, match="dialect"):
        L.comparison_levels("sqlite")
    with pytest.raises(ValueError, match="backend"):
        L.make_db_api("postgres")


@pytest.mark.skipif(importlib.util.find_spec("pyspark") is not None, reason="pyspark is installed here")
def test_spark_backend_without_pyspark_says_what_to_install() -> None:
    with pytest.raises(L.BackendUnavailable, match="pip install"):
        L.make_db_api("spark")
    with pytest.raises(L.BackendUnavailable, match="Java"):
        L.make_db_api("spark", spark_session=object())


def test_comparison_levels_follow_the_scorers_order() -> None:
    from mash.domain.matching import FORENAME_LEVEL_ORDER, SURNAME_LEVEL_ORDER

    levels = L.comparison_levels()
    forename = [lv["label_for_charts"] for lv in levels["forename"]][1:]
    assert forename == [lv for lv in FORENAME_LEVEL_ORDER if lv not in PYTHON_ONLY]
    surname = [lv["label_for_charts"] for lv in levels["surname"]][1:]
    assert surname == [lv for lv in SURNAME_LEVEL_ORDER if lv not in PYTHON_ONLY]


def test_spark_schema_covers_every_column() -> None:
    schema = L._spark_schema()
    assert schema.startswith("unique_id string, forename1 string, forename_keys array<string>, forename_multi boolean")
    assert len(schema.split(", ")) == 1 + len(FEATURE_COLUMNS)
    sqlglot.parse_one(f"CREATE TABLE t ({schema})", read="spark")


def test_records_frame_of_nothing_has_the_columns() -> None:
    frame = L.records_frame([])
    assert len(frame) == 0 and list(frame.columns) == ["unique_id", *FEATURE_COLUMNS]


def test_records_frame_equals_features_row_by_row() -> None:
    rng = random.Random(11)
    records = [(str(i), corrupt(random_person(rng), rng, 2)) for i in range(300)]
    frame = L.records_frame(records)
    rows = pa.Table.from_pandas(frame, preserve_index=False).to_pylist()
    for (uid, record), row in zip(records, rows, strict=True):
        assert row == {"unique_id": uid, **features(record)}, record
