from __future__ import annotations

import csv
import dataclasses
import math
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mash.domain.match_model import TermFrequencies
from mash.domain.matching import (
    DEFAULT_WEIGHTS,
    NAME_VARIANTS_CSV,
    LevelProbabilities,
    MatchResult,
    MatchWeights,
    PersonRecord,
    name_variants,
    normalise_address,
    normalise_name,
    normalise_sex,
    phonetic_key,
    phonetic_keys,
    score,
    score_many,
)

DOB = date(2015, 4, 3)


def person(forenames: str, surname: str, **kwargs: object) -> PersonRecord:
    kwargs.setdefault("dob", DOB)
    return PersonRecord(forenames, surname, **kwargs)


def level(result: MatchResult, field: str) -> str:
    return next(c.level for c in result.comparisons if c.field == field)


def has_field(result: MatchResult, field: str) -> bool:
    return any(c.field == field for c in result.comparisons)


# ---------------------------------------------------------------------------
# Normalisation and variants
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  Alfie  ", "alfie"),
        ("ALFIE   JAMES", "alfie james"),
        ("Smith-Jones", "smith jones"),
        ("O'Brien", "obrien"),
        ("O’Brien", "obrien"),
        ("Małgorzata", "malgorzata"),
        ("ŁUKASZ", "lukasz"),
        ("José", "jose"),
        ("Zoë", "zoe"),
        ("Chloé", "chloe"),
        ("Jean-Luc.  Picard,", "jean luc picard"),
        ("Søren", "soren"),
        ("Straße", "strasse"),
        ("Jo\u0301se", "jose"),  # decomposed accent
        ("", ""),
        ("---", ""),
    ],
)
def test_normalise_name(raw: str, expected: str) -> None:
    assert normalise_name(raw) == expected


def test_variant_groups_share_names() -> None:
    assert "alfred" in name_variants("Alfie")
    assert "alfie" in name_variants("ALFRED")
    assert {"bill", "billy", "will", "liam"} <= name_variants("William")
    assert "william" in name_variants("Bill")
    assert "robert" in name_variants("Bob")
    assert "catherine" in name_variants("Katie")
    assert "kathryn" in name_variants("Kate")
    assert "elizabeth" in name_variants("Beth")
    assert "margaret" in name_variants("Peggy")
    assert "alexandra" in name_variants("Sasha")
    assert "edward" in name_variants("Ted")
    assert "henry" in name_variants("Harry")
    assert "thomas" in name_variants("Tom")
    assert "jack" in name_variants("John")


def test_name_can_belong_to_several_groups_without_transitivity() -> None:
    charlie = name_variants("Charlie")
    assert {"charles", "charlotte"} <= charlie
    assert "charlotte" not in name_variants("Charles")
    assert "samantha" in name_variants("Sam")
    assert "samuel" in name_variants("Sam")
    assert "samantha" not in name_variants("Samuel")


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Mohammed", "Muhammad"),
        ("Mohamed", "Mohammad"),
        ("Muhammed", "Mohamad"),
        ("Ahmed", "Ahmad"),
        ("Hussain", "Hussein"),
        ("Husain", "Hussain"),
        ("Fatima", "Fatimah"),
        ("Siddiqui", "Siddiqi"),
        ("Abdul", "Abdel"),
        ("Yusuf", "Youssef"),
        ("Ibrahim", "Ebrahim"),
        ("Aleksander", "Alexander"),
        ("Oleksandr", "Alexander"),
        ("Katarzyna", "Kasia"),
        ("Małgorzata", "Gosia"),
        ("Malgorzata", "Gosia"),
        ("Wojciech", "Wojtek"),
        ("Jakub", "Kuba"),
        ("Piotr", "Peter"),
        ("Agnieszka", "Aga"),
        ("Dmitri", "Dmitry"),
        ("Oluwaseun", "Seun"),
        ("Oluwatobi", "Tobi"),
        ("Adebayo", "Bayo"),
        ("Chukwuemeka", "Emeka"),
        ("Olumide", "Mide"),
        ("Adewale", "Wale"),
        ("Babatunde", "Tunde"),
        ("Folasade", "Sade"),
        ("Łukasz", "Luke"),
    ],
)
def test_cultural_variants(a: str, b: str) -> None:
    assert normalise_name(b).replace(" ", "") in name_variants(a)
    assert normalise_name(a).replace(" ", "") in name_variants(b)


