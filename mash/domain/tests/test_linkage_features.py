from __future__ import annotations

import csv
import itertools
from datetime import date

import pytest

from mash.domain.linkage_features import FEATURE_COLUMNS, LIST_COLUMNS, features
from mash.domain.matching import (
    NAME_VARIANTS_CSV,
    PersonRecord,
    name_variants,
    normalise_name,
    phonetic_key,
    variant_groups,
)


def test_columns_are_the_feature_columns() -> None:
    row = features(PersonRecord("Amelia", "Smith"))
    assert sorted(row) == sorted(FEATURE_COLUMNS)
    assert set(FEATURE_COLUMNS) >= LIST_COLUMNS


def test_names_are_normalised_as_the_scorer_does() -> None:
    row = features(PersonRecord("  Małgorzata  Zofia ", "O'Brien-Smith", other_names=("Gosia", "M")))
    assert row["forename1"] == "malgorzata"
    # first forename, the whole forename run together, then other names; single letters left out
    assert row["forename_keys"] == ["malgorzata", "malgorzatazofia", "gosia"]
    assert row["forename_multi"] is True
    assert row["forename_mp"] == phonetic_key("Małgorzata")
    assert row["surname"] == "obriensmith"
    assert row["surname_mp"] == phonetic_key("O'Brien-Smith")
    assert row["surname_parts"] == ["obrien", "smith"] and row["surname_tokens_n"] == 2


def test_single_letters_are_not_compared() -> None:
    row = features(PersonRecord("J", "S"))
    assert row["forename_keys"] is None and row["forename1"] is None and row["forename_mp"] is None
    assert row["surname"] is None and row["surname_groups"] == [] and row["surname_parts"] == []
    assert features(PersonRecord("J Paul", "Smith"))["forename_keys"] == ["jpaul"]


def test_variant_groups_of_all_alternatives() -> None:
    row = features(PersonRecord("Charlie", "Smith", other_names=("Bill",)))
    assert set(row["forename_groups"]) == set(variant_groups("Charlie")) | set(variant_groups("Bill"))
    assert features(PersonRecord("Zzyzx", "Qwerty"))["forename_groups"] == []


def test_sharing_a_group_is_being_variants() -> None:
    """Batch linkage's "nickname" (groups overlap) is the scorer's (name_variants)."""
    with NAME_VARIANTS_CSV.open(encoding="utf-8", newline="") as fh:
        names = sorted({row["name"] for row in csv.DictReader(fh)})[::7]
    compared = 0
    for a, b in itertools.combinations(names, 2):
        key_a, key_b = normalise_name(a).replace(" ", ""), normalise_name(b).replace(" ", "")
        if key_a == key_b:
            continue
        share = bool(set(variant_groups(a)) & set(variant_groups(b)))
        assert share == (key_b in name_variants(a)), (a, b)
        compared += share
    assert compared > 10


def test_dates_of_birth() -> None:
    row = features(PersonRecord("A", "B", dob=date(2015, 4, 3)))
    assert (row["dob"], row["dob_swapped"]) == ("2015-04-03", "2015-03-04")
    assert (row["dob_year"], row["dob_month"], row["dob_day"]) == (2015, 4, 3)
    assert features(PersonRecord("A", "B", dob=date(2015, 4, 23)))["dob_swapped"] is None  # no 23rd month
    assert features(PersonRecord("A", "B", dob=date(2015, 4, 4)))["dob_swapped"] is None  # swapping changes nothing
    unborn = features(PersonRecord("A", "B", dob=date(2026, 8, 1), dob_is_expected=True))
    assert unborn["dob"] is None and unborn["dob_year"] is None


@pytest.mark.parametrize(
    ("raw", "postcode", "sector", "district", "area"),
    [
        ("nn47sl", "NN4 7SL", "NN4 7", "NN4", "NN"),
        ("SW1A 1AA", "SW1A 1AA", "SW1A 1", "SW1A", "SW"),
        ("ZZ99 3VZ", None, None, None, None),
        ("not a postcode", None, None, None, None),
        ("", None, None, None, None),
    ],
)
def test_postcodes(raw: str, postcode: str | None, sector: str | None, district: str | None, area: str | None) -> None:
    row = features(PersonRecord("A", "B", postcode=raw))
    assert (row["postcode"], row["pc_sector"], row["pc_district"], row["pc_area"]) == (postcode, sector, district, area)


def test_identifiers_valid_or_none() -> None:
    row = features(PersonRecord("A", "B", nhs_number="943 476 5919", upn="B801200005001"))
    assert row["nhs_number"] == "9434765919" and row["upn"] == "B801200005001" and row["upn_temporary"] is False
    invalid = features(PersonRecord("A", "B", nhs_number="0000000000", upn="B801200005002"))
    assert invalid["nhs_number"] is None and invalid["upn"] is None and invalid["upn_temporary"] is False


def test_sex() -> None:
    assert features(PersonRecord("A", "B", sex="female"))["sex"] == "F"
    assert features(PersonRecord("A", "B", sex="unknown"))["sex"] is None


def test_lists_handed_out_are_copies() -> None:
    record = PersonRecord("Charlie", "Smith")
    first = features(record)
    first["forename_groups"].append("changed")
    assert "changed" not in features(record)["forename_groups"]
