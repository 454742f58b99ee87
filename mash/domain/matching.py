"""Explainable person matching: "is this child already known?".

A MASH officer types what a referrer said (names, maybe a date of birth, maybe
a postcode or address). :func:`score` compares that query with one candidate
from the person index and returns a :class:`MatchResult`: a probability and,
for every field, the comparison level reached, its weight and a plain-English
explanation that can be shown to the officer.

Model
-----
Fellegi-Sunter. Each field comparison lands on exactly one *level*; each level
has an ``m`` probability (P(level | same person)) and a ``u`` probability
(P(level | different people)). The level's weight is the log2 Bayes factor
``log2(m / u)``. The weights are added to the prior log-odds
(``log2(prior / (1 - prior))``) and converted back to a probability. Missing
values contribute 0. The m/u values live in :data:`DEFAULT_WEIGHTS` (a frozen
:class:`MatchWeights`) and are replaced by trained values
(:meth:`mash.domain.match_model.TrainedModel.weights`).

Batch linkage (``mash.matching.linkage``, Splink) has the same comparisons in
SQL, with the same level names, so one trained model serves both. Hence two
rules here: when a field could reach several levels (a first name tried
against aliases and the whole forename), the first level in
:data:`FORENAME_LEVEL_ORDER` / :data:`SURNAME_LEVEL_ORDER` wins, whatever the
weights; and with ``term_frequencies`` an exact first name or surname is
weighed by how common that name is (see :func:`_tf_adjusted`).

Default m/u values are hand-set, deliberately conservative estimates for a
local-authority person index of children and the adults around them. The u
values are roughly "how often two *different* people in a local index agree
like this" (e.g. ~1 in 2,500 pairs share an exact date of birth, ~1 in 100
share a first name); the m values are "how often the same child is recorded
like this", allowing for referrers' mistakes (nicknames, typos, swapped
day/month, outdated addresses, surnames that change when families change).

Family check
------------
Fellegi-Sunter assumes fields are independent. In safeguarding they are not:
brothers and sisters share a surname and an address, twins also share a
date of birth, and a parent can share a child's name and address. Counting
those agreements independently would merge siblings, which is dangerous. So
after the field comparisons a *family check* may add one more comparison
(field ``"family_check"``) that cancels the household-level evidence when
nothing that tells family members apart (first name, date of birth) agrees:

``possible_twin`` / ``possible_sibling``
    Surname agrees and the date of birth agrees (exactly: twin; partly:
    sibling) but first names only weakly agree or disagree: surname, date of
    birth and address agreement are cancelled.
``possible_sibling`` / ``household_details_only``
    First name weak, disagreeing or missing and date of birth not agreeing,
    while surname and/or address agree: surname and address agreement are
    cancelled.
``same_name_different_dob``
    First name and surname agree, dates of birth disagree, address agrees
    (a parent and child, or cousins, can share a name and an address): the
    address agreement is cancelled.

No check is made when the NHS number or UPN agrees: family members do not
share those, so there is nobody to mistake the person for.

Names
-----
Names are compared accent-insensitively (NFKD with combining marks removed,
plus explicit transliteration of letters that do not decompose, such as the
Polish "ł"). Forenames: the first forename, the whole forename string
run together, and the first token of each of ``other_names`` (aliases,
"known as") are tried against each other; the best level wins. The first
forename is also checked against middle names.

Name variants come from ``data/name_variants.csv``: a two-column CSV with a
header ``group,name``; every row puts ``name`` into the variant group
``group`` (by convention the group is the formal/canonical name and also
appears as a name). A name may be in several groups ("charlie" is in both
"charles" and "charlotte"); two names are variants if they share a group.
Variants are deliberately *not* transitive: Charles and Charlotte are not
variants of each other. Cross-language forms that families would record in
one form only (e.g. Yusuf/Joseph, Maryam/Mary, Dawud/David) are deliberately
kept in separate groups.

Phonetic key
------------
:func:`phonetic_key` uses Metaphone rather than NYSIIS. NYSIIS keeps the
first letter, so it separates Catherine/Kathryn, Philip/Filip and
Smith/Smyth; Metaphone groups all of these, which matters more for blocking
(a missed candidate is never shown to the officer). Metaphone drops most
vowels, so short names collide (Tom/Tim): it is therefore a blocking key and
only weak evidence when scoring.
"""

from __future__ import annotations

import csv
import math
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property, lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Final

import jellyfish
from rapidfuzz import fuzz
from rapidfuzz.distance import JaroWinkler

from mash.domain.identifiers import (
    InvalidIdentifier,
    normalise_postcode,
    validate_nhs_number,
    validate_upn,
)

if TYPE_CHECKING:
    from mash.domain.match_model import TermFrequencies

__all__ = [
    "DEFAULT_WEIGHTS",
    "FORENAME_LEVEL_ORDER",
    "SURNAME_LEVEL_ORDER",
    "FieldComparison",
    "LevelProbabilities",
    "MatchResult",
    "MatchWeights",
    "PersonRecord",
    "name_variants",
    "normalise_address",
    "normalise_name",
    "normalise_sex",
    "phonetic_key",
    "phonetic_keys",
    "score",
    "score_many",
    "variant_groups",
]

NAME_VARIANTS_CSV: Final = Path(__file__).with_name("data") / "name_variants.csv"

JW_HIGH: Final = 0.92
JW_MEDIUM: Final = 0.85
ADDRESS_RATIO: Final = 90.0
EXPECTED_DATE_WINDOW_DAYS: Final = 120


# ---------------------------------------------------------------------------
# Name normalisation
# ---------------------------------------------------------------------------