def test_unknown_and_blank_names() -> None:
    assert name_variants("Zebedee-Q") == frozenset({"zebedeeq"})
    assert name_variants("") == frozenset()


def test_variant_csv_is_well_formed_and_large_enough() -> None:
    with NAME_VARIANTS_CSV.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        assert reader.fieldnames == ["group", "name"]
        rows = list(reader)
    groups = {row["group"] for row in rows}
    assert len(groups) >= 150
    assert all(row["group"].strip() and row["name"].strip() for row in rows)
    assert len({(r["group"], r["name"]) for r in rows}) == len(rows)


def test_phonetic_key() -> None:
    assert phonetic_key("Catherine") == phonetic_key("Kathryn")
    assert phonetic_key("Smith") == phonetic_key("Smyth")
    assert phonetic_key("Philip") == phonetic_key("Filip")
    assert phonetic_key("McDonald") == phonetic_key("Mc Donald")
    assert phonetic_key("Johnson") == phonetic_key("Jonson")
    assert phonetic_key("") == ""
    assert phonetic_key("Smith") != phonetic_key("Jones")
    assert phonetic_keys("Smith-Jones") == (
        phonetic_key("Smith"),
        phonetic_key("Jones"),
        phonetic_key("SmithJones"),
    )


def test_normalise_sex_and_address() -> None:
    assert normalise_sex("Male") == "M"
    assert normalise_sex(" f ") == "F"
    assert normalise_sex("Unknown") == ""
    assert normalise_sex("Indeterminate") == ""
    assert normalise_address("12 High St.") == "12 high street"
    assert normalise_address("Flat 3, 4 Park Rd") == "flat 3 4 park road"


# ---------------------------------------------------------------------------
# Scenarios
# ---------------------------------------------------------------------------


def test_exact_match_scores_above_099() -> None:
    a = person("Alfred", "Smith", sex="M", postcode="NN4 7SL", address="1 High St")
    b = person("ALFRED", "smith", sex="male", postcode="nn47sl", address="1 High Street")
    result = score(a, b)
    assert result.probability > 0.99
    assert result.disagreed() == []
    assert {c.field for c in result.agreed()} == {
        "forename",
        "surname",
        "dob",
        "sex",
        "postcode",
    }


def test_names_and_dob_alone_score_above_099() -> None:
    assert score(person("Alfred", "Smith"), person("Alfred", "Smith")).probability > 0.99


def test_nickname_with_same_dob_is_high() -> None:
    result = score(person("Alfie", "Smith"), person("Alfred", "Smith"))
    assert result.probability > 0.9
    assert level(result, "forename") == "nickname"
    forename = next(c for c in result.comparisons if c.field == "forename")
    assert "Alfie" in forename.explanation and "Alfred" in forename.explanation


@pytest.mark.parametrize(
    ("a", "b"),
    [("Bill", "William"), ("Kate", "Catherine"), ("Peggy", "Margaret"), ("Ted", "Edward")],
)
def test_other_nicknames_are_high(a: str, b: str) -> None:
    assert score(person(a, "Jones"), person(b, "Jones")).probability > 0.9


def test_swapped_first_and_last_names_are_still_high() -> None:
    result = score(person("Smith", "Alfred"), person("Alfred", "Smith"))
    assert result.probability > 0.8
    assert level(result, "forename") == "swapped_with_surname"
    assert level(result, "surname") == "swapped_with_forename"
    exact = score(person("Alfred", "Smith"), person("Alfred", "Smith"))
    assert result.probability < exact.probability


def test_swapped_names_with_nickname() -> None:
    result = score(person("Smith", "Alfie"), person("Alfred", "Smith"))
    assert level(result, "forename") == "swapped_with_surname"
    assert result.probability > 0.8


