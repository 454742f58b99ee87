"""The generator is deterministic and its records carry the ground truth and corruptions it advertises."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from bench.matching import metrics, synthetic
from mash.domain.identifiers import (
    InvalidIdentifier,
    normalise_postcode,
    postcode_district,
    validate_nhs_number,
    validate_upn,
)
from mash.domain.matching import name_variants, normalise_name

N = 4000


@pytest.fixture(scope="module")
def data() -> synthetic.Dataset:
    return synthetic.generate(N, seed=11)


def _valid(check, value: str) -> bool:  # noqa: ANN001
    try:
        check(value)
    except InvalidIdentifier:
        return False
    return True


def test_same_seed_same_data_and_other_seed_other_data(data: synthetic.Dataset) -> None:
    again = synthetic.generate(N, seed=11)
    pd.testing.assert_frame_equal(data.people, again.people)
    pd.testing.assert_frame_equal(data.records, again.records)
    pd.testing.assert_frame_equal(data.queries, again.queries)
    other = synthetic.generate(N, seed=12)
    assert not data.records["surname"].equals(other.records["surname"])


def test_cache_round_trips(tmp_path, data: synthetic.Dataset) -> None:  # noqa: ANN001
    first = synthetic.load_or_generate(N, 11, cache_dir=tmp_path)
    second = synthetic.load_or_generate(N, 11, cache_dir=tmp_path)
    assert (synthetic.cache_path(N, 11, tmp_path) / "records.parquet").exists()
    pd.testing.assert_frame_equal(first.records, second.records)
    pd.testing.assert_frame_equal(first.records, data.records)


def test_ground_truth(data: synthetic.Dataset) -> None:
    people, records = data.people, data.records
    assert len(people) == N
    assert records["record_id"].is_unique
    index = records[records["agency"] == "index"]
    # Exactly one index record per person; every agency record belongs to a real person.
    assert sorted(index["person_id"]) == list(range(N))
    assert records["person_id"].between(0, N - 1).all()
    assert set(records["agency"]) == set(synthetic.AGENCIES)
    assert (records["agency"] != "index").sum() > N * 0.7
    # Queries are agency records (so not in the searched index), one per person.
    q = records.set_index("record_id").loc[data.queries["record_id"]]
    assert (q["agency"] != "index").all()
    assert q["person_id"].is_unique
    assert (q["person_id"].to_numpy() == data.queries["person_id"].to_numpy()).all()


def test_households_siblings_and_twins(data: synthetic.Dataset) -> None:
    people = data.people
    twins = people[people["twin"]]
    assert len(twins) >= 20
    for _, pair in twins.groupby("household_id"):
        assert len(pair) == 2
        a, b = pair.iloc[0], pair.iloc[1]
        assert a["dob"] == b["dob"] and a["surname"] == b["surname"]
        assert a["first_name"] != b["first_name"]
    # Siblings share a household (and usually a surname), some do not share a surname.
    children = people[people["role"] == "child"]
    per_house = children.groupby("household_id")["surname"].nunique()
    assert (per_house == 1).mean() > 0.6
    assert (per_house > 1).any()
    assert children["surname"].str.contains("-").any()  # double-barrelled
    # Children never share a first name with a sibling.
    assert not children.duplicated(["household_id", "first_name"]).any()
    # Adults are older than their children.
    adults = people[people["role"] == "adult"].groupby("household_id")["dob"].max()
    oldest_child = children.groupby("household_id")["dob"].min()
    both = adults.index.intersection(oldest_child.index)
    assert (adults[both] < oldest_child[both]).mean() > 0.95


def test_name_frequencies_are_skewed(data: synthetic.Dataset) -> None:
    counts = data.people["surname"].value_counts()
    assert counts.iloc[0] > 20 * counts.median()
    assert counts.size > 300
    groups = set(data.people["group"])
    assert groups == set(synthetic.N.GROUPS)


def test_identifiers_and_postcodes_are_valid(data: synthetic.Dataset) -> None:
    people = data.people
    nhs = people.loc[people["nhs_number"] != "", "nhs_number"]
    assert len(nhs) > 0.9 * N and nhs.is_unique
    assert all(_valid(validate_nhs_number, x) for x in nhs)
    upn = people.loc[people["upn"] != "", "upn"]
    assert len(upn) > 0.25 * N and upn.is_unique
    assert all(_valid(validate_upn, x) for x in upn)
    assert any(x[-1].isalpha() for x in upn)  # temporary UPNs
    index = data.index_records
    postcodes = index.loc[index["postcode"] != "", "postcode"]
    assert all(normalise_postcode(p) == p for p in postcodes)
    # A plausible geography: many people share a district, fewer a sector, fewer still a unit.
    districts = postcodes.map(postcode_district).nunique()
    sectors = postcodes.str[:-2].nunique()
    assert districts < sectors < postcodes.nunique()


def _tagged(records: pd.DataFrame, name: str) -> pd.DataFrame:
    return records[records["corruptions"].str.split(",").map(lambda tags: any(t.split(":")[0] == name for t in tags))]


def test_advertised_corruptions_happen_and_are_what_they_say(data: synthetic.Dataset) -> None:
    records = data.records
    people = data.people.set_index("person_id")
    rates = synthetic.corruption_rates(records)
    for name in (
        "forename_typo", "surname_typo", "forename_variant", "forename_respelt", "names_swapped", "surname_changed",
        "dob_day_month_swapped", "dob_year_off_by_one", "dob_digit_wrong", "dob_missing", "sex_missing",
        "postcode_missing", "postcode_pseudo", "old_address", "nhs_invalid", "uppercase",
    ):  # fmt: skip
        assert rates.get(name, 0) > 0, name
    # Index records are clean apart from missing or stale details.
    assert set(",".join(data.index_records["corruptions"]).split(",")) <= {
        "", "dob_missing", "sex_missing", "postcode_missing", "stale_address"
    }  # fmt: skip

    def truth(rows: pd.DataFrame, column: str) -> pd.Series:
        return people.loc[rows["person_id"], column].set_axis(rows.index)

    has_dob = records[records["dob"].notna()]
    swap = _tagged(has_dob, "dob_day_month_swapped")
    true_dob = truth(swap, "dob")
    assert (swap["dob"].dt.day == true_dob.dt.month).all() and (swap["dob"].dt.month == true_dob.dt.day).all()
    year = _tagged(has_dob, "dob_year_off_by_one")
    assert ((year["dob"].dt.year - truth(year, "dob").dt.year).abs() == 1).all()
    digit = _tagged(has_dob, "dob_digit_wrong")
    assert (digit["dob"] != truth(digit, "dob")).all()
    assert _tagged(records, "dob_missing")["dob"].isna().all()
    pseudo = _tagged(records, "postcode_pseudo")
    assert pseudo["postcode"].str.replace(" ", "").str.upper().str.startswith("ZZ99").all()
    assert all(normalise_postcode(p) is None for p in pseudo["postcode"])
    bad_nhs = _tagged(records, "nhs_invalid")
    assert not any(_valid(validate_nhs_number, x) for x in bad_nhs["nhs_number"])
    swapped = _tagged(records, "names_swapped")
    plain = swapped[~swapped["corruptions"].str.contains("typo|variant|respelt|changed|uppercase|initial|punctuation")]
    assert (plain["forenames"] == truth(plain, "surname")).all()
    variants = _tagged(records, "forename_variant")
    plain = variants[~variants["corruptions"].str.contains("typo|uppercase|names_swapped|initial|middle")]
    first = plain["forenames"].str.split(" ").str[0]
    compact = [normalise_name(f).replace(" ", "") for f in first]
    assert all(f in name_variants(t) for f, t in zip(compact, truth(plain, "first_name"), strict=True))
    typos = _tagged(records, "forename_typo")
    assert (
        typos["corruptions"].str.extract(r"forename_typo:(\w+)")[0].isin(["insert", "delete", "substitute", "transpose"])
    ).all()
    moved = _tagged(records, "old_address")
    moved = moved[~moved["corruptions"].str.contains("postcode_")]
    current = data.index_records.set_index("person_id")
    current = current[~current["corruptions"].str.contains("stale_address|postcode_missing")]
    moved = moved[moved["person_id"].isin(current.index)]
    old = moved["postcode"].map(normalise_postcode).to_numpy()
    assert len(moved) > 100
    assert (old != current.loc[moved["person_id"], "postcode"].to_numpy()).mean() > 0.95


def test_typo_kinds() -> None:
    r = np.random.default_rng(0)
    kinds = {synthetic.typo("Catherine", r)[1] for _ in range(200)}
    assert kinds == {"insert", "delete", "substitute", "transpose"}
    for _ in range(50):
        word, _ = synthetic.typo("Catherine", r)
        assert word != "Catherine" and word[0] == "C" and abs(len(word) - 9) <= 1


def test_sizes() -> None:
    assert synthetic.parse_size("10k") == 10_000
    assert synthetic.parse_size("1M") == 1_000_000
    assert synthetic.size_label(100_000) == "100k"
    assert synthetic.REFERENCE_DATE.isoformat() == "2025-06-30"


def test_cluster_scores_count_pairs_exactly() -> None:
    truth = pd.Series([1, 1, 1, 2, 2, 3], index=[f"r{i}" for i in range(6)])
    pairs = pd.DataFrame(
        {
            "unique_id_l": ["r0", "r1", "r3", "r2"],
            "unique_id_r": ["r1", "r2", "r4", "r5"],
            "match_probability": [0.999, 0.995, 0.99, 0.5],
        }
    )
    at = metrics.cluster_scores(pairs, truth, 0.99)
    assert (at.predicted, at.true, at.true_positive) == (4, 4, 4)
    low = metrics.cluster_scores(pairs, truth, 0.4)  # r5 chained into the first cluster
    assert (low.predicted, low.true_positive) == (7, 4)
    assert metrics.pair_scores(pairs, truth, 0.4).true_positive == 3


def test_family_false_matches_counts_household_and_twin_pairs() -> None:
    truth = pd.Series([1, 1, 2, 3, 4], index=list("abcde"))
    household = pd.Series([1, 1, 1, 1, 2], index=truth.index)
    twin = pd.Series([False, False, True, True, False], index=truth.index)
    pairs = pd.DataFrame({"unique_id_l": ["a", "b", "c"], "unique_id_r": ["b", "c", "d"], "match_probability": [1.0, 1.0, 1.0]})
    # One cluster {a, b, c, d}: 6 pairs, of which a-b is the same person; c-d are twins.
    assert metrics.family_false_matches(pairs, truth, household, twin, 0.99) == {
        "same_household_false_pairs": 5,
        "twin_false_pairs": 1,
    }