# Letters that NFKD does not decompose into base letter + combining mark.
_TRANSLITERATE: Final = str.maketrans(
    {
        "ł": "l",
        "Ł": "L",
        "ø": "o",
        "Ø": "O",
        "đ": "d",
        "Đ": "D",
        "ð": "d",
        "Ð": "D",
        "þ": "th",
        "Þ": "Th",
        "ß": "ss",
        "æ": "ae",
        "Æ": "Ae",
        "œ": "oe",
        "Œ": "Oe",
        "ı": "i",
        "ħ": "h",
        "Ħ": "H",
    }
)
# Apostrophes join ("O'Brien" -> "obrien"); any other non-word character,
# including hyphens, separates tokens ("Smith-Jones" -> "smith jones").
_APOSTROPHES: Final = "'’‘`´ʼ"
_DISPLAY_TOKEN_RE: Final = re.compile(rf"[^\W_]+(?:[{_APOSTROPHES}][^\W_]+)*")


def _normalise_token(token: str) -> str:
    decomposed = unicodedata.normalize("NFKD", token.translate(_TRANSLITERATE))
    return "".join(ch for ch in decomposed if ch.isalnum()).lower()


@lru_cache(maxsize=65536)
def _tokenise(text: str) -> tuple[tuple[str, str], ...]:
    """Pairs of (normalised token, original token for display)."""
    pairs: list[tuple[str, str]] = []
    for match in _DISPLAY_TOKEN_RE.finditer(unicodedata.normalize("NFC", text)):
        display = match.group(0)
        normalised = _normalise_token(display)
        if normalised:
            pairs.append((normalised, display))
    return tuple(pairs)


def normalise_name(s: str) -> str:
    """Lowercase, accent-free, punctuation-free, single-spaced name.

    Hyphenated names become separate tokens; apostrophes are dropped.

    >>> normalise_name("  Małgorzata  O'Brien-Smith ")
    'malgorzata obrien smith'
    """
    return " ".join(token for token, _ in _tokenise(s or ""))


def _compact(s: str) -> str:
    """Normalised name with the spaces removed ("Mc Donald" == "McDonald")."""
    return "".join(token for token, _ in _tokenise(s or ""))


# ---------------------------------------------------------------------------
# Name variants
# ---------------------------------------------------------------------------


def _load_variant_groups(path: Path) -> dict[str, set[str]]:
    """Group key -> members (the key itself included)."""
    groups: dict[str, set[str]] = {}
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            group = _compact(row["group"])
            name = _compact(row["name"])
            if group and name:
                members = groups.setdefault(group, {group})
                members.add(name)
    return groups


def _load_variant_index(path: Path) -> dict[str, frozenset[str]]:
    index: dict[str, set[str]] = {}
    for members in _load_variant_groups(path).values():
        for name in members:
            index.setdefault(name, set()).update(members)
    return {name: frozenset(names) for name, names in index.items()}


@lru_cache(maxsize=1)
def _variant_index() -> Mapping[str, frozenset[str]]:
    return MappingProxyType(_load_variant_index(NAME_VARIANTS_CSV))


@lru_cache(maxsize=1)
def _group_index() -> Mapping[str, tuple[str, ...]]:
    index: dict[str, set[str]] = {}
    for group, members in _load_variant_groups(NAME_VARIANTS_CSV).items():
        for name in members:
            index.setdefault(name, set()).add(group)
    return MappingProxyType({name: tuple(sorted(groups)) for name, groups in index.items()})


@lru_cache(maxsize=65536)
def variant_groups(name: str) -> tuple[str, ...]:
    """The variant groups ``name`` belongs to (sorted group keys).

    Two different names are variants of each other (:func:`name_variants`)
    exactly when they share a group, so batch linkage can test "nickname"
    as an overlap of two short lists instead of looking names up pairwise.
    Empty for a blank name or a name in no group.

    >>> variant_groups("Charlie")
    ('charles', 'charlotte')
    """
    return _group_index().get(_compact(name), ())


@lru_cache(maxsize=65536)
def name_variants(name: str) -> frozenset[str]:
    """All known variants of ``name`` (normalised), including itself.

    Empty for a blank name. A name in no group returns just itself.

    >>> sorted(name_variants("Alfie"))[:3]
    ['alf', 'alfie', 'alfred']
    """
    key = _compact(name)
    if not key:
        return frozenset()
    return _variant_index().get(key, frozenset({key}))


# ---------------------------------------------------------------------------
# Phonetic keys
# ---------------------------------------------------------------------------


@lru_cache(maxsize=65536)
def _metaphone(compact_name: str) -> str:
    return jellyfish.metaphone(compact_name).upper() if compact_name else ""


def phonetic_key(name: str) -> str:
    """Metaphone of the whole normalised name with spaces removed.

    For a blocking (indexed) column; "" for blank or non-Latin names.

    >>> phonetic_key("Catherine") == phonetic_key("Kathryn")
    True
    """
    return _metaphone(_compact(name))


def phonetic_keys(name: str) -> tuple[str, ...]:
    """Metaphone of each token (then of the whole name), de-duplicated.

    For multi-valued blocking on double-barrelled or multi-part names.
    """
    keys: list[str] = []
    tokens = [token for token, _ in _tokenise(name or "")]
    for candidate in [*tokens, "".join(tokens)]:
        key = _metaphone(candidate)
        if key and key not in keys:
            keys.append(key)
    return tuple(keys)


# ---------------------------------------------------------------------------
# Other normalisers
# ---------------------------------------------------------------------------

_SEX_CODES: Final[Mapping[str, str]] = MappingProxyType(
    {
        "m": "M",
        "male": "M",
        "boy": "M",
        "man": "M",
        "1": "M",
        "f": "F",
        "female": "F",
        "girl": "F",
        "woman": "F",
        "2": "F",
    }
)


def normalise_sex(raw: str) -> str:
    """``"M"``, ``"F"`` or ``""`` (unknown, indeterminate, not stated: ignored)."""
    return _SEX_CODES.get((raw or "").strip().lower(), "")