def test_day_and_month_swapped_is_high() -> None:
    result = score(
        person("Alfred", "Smith", dob=date(2015, 4, 3)),
        person("Alfred", "Smith", dob=date(2015, 3, 4)),
    )
    assert level(result, "dob") == "day_month_swapped"
    assert result.probability > 0.9


def test_dob_year_off_by_one_and_single_typo() -> None:
    off = score(
        person("Alfred", "Smith", dob=date(2015, 4, 3)),
        person("Alfred", "Smith", dob=date(2016, 4, 3)),
    )
    assert level(off, "dob") == "year_off_by_one"
    assert off.probability > 0.9
    typo = score(
        person("Alfred", "Smith", dob=date(2015, 4, 3)),
        person("Alfred", "Smith", dob=date(2015, 4, 13)),
    )
    assert level(typo, "dob") == "one_part_differs"
    exact = score(person("Alfred", "Smith"), person("Alfred", "Smith"))
    assert typo.probability < off.probability < exact.probability


def test_misspelt_surname_is_high() -> None:
    result = score(person("Peter", "Jonson"), person("Peter", "Johnson"))
    assert level(result, "surname") == "jaro_winkler_high"
    assert result.probability > 0.9


def test_sibling_is_low() -> None:
    older = person("Jack", "Smith", dob=date(2012, 9, 20), sex="M", postcode="NN4 7SL", address="1 High St")
    younger = person("Alfred", "Smith", sex="M", postcode="NN4 7SL", address="1 High St")
    result = score(older, younger)
    assert result.probability < 0.2
    assert level(result, "family_check") == "possible_sibling"


def test_sibling_with_similar_name_is_low() -> None:
    a = person("Mason", "Smith", dob=date(2012, 9, 20), sex="M", postcode="NN4 7SL")
    b = person("Jason", "Smith", sex="M", postcode="NN4 7SL")
    assert score(a, b).probability < 0.2


def test_twins_are_below_half() -> None:
    a = person("Amelia", "Smith", sex="F", postcode="NN4 7SL", address="1 High St")
    b = person("Olivia", "Smith", sex="F", postcode="NN4 7SL", address="1 High St")
    result = score(a, b)
    assert result.probability < 0.5
    assert level(result, "family_check") == "possible_twin"


def test_twins_with_similar_sounding_names_are_below_half() -> None:
    a = person("Tom", "Smith", sex="M", postcode="NN4 7SL")
    b = person("Tim", "Smith", sex="M", postcode="NN4 7SL")
    assert score(a, b).probability < 0.5


def test_parent_with_same_name_is_not_merged() -> None:
    father = person("John", "Smith", dob=date(1984, 1, 12), sex="M", postcode="NN4 7SL")
    son = person("John", "Smith", dob=date(2015, 4, 3), sex="M", postcode="NN4 7SL")
    result = score(father, son)
    assert result.probability < 0.5
    assert level(result, "family_check") == "same_name_different_dob"


def test_household_details_alone_do_not_identify_a_child() -> None:
    query = PersonRecord("", "Smith", postcode="NN4 7SL")
    result = score(query, person("Alfred", "Smith", postcode="NN4 7SL"))
    assert result.probability < 0.2
    assert level(result, "family_check") == "household_details_only"


def test_unrelated_people_are_low() -> None:
    a = person("Amelia", "Khan", dob=date(2010, 1, 1), postcode="NN4 7SL")
    b = person("George", "Smith", dob=date(2016, 7, 9), postcode="LE1 1AA")
    assert score(a, b).probability < 0.001


@pytest.mark.parametrize(
    ("a", "b"),
    [("Mohamed", "Muhammad"), ("Mohammed", "Mohamad"), ("Aleksander", "Alexander")],
)
def test_cultural_forename_variants_score_high(a: str, b: str) -> None:
    result = score(person(a, "Khan"), person(b, "Khan"))
    assert level(result, "forename") == "nickname"
    assert result.probability > 0.9


def test_surname_variant() -> None:
    result = score(person("Ayesha", "Siddiqui"), person("Ayesha", "Siddiqi"))
    assert level(result, "surname") in {"variant", "jaro_winkler_high"}
    assert result.probability > 0.9


