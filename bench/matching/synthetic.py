"""Seeded synthetic multi-agency person records with ground truth.

A population of ``n`` people living in households (parents and children, lone parents, half-siblings
with other surnames, twins, single adults) across a UK-style postcode geography. Every person has one
*index* record (what the MASH person index holds); many also appear in police, health, school and
social care records, each written down with the mistakes seen in practice. ``person_id`` on every
record is the ground truth.

Everything is drawn from one ``numpy.random.Generator`` in a fixed order, so the same ``(n, seed)``
always gives byte-identical frames. The bulk of the work is vectorised; per-record Python only runs
on the small subsets that a corruption applies to.

The rates are in :data:`RATES` and :data:`AGENCY_RATES` (documented in bench/README.md); the
``corruptions`` column of each record names what was done to it, so tests and the README can count
them.
"""

from __future__ import annotations

import argparse
import csv
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from mash.domain.identifiers import UPN_CHECK_ALPHABET, upn_check_letter

from . import names as N

GENERATOR_VERSION = 6
DEFAULT_SEED = 5
REFERENCE_DATE = date(2025, 6, 30)  # "today" for the synthetic caseload, fixed so data never drifts
CACHE_DIR = Path(__file__).resolve().parents[1] / ".cache"
NAME_VARIANTS_CSV = Path(__file__).resolve().parents[2] / "mash" / "domain" / "data" / "name_variants.csv"
AGENCIES = ("index", "police", "health", "school", "social_care")
PSEUDO_POSTCODES = ("ZZ99 3VZ", "ZZ99 3WZ", "ZZ99 3CZ")  # NHS: no fixed abode, not known, overseas
HOME_LA = "928"
OTHER_LAS = ("201", "202", "330", "826", "855", "856", "873", "886", "926", "380")

# Per agency record: the probability that each corruption is applied (when it can be: a nickname needs
# a name with known variants, a day/month swap needs a day <= 12, and so on).
RATES: dict[str, float] = {
    "forename_typo": 0.07,
    "surname_typo": 0.06,
    "forename_variant": 0.10,
    "forename_respelt": 0.03,
    "surname_variant": 0.03,
    "surname_respelt": 0.02,
    "known_by_middle_name": 0.03,
    "forename_initial": 0.01,
    "names_swapped": 0.02,
    "surname_changed": 0.05,
    "dob_day_month_swapped": 0.03,
    "dob_year_off_by_one": 0.02,
    "dob_digit_wrong": 0.03,
    "dob_missing": 0.04,
    "sex_missing": 0.06,
    "sex_wrong": 0.005,
    "postcode_missing": 0.06,
    "postcode_pseudo": 0.015,
    "postcode_typo": 0.01,
    "old_address": 0.22,
    "address_abbreviated": 0.30,
    "address_missing": 0.05,
    "nhs_invalid": 0.02,
    "upn_invalid": 0.02,
    "punctuation_dropped": 0.30,
}
# Agency-specific overrides (police systems are uppercase and have more missing dates of birth;
# health records more often carry pseudo-postcodes).
AGENCY_RATES: dict[str, dict[str, float]] = {
    "police": {"dob_missing": 0.08, "names_swapped": 0.03, "uppercase": 0.6},
    "health": {"postcode_pseudo": 0.04, "uppercase": 0.05},
    "school": {"dob_missing": 0.01, "uppercase": 0.02},
    "social_care": {"uppercase": 0.05},
}
# Probability that an agency's record carries each identifier, when the person has one.
IDENTIFIER_PRESENCE: dict[str, tuple[float, float]] = {  # agency -> (NHS number, UPN)
    "police": (0.03, 0.0),
    "health": (0.90, 0.0),
    "school": (0.05, 0.95),
    "social_care": (0.40, 0.30),
}
# Index records: mostly clean, but not every identifier is on the index and some details are stale.
INDEX_RATES: dict[str, float] = {
    "dob_missing_adult": 0.03,
    "dob_missing_child": 0.005,
    "sex_unknown": 0.01,
    "postcode_missing": 0.02,
    "stale_address": 0.05,
    "nhs_on_index_child": 0.70,
    "nhs_on_index_adult": 0.35,
    "upn_on_index": 0.45,
    "middle_name_on_index": 0.70,
}
# How many agency records a person has (0..4), by role.
EXTRA_RECORDS = {
    "child": (0.35, 0.33, 0.18, 0.10, 0.04),
    "adult": (0.55, 0.28, 0.11, 0.05, 0.01),
}


@dataclass(frozen=True)
class Dataset:
    n_people: int
    seed: int
    people: pd.DataFrame  # one row per person: the truth
    records: pd.DataFrame  # index + agency records, with person_id as ground truth
    queries: pd.DataFrame  # record_id of held-out agency records used as interactive searches

    @property
    def index_records(self) -> pd.DataFrame:
        return self.records[self.records["agency"] == "index"]


def parse_size(text: str) -> int:
    """'10k' -> 10000, '1M' -> 1000000, '2500' -> 2500."""
    t = text.strip().lower().replace("_", "")
    factor = 1
    if t.endswith("k"):
        factor, t = 1_000, t[:-1]
    elif t.endswith("m"):
        factor, t = 1_000_000, t[:-1]
    return int(float(t) * factor)


def size_label(n: int) -> str:
    if n >= 1_000_000 and n % 1_000_000 == 0:
        return f"{n // 1_000_000}M"
    if n >= 1_000 and n % 1_000 == 0:
        return f"{n // 1_000}k"
    return str(n)


# ---------------------------------------------------------------------------------------------
# Name pools and variants
# ---------------------------------------------------------------------------------------------


def _zipf_weights(n: int, s: float = 1.0, offset: float = 2.0) -> np.ndarray:
    w = 1.0 / np.power(np.arange(n) + offset, s)
    return w / w.sum()