_ADDRESS_ABBREVIATIONS: Final[Mapping[str, str]] = MappingProxyType(
    {
        "rd": "road",
        "st": "street",
        "str": "street",
        "ave": "avenue",
        "av": "avenue",
        "ln": "lane",
        "cl": "close",
        "ct": "court",
        "crt": "court",
        "dr": "drive",
        "cres": "crescent",
        "cresc": "crescent",
        "gdns": "gardens",
        "gdn": "gardens",
        "pl": "place",
        "sq": "square",
        "ter": "terrace",
        "terr": "terrace",
        "tce": "terrace",
        "gr": "grove",
        "gro": "grove",
        "pk": "park",
        "hse": "house",
        "flt": "flat",
        "apt": "flat",
        "apartment": "flat",
        "wy": "way",
        "mws": "mews",
        "bldgs": "buildings",
    }
)


@lru_cache(maxsize=16384)
def normalise_address(address: str) -> str:
    """Lowercase tokens, accents and punctuation removed, common street-type
    abbreviations expanded ("12 High St." -> "12 high street")."""
    tokens = (token for token, _ in _tokenise(address or ""))
    return " ".join(_ADDRESS_ABBREVIATIONS.get(token, token) for token in tokens)


# ---------------------------------------------------------------------------
# Public data types
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PersonRecord:
    """What is known about one person (a query or an index record)."""

    forenames: str
    surname: str
    other_names: tuple[str, ...] = ()
    dob: date | None = None
    dob_is_expected: bool = False  # unborn: dob is the expected date of delivery
    sex: str = ""
    postcode: str | None = None
    address: str = ""
    nhs_number: str | None = None
    upn: str | None = None


@dataclass(frozen=True)
class FieldComparison:
    """One reason in a match: which level a field reached and what it is worth."""

    field: str
    level: str
    weight: float  # log2 Bayes factor; > 0 supports a match, < 0 opposes it
    explanation: str


@dataclass(frozen=True)
class MatchResult:
    probability: float
    comparisons: tuple[FieldComparison, ...]

    @property
    def match_weight(self) -> float:
        """Sum of the comparison weights (log2 Bayes factor, excluding the prior)."""
        return math.fsum(c.weight for c in self.comparisons)

    def agreed(self) -> list[FieldComparison]:
        """Comparisons that count towards a match, strongest first."""
        return sorted((c for c in self.comparisons if c.weight > 0), key=lambda c: -c.weight)

    def disagreed(self) -> list[FieldComparison]:
        """Comparisons that count against a match, strongest first."""
        return sorted((c for c in self.comparisons if c.weight < 0), key=lambda c: c.weight)


@dataclass(frozen=True)
class LevelProbabilities:
    """m = P(level | same person); u = P(level | different people)."""

    m: float
    u: float
    weight: float = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not (0.0 < self.m <= 1.0 and 0.0 < self.u <= 1.0):
            raise ValueError(f"m and u must be in (0, 1]; got m={self.m}, u={self.u}")
        object.__setattr__(self, "weight", math.log2(self.m / self.u))


_Levels = Mapping[str, LevelProbabilities]


def _levels(**levels: tuple[float, float]) -> _Levels:
    return MappingProxyType({k: LevelProbabilities(m, u) for k, (m, u) in levels.items()})


@dataclass(frozen=True)
class MatchWeights:
    """m/u probabilities per field and level. Missing values always weigh 0.

    Replace with trained values via ``dataclasses.replace(DEFAULT_WEIGHTS,
    dob=...)``. Every level named in the defaults must be present.
    """

    forename: _Levels
    surname: _Levels
    dob: _Levels
    sex: _Levels
    postcode: _Levels
    address: _Levels
    nhs_number: _Levels
    upn: _Levels

    def weight(self, field_name: str, level: str) -> float:
        if level in _ZERO_LEVELS:
            return 0.0
        levels: _Levels = getattr(self, field_name)
        return levels[level].weight


_ZERO_LEVELS: Final = frozenset({"missing", "not_compared"})

DEFAULT_WEIGHTS: Final = MatchWeights(
    # About 1 in 100 pairs of different children share a first name; the
    # same child is recorded with a nickname or alternative spelling perhaps
    # 6% of the time, and with a wholly different first name ~3%.
    forename=_levels(
        exact=(0.86, 0.01),  # +6.4
        nickname=(0.06, 0.002),  # +4.9
        jaro_winkler_high=(0.03, 0.002),  # +3.9
        swapped_with_surname=(0.015, 0.0003),  # +5.6 (with surname below)
        initial=(0.015, 0.0015),  # +3.3: a single letter carries ~1/15 chance
        middle_name=(0.02, 0.004),  # +2.3
        phonetic=(0.01, 0.004),  # +1.3: Metaphone collides for short names
        jaro_winkler_medium=(0.01, 0.008),  # +0.3
        disagree=(0.03, 0.95),  # -5.0
    ),
    # Surnames cluster in families and change with family circumstances,
    # hence the relatively high m for disagreement.
    surname=_levels(
        exact=(0.85, 0.008),  # +6.7
        variant=(0.02, 0.001),  # +4.3
        jaro_winkler_high=(0.05, 0.003),  # +4.1
        swapped_with_forename=(0.015, 0.0006),  # +4.6
        part_of_double_barrelled=(0.02, 0.002),  # +3.3
        initial=(0.01, 0.0025),  # +2.0
        phonetic=(0.015, 0.004),  # +1.9
        jaro_winkler_medium=(0.015, 0.01),  # +0.6
        disagree=(0.04, 0.97),  # -4.6
    ),
    # ~1 in 2,500 pairs of different people share an exact date of birth.
    dob=_levels(
        exact=(0.90, 0.0004),  # +11.1
        day_month_swapped=(0.015, 0.0003),  # +5.6
        year_off_by_one=(0.015, 0.0005),  # +4.9
        expected_date_near=(0.02, 0.002),  # +3.3 (unborn / expected dates)
        one_part_differs=(0.025, 0.008),  # +1.6
        disagree=(0.035, 0.95),  # -4.8
    ),
    sex=_levels(
        agree=(0.97, 0.5),  # +1.0
        disagree=(0.03, 0.5),  # -4.1
    ),
    # Children move often, so disagreement is weak evidence. u for a full
    # postcode is far higher than 1/number-of-postcodes because related
    # people live together (see the family check).
    postcode=_levels(
        full=(0.6, 0.003),  # +7.6
        same_sector=(0.08, 0.02),  # +2.0
        same_district=(0.1, 0.08),  # +0.3
        same_area=(0.1, 0.35),  # -1.8
        disagree=(0.05, 0.25),  # -2.3
    ),
    # Only used when a postcode is missing on either record.
    address=_levels(
        similar=(0.45, 0.005),  # +6.5
        partial=(0.1, 0.02),  # +2.3: same street, house number unconfirmed
        disagree=(0.3, 0.95),  # -1.7
    ),
    # Conditional on both records holding a valid identifier.
    nhs_number=_levels(
        exact=(0.995, 0.00001),  # +16.6
        disagree=(0.005, 0.99999),  # -7.6
    ),
    upn=_levels(
        exact=(0.99, 0.00001),  # +16.6
        disagree=(0.02, 0.99999),  # -5.6
        disagree_temporary=(0.3, 0.99999),  # -1.7: temporary UPNs get replaced
    ),
)