def test_accents_ignored() -> None:
    result = score(person("Łukasz", "Wójcik"), person("Lukasz", "Wojcik"))
    assert level(result, "forename") == "exact"
    assert level(result, "surname") == "exact"


def test_alias_tried_as_forename() -> None:
    query = person("Tobi", "Adeyemi")
    record = person("Samuel", "Adeyemi", other_names=("Oluwatobi",))
    result = score(query, record)
    assert level(result, "forename") == "nickname"
    assert "other name" in next(c.explanation for c in result.comparisons if c.field == "forename")
    assert result.probability > 0.9


def test_middle_name_match() -> None:
    result = score(person("James", "Smith"), person("Alfie James", "Smith"))
    assert level(result, "forename") == "middle_name"
    assert result.probability > 0.5


def test_initial_only() -> None:
    result = score(person("A", "Smith"), person("Alfred", "Smith"))
    assert level(result, "forename") == "initial"
    other = score(person("B", "Smith"), person("Alfred", "Smith"))
    assert level(other, "forename") == "disagree"


def test_double_barrelled_surname_part() -> None:
    result = score(person("Alfred", "Smith"), person("Alfred", "Smith-Jones"))
    assert level(result, "surname") == "part_of_double_barrelled"
    assert result.probability > 0.9


def test_postcode_levels() -> None:
    base = person("Alfred", "Smith", postcode="NN4 7SL")

    def pc(postcode: str) -> str:
        return level(score(base, person("Alfred", "Smith", postcode=postcode)), "postcode")

    assert pc("NN4 7SL") == "full"
    assert pc("NN4 7AB") == "same_sector"
    assert pc("NN4 8AB") == "same_district"
    assert pc("NN1 1AA") == "same_area"
    assert pc("LE1 1AA") == "disagree"
    assert pc("ZZ99 3VZ") == "missing"


def test_partial_address_used_when_postcode_missing() -> None:
    a = person("Alfred", "Smith", address="12 High St")
    b = person("Alfred", "Smith", address="12 High Street, Northampton", postcode="NN4 7SL")
    result = score(a, b)
    assert level(result, "postcode") == "missing"
    assert level(result, "address") == "similar"
    different_number = person("Alfred", "Smith", address="14 High Street, Northampton")
    assert level(score(a, different_number), "address") == "disagree"
    no_number = person("Alfred", "Smith", address="High Street")
    assert level(score(a, no_number), "address") == "partial"


def test_address_not_compared_when_both_have_postcodes() -> None:
    a = person("Alfred", "Smith", postcode="NN4 7SL", address="1 High St")
    b = person("Alfred", "Smith", postcode="NN4 7SL", address="99 Other Rd")
    assert level(score(a, b), "address") == "not_compared"


def test_identifiers() -> None:
    nhs = "943 476 5919"
    same = score(PersonRecord("A", "B", nhs_number=nhs), PersonRecord("Alfie", "Bee", nhs_number="9434765919"))
    assert level(same, "nhs_number") == "exact"
    different = score(
        person("Alfred", "Smith", nhs_number="9434765919"),
        person("Alfred", "Smith", nhs_number="4010232137"),
    )
    assert level(different, "nhs_number") == "disagree"
    assert different.probability < score(person("Alfred", "Smith"), person("Alfred", "Smith")).probability
    invalid = score(
        person("Alfred", "Smith", nhs_number="1234567890"),
        person("Alfred", "Smith", nhs_number="9434765919"),
    )
    assert level(invalid, "nhs_number") == "missing"
    assert "not valid" in next(c.explanation for c in invalid.comparisons if c.field == "nhs_number")


def test_upn_levels() -> None:
    permanent = person("Alfred", "Smith", upn="P207000016049")
    other = person("Alfred", "Smith", upn="B801200005001")
    assert level(score(permanent, permanent), "upn") == "exact"
    assert level(score(permanent, other), "upn") == "disagree"
    temporary_body = "80120000501A"
    letters = "ABCDEFGHJKLMNPQRTUVWXYZ"
    total = sum(w * (int(ch) if ch.isdigit() else letters.index(ch)) for w, ch in enumerate(temporary_body, start=2))
    temporary = person("Alfred", "Smith", upn=letters[total % 23] + temporary_body)
    assert level(score(permanent, temporary), "upn") == "disagree_temporary"


