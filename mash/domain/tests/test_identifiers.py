from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mash.domain.identifiers import (
    InvalidIdentifier,
    is_temporary_upn,
    is_valid_postcode,
    normalise_postcode,
    postcode_area,
    postcode_district,
    postcode_sector,
    upn_check_letter,
    validate_nhs_number,
    validate_upn,
)

# ---------------------------------------------------------------------------
# Independent reference implementations (written straight from the specs,
# deliberately not sharing code with the module under test).
# ---------------------------------------------------------------------------

REF_ALPHABET = "ABCDEFGHJKLMNPQRTUVWXYZ"  # A-Z without I, O, S


def ref_upn_letter(body: str) -> str:
    total = 0
    position = 2
    for char in body:
        value = int(char) if char.isdigit() else REF_ALPHABET.index(char)
        total += value * position
        position += 1
    return REF_ALPHABET[total % 23]


def ref_nhs_check(first_nine: str) -> int | None:
    total = 0
    for index, char in enumerate(first_nine):
        total += int(char) * (10 - index)
    check = 11 - total % 11
    if check == 11:
        return 0
    if check == 10:
        return None
    return check


# ---------------------------------------------------------------------------
# Postcodes
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("nn47sl", "NN4 7SL"),
        ("NN4 7SL", "NN4 7SL"),
        ("  nn4   7sl ", "NN4 7SL"),
        ("sw1a1aa", "SW1A 1AA"),
        ("W1A 0AX", "W1A 0AX"),
        ("M1 1AE", "M1 1AE"),
        ("B33 8TH", "B33 8TH"),
        ("CR2 6XH", "CR2 6XH"),
        ("DN55 1PT", "DN55 1PT"),
        ("EC1A 1BB", "EC1A 1BB"),
        ("nn4-7sl", "NN4 7SL"),
    ],
)
def test_normalise_postcode_valid(raw: str, expected: str) -> None:
    assert normalise_postcode(raw) == expected
    assert is_valid_postcode(raw)


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "   ",
        "NN4",
        "7SL",
        "NN4 7S",
        "NN4 7SLL",
        "12345",
        "NN4 7CL",  # C never appears in an inward code
        "QN4 7SL",  # Q never starts a postcode
        "ZZ99 3VZ",  # NHS pseudo-postcode: no fixed abode
        "zz993cz",
        "ZZ99 3WZ",
        "not a postcode",
    ],
)
def test_normalise_postcode_invalid(raw: str) -> None:
    assert normalise_postcode(raw) is None
    assert not is_valid_postcode(raw)


def test_normalise_postcode_none() -> None:
    assert normalise_postcode(None) is None


def test_postcode_parts() -> None:
    assert postcode_district("nn47sl") == "NN4"
    assert postcode_area("NN4 7SL") == "NN"
    assert postcode_sector("NN4 7SL") == "NN4 7"
    assert postcode_area("M1 1AE") == "M"
    assert postcode_district("SW1A 1AA") == "SW1A"
    assert postcode_sector("SW1A 1AA") == "SW1A 1"


def test_postcode_parts_reject_invalid() -> None:
    with pytest.raises(InvalidIdentifier, match="not a valid UK postcode"):
        postcode_district("ZZ99 3VZ")


# ---------------------------------------------------------------------------
# NHS numbers
# ---------------------------------------------------------------------------


def test_known_valid_nhs_number() -> None:
    assert validate_nhs_number("9434765919") == "9434765919"
    assert validate_nhs_number("943 476 5919") == "9434765919"
    assert validate_nhs_number("943-476-5919") == "9434765919"


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ("", "blank"),
        ("  ", "blank"),
        ("943476591", "10 digits"),
        ("94347659190", "10 digits"),
        ("94347659A9", "only contain digits"),
        ("0000000000", "same digit"),
        ("1111111111", "same digit"),
        ("9434765918", "check digit"),
    ],
)
def test_invalid_nhs_numbers(raw: str, fragment: str) -> None:
    with pytest.raises(InvalidIdentifier, match=fragment) as exc_info:
        validate_nhs_number(raw)
    assert isinstance(exc_info.value, ValueError)
    assert str(exc_info.value)


def test_nhs_number_where_check_would_be_ten_is_rejected() -> None:
    # Find a nine-digit stem whose check digit would be 10.
    stem = next(f"{n:09d}" for n in range(100000000, 100001000) if ref_nhs_check(f"{n:09d}") is None)
    for last in "0123456789":
        with pytest.raises(InvalidIdentifier):
            validate_nhs_number(stem + last)


@given(st.text(alphabet="0123456789", min_size=9, max_size=9))
def test_nhs_numbers_match_reference(stem: str) -> None:
    check = ref_nhs_check(stem)
    for last in "0123456789":
        number = stem + last
        should_pass = check is not None and int(last) == check and len(set(number)) > 1
        if should_pass:
            assert validate_nhs_number(number) == number
        else:
            with pytest.raises(InvalidIdentifier):
                validate_nhs_number(number)


# ---------------------------------------------------------------------------
# Unique Pupil Numbers
# ---------------------------------------------------------------------------


def test_worked_example() -> None:
    # 2*2 + 4*7 + 9*1 + 10*6 + 12*4 + 13*9 = 266; 266 mod 23 = 13 -> "P".
    assert ref_upn_letter("207000016049") == "P"
    assert validate_upn("P207000016049") == "P207000016049"
    with pytest.raises(InvalidIdentifier, match="check letter"):
        validate_upn("B207000016049")


def test_another_published_example() -> None:
    assert validate_upn("B801200005001") == "B801200005001"
    assert validate_upn(" b8012 0000 5001 ") == "B801200005001"
    with pytest.raises(InvalidIdentifier):
        validate_upn("A801200005001")


upn_bodies = st.builds(
    lambda digits, last: digits + last,
    st.text(alphabet="0123456789", min_size=11, max_size=11),
    st.sampled_from(list("0123456789") + list(REF_ALPHABET)),
)


@given(upn_bodies)
def test_upn_against_reference(body: str) -> None:
    letter = ref_upn_letter(body)
    upn = letter + body
    assert upn_check_letter(body) == letter
    assert validate_upn(upn) == upn
    assert validate_upn(upn.lower()) == upn
    assert is_temporary_upn(upn) == body[-1].isalpha()
    for wrong in REF_ALPHABET:
        if wrong != letter:
            with pytest.raises(InvalidIdentifier):
                validate_upn(wrong + body)


def test_temporary_upn() -> None:
    body = "80120000501" + "A"
    upn = ref_upn_letter(body) + body
    assert is_temporary_upn(upn)
    assert not is_temporary_upn("P207000016049")


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ("", "blank"),
        ("P20700001604", "13 characters"),
        ("P2070000160499", "13 characters"),
        ("1207000016049", "check letter"),
        ("I207000016049", "check letter"),
        ("P2070A0016049", "must be digits"),
        ("P20700001604I", "last character"),
    ],
)
def test_invalid_upns(raw: str, fragment: str) -> None:
    with pytest.raises(InvalidIdentifier, match=fragment):
        validate_upn(raw)


def test_invalid_identifier_message_is_plain() -> None:
    with pytest.raises(InvalidIdentifier) as exc_info:
        validate_upn("P20700001604")
    assert exc_info.value.message == str(exc_info.value)
    assert "13 characters" in exc_info.value.message