# ---------------------------------------------------------------------------
# Prepared records (normalised once per record, cached)
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _NameOption:
    key: str
    display: str
    source: str  # "" for the main forename, or e.g. "other name"


@dataclass(frozen=True)
class _Prepared:
    """A record normalised for comparison. What is only needed sometimes (the address text, used when a
    postcode is missing; identifiers, checked only when both records have one) is worked out on first use:
    the interactive search prepares hundreds of index records per query and most never need them."""

    forename_options: tuple[_NameOption, ...]
    first_forename: _NameOption | None
    middle_names: tuple[_NameOption, ...]
    surname_key: str
    surname_display: str
    surname_tokens: frozenset[str]
    dob: date | None
    dob_is_expected: bool
    sex: str
    postcode: str | None
    address_raw: str
    nhs_raw: str | None
    upn_raw: str | None

    @cached_property
    def address(self) -> str:
        return normalise_address(self.address_raw)

    @cached_property
    def address_tokens(self) -> frozenset[str]:
        return frozenset(self.address.split())

    @cached_property
    def address_numbers(self) -> frozenset[str]:
        return frozenset(t for t in self.address_tokens if any(c.isdigit() for c in t))

    @property
    def address_display(self) -> str:
        return self.address_raw.strip()

    @cached_property
    def _nhs(self) -> tuple[str | None, bool]:
        return _valid_nhs_number(self.nhs_raw)

    @property
    def nhs_number(self) -> str | None:
        return self._nhs[0]

    @property
    def nhs_invalid(self) -> bool:
        return self._nhs[1]

    @cached_property
    def _upn(self) -> tuple[str | None, bool]:
        return _valid_upn(self.upn_raw)

    @property
    def upn(self) -> str | None:
        return self._upn[0]

    @property
    def upn_invalid(self) -> bool:
        return self._upn[1]

    @property
    def upn_temporary(self) -> bool:
        upn = self.upn
        return upn is not None and upn[12].isalpha()


@lru_cache(maxsize=65536)
def _forename_options(
    forenames: str, other_names: tuple[str, ...]
) -> tuple[tuple[_NameOption, ...], _NameOption | None, tuple[_NameOption, ...]]:
    """(alternatives tried as a first name, the first forename, the middle names).

    Shared with batch linkage (``mash.domain.linkage_features``), so both compare the same names.
    """
    forename_tokens = _tokenise(forenames or "")
    options: list[_NameOption] = []
    first: _NameOption | None = None
    middles: tuple[_NameOption, ...] = ()
    if forename_tokens:
        first = _NameOption(forename_tokens[0][0], forename_tokens[0][1], "")
        options.append(first)
        middles = tuple(_NameOption(t, d, "middle name") for t, d in forename_tokens[1:])
        if len(forename_tokens) > 1:
            options.append(
                _NameOption(
                    "".join(t for t, _ in forename_tokens),
                    " ".join(d for _, d in forename_tokens),
                    "",
                )
            )
    for other in other_names:
        tokens = _tokenise(other or "")
        if tokens:
            options.append(_NameOption(tokens[0][0], tokens[0][1], "other name"))
            if len(tokens) > 1:
                options.append(
                    _NameOption(
                        "".join(t for t, _ in tokens),
                        " ".join(d for _, d in tokens),
                        "other name",
                    )
                )
    # De-duplicate keys, keeping the first (main forename preferred).
    seen: set[str] = set()
    unique: list[_NameOption] = []
    for option in options:
        if option.key not in seen:
            seen.add(option.key)
            unique.append(option)
    return tuple(unique), first, middles


def _valid_nhs_number(raw: str | None) -> tuple[str | None, bool]:
    """(the NHS number if valid, whether one was given but is invalid)."""
    if raw and raw.strip():
        try:
            return validate_nhs_number(raw), False
        except InvalidIdentifier:
            return None, True
    return None, False


def _valid_upn(raw: str | None) -> tuple[str | None, bool]:
    """(the UPN if valid, whether one was given but is invalid)."""
    if raw and raw.strip():
        try:
            return validate_upn(raw), False
        except InvalidIdentifier:
            return None, True
    return None, False