def test_sex_disagreement_lowers_score_and_unknown_is_ignored() -> None:
    a = person("Sam", "Jones", sex="M")
    assert level(score(a, person("Sam", "Jones", sex="F")), "sex") == "disagree"
    assert level(score(a, person("Sam", "Jones", sex="Unknown")), "sex") == "missing"


def test_unborn_expected_date() -> None:
    unborn = PersonRecord("Baby", "Smith", dob=date(2024, 6, 1), dob_is_expected=True)
    born = PersonRecord("Baby", "Smith", dob=date(2024, 5, 10))
    assert level(score(unborn, born), "dob") == "expected_date_near"
    later = PersonRecord("Baby", "Smith", dob=date(2025, 6, 1))
    assert level(score(unborn, later), "dob") == "disagree"


def test_every_explanation_is_non_empty() -> None:
    pairs = [
        (person("Alfie", "Smith"), person("Alfred", "Smith")),
        (person("Smith", "Alfred"), person("Alfred", "Smith")),
        (
            person("Amelia", "Smith", sex="F", postcode="NN4 7SL"),
            person("Olivia", "Smith", sex="M", postcode="NN4 8SL"),
        ),
        (PersonRecord("", ""), PersonRecord("", "")),
        (
            person("A", "Smith-Jones", address="1 High St", nhs_number="x", upn="y"),
            person("Bob", "Jones", dob=date(2001, 1, 1), address="2 Low Rd"),
        ),
    ]
    for a, b in pairs:
        result = score(a, b)
        assert result.comparisons
        for comparison in result.comparisons:
            assert comparison.explanation.strip(), comparison


def test_agreed_and_disagreed_are_sorted_partitions() -> None:
    result = score(
        person("Alfred", "Smith", sex="M", postcode="NN4 7SL"),
        person("Alfred", "Smith", dob=date(2015, 3, 4), sex="F", postcode="LE1 1AA"),
    )
    agreed, disagreed = result.agreed(), result.disagreed()
    assert all(c.weight > 0 for c in agreed)
    assert all(c.weight < 0 for c in disagreed)
    assert [c.weight for c in agreed] == sorted((c.weight for c in agreed), reverse=True)
    assert [c.weight for c in disagreed] == sorted(c.weight for c in disagreed)
    assert {c.field for c in disagreed} == {"sex", "postcode"}


def test_prior_and_weights_are_configurable() -> None:
    a, b = person("Alfie", "Smith"), person("Alfred", "Smith")
    assert score(a, b, prior=0.5).probability > score(a, b, prior=1e-6).probability
    with pytest.raises(ValueError, match="prior"):
        score(a, b, prior=0.0)
    trained = dataclasses.replace(
        DEFAULT_WEIGHTS,
        forename={**DEFAULT_WEIGHTS.forename, "nickname": LevelProbabilities(0.01, 0.01)},
    )
    assert isinstance(trained, MatchWeights)
    result = score(a, b, weights=trained)
    assert next(c.weight for c in result.comparisons if c.field == "forename") == 0.0
    with pytest.raises(ValueError, match="m and u"):
        LevelProbabilities(0.0, 0.5)


def test_default_level_order_is_sensible() -> None:
    w = DEFAULT_WEIGHTS
    f = {k: v.weight for k, v in w.forename.items()}
    assert f["exact"] > f["nickname"] > f["jaro_winkler_high"] > f["jaro_winkler_medium"]
    assert f["disagree"] < 0
    d = {k: v.weight for k, v in w.dob.items()}
    assert d["exact"] > d["day_month_swapped"] > d["one_part_differs"] > 0 > d["disagree"]
    p = {k: v.weight for k, v in w.postcode.items()}
    assert p["full"] > p["same_sector"] > p["same_district"] > p["same_area"] > p["disagree"]


