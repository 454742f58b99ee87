"""From benchmark records to what each system takes as input.

Synthetic records and FEBRL both arrive as a "raw" frame: ``record_id``, ``truth`` (the true entity),
``forenames``, ``surname``, ``dob`` (datetime or NaT), ``sex``, ``postcode``, ``address``,
``nhs_number``, ``upn``, as an agency would send them.

* MASH gets :class:`~mash.domain.matching.PersonRecord` objects built the way the product builds them
  (``mash.people.services.person_record`` for the index; extract rows likewise) and does all of its own
  normalisation.
* Splink and recordlinkage get the *same standard cleaning* MASH applies before comparing (so neither
  baseline is handicapped by dirt MASH is allowed to clean away): names lowercased, accents and
  punctuation removed (``normalise_name``); postcodes in canonical form, with malformed ones and NHS
  pseudo-postcodes (ZZ99) as null (``normalise_postcode``); sex as M/F or null; NHS numbers and UPNs
  that fail their check digit as null. Splink's own documentation asks for cleaned, standardised input.
  What the baselines do *not* get is anything MASH computes beyond cleaning (Metaphone keys, nickname
  groups, swapped-date keys): those are part of what is being compared.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pandas as pd

from mash.domain.identifiers import InvalidIdentifier, normalise_postcode, validate_nhs_number, validate_upn
from mash.domain.matching import PersonRecord, normalise_name, normalise_sex

from .synthetic import Dataset

RAW_COLUMNS = ("record_id", "truth", "forenames", "surname", "dob", "sex", "postcode", "address", "nhs_number", "upn")


def raw_from_synthetic(records: pd.DataFrame) -> pd.DataFrame:
    raw = records.rename(columns={"person_id": "truth"})
    return raw[list(RAW_COLUMNS)].reset_index(drop=True)


def synthetic_raw(data: Dataset) -> pd.DataFrame:
    return raw_from_synthetic(data.records)


def _date(value: object) -> date | None:
    if value is None or pd.isna(value):  # type: ignore[arg-type]
        return None
    return pd.Timestamp(value).date()  # type: ignore[arg-type]


def person_records(raw: pd.DataFrame) -> Iterator[tuple[str, PersonRecord]]:
    """(unique id, PersonRecord) pairs as MASH's linkage takes them."""
    for row in raw.itertuples(index=False):
        yield (
            str(row.record_id),
            PersonRecord(
                forenames=row.forenames or "",
                surname=row.surname or "",
                dob=_date(row.dob),
                sex=row.sex if row.sex in ("M", "F") else "",
                postcode=row.postcode or None,
                address=row.address or "",
                nhs_number=row.nhs_number or None,
                upn=row.upn or None,
            ),
        )


def _valid(value: str, check: object) -> str | None:
    if not value:
        return None
    try:
        return check(value)  # type: ignore[operator,no-any-return]
    except InvalidIdentifier:
        return None


def _clean_name(value: str) -> str | None:
    return normalise_name(value) or None


def _map_unique(values: pd.Series, fn: object) -> pd.Series:
    """Apply ``fn`` once per distinct value (names and postcodes repeat a great deal)."""
    codes, uniques = pd.factorize(values.fillna(""), sort=False)
    mapped = pd.Series([fn(u) for u in uniques], dtype=object)  # type: ignore[operator]
    return pd.Series(mapped.to_numpy()[codes], index=values.index, dtype=object)


def baseline_frame(raw: pd.DataFrame) -> pd.DataFrame:
    """The cleaned frame both baselines link: one column per field, nulls for missing or invalid."""
    forenames = _map_unique(raw["forenames"], _clean_name)
    first = _map_unique(forenames, lambda s: s.split(" ")[0] if s else None)
    dob = pd.to_datetime(raw["dob"])
    out = pd.DataFrame(
        {
            "unique_id": raw["record_id"].astype(str),
            "first_name": first,
            "surname": _map_unique(raw["surname"], _clean_name),
            "dob": dob.dt.strftime("%Y-%m-%d").astype(object).where(dob.notna(), None),
            "postcode": _map_unique(raw["postcode"], lambda p: normalise_postcode(p) if p else None),
            "sex": _map_unique(raw["sex"], lambda s: normalise_sex(s) or None),
            "nhs_number": _map_unique(raw["nhs_number"], lambda v: _valid(v, validate_nhs_number)),
            "upn": _map_unique(raw["upn"], lambda v: _valid(v, validate_upn)),
        }
    )
    both = out["first_name"].notna() & out["surname"].notna()
    out["first_name_surname_concat"] = (out["first_name"] + " " + out["surname"]).where(both, None)
    return out