@lru_cache(maxsize=8192)
def _prepare(record: PersonRecord) -> _Prepared:
    unique, first, middles = _forename_options(record.forenames or "", tuple(record.other_names))
    surname_tokens = _tokenise(record.surname or "")
    return _Prepared(
        forename_options=tuple(unique),
        first_forename=first,
        middle_names=middles,
        surname_key="".join(t for t, _ in surname_tokens),
        surname_display=" ".join(d for _, d in surname_tokens),
        surname_tokens=frozenset(t for t, _ in surname_tokens),
        dob=record.dob,
        dob_is_expected=record.dob_is_expected,
        sex=normalise_sex(record.sex),
        postcode=normalise_postcode(record.postcode),
        address_raw=record.address or "",
        nhs_raw=record.nhs_number,
        upn_raw=record.upn,
    )


# ---------------------------------------------------------------------------
# Name comparison
# ---------------------------------------------------------------------------


@lru_cache(maxsize=131072)
def _name_level_ordered(a: str, b: str) -> tuple[str, float]:
    """Level for two normalised, space-free names, with the JW similarity."""
    if a == b:
        return "exact", 1.0
    if len(a) == 1 or len(b) == 1:
        return ("initial" if a[0] == b[0] else "disagree"), 0.0
    if b in name_variants(a):
        return "variant", 1.0
    similarity = JaroWinkler.similarity(a, b)
    if similarity >= JW_HIGH:
        return "jaro_winkler_high", similarity
    key_a = _metaphone(a)
    if key_a and key_a == _metaphone(b):
        return "phonetic", similarity
    if similarity >= JW_MEDIUM:
        return "jaro_winkler_medium", similarity
    return "disagree", similarity


def _name_level(a: str, b: str) -> tuple[str, float]:
    return _name_level_ordered(a, b) if a <= b else _name_level_ordered(b, a)


def _q(name: str) -> str:
    return f"'{name}'"


def _source_note(option: _NameOption, whose: str) -> str:
    return f" ({whose} {option.source})" if option.source else ""


def _forename_explanation(level: str, a: _NameOption, b: _NameOption, sim: float) -> str:
    na = _q(a.display) + _source_note(a, "query")
    nb = _q(b.display) + _source_note(b, "record")
    if level == "exact":
        if na == nb:
            return f"First name {na} is the same on both records"
        return f"First names {na} and {nb} are the same"
    if level == "nickname":
        return f"First name {na} is a known short form or variant of {nb}"
    if level == "jaro_winkler_high":
        return f"First names {na} and {nb} are spelt very similarly (similarity {sim:.2f})"
    if level == "jaro_winkler_medium":
        return f"First names {na} and {nb} are spelt fairly similarly (similarity {sim:.2f}); weak evidence"
    if level == "phonetic":
        return f"First names {na} and {nb} sound alike but are spelt differently"
    if level == "initial":
        return f"Only an initial was given: {na} is consistent with {nb}"
    return f"First names {na} and {nb} do not match"


# Levels in order of precedence: when several alternatives (first forename,
# whole forename, other names) reach different levels, the earliest wins. The
# order is fixed rather than "highest weight" so that a record pair reaches the
# same level whatever the trained weights, and the same level as the ordered
# CASE WHEN of batch linkage (mash.matching.linkage).
FORENAME_LEVEL_ORDER: Final = (
    "exact",
    "swapped_with_surname",
    "nickname",
    "jaro_winkler_high",
    "initial",
    "middle_name",
    "phonetic",
    "jaro_winkler_medium",
    "disagree",
)
SURNAME_LEVEL_ORDER: Final = (
    "exact",
    "swapped_with_forename",
    "variant",
    "jaro_winkler_high",
    "part_of_double_barrelled",
    "initial",
    "phonetic",
    "jaro_winkler_medium",
    "disagree",
)
_FORENAME_RANK: Final[Mapping[str, int]] = MappingProxyType({k: i for i, k in enumerate(FORENAME_LEVEL_ORDER)})
_SURNAME_RANK: Final[Mapping[str, int]] = MappingProxyType({k: i for i, k in enumerate(SURNAME_LEVEL_ORDER)})


def _compare_forenames(
    q: _Prepared, c: _Prepared, weights: MatchWeights, term_frequencies: TermFrequencies | None
) -> tuple[str, float, str]:
    """(level, weight, explanation)."""
    if not q.forename_options or not c.forename_options:
        return (
            "missing",
            0.0,
            "First name is not recorded on both records, so it was not compared",
        )
    levels = weights.forename
    best: tuple[int, str, _NameOption, _NameOption, float] | None = None
    for a in q.forename_options:
        for b in c.forename_options:
            level, sim = _name_level(a.key, b.key)
            if level == "variant":
                level = "nickname"
            rank = _FORENAME_RANK[level]
            if best is None or rank < best[0]:
                best = (rank, level, a, b, sim)
    assert best is not None
    rank, level, a, b, sim = best
    w = levels[level].weight
    if rank > _FORENAME_RANK["middle_name"]:
        qf, cf = q.first_forename, c.first_forename
        for first, middles, query_side in (
            (qf, c.middle_names, True),
            (cf, q.middle_names, False),
        ):
            if first is None:
                continue
            for middle in middles:
                if first.key == middle.key:
                    if query_side:
                        text = f"First name {_q(first.display)} matches a middle name on the record ({_q(middle.display)})"
                    else:
                        text = (
                            f"The record's first name {_q(first.display)} matches a "
                            f"middle name given in the query ({_q(middle.display)})"
                        )
                    return "middle_name", levels["middle_name"].weight, text
    text = _forename_explanation(level, a, b, sim)
    if level == "exact":
        w, text = _tf_adjusted("forename", a.key, a.display, levels["exact"], w, text, term_frequencies)
    return level, w, text


