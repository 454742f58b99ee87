"""The comparison inputs of batch linkage: one flat row per person record.

Batch linkage (:mod:`mash.matching.linkage`) compares millions of pairs in SQL
(Splink on DuckDB or Spark), where Python's name normalisation, variant lists
and identifier checks are not available. So every record is turned once into
the columns below, computed with the *same* helpers the interactive scorer
(:func:`mash.domain.matching.score`) uses, and the SQL comparison levels only
test equality, list overlap and Jaro-Winkler on these columns. That is what
lets a pair reach the same level in both (see ``docs/decisions/0003``).

Names: every alternative the scorer tries as a first name (the first forename,
the whole forename run together, each other name) is in ``forename_keys``,
with their variant groups and Metaphone keys beside them, so "exact",
"nickname" and "phonetic" become list overlaps. Single letters are left out:
batch linkage does not compare initials (the interactive scorer does, with
its untrained "initial" level). Dates of birth are split into parts and a
day/month-swapped copy; an expected date of delivery (unborn baby) is not
compared in batch. Invalid NHS numbers and UPNs, invalid postcodes and NHS
pseudo-postcodes become ``None``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from functools import lru_cache
from typing import Any, Final

from mash.domain.identifiers import normalise_postcode
from mash.domain.matching import (
    PersonRecord,
    _forename_options,
    _metaphone,
    _postcode_area,
    _tokenise,
    _valid_nhs_number,
    _valid_upn,
    normalise_sex,
    variant_groups,
)

__all__ = [
    "FEATURE_COLUMNS",
    "LIST_COLUMNS",
    "dob_columns",
    "features",
    "forename_columns",
    "identifier_columns",
    "postcode_columns",
    "sex_column",
    "surname_columns",
]

FEATURE_COLUMNS: Final = (
    "forename1",  # the first name alternative (normally the first forename): term frequencies, blocking
    "forename_keys",  # every first-name alternative, or None when there is none
    "forename_multi",  # more than one alternative (otherwise SQL compares forename1 and forename_mp)
    "forename_groups",  # their variant groups
    "forename_mp",  # Metaphone of forename1: blocking
    "forename_mps",  # Metaphone of every alternative
    "surname",
    "surname_mp",
    "surname_groups",
    "surname_parts",  # the parts of a double-barrelled surname (two letters or more)
    "surname_tokens_n",  # how many different parts the surname has
    "dob",  # ISO date
    "dob_swapped",  # the same date with day and month swapped, when that is a date
    "dob_year",
    "dob_month",
    "dob_day",
    "sex",
    "postcode",
    "pc_sector",
    "pc_district",
    "pc_area",
    "nhs_number",
    "upn",
    "upn_temporary",
)
LIST_COLUMNS: Final = frozenset({"forename_keys", "forename_groups", "forename_mps", "surname_groups", "surname_parts"})


def _unique(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v for v in values if v))


# The pieces below each depend on one input value, and names, dates and postcodes repeat across a
# person index: batch linkage works each distinct value out once (mash.matching.linkage.records_frame).
# Lists are tuples here, because the results are shared: features() hands out lists.


@lru_cache(maxsize=65536)
def forename_columns(forenames: str, other_names: tuple[str, ...]) -> dict[str, Any]:
    options, _, _ = _forename_options(forenames, other_names)
    keys = _unique(o.key for o in options if len(o.key) > 1)
    forename1 = keys[0] if keys else None
    return {
        "forename1": forename1,
        "forename_keys": keys or None,
        "forename_multi": len(keys) > 1,
        "forename_groups": tuple(sorted({g for k in keys for g in variant_groups(k)})),
        "forename_mp": (_metaphone(forename1) or None) if forename1 else None,
        "forename_mps": _unique(_metaphone(k) for k in keys),
    }


@lru_cache(maxsize=65536)
def surname_columns(surname: str) -> dict[str, Any]:
    tokens = [t for t, _ in _tokenise(surname)]
    key = "".join(tokens)
    compared = key if len(key) > 1 else None
    return {
        "surname": compared,
        "surname_mp": (_metaphone(compared) or None) if compared else None,
        "surname_groups": variant_groups(compared) if compared else (),
        "surname_parts": tuple(sorted({t for t in tokens if len(t) > 1})) if compared else (),
        "surname_tokens_n": len(set(tokens)),
    }


def _swap_day_month(d: date) -> str | None:
    if d.day == d.month:
        return None
    try:
        return date(d.year, d.day, d.month).isoformat()
    except ValueError:
        return None


_NO_DOB: Final[dict[str, Any]] = {"dob": None, "dob_swapped": None, "dob_year": None, "dob_month": None, "dob_day": None}


def dob_columns(dob: date | None, expected: bool = False) -> dict[str, Any]:
    if dob is None or expected:
        return _NO_DOB
    return _dob_columns(dob)


@lru_cache(maxsize=65536)
def _dob_columns(dob: date) -> dict[str, Any]:
    return {
        "dob": dob.isoformat(),
        "dob_swapped": _swap_day_month(dob),
        "dob_year": dob.year,
        "dob_month": dob.month,
        "dob_day": dob.day,
    }


@lru_cache(maxsize=65536)
def postcode_columns(postcode: str) -> dict[str, Any]:
    # The same parts the interactive scorer compares (matching._compare_postcode).
    pc = normalise_postcode(postcode)
    if pc is None:
        return {"postcode": None, "pc_sector": None, "pc_district": None, "pc_area": None}
    return {"postcode": pc, "pc_sector": pc[:-2], "pc_district": pc.split(" ")[0], "pc_area": _postcode_area(pc)}


def identifier_columns(nhs_number: str | None, upn: str | None) -> dict[str, Any]:
    valid_nhs, _ = _valid_nhs_number(nhs_number)
    valid_upn, _ = _valid_upn(upn)
    return {
        "nhs_number": valid_nhs,
        "upn": valid_upn,
        "upn_temporary": valid_upn is not None and valid_upn[12].isalpha(),
    }


def sex_column(sex: str) -> str | None:
    return normalise_sex(sex) or None


def features(record: PersonRecord) -> dict[str, Any]:
    """The comparison inputs for one record (keys: :data:`FEATURE_COLUMNS`).

    List columns are lists (``forename_keys`` is ``None`` when there is no first name to compare).
    """
    row = {
        **forename_columns(record.forenames or "", tuple(record.other_names)),
        **surname_columns(record.surname or ""),
        **dob_columns(record.dob, record.dob_is_expected),
        "sex": sex_column(record.sex),
        **postcode_columns(record.postcode or ""),
        **identifier_columns(record.nhs_number, record.upn),
    }
    for name in LIST_COLUMNS:
        if row[name] is not None:
            row[name] = list(row[name])
    return row