def _unique(seq: Sequence[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(seq))


@lru_cache(maxsize=1)
def _surname_pools() -> dict[str, tuple[np.ndarray, np.ndarray]]:
    pools = {}
    for group in N.GROUPS:
        common = _unique(N.SURNAMES[group])
        weights = _zipf_weights(len(common), s=1.05)
        if group == "uk":
            tail = N.uk_surname_tail()
            # The tail holds about a third of people, each tail name rare.
            names = np.array(common + tail, dtype=object)
            weights = np.concatenate([weights * 0.67, np.full(len(tail), 0.33 / len(tail))])
        else:
            names = np.array(common, dtype=object)
        pools[group] = (names, weights / weights.sum())
    return pools


@lru_cache(maxsize=1)
def _forename_pools() -> dict[tuple[str, str], tuple[np.ndarray, np.ndarray]]:
    pools = {}
    for group in N.GROUPS:
        for key, names in N.FORENAMES[group].items():
            unique = _unique(names)
            pools[(group, key)] = (np.array(unique, dtype=object), _zipf_weights(len(unique), s=0.95, offset=3.0))
    return pools


def _compact(name: str) -> str:
    return "".join(ch for ch in name.lower() if ch.isalnum())


@lru_cache(maxsize=1)
def name_variant_map() -> dict[str, tuple[str, ...]]:
    """compact name -> other names in any of its variant groups (as in mash/domain/data/name_variants.csv)."""
    groups: dict[str, set[str]] = {}
    with NAME_VARIANTS_CSV.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            g, n = row["group"].strip(), row["name"].strip()
            if g and n:
                groups.setdefault(g.lower(), {g.lower()}).add(n.lower())
    index: dict[str, set[str]] = {}
    for members in groups.values():
        for m in members:
            index.setdefault(_compact(m), set()).update(members)
    return {k: tuple(sorted(v - {k} - {x for x in v if _compact(x) == k})) for k, v in index.items()}


def _display(name: str) -> str:
    return "-".join(part[:1].upper() + part[1:] for part in name.split("-"))


# ---------------------------------------------------------------------------------------------
# Geography
# ---------------------------------------------------------------------------------------------

_INWARD_LETTERS = np.array(list("ABDEFGHJLNPQRSTUWXYZ"))


@dataclass(frozen=True)
class Geography:
    postcode: np.ndarray  # per unit: "NN4 7SL"
    district: np.ndarray  # per unit: index of its district (for "moved nearby")
    street: np.ndarray  # per unit: "Oak Road"
    street_short: np.ndarray  # per unit: "Oak Rd"
    town: np.ndarray


def _geography(rng: np.random.Generator, n_units: int) -> Geography:
    areas = N.POSTCODE_AREAS
    area_w = np.array([0.50, 0.20, 0.15] + [0.15 / (len(areas) - 3)] * (len(areas) - 3))
    # Districts: home areas have ~30 districts, others ~20; district popularity is skewed.
    n_districts = np.array([30, 25, 25] + [20] * (len(areas) - 3))
    n_target = int(n_units * 1.15) + 50
    area = rng.choice(len(areas), size=n_target, p=area_w / area_w.sum())
    dnum = np.empty(n_target, dtype=np.int64)
    for a in range(len(areas)):
        m = area == a
        dnum[m] = 1 + rng.choice(n_districts[a], size=int(m.sum()), p=_zipf_weights(int(n_districts[a]), s=0.6))
    sector = rng.integers(0, 10, size=n_target)
    l1 = _INWARD_LETTERS[rng.integers(0, len(_INWARD_LETTERS), size=n_target)]
    l2 = _INWARD_LETTERS[rng.integers(0, len(_INWARD_LETTERS), size=n_target)]
    area_codes = np.array([a for a, _ in areas], dtype=object)
    outward = area_codes[area] + dnum.astype(str).astype(object)
    postcode = outward + " " + sector.astype(str).astype(object) + l1.astype(object) + l2.astype(object)
    _, first = np.unique(postcode.astype(str), return_index=True)
    keep = np.sort(first)[:n_units]
    if len(keep) < n_units:
        raise RuntimeError("could not draw enough distinct postcodes")
    postcode, area, dnum = postcode[keep], area[keep], dnum[keep]
    district_key = area * 100 + dnum
    stems = np.array(N.STREET_STEMS, dtype=object)
    types = N.STREET_TYPES
    s_idx = rng.integers(0, len(stems), size=n_units)
    t_idx = rng.integers(0, len(types), size=n_units)
    long_types = np.array([t for t, _ in types], dtype=object)
    short_types = np.array([s for _, s in types], dtype=object)
    street = stems[s_idx] + " " + long_types[t_idx]
    street_short = stems[s_idx] + " " + short_types[t_idx]
    towns = np.array([t for _, t in areas], dtype=object)
    return Geography(postcode, district_key, street, street_short, towns[area])


# ---------------------------------------------------------------------------------------------
# Identifiers
# ---------------------------------------------------------------------------------------------

_NHS_WEIGHTS = np.array([10, 9, 8, 7, 6, 5, 4, 3, 2])


def nhs_check_digits(bodies: np.ndarray) -> np.ndarray:
    """Modulus 11 check digit for 9-digit integers (10 means no valid number exists)."""
    digits = (bodies[:, None] // (10 ** np.arange(8, -1, -1))) % 10
    check = 11 - (digits @ _NHS_WEIGHTS) % 11
    return np.where(check == 11, 0, check)


def _nhs_numbers(rng: np.random.Generator, n: int) -> np.ndarray:
    out: np.ndarray = np.empty(0, dtype=np.int64)
    while len(out) < n:
        bodies = rng.integers(400_000_000, 800_000_000, size=int((n - len(out)) * 1.2) + 16)
        check = nhs_check_digits(bodies)
        ok = check != 10
        full = bodies[ok] * 10 + check[ok]
        out = np.concatenate([out, full])
        _, first = np.unique(out, return_index=True)
        out = out[np.sort(first)]
    return np.array([f"{x:010d}" for x in out[:n]], dtype=object)


def _upns(rng: np.random.Generator, dob_year: np.ndarray, n_schools: int) -> np.ndarray:
    n = len(dob_year)
    la = np.where(rng.random(n) < 0.85, HOME_LA, np.array(OTHER_LAS, dtype=object)[rng.integers(0, len(OTHER_LAS), n)])
    school = rng.integers(0, n_schools, size=n)
    estab = np.where(school % 3 == 0, 4000 + school // 3, 2000 + school)
    year = (dob_year + 4 + (rng.random(n) < 0.5)) % 100
    frame = pd.DataFrame({"la": la, "estab": estab, "year": year})
    serial = frame.groupby(["la", "estab", "year"]).cumcount().to_numpy()
    if serial.max(initial=0) >= 1000:
        raise RuntimeError("too many pupils per school and year for 3-digit UPN serials")
    temporary = rng.random(n) < 0.03
    letters = np.array(list(UPN_CHECK_ALPHABET))[rng.integers(0, len(UPN_CHECK_ALPHABET), n)]
    out = np.empty(n, dtype=object)
    for i in range(n):
        if temporary[i]:
            body = f"{la[i]}{estab[i]:04d}{year[i]:02d}{serial[i] % 100:02d}{letters[i]}"
        else:
            body = f"{la[i]}{estab[i]:04d}{year[i]:02d}{serial[i]:03d}"
        out[i] = upn_check_letter(body) + body
    return out


# ---------------------------------------------------------------------------------------------
# String corruptions (per record, on the small subsets they apply to)
# ---------------------------------------------------------------------------------------------

_KEYBOARD = {
    "q": "wa", "w": "qes", "e": "wrd", "r": "etf", "t": "ryg", "y": "tuh", "u": "yij", "i": "uok",
    "o": "ipl", "p": "ol", "a": "qsz", "s": "adwx", "d": "sfe", "f": "dgr", "g": "fht", "h": "gjy",
    "j": "hku", "k": "jli", "l": "ko", "z": "xa", "x": "zcs", "c": "xvd", "v": "cbf", "b": "vng",
    "n": "bmh", "m": "nj",
}  # fmt: skip


def typo(word: str, r: np.random.Generator) -> tuple[str, str]:
    """One keying error: insert, delete, substitute (a neighbouring key) or transpose. Returns (word, kind)."""
    letters = [i for i, ch in enumerate(word) if ch.isalpha()]
    if len(letters) < 3:
        return word, ""
    kind = ("insert", "delete", "substitute", "transpose")[int(r.integers(0, 4))]
    # Mistakes at the very start of a name are rarer: people check the first letter.
    pos = letters[int(r.integers(1, len(letters)))]
    ch = word[pos]
    lower = ch.lower()
    if kind == "insert":
        new = ch if r.random() < 0.5 else _KEYBOARD.get(lower, "e")[int(r.integers(0, len(_KEYBOARD.get(lower, "e"))))]
        return word[:pos] + new + word[pos:], kind
    if kind == "delete":
        return word[:pos] + word[pos + 1 :], kind
    if kind == "substitute":
        options = _KEYBOARD.get(lower, "aeiou")
        new = options[int(r.integers(0, len(options)))]
        new = new.upper() if ch.isupper() else new
        return word[:pos] + new + word[pos + 1 :], kind
    if pos + 1 < len(word) and word[pos + 1].isalpha() and word[pos + 1] != ch:
        return word[:pos] + word[pos + 1] + ch + word[pos + 2 :], kind
    if word[pos - 1].isalpha() and word[pos - 1] != ch:
        return word[: pos - 1] + ch + word[pos - 1] + word[pos + 1 :], kind
    return word[:pos] + word[pos + 1 :], "delete"


def _variant(name: str, r: np.random.Generator) -> str | None:
    options = name_variant_map().get(_compact(name))
    if not options:
        return None
    return _display(options[int(r.integers(0, len(options)))])


# Spelling changes that keep a name's sound (Caitlin/Kaitlyn, Stephen/Steven, Thompson/Thomson):
# variants that no list of nicknames holds.
_RESPELLINGS = (
    ("ph", "f"), ("f", "ph"), ("y", "i"), ("i", "y"), ("ck", "k"), ("c", "k"), ("k", "c"), ("ee", "i"),
    ("ie", "y"), ("y", "ie"), ("ey", "y"), ("ll", "l"), ("nn", "n"), ("tt", "t"), ("mm", "m"), ("l", "ll"),
    ("n", "nn"), ("t", "tt"), ("ou", "u"), ("oo", "u"), ("ai", "ay"), ("ay", "ai"), ("ei", "ey"), ("z", "s"),
    ("s", "z"), ("ae", "a"), ("th", "t"), ("mps", "ms"), ("ke", "k"), ("a", "e"), ("e", "a"),
)  # fmt: skip


def respell(name: str, r: np.random.Generator) -> str | None:
    """The name spelt another way that sounds the same, or None when no rule applies."""
    lower = name.lower()
    options = []
    for old, new in _RESPELLINGS:
        start = lower.find(old, 1)  # never the first letter: that is the one people check
        while start != -1:
            options.append((start, old, new))
            start = lower.find(old, start + 1)
    if not options:
        return None
    start, old, new = options[int(r.integers(0, len(options)))]
    out = name[:start] + new + name[start + len(old) :]
    return out if out.lower() != lower else None


def _valid_date(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def _dob_digit_wrong(d: date, r: np.random.Generator) -> date | None:
    for _ in range(12):
        s = list(f"{d.day:02d}{d.month:02d}{d.year:04d}")
        pos = (0, 1, 2, 3, 6, 7)[int(r.integers(0, 6))]
        new = str(int(r.integers(0, 10)))
        if new == s[pos]:
            continue
        s[pos] = new
        text = "".join(s)
        cand = _valid_date(int(text[4:]), int(text[2:4]), int(text[:2]))
        if cand is not None and cand != d and cand <= REFERENCE_DATE:
            return cand
    return None


def _nhs_mistyped(nhs: str, r: np.random.Generator) -> str:
    from mash.domain.identifiers import InvalidIdentifier, validate_nhs_number

    for _ in range(20):
        pos = int(r.integers(0, 10))
        new = str(int(r.integers(0, 10)))
        cand = nhs[:pos] + new + nhs[pos + 1 :]
        try:
            validate_nhs_number(cand)
        except InvalidIdentifier:
            return cand
    return nhs[:9] + str((int(nhs[9]) + 1) % 10)


def _upn_mistyped(upn: str, r: np.random.Generator) -> str:
    # A transposition of two adjacent digits in the middle almost always breaks the check letter.
    pos = int(r.integers(4, 10))
    cand = upn[:pos] + upn[pos + 1] + upn[pos] + upn[pos + 2 :]
    if cand == upn:
        cand = upn[:pos] + str((int(upn[pos]) + 1) % 10) + upn[pos + 1 :]
    return cand


# ---------------------------------------------------------------------------------------------
# Population
# ---------------------------------------------------------------------------------------------


def _draw_names(rng: np.random.Generator, group: np.ndarray, key: np.ndarray) -> np.ndarray:
    """Forenames for people with community ``group`` and cohort/sex key ``key`` ('child_F' ...)."""
    out = np.empty(len(group), dtype=object)
    pools = _forename_pools()
    for g_i, g in enumerate(N.GROUPS):
        for k in ("child_M", "child_F", "adult_M", "adult_F"):
            m = (group == g_i) & (key == k)
            count = int(m.sum())
            if count:
                names, w = pools[(g, k)]
                out[m] = names[rng.choice(len(names), size=count, p=w)]
    return out


def _draw_surnames(rng: np.random.Generator, group: np.ndarray) -> np.ndarray:
    out = np.empty(len(group), dtype=object)
    pools = _surname_pools()
    for g_i, g in enumerate(N.GROUPS):
        m = group == g_i
        count = int(m.sum())
        if count:
            names, w = pools[g]
            out[m] = names[rng.choice(len(names), size=count, p=w)]
    return out


def _feminine(surname: str, adult: bool) -> str:
    for masc, fem in N.FEMININE_ENDINGS:
        if surname.endswith(masc):
            if masc == "as":
                return surname[: -len(masc)] + ("ienė" if adult else "aitė")
            return surname[: -len(masc)] + fem
    return surname


def _days(d: np.ndarray) -> np.ndarray:
    return d.astype("datetime64[D]")


def _people(rng: np.random.Generator, n: int) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    ref = np.datetime64(REFERENCE_DATE.isoformat(), "D")
    # Households: families (one or two adults and children) and adults living without children.
    h_est = int(n / 2.9 * 1.1) + 10
    family = rng.random(h_est) < 0.88
    n_adults = np.where(family, 1 + (rng.random(h_est) < 0.55), 1 + (rng.random(h_est) < 0.30))
    n_children = np.where(family, 1 + rng.choice(6, size=h_est, p=[0.30, 0.30, 0.20, 0.11, 0.06, 0.03]), 0)
    size = n_adults + n_children
    cum = np.cumsum(size)
    h = int(np.searchsorted(cum, n)) + 1
    family, n_adults, n_children, size = family[:h], n_adults[:h], n_children[:h], size[:h].copy()
    over = int(cum[h - 1] - n)
    if over:  # trim the last household to hit n exactly
        drop_children = min(over, int(n_children[-1]))
        n_children[-1] -= drop_children
        n_adults[-1] -= over - drop_children
        size[-1] -= over
    group_h = rng.choice(len(N.GROUPS), size=h, p=np.array(N.GROUP_SHARES) / sum(N.GROUP_SHARES))

    hh = np.repeat(np.arange(h), size)
    starts = np.repeat(np.cumsum(size) - size, size)
    member = np.arange(n) - starts
    is_adult = member < np.repeat(n_adults, size)
    role = np.where(is_adult, "adult", "child")
    child_rank = member - np.repeat(n_adults, size)  # 0 = youngest child

    group = group_h[hh].copy()
    second = is_adult & (member == 1)
    mixed = second & (rng.random(n) < 0.15)
    group[mixed] = rng.choice(len(N.GROUPS), size=int(mixed.sum()), p=np.array(N.GROUP_SHARES) / sum(N.GROUP_SHARES))

    # Sex: lone parents are mostly mothers; a second adult is usually of the other sex.
    first_adult_female = rng.random(h) < np.where(n_adults == 1, 0.85, 0.5)
    sex_f = np.where(
        is_adult & (member == 0),
        first_adult_female[hh],
        np.where(second, ~first_adult_female[hh] ^ (rng.random(n) < 0.05), rng.random(n) < 0.49),
    )
    sex = np.where(sex_f, "F", "M")

    # Dates of birth: the youngest child first, older siblings spaced out behind, then the parents.
    youngest_age = rng.uniform(0, 13 * 365.25, size=h)
    gaps = (300 + rng.gamma(2.0, 420.0, size=n)).astype(np.int64)
    twins_h = (n_children >= 2) & (rng.random(h) < 0.05)
    twin_rank = np.where(twins_h, rng.integers(0, np.maximum(n_children - 1, 1)), -1)
    is_child = ~is_adult
    gap_child = np.where(is_child & (child_rank > 0), gaps, 0)
    # The older twin is born the same day as the younger one.
    gap_child = np.where(is_child & (child_rank == twin_rank[hh] + 1), 0, gap_child)
    cum_gap = pd.Series(gap_child).groupby(hh).cumsum().to_numpy()
    child_age = youngest_age[hh] + cum_gap
    oldest_child_age = pd.Series(np.where(is_child, child_age, 0.0)).groupby(hh).transform("max").to_numpy()
    parent_gap = rng.uniform(17 * 365.25, 42 * 365.25, size=n)
    adult_age = np.where(
        np.repeat(n_children, size) > 0,
        oldest_child_age + parent_gap,
        rng.uniform(18 * 365.25, 75 * 365.25, size=n),
    )
    # A second adult is close in age to the first.
    first_adult_age = pd.Series(np.where(member == 0, adult_age, 0.0)).groupby(hh).transform("max").to_numpy()
    adult_age = np.where(second, np.maximum(first_adult_age + rng.normal(0, 4 * 365.25, n), 18 * 365.25), adult_age)
    age_days = np.where(is_adult, adult_age, child_age).astype(np.int64)
    dob = ref - age_days.astype("timedelta64[D]")
    twin = is_child & twins_h[hh] & ((child_rank == twin_rank[hh]) | (child_rank == twin_rank[hh] + 1))

    # Surnames: the first adult's, a partner's (shared or not), children's (either parent's,
    # double-barrelled, or a half-sibling's other surname).
    base = _draw_surnames(rng, group_h)
    partner_own = _draw_surnames(rng, group)
    partner_shares = rng.random(h) < 0.45
    first_surname = base[hh]
    second_surname = np.where(partner_shares[hh], first_surname, partner_own)
    second_of_h = pd.Series(np.where(second, second_surname, None)).groupby(hh).transform("first").to_numpy()
    two_names = (n_adults == 2)[hh] & (second_of_h != first_surname) & pd.notna(second_of_h)
    choice = rng.random(h)[hh]
    child_surname = first_surname.copy()
    use_second = two_names & (choice >= 0.55) & (choice < 0.85)
    child_surname[use_second] = second_of_h[use_second]
    dbl = two_names & (choice >= 0.85)
    child_surname[dbl] = first_surname[dbl] + "-" + second_of_h[dbl]
    half = is_child & ~twin & (rng.random(n) < np.where((n_adults == 1)[hh], 0.20, 0.10))
    half_names = _draw_surnames(rng, group)
    child_surname[half] = half_names[half]
    surname = np.where(is_adult & (member == 0), first_surname, np.where(second, second_surname, child_surname))
    # Community naming customs.
    surname = surname.astype(object)
    female = sex == "F"
    ee = group == N.GROUPS.index("eastern_european")
    for i in np.flatnonzero(ee & female):
        surname[i] = _feminine(surname[i], bool(is_adult[i]))
    sikh = np.isin(surname, list(N.SIKH_SURNAMES))
    r = rng.random(n)
    surname[sikh & female & (r < 0.5)] = "Kaur"
    surname[sikh & ~female & (r < 0.4)] = "Singh"
    sa = (group == N.GROUPS.index("south_asian")) & ~sikh & female & is_adult & (r < 0.25)
    surname[sa] = np.array(N.WOMENS_SURNAMES, dtype=object)[rng.integers(0, 2, size=int(sa.sum()))]

    # Forenames; siblings (and twins) never share a first name.
    key = np.char.add(np.char.add(role.astype(str), "_"), sex.astype(str))
    first = _draw_names(rng, group, key)
    for _ in range(6):
        dup = is_child & pd.DataFrame({"h": hh, "f": first}).duplicated(["h", "f"]).to_numpy()
        if not dup.any():
            break
        first[dup] = _draw_names(rng, group[dup], key[dup])
    has_middle = rng.random(n) < np.where(np.isin(group, [0, 5]), 0.35, 0.20)
    middle = _draw_names(rng, group, key)
    has_middle &= middle != first
    middle = np.where(has_middle, middle, "")

    # Where they live: postcode units, house numbers; some households moved recently.
    n_units = max(200, h // 12)
    geo = _geography(rng, n_units)
    unit_w = rng.gamma(2.0, 1.0, size=n_units)
    unit_h = rng.choice(n_units, size=h, p=unit_w / unit_w.sum())
    house_h = rng.integers(1, 160, size=h)
    flat_h = np.where(rng.random(h) < 0.15, rng.integers(1, 30, size=h), 0)
    moved_h = rng.random(h) < 0.45
    # Moves are mostly local: another unit in the same district when there is one.
    district_units = pd.Series(np.arange(n_units)).groupby(geo.district).apply(np.array).to_dict()
    prev_unit_h = rng.integers(0, n_units, size=h)
    local = moved_h & (rng.random(h) < 0.6)
    for i in np.flatnonzero(local):
        units = district_units[geo.district[unit_h[i]]]
        prev_unit_h[i] = units[int(rng.integers(0, len(units)))]
    same = prev_unit_h == unit_h  # a move is to somewhere else
    prev_unit_h[same] = (unit_h[same] + rng.integers(1, n_units, size=int(same.sum()))) % n_units
    prev_house_h = rng.integers(1, 160, size=h)

    # Identifiers.
    nhs = np.where(rng.random(n) < 0.96, _nhs_numbers(rng, n), "")
    age_years = age_days / 365.25
    school_age = is_child & (age_years >= 4.5) & (age_years < 18.5)
    upn = np.full(n, "", dtype=object)
    has_upn = school_age & (rng.random(n) < 0.97)
    dob_year = dob.astype("datetime64[Y]").astype(np.int64) + 1970
    upn[has_upn] = _upns(rng, dob_year[has_upn], n_schools=max(20, int(has_upn.sum()) // 350))

    people = pd.DataFrame(
        {
            "person_id": np.arange(n, dtype=np.int64),
            "household_id": hh.astype(np.int64),
            "group": np.array(N.GROUPS, dtype=object)[group],
            "role": role,
            "sex": sex,
            "first_name": first,
            "middle_name": middle,
            "surname": surname,
            "dob": dob,
            "twin": twin,
            "nhs_number": nhs,
            "upn": upn,
            "unit": unit_h[hh],
            "house": house_h[hh],
            "flat": flat_h[hh],
        }
    )
    extra = {
        "geo_postcode": geo.postcode,
        "geo_street": geo.street,
        "geo_street_short": geo.street_short,
        "geo_town": geo.town,
        "moved_h": moved_h,
        "prev_unit_h": prev_unit_h,
        "prev_house_h": prev_house_h,
        "first_surname_h": base,
        "second_surname": second_of_h,
    }
    return people, extra


# ---------------------------------------------------------------------------------------------
# Records
# ---------------------------------------------------------------------------------------------


def _records(rng: np.random.Generator, people: pd.DataFrame, extra: dict[str, np.ndarray]) -> pd.DataFrame:
    n = len(people)
    role = people["role"].to_numpy()
    is_child = role == "child"
    dob = people["dob"].to_numpy().astype("datetime64[D]")
    age_years = (np.datetime64(REFERENCE_DATE.isoformat(), "D") - dob).astype(np.int64) / 365.25

    # How many agency records each person has, and from which agencies.
    k = np.where(
        is_child,
        rng.choice(5, size=n, p=EXTRA_RECORDS["child"]),
        rng.choice(5, size=n, p=EXTRA_RECORDS["adult"]),
    )
    pid = np.concatenate([np.arange(n), np.repeat(np.arange(n), k)])
    m = len(pid)
    is_index = np.zeros(m, dtype=bool)
    is_index[:n] = True
    agency = np.full(m, "index", dtype=object)
    ag = pid[n:]
    a_child = is_child[ag]
    school_age = a_child & (age_years[ag] >= 4.5) & (age_years[ag] < 18.5)
    u = rng.random(len(ag))
    agency[n:] = np.select(
        [
            school_age & (u < 0.35),
            school_age & (u < 0.65),
            school_age & (u < 0.80),
            school_age,
            a_child & (u < 0.60),
            a_child & (u < 0.90),
            a_child,
            u < 0.45,
            u < 0.80,
        ],
        ["school", "health", "police", "social_care", "health", "social_care", "police", "police", "health"],
        default="social_care",
    )

    P = people.iloc[pid].reset_index(drop=True)
    hh = P["household_id"].to_numpy()
    sex = P["sex"].to_numpy().astype(object)
    first = P["first_name"].to_numpy().astype(object).copy()
    middle = P["middle_name"].to_numpy().astype(object).copy()
    surname = P["surname"].to_numpy().astype(object).copy()
    rdob = P["dob"].to_numpy().astype("datetime64[D]").copy()
    unit = P["unit"].to_numpy().copy()
    house = P["house"].to_numpy().copy()
    flat = P["flat"].to_numpy().copy()
    nhs = P["nhs_number"].to_numpy().astype(object).copy()
    upn = P["upn"].to_numpy().astype(object).copy()
    rec_child = is_child[pid]
    tags: list[list[str]] = [[] for _ in range(m)]

    def tag(mask: np.ndarray, name: str) -> None:
        for i in np.flatnonzero(mask):
            tags[i].append(name)

    def rate(name: str) -> np.ndarray:
        """Per-record probability of a corruption, with the agency's override; 0 for index records."""
        base = np.full(m, RATES.get(name, 0.0))
        for a, overrides in AGENCY_RATES.items():
            if name in overrides:
                base[agency == a] = overrides[name]
        base[is_index] = 0.0
        return base

    def draw(name: str) -> np.ndarray:
        return rng.random(m) < rate(name)

    # --- identifiers present on each record
    nhs_p = np.zeros(m)
    upn_p = np.zeros(m)
    for a, (pn, pu) in IDENTIFIER_PRESENCE.items():
        nhs_p[agency == a] = pn
        upn_p[agency == a] = pu
    nhs_p[is_index] = np.where(rec_child[is_index], INDEX_RATES["nhs_on_index_child"], INDEX_RATES["nhs_on_index_adult"])
    upn_p[is_index] = INDEX_RATES["upn_on_index"]
    nhs = np.where(rng.random(m) < nhs_p, nhs, "")
    upn = np.where(rng.random(m) < upn_p, upn, "")

    # --- addresses: the index is sometimes stale; agencies often hold an old address.
    moved = extra["moved_h"][hh]
    old = moved & (draw("old_address") | (is_index & (rng.random(m) < INDEX_RATES["stale_address"])))
    unit[old] = extra["prev_unit_h"][hh[old]]
    house[old] = extra["prev_house_h"][hh[old]]
    flat[old] = 0
    tag(old & ~is_index, "old_address")
    tag(old & is_index, "stale_address")
    postcode = extra["geo_postcode"][unit].astype(object)
    abbreviated = draw("address_abbreviated")
    street_src = np.where(abbreviated, extra["geo_street_short"][unit], extra["geo_street"][unit])
    num = house.astype(str).astype(object)
    address = num + " " + street_src + ", " + extra["geo_town"][unit]
    with_flat = flat > 0
    address[with_flat] = "Flat " + flat[with_flat].astype(str).astype(object) + ", " + address[with_flat]
    tag(abbreviated, "address_abbreviated")
    pc_typo = draw("postcode_typo")
    for i in np.flatnonzero(pc_typo):
        pc = postcode[i]
        letters = _INWARD_LETTERS[pc[-1] != _INWARD_LETTERS]
        postcode[i] = pc[:-1] + str(letters[int(rng.integers(0, len(letters)))])
    tag(pc_typo, "postcode_typo")
    pseudo = draw("postcode_pseudo")
    postcode[pseudo] = np.array(PSEUDO_POSTCODES, dtype=object)[rng.integers(0, len(PSEUDO_POSTCODES), int(pseudo.sum()))]
    tag(pseudo, "postcode_pseudo")
    pc_missing = draw("postcode_missing") & ~pseudo
    pc_missing |= is_index & (rng.random(m) < INDEX_RATES["postcode_missing"])
    postcode[pc_missing] = ""
    tag(pc_missing, "postcode_missing")
    addr_missing = draw("address_missing")
    address[addr_missing] = ""
    tag(addr_missing, "address_missing")

    # --- names
    variant_f = draw("forename_variant")
    for i in np.flatnonzero(variant_f):
        v = _variant(first[i], rng)
        if v is None:
            variant_f[i] = False
        else:
            first[i] = v
    tag(variant_f, "forename_variant")
    respelt_f = draw("forename_respelt") & ~variant_f
    for i in np.flatnonzero(respelt_f):
        v = respell(first[i], rng)
        if v is None:
            respelt_f[i] = False
        else:
            first[i] = v
    tag(respelt_f, "forename_respelt")
    by_middle = draw("known_by_middle_name") & (middle != "")
    first[by_middle], middle[by_middle] = middle[by_middle], ""
    tag(by_middle, "known_by_middle_name")
    typo_f = draw("forename_typo")
    for i in np.flatnonzero(typo_f):
        first[i], kind = typo(first[i], rng)
        if kind:
            tags[i].append(f"forename_typo:{kind}")
        else:
            typo_f[i] = False
    initial = draw("forename_initial")
    first[initial] = np.array([f[0] for f in first[initial]], dtype=object)
    middle[initial] = ""
    tag(initial, "forename_initial")

    changed = draw("surname_changed") & (rec_child | (sex == "F"))
    fresh = _draw_surnames(rng, np.array([N.GROUPS.index(g) for g in P["group"].to_numpy()[changed]], dtype=np.int64))
    hh_first = extra["first_surname_h"][hh[changed]]
    for j, i in enumerate(np.flatnonzero(changed)):
        r = rng.random()
        current = surname[i]
        if rec_child[i] and r < 0.4 and hh_first[j] != current:
            surname[i] = hh_first[j]  # the parent's surname (or the parent's new one)
            tags[i].append("surname_changed:parent")
        elif rec_child[i] and r < 0.7 and "-" not in current and fresh[j] != current:
            other = fresh[j]
            surname[i] = f"{current}-{other}" if rng.random() < 0.5 else f"{other}-{current}"
            tags[i].append("surname_changed:double_barrelled")
        else:
            surname[i] = fresh[j] if fresh[j] != current else current + "s"
            tags[i].append("surname_changed:new")
    variant_s = draw("surname_variant")
    for i in np.flatnonzero(variant_s):
        v = _variant(surname[i], rng)
        if v is None:
            variant_s[i] = False
        else:
            surname[i] = v
    tag(variant_s, "surname_variant")
    respelt_s = draw("surname_respelt") & ~variant_s
    for i in np.flatnonzero(respelt_s):
        v = respell(surname[i], rng)
        if v is None:
            respelt_s[i] = False
        else:
            surname[i] = v
    tag(respelt_s, "surname_respelt")
    typo_s = draw("surname_typo")
    for i in np.flatnonzero(typo_s):
        surname[i], kind = typo(surname[i], rng)
        if kind:
            tags[i].append(f"surname_typo:{kind}")
    punct = draw("punctuation_dropped")
    for i in np.flatnonzero(punct):
        s = surname[i]
        if "'" in s or "-" in s:
            surname[i] = s.replace("'", "") if "'" in s else s.replace("-", " " if rng.random() < 0.5 else "")
            tags[i].append("punctuation_dropped")
    swapped = draw("names_swapped")
    first[swapped], surname[swapped] = surname[swapped], first[swapped]
    middle[swapped] = ""
    tag(swapped, "names_swapped")
    forenames = np.where(middle != "", first + " " + middle, first)
    # Middle names are often left off a record.
    drop_middle = (middle != "") & np.where(is_index, rng.random(m) >= INDEX_RATES["middle_name_on_index"], rng.random(m) < 0.6)
    forenames[drop_middle] = first[drop_middle]

    # --- dates of birth
    years = rdob.astype("datetime64[Y]").astype(np.int64) + 1970
    months = rdob.astype("datetime64[M]").astype(np.int64) % 12 + 1
    days = (rdob - rdob.astype("datetime64[M]").astype("datetime64[D]")).astype(np.int64) + 1
    out_dob = np.array([d.item() for d in rdob], dtype=object)
    swap = draw("dob_day_month_swapped") & (days <= 12) & (days != months)
    for i in np.flatnonzero(swap):
        out_dob[i] = date(int(years[i]), int(days[i]), int(months[i]))
    tag(swap, "dob_day_month_swapped")
    year_off = draw("dob_year_off_by_one") & ~swap
    for i in np.flatnonzero(year_off):
        step = 1 if rng.random() < 0.5 else -1
        d = _valid_date(int(years[i]) + step, int(months[i]), int(days[i]))
        if d is None or d > REFERENCE_DATE:  # 29 February, or a year on would be in the future
            d = _valid_date(int(years[i]) - step, int(months[i]), int(days[i]))
        if d is None or d > REFERENCE_DATE:
            year_off[i] = False
        else:
            out_dob[i] = d
    tag(year_off, "dob_year_off_by_one")
    digit = draw("dob_digit_wrong") & ~swap & ~year_off
    for i in np.flatnonzero(digit):
        d = _dob_digit_wrong(out_dob[i], rng)
        if d is None:
            digit[i] = False
        else:
            out_dob[i] = d
    tag(digit, "dob_digit_wrong")
    dob_missing = draw("dob_missing")
    dob_missing |= is_index & (
        rng.random(m) < np.where(rec_child, INDEX_RATES["dob_missing_child"], INDEX_RATES["dob_missing_adult"])
    )
    out_dob[dob_missing] = None
    tag(dob_missing, "dob_missing")

    # --- sex
    sex_out = sex.copy()
    wrong = draw("sex_wrong")
    sex_out[wrong] = np.where(sex[wrong] == "F", "M", "F")
    tag(wrong, "sex_wrong")
    sex_missing = draw("sex_missing") | (is_index & (rng.random(m) < INDEX_RATES["sex_unknown"]))
    sex_out[sex_missing] = np.where(rng.random(int(sex_missing.sum())) < 0.5, "", "U")
    tag(sex_missing, "sex_missing")

    # --- identifiers mistyped
    nhs_bad = draw("nhs_invalid") & (nhs != "")
    for i in np.flatnonzero(nhs_bad):
        nhs[i] = _nhs_mistyped(nhs[i], rng)
    tag(nhs_bad, "nhs_invalid")
    upn_bad = draw("upn_invalid") & (upn != "")
    for i in np.flatnonzero(upn_bad):
        upn[i] = _upn_mistyped(upn[i], rng)
    tag(upn_bad, "upn_invalid")

    # --- how the agency's system writes things down
    upper = draw("uppercase")
    for arr in (forenames, surname, address):
        arr[upper] = np.array([s.upper() for s in arr[upper]], dtype=object)
    tag(upper, "uppercase")
    pc_fmt = rng.random(m) < np.where(is_index, 0.0, 0.2)
    postcode[pc_fmt] = np.array([p.replace(" ", "").lower() for p in postcode[pc_fmt]], dtype=object)

    # Shuffle the agency records so that a person's records are not adjacent (order leaks truth to
    # sorted-neighbourhood style indexers otherwise); the index records stay first.
    order = np.concatenate([np.arange(n), n + rng.permutation(m - n)])
    records = (
        pd.DataFrame(
            {
                "person_id": pid,
                "agency": agency,
                "forenames": forenames,
                "surname": surname,
                "dob": pd.to_datetime(pd.Series(out_dob, dtype=object)),
                "sex": sex_out,
                "postcode": postcode,
                "address": address,
                "nhs_number": nhs,
                "upn": upn,
                "corruptions": np.array([",".join(t) for t in tags], dtype=object),
            }
        )
        .iloc[order]
        .reset_index(drop=True)
    )
    records.insert(0, "record_id", [f"r{i}" for i in range(m)])
    for col in ("forenames", "surname", "sex", "postcode", "address", "nhs_number", "upn", "corruptions", "agency"):
        records[col] = records[col].astype(str)
    return records


def generate(n: int, seed: int = DEFAULT_SEED, n_queries: int = 1000) -> Dataset:
    """Build the dataset in memory (no cache)."""
    rng = np.random.default_rng([seed, n])
    people, extra = _people(rng, n)
    records = _records(rng, people, extra)
    agency = records[records["agency"] != "index"]
    # Interactive search queries: agency records of distinct people (the index holds only the index
    # records, so a query record is never itself in the searched index).
    one_each = agency.drop_duplicates("person_id")
    take = min(n_queries, len(one_each))
    chosen = rng.choice(len(one_each), size=take, replace=False)
    queries = one_each.iloc[np.sort(chosen)][["record_id", "person_id"]].reset_index(drop=True)
    people = people.drop(columns=["unit", "house", "flat"]).assign(
        dob=pd.to_datetime(people["dob"].to_numpy().astype("datetime64[D]"))
    )
    return Dataset(n, seed, people, records, queries)


def cache_path(n: int, seed: int, cache_dir: Path = CACHE_DIR) -> Path:
    return cache_dir / f"synthetic-{size_label(n)}-seed{seed}-v{GENERATOR_VERSION}"


def load_or_generate(n: int, seed: int = DEFAULT_SEED, cache_dir: Path = CACHE_DIR) -> Dataset:
    """The dataset for (n, seed), from the Parquet cache when it is there."""
    path = cache_path(n, seed, cache_dir)
    files = {name: path / f"{name}.parquet" for name in ("people", "records", "queries")}
    if all(f.exists() for f in files.values()):
        return Dataset(n, seed, *(pd.read_parquet(files[k]) for k in ("people", "records", "queries")))
    data = generate(n, seed)
    path.mkdir(parents=True, exist_ok=True)
    for name, frame in (("people", data.people), ("records", data.records), ("queries", data.queries)):
        tmp = files[name].with_suffix(".tmp")
        frame.to_parquet(tmp, index=False)
        tmp.replace(files[name])
    return data


def corruption_rates(records: pd.DataFrame) -> dict[str, float]:
    """Observed share of agency records carrying each corruption (typo kinds folded together)."""
    agency = records[records["agency"] != "index"]
    counts: dict[str, int] = {}
    for text in agency["corruptions"]:
        if not text:
            continue
        for t in text.split(","):
            key = t.split(":", 1)[0]
            counts[key] = counts.get(key, 0) + 1
    total = max(len(agency), 1)
    return {k: counts[k] / total for k in sorted(counts)}


def summary(data: Dataset) -> dict[str, Any]:
    r = data.records
    per_person = r.groupby("person_id").size()
    return {
        "people": data.n_people,
        "records": len(r),
        "agency_records": int((r["agency"] != "index").sum()),
        "households": int(data.people["household_id"].nunique()),
        "twins": int(data.people["twin"].sum()),
        "true_pairs": int((per_person * (per_person - 1) // 2).sum()),
        "records_by_agency": {k: int(v) for k, v in r["agency"].value_counts().sort_index().items()},
        "queries": len(data.queries),
    }


def _main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Generate (and cache) the synthetic caseload")
    parser.add_argument("--sizes", default="10k")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = parser.parse_args(argv)
    for text in args.sizes.split(","):
        n = parse_size(text)
        start = time.perf_counter()
        data = load_or_generate(n, args.seed)
        print(f"{size_label(n)}: {time.perf_counter() - start:.1f}s", summary(data))


if __name__ == "__main__":
    _main()