def _tf_adjusted(
    field_name: str,
    key: str,
    display: str,
    exact: LevelProbabilities,
    weight: float,
    text: str,
    term_frequencies: TermFrequencies | None,
) -> tuple[float, str]:
    """Weight and explanation of an exact name match, adjusted for how common the name is.

    Agreeing on "Smith" says less than agreeing on "Zielinska". The average
    exact-match weight uses u, the chance that two different people share *a*
    name; with term frequencies the chance that two different people share
    *this* name is about its proportion of the records, so the weight becomes
    log2(m / proportion), as in Splink's term frequency adjustment. Initials
    are left alone: batch linkage does not compare them.
    """
    if term_frequencies is None or len(key) < 2:
        return weight, text
    proportion = term_frequencies.proportion(field_name, key)
    if proportion is None or proportion <= 0.0:
        return weight, text
    noun = "first name" if field_name == "forename" else "surname"
    if proportion > exact.u:
        text += f"; {_q(display)} is a common {noun}, so agreeing counts for less"
    else:
        text += f"; {_q(display)} is a rare {noun}, so agreeing counts for more"
    return math.log2(exact.m / proportion), text


def _compare_surnames(
    q: _Prepared, c: _Prepared, weights: MatchWeights, term_frequencies: TermFrequencies | None
) -> tuple[str, float, str]:
    if not q.surname_key or not c.surname_key:
        return (
            "missing",
            0.0,
            "Surname is not recorded on both records, so it was not compared",
        )
    levels = weights.surname
    level, sim = _name_level(q.surname_key, c.surname_key)
    w = levels[level].weight
    na, nb = _q(q.surname_display), _q(c.surname_display)
    multi_part = len(q.surname_tokens) > 1 or len(c.surname_tokens) > 1
    if _SURNAME_RANK[level] > _SURNAME_RANK["part_of_double_barrelled"] and multi_part:
        shared = sorted(t for t in q.surname_tokens & c.surname_tokens if len(t) > 1)
        if shared:
            return (
                "part_of_double_barrelled",
                levels["part_of_double_barrelled"].weight,
                f"Surnames {na} and {nb} share the part {_q(shared[0].title())}",
            )
    if level == "exact":
        text = f"Surname {na} is the same on both records"
        w, text = _tf_adjusted("surname", q.surname_key, q.surname_display, levels["exact"], w, text, term_frequencies)
    elif level == "variant":
        text = f"Surname {na} is a known alternative spelling of {nb}"
    elif level == "jaro_winkler_high":
        text = f"Surnames {na} and {nb} are spelt very similarly (similarity {sim:.2f})"
    elif level == "jaro_winkler_medium":
        text = f"Surnames {na} and {nb} are spelt fairly similarly (similarity {sim:.2f}); weak evidence"
    elif level == "phonetic":
        text = f"Surnames {na} and {nb} sound alike but are spelt differently"
    elif level == "initial":
        text = f"Only a surname initial was given: {na} is consistent with {nb}"
    else:
        text = f"Surnames {na} and {nb} do not match"
    return level, w, text


_SWAP_OK: Final = frozenset({"exact", "variant", "jaro_winkler_high"})


def _names_swapped(q: _Prepared, c: _Prepared) -> tuple[_NameOption, _NameOption] | None:
    """If the query's forename matches the record's surname and vice versa,
    return the (query forename, record forename) options that matched."""
    if not q.surname_key or not c.surname_key:
        return None
    q_first = next(
        (o for o in q.forename_options if _name_level(o.key, c.surname_key)[0] in _SWAP_OK),
        None,
    )
    if q_first is None:
        return None
    c_first = next(
        (o for o in c.forename_options if _name_level(o.key, q.surname_key)[0] in _SWAP_OK),
        None,
    )
    if c_first is None:
        return None
    return q_first, c_first


# ---------------------------------------------------------------------------
# Other fields
# ---------------------------------------------------------------------------


def _fmt_date(d: date) -> str:
    return d.strftime("%d/%m/%Y")


def _dob_level(a: date, b: date, expected: bool) -> str:
    if a == b:
        return "exact"
    if expected:
        near = abs((a - b).days) <= EXPECTED_DATE_WINDOW_DAYS
        return "expected_date_near" if near else "disagree"
    if a.year == b.year and a.day == b.month and a.month == b.day:
        return "day_month_swapped"
    if a.day == b.day and a.month == b.month and abs(a.year - b.year) == 1:
        return "year_off_by_one"
    same = (a.day == b.day) + (a.month == b.month) + (a.year == b.year)
    if same == 2:
        return "one_part_differs"
    return "disagree"


def _compare_dob(q: _Prepared, c: _Prepared, weights: MatchWeights) -> FieldComparison:
    if q.dob is None or c.dob is None:
        return FieldComparison(
            "dob",
            "missing",
            0.0,
            "Date of birth is not recorded on both records, so it was not compared",
        )
    expected = q.dob_is_expected or c.dob_is_expected
    level = _dob_level(q.dob, c.dob, expected)
    a, b = _fmt_date(q.dob), _fmt_date(c.dob)
    texts = {
        "exact": f"Date of birth {a} is the same on both records",
        "day_month_swapped": (f"Dates of birth {a} and {b} match with the day and month swapped (a common mistake)"),
        "year_off_by_one": f"Dates of birth {a} and {b} match except the year is one out",
        "one_part_differs": (
            f"Dates of birth {a} and {b} share two of day, month and year (possibly a typing mistake); weak evidence"
        ),
        "expected_date_near": (
            f"Dates {a} and {b} are within {EXPECTED_DATE_WINDOW_DAYS} days and at least one is an expected date of delivery"
        ),
        "disagree": f"Dates of birth {a} and {b} do not match",
    }
    return FieldComparison("dob", level, weights.weight("dob", level), texts[level])


def _compare_sex(q: _Prepared, c: _Prepared, weights: MatchWeights) -> FieldComparison:
    if not q.sex or not c.sex:
        return FieldComparison(
            "sex",
            "missing",
            0.0,
            "Sex is not known on both records, so it was not compared",
        )
    words = {"M": "male", "F": "female"}
    if q.sex == c.sex:
        return FieldComparison(
            "sex",
            "agree",
            weights.weight("sex", "agree"),
            f"Both records are {words[q.sex]}",
        )
    return FieldComparison(
        "sex",
        "disagree",
        weights.weight("sex", "disagree"),
        f"Sex differs: {words[q.sex]} in the query, {words[c.sex]} on the record",
    )