def test_score_many_orders_best_first() -> None:
    query = person("Alfie", "Smith")
    candidates = [
        person("George", "Smith", dob=date(2011, 1, 1)),
        person("Alfred", "Smith"),
        person("Alfie", "Smith"),
    ]
    ranked = score_many(query, candidates)
    assert [c.forenames for c, _ in ranked] == ["Alfie", "Alfred", "George"]




# ---------------------------------------------------------------------------
# Properties
# ---------------------------------------------------------------------------

NAMES = [
    "Alfie", "Alfred", "Alf", "Smith", "Smyth", "Smith-Jones", "Jones", "Amelia",
    "Olivia", "Tom", "Tim", "Mohammed", "Muhammad", "Charlie", "Charles",
    "Charlotte", "A", "J", "Łukasz", "Luke", "O'Brien", "", "Mc Donald", "McDonald",
]  # fmt: skip
name_text = st.one_of(
    st.sampled_from(NAMES),
    st.text(alphabet="abcdeilmnorstAEJŁé-' ", max_size=12),
)
dates = st.one_of(
    st.none(),
    st.sampled_from([date(2015, 4, 3), date(2015, 3, 4), date(2016, 4, 3), date(2015, 4, 13)]),
    st.dates(min_value=date(1980, 1, 1), max_value=date(2025, 12, 31)),
)
records = st.builds(
    PersonRecord,
    forenames=st.one_of(name_text, st.builds(lambda a, b: f"{a} {b}", name_text, name_text)),
    surname=name_text,
    other_names=st.lists(name_text, max_size=2).map(tuple),
    dob=dates,
    dob_is_expected=st.booleans(),
    sex=st.sampled_from(["", "M", "F", "male", "unknown"]),
    postcode=st.sampled_from([None, "NN4 7SL", "NN4 7AB", "NN4 8AB", "NN1 1AA", "LE1 1AA", "ZZ99 3VZ", "junk"]),
    address=st.sampled_from(["", "1 High St", "12 High Street Northampton", "High Street", "Rose Cottage Lane", "!!"]),
    nhs_number=st.sampled_from([None, "9434765919", "4010232137", "1234567890"]),
    upn=st.sampled_from([None, "P207000016049", "B801200005001", "nonsense"]),
)


@settings(max_examples=400, deadline=None)
@given(records, records)
def test_properties(a: PersonRecord, b: PersonRecord) -> None:
    ab = score(a, b)
    ba = score(b, a)
    aa = score(a, a)
    assert 0.0 <= ab.probability <= 1.0
    assert abs(ab.probability - ba.probability) <= 1e-9
    assert abs(ab.match_weight - ba.match_weight) <= 1e-9
    assert aa.match_weight >= ab.match_weight - 1e-9
    assert aa.probability >= ab.probability - 1e-12
    for comparison in ab.comparisons:
        assert comparison.explanation


@settings(max_examples=200, deadline=None)
@given(records, records, st.floats(min_value=1e-9, max_value=1 - 1e-9))
def test_probability_bounds_for_any_prior(a: PersonRecord, b: PersonRecord, prior: float) -> None:
    result = score(a, b, prior=prior)
    assert 0.0 <= result.probability <= 1.0


# ---------------------------------------------------------------------------
# Shared with batch linkage: variant groups, level precedence, term frequencies
# ---------------------------------------------------------------------------


def test_variant_groups_agree_with_name_variants() -> None:
    from mash.domain.matching import variant_groups

    assert variant_groups("Charlie") == ("charles", "charlotte")
    assert variant_groups("CHARLIE ") == variant_groups("charlie")
    assert variant_groups("Zzyzx") == () and variant_groups("") == ()
    with NAME_VARIANTS_CSV.open(encoding="utf-8", newline="") as fh:
        names = sorted({normalise_name(row["name"]).replace(" ", "") for row in csv.DictReader(fh)})
    for name in names:
        groups = set(variant_groups(name))
        assert groups, name
        for other in name_variants(name):
            assert groups & set(variant_groups(other)), (name, other)
    assert not set(variant_groups("Charles")) & set(variant_groups("Charlotte"))