def _compare_postcode(q: _Prepared, c: _Prepared, weights: MatchWeights) -> FieldComparison:
    a, b = q.postcode, c.postcode
    if a is None or b is None:
        return FieldComparison(
            "postcode",
            "missing",
            0.0,
            "A valid postcode is not recorded on both records, so postcodes were not compared",
        )
    if a == b:
        level, text = "full", f"Postcode {a} is the same on both records"
    elif a[:-2] == b[:-2]:
        level, text = (
            "same_sector",
            f"Postcodes {a} and {b} are in the same sector ({a[:-2]})",
        )
    elif a.split(" ")[0] == b.split(" ")[0]:
        district = a.split(" ")[0]
        level, text = (
            "same_district",
            f"Postcodes {a} and {b} are in the same district ({district}); weak evidence",
        )
    elif _postcode_area(a) == _postcode_area(b):
        level, text = (
            "same_area",
            (f"Postcodes {a} and {b} are in the same area ({_postcode_area(a)}) but different districts"),
        )
    else:
        level, text = "disagree", f"Postcodes {a} and {b} are in different areas"
    return FieldComparison("postcode", level, weights.weight("postcode", level), text)


def _postcode_area(pc: str) -> str:
    end = 0
    while end < len(pc) and pc[end].isalpha():
        end += 1
    return pc[:end]


def _compare_address(q: _Prepared, c: _Prepared, weights: MatchWeights) -> FieldComparison:
    if q.postcode is not None and c.postcode is not None:
        return FieldComparison(
            "address",
            "not_compared",
            0.0,
            "Address text was not compared because both records have a postcode",
        )
    if not q.address or not c.address:
        return FieldComparison(
            "address",
            "missing",
            0.0,
            "Address is not recorded on both records, so it was not compared",
        )
    a, b = _q(q.address_display), _q(c.address_display)
    qn, cn = q.address_numbers, c.address_numbers
    if qn and cn and not (qn & cn):
        level = "disagree"
        text = f"Addresses {a} and {b} have different house or flat numbers"
    else:
        ratio = fuzz.token_set_ratio(q.address, c.address)
        shared = q.address_tokens & c.address_tokens
        numbers_confirmed = bool(qn & cn) or (not qn and not cn)
        if ratio >= ADDRESS_RATIO and len(shared) >= 2 and numbers_confirmed:
            level = "similar"
            text = f"Addresses {a} and {b} match (similarity {ratio:.0f}%)"
        elif ratio >= ADDRESS_RATIO:
            level = "partial"
            text = f"Addresses {a} and {b} partly match (similarity {ratio:.0f}%) but the house number is not confirmed"
        else:
            level = "disagree"
            text = f"Addresses {a} and {b} do not match (similarity {ratio:.0f}%)"
    return FieldComparison("address", level, weights.weight("address", level), text)


def _given(raw: str | None) -> bool:
    return bool(raw and raw.strip())


def _compare_nhs(q: _Prepared, c: _Prepared, weights: MatchWeights) -> FieldComparison:
    if not (_given(q.nhs_raw) and _given(c.nhs_raw)):
        return FieldComparison(
            "nhs_number", "missing", 0.0, "NHS number is not recorded on both records, so it was not compared"
        )
    if q.nhs_number is None or c.nhs_number is None:
        if q.nhs_invalid or c.nhs_invalid:
            text = "An NHS number was given but is not valid, so it was not compared"
        else:
            text = "NHS number is not recorded on both records, so it was not compared"
        return FieldComparison("nhs_number", "missing", 0.0, text)
    if q.nhs_number == c.nhs_number:
        return FieldComparison(
            "nhs_number",
            "exact",
            weights.weight("nhs_number", "exact"),
            "NHS number is the same on both records (very strong evidence)",
        )
    return FieldComparison(
        "nhs_number",
        "disagree",
        weights.weight("nhs_number", "disagree"),
        "The records have different NHS numbers (strong evidence they are different people)",
    )


def _compare_upn(q: _Prepared, c: _Prepared, weights: MatchWeights) -> FieldComparison:
    if not (_given(q.upn_raw) and _given(c.upn_raw)):
        return FieldComparison(
            "upn", "missing", 0.0, "Unique Pupil Number is not recorded on both records, so it was not compared"
        )
    if q.upn is None or c.upn is None:
        if q.upn_invalid or c.upn_invalid:
            text = "A UPN was given but is not valid, so it was not compared"
        else:
            text = "Unique Pupil Number is not recorded on both records, so it was not compared"
        return FieldComparison("upn", "missing", 0.0, text)
    if q.upn == c.upn:
        return FieldComparison(
            "upn",
            "exact",
            weights.weight("upn", "exact"),
            "Unique Pupil Number is the same on both records (very strong evidence)",
        )
    if q.upn_temporary or c.upn_temporary:
        return FieldComparison(
            "upn",
            "disagree_temporary",
            weights.weight("upn", "disagree_temporary"),
            "The UPNs differ, but at least one is a temporary UPN, which is "
            "replaced when the permanent one is issued; weak evidence",
        )
    return FieldComparison(
        "upn",
        "disagree",
        weights.weight("upn", "disagree"),
        "The records have different Unique Pupil Numbers (strong evidence they are different people)",
    )


# ---------------------------------------------------------------------------
# Family check
# ---------------------------------------------------------------------------

_FORENAME_DISTINGUISHES: Final = frozenset(
    {
        "exact",
        "nickname",
        "jaro_winkler_high",
        "middle_name",
        "initial",
        "swapped_with_surname",
    }
)
_FORENAME_WEAK: Final = frozenset({"phonetic", "jaro_winkler_medium", "disagree"})