def test_level_is_chosen_by_precedence_not_by_weight() -> None:
    """Batch linkage's SQL takes the first level that holds; so must the scorer, whatever the weights."""
    query = person("Willaim", "Smith", other_names=("Bill",))  # a typo, and a nickname as an alias
    record = person("William", "Smith")
    assert level(score(query, record), "forename") == "nickname"
    odd = dataclasses.replace(
        DEFAULT_WEIGHTS,
        forename={**DEFAULT_WEIGHTS.forename, "jaro_winkler_high": LevelProbabilities(0.5, 0.0001)},
    )
    assert level(score(query, record, weights=odd), "forename") == "nickname"


def test_an_exact_first_name_is_never_reinterpreted_as_swapped_names() -> None:
    # "John" is close to the other record's surname "Jon" and "Johns" to its first name "John", but
    # the first names agree exactly, so the names are not swapped.
    result = score(person("John", "Johns"), person("John", "Jon"))
    assert level(result, "forename") == "exact"
    assert level(result, "surname") == "jaro_winkler_medium"


def test_matching_nhs_number_means_no_family_check() -> None:
    nhs = "9434765919"
    twins = score(person("Oliver", "Smith", postcode="NN4 7SL"), person("Olivia", "Smith", postcode="NN4 7SL"))
    assert has_field(twins, "family_check")
    same_child = score(
        person("Olliver", "Smith", postcode="NN4 7SL", nhs_number=nhs),
        person("Olivia", "Smith", postcode="NN4 7SL", nhs_number=nhs),
    )
    assert not has_field(same_child, "family_check")


def _tf() -> TermFrequencies:
    return TermFrequencies(
        values={"forename": {"olivia": 0.02}, "surname": {"smith": 0.05, "zielinska": 0.00001}},
        floor={"forename": 0.00002, "surname": 0.00001},
    )


def test_term_frequencies_weigh_common_names_less() -> None:
    tf = _tf()
    smith = score(person("Olivia", "Smith"), person("Olivia", "Smith"), term_frequencies=tf)
    rare = score(person("Olivia", "Zielinska"), person("Olivia", "Zielinska"), term_frequencies=tf)
    plain = score(person("Olivia", "Smith"), person("Olivia", "Smith"))
    s_smith = next(c for c in smith.comparisons if c.field == "surname")
    s_rare = next(c for c in rare.comparisons if c.field == "surname")
    assert s_smith.weight == pytest.approx(math.log2(DEFAULT_WEIGHTS.surname["exact"].m / 0.05))
    assert s_smith.weight < next(c for c in plain.comparisons if c.field == "surname").weight < s_rare.weight
    assert "'Smith' is a common surname, so agreeing counts for less" in s_smith.explanation
    assert "'Zielinska' is a rare surname, so agreeing counts for more" in s_rare.explanation
    forename = next(c for c in smith.comparisons if c.field == "forename")
    assert "common first name" in forename.explanation
    assert smith.probability < rare.probability


def test_term_frequencies_leave_other_levels_and_initials_alone() -> None:
    tf = _tf()
    nickname = score(person("Alfie", "Smyth"), person("Alfred", "Smith"), term_frequencies=tf)
    assert nickname.comparisons[:2] == score(person("Alfie", "Smyth"), person("Alfred", "Smith")).comparisons[:2]
    initial = score(person("J", "Smith"), person("J", "Smith"), term_frequencies=tf)
    assert initial.comparisons[0].weight == DEFAULT_WEIGHTS.forename["exact"].weight
    unseen = score(person("Olivia", "Qwerty"), person("Olivia", "Qwerty"), term_frequencies=tf)
    assert unseen.comparisons[1].weight == pytest.approx(math.log2(DEFAULT_WEIGHTS.surname["exact"].m / 0.00001))
    ranked = score_many(person("Olivia", "Smith"), [person("Olivia", "Smith")], term_frequencies=tf)
    assert ranked[0][1] == score(person("Olivia", "Smith"), person("Olivia", "Smith"), term_frequencies=tf)