def _family_check(
    forename: FieldComparison,
    surname: FieldComparison,
    dob: FieldComparison,
    address: FieldComparison,
) -> FieldComparison | None:
    surname_w = max(surname.weight, 0.0)
    address_w = max(address.weight, 0.0)
    forename_weak = forename.level in _FORENAME_WEAK
    forename_ok = forename.level in _FORENAME_DISTINGUISHES
    where = " and address" if address_w > 0 else ""

    if forename_weak and surname_w > 0 and dob.weight > 0:
        cancelled = surname_w + dob.weight + address_w
        if dob.level == "exact":
            return FieldComparison(
                "family_check",
                "possible_twin",
                -cancelled,
                f"Surname, date of birth{where} agree but the first names do not: "
                "this is the pattern for twins, so those shared details have not been counted",
            )
        return FieldComparison(
            "family_check",
            "possible_sibling",
            -cancelled,
            f"Surname{where} agree and the dates of birth are close, but the first names "
            "do not match: this could be a brother or sister, so those shared details "
            "have not been counted",
        )

    if not forename_ok and dob.weight <= 0 and (surname_w > 0 or address_w > 0):
        shared = " and ".join(part for part, w in (("surname", surname_w), ("address", address_w)) if w > 0)
        verb = "agree" if surname_w > 0 and address_w > 0 else "agrees"
        if forename_weak:
            return FieldComparison(
                "family_check",
                "possible_sibling",
                -(surname_w + address_w),
                f"The {shared} {verb} but neither first name nor date of birth does: "
                "brothers and sisters share these details, so they have not been counted",
            )
        return FieldComparison(
            "family_check",
            "household_details_only",
            -(surname_w + address_w),
            f"Only the {shared} {verb}, with no first name or date of birth to tell family "
            "members apart, so these shared details have not been counted",
        )

    if forename_ok and surname_w > 0 and dob.level == "disagree" and address_w > 0:
        return FieldComparison(
            "family_check",
            "same_name_different_dob",
            -address_w,
            "Names and address agree but dates of birth do not: a parent and child or "
            "other relatives can share a name and an address, so the address has not "
            "been counted",
        )
    return None


# ---------------------------------------------------------------------------
# Scoring
# ---------------------------------------------------------------------------

_MAX_LOG_ODDS: Final = 1000.0


def _probability(log2_odds: float) -> float:
    x = max(-_MAX_LOG_ODDS, min(_MAX_LOG_ODDS, log2_odds))
    return 1.0 / (1.0 + math.exp2(-x))


def score(
    query: PersonRecord,
    candidate: PersonRecord,
    prior: float = 1 / 1000,
    weights: MatchWeights = DEFAULT_WEIGHTS,
    term_frequencies: TermFrequencies | None = None,
) -> MatchResult:
    """Probability that ``query`` and ``candidate`` are the same person, with reasons.

    ``prior`` is the probability of a match before looking at any evidence
    (roughly 1 / number of plausible candidates). Symmetric in its first two
    arguments. With ``term_frequencies`` an exact first name or surname
    counts for less when the name is common and more when it is rare (see
    :func:`_tf_adjusted`).
    """
    if not 0.0 < prior < 1.0:
        raise ValueError("prior must be strictly between 0 and 1")
    q = _prepare(query)
    c = _prepare(candidate)

    f_level, f_weight, f_text = _compare_forenames(q, c, weights, term_frequencies)
    s_level, s_weight, s_text = _compare_surnames(q, c, weights, term_frequencies)
    # Swapped names come straight after an exact match in both level orders:
    # an exact first name or surname is kept as it is (then the names are
    # not swapped); otherwise a swap beats every other level.
    if f_level != "exact" and s_level != "exact":
        swapped = _names_swapped(q, c)
        if swapped is not None:
            qf, cf = swapped
            f_level, f_weight = "swapped_with_surname", weights.forename["swapped_with_surname"].weight
            s_level, s_weight = "swapped_with_forename", weights.surname["swapped_with_forename"].weight
            f_text = (
                f"First and last names look swapped: query first name {_q(qf.display)} "
                f"matches the record's surname {_q(c.surname_display)}"
            )
            s_text = (
                f"First and last names look swapped: query surname "
                f"{_q(q.surname_display)} matches the record's first name "
                f"{_q(cf.display)}"
            )
    forename = FieldComparison("forename", f_level, f_weight, f_text)
    surname = FieldComparison("surname", s_level, s_weight, s_text)
    dob = _compare_dob(q, c, weights)
    sex = _compare_sex(q, c, weights)
    postcode = _compare_postcode(q, c, weights)
    address = _compare_address(q, c, weights)
    nhs = _compare_nhs(q, c, weights)
    upn = _compare_upn(q, c, weights)

    household = address if address.level != "not_compared" else postcode
    # Brothers, sisters and twins have different NHS numbers and UPNs: when one agrees there is no
    # family member to mistake the person for.
    identified = nhs.level == "exact" or upn.level == "exact"
    family = None if identified else _family_check(forename, surname, dob, household)

    comparisons: tuple[FieldComparison, ...] = (
        forename,
        surname,
        dob,
        sex,
        postcode,
        address,
        nhs,
        upn,
    )
    if family is not None:
        comparisons += (family,)
    total = math.fsum(comp.weight for comp in comparisons)
    log2_prior_odds = math.log2(prior / (1.0 - prior))
    return MatchResult(_probability(log2_prior_odds + total), comparisons)


def score_many(
    query: PersonRecord,
    candidates: Iterable[PersonRecord],
    prior: float = 1 / 1000,
    weights: MatchWeights = DEFAULT_WEIGHTS,
    term_frequencies: TermFrequencies | None = None,
) -> list[tuple[PersonRecord, MatchResult]]:
    """Score each candidate, best first."""
    results = [(c, score(query, c, prior, weights, term_frequencies)) for c in candidates]
    results.sort(key=lambda pair: -pair[1].probability)
    return results
