"""Validation and normalisation of UK identifiers used to find a child.

Pure functions, no Django. Everything here either returns a normalised value
or raises :class:`InvalidIdentifier` with a message that can be shown to a
MASH officer as it stands.

Postcodes
    ``normalise_postcode`` returns the canonical form ("NN4 7SL") or ``None``
    for a blank, malformed, or NHS pseudo-postcode (``ZZ99 xxx``: used by the
    NHS for "no fixed abode", "not known" and overseas). A pseudo-postcode
    must never be used as evidence that two people live at the same address.

NHS numbers
    Ten digits, the last a modulus 11 check digit: multiply digits 1-9 by the
    weights 10, 9, ..., 2, sum, ``check = 11 - (sum % 11)``; 11 becomes 0 and
    10 means the number is invalid. All-same-digit numbers (including
    0000000000) are rejected because they are used as placeholders.

Unique Pupil Numbers (DfE)
    13 characters. Character 1 is a check letter; characters 2-4 are the
    allocating local authority's DfE number; 5-8 the establishment number;
    9-10 the year of allocation; 11-13 a serial number. A *temporary* UPN has
    a letter in position 13. The check letter: multiply characters 2-13 by
    the weights 2..13 (a letter in position 13 counts as its index in the
    check alphabet below, A=0, B=1, ...), sum, take the remainder mod 23 and
    read the letter at that index of ``ABCDEFGHJKLMNPQRTUVWXYZ`` (the
    alphabet without I, O and S); e.g. B801200005001 is valid. The LA code is only checked to be three digits:
    the list of LA numbers changes with local government reorganisation.
"""

from __future__ import annotations

import re
from typing import Final

__all__ = [
    "UPN_CHECK_ALPHABET",
    "InvalidIdentifier",
    "is_temporary_upn",
    "is_valid_postcode",
    "normalise_postcode",
    "postcode_area",
    "postcode_district",
    "postcode_sector",
    "upn_check_letter",
    "validate_nhs_number",
    "validate_upn",
]


class InvalidIdentifier(ValueError):
    """An identifier failed validation. ``str(exc)`` is a plain-English reason."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# --------------------------------------------------------------------------
# Postcodes
# --------------------------------------------------------------------------

# Outward code: A9, A99, A9A, AA9, AA99, AA9A (Royal Mail rules for which
# letters may appear in each position). Inward code: 9AA, never C I K M O V.
_OUTWARD = (
    r"(?:[A-PR-UWYZ][0-9]{1,2}"
    r"|[A-PR-UWYZ][A-HK-Y][0-9]{1,2}"
    r"|[A-PR-UWYZ][0-9][A-HJKPSTUW]"
    r"|[A-PR-UWYZ][A-HK-Y][0-9][ABEHMNPRVWXY])"
)
_INWARD = r"[0-9][ABD-HJLNP-UW-Z]{2}"
_POSTCODE_RE: Final = re.compile(rf"^(?P<outward>{_OUTWARD}|GIR)(?P<inward>{_INWARD})$")
_SEPARATORS_RE: Final = re.compile(r"[\s\-._]+")
_AREA_RE: Final = re.compile(r"^[A-Z]+")
_PSEUDO_POSTCODE_PREFIX: Final = "ZZ99"


def normalise_postcode(raw: str | None) -> str | None:
    """Return the postcode as ``"OUTWARD INWARD"`` in capitals, or ``None``.

    ``None`` is returned for blank input, anything that is not a valid UK
    postcode format, and NHS pseudo-postcodes (``ZZ99 ...``).

    >>> normalise_postcode("nn47sl")
    'NN4 7SL'
    >>> normalise_postcode(" sw1a  1aa ")
    'SW1A 1AA'
    >>> normalise_postcode("ZZ99 3VZ") is None
    True
    """
    if raw is None:
        return None
    compact = _SEPARATORS_RE.sub("", raw).upper()
    if not compact or compact.startswith(_PSEUDO_POSTCODE_PREFIX):
        return None
    match = _POSTCODE_RE.match(compact)
    if match is None:
        return None
    return f"{match['outward']} {match['inward']}"


def is_valid_postcode(raw: str | None) -> bool:
    """True if ``raw`` is a real (non-pseudo) UK postcode in any spacing/case."""
    return normalise_postcode(raw) is not None


def _require_postcode(pc: str) -> str:
    normalised = normalise_postcode(pc)
    if normalised is None:
        raise InvalidIdentifier(f"'{pc}' is not a valid UK postcode.")
    return normalised


def postcode_district(pc: str) -> str:
    """The outward code, e.g. ``"NN4"`` for ``"NN4 7SL"``."""
    return _require_postcode(pc).split(" ", 1)[0]


def postcode_area(pc: str) -> str:
    """The leading letters, e.g. ``"NN"`` for ``"NN4 7SL"``."""
    match = _AREA_RE.match(_require_postcode(pc))
    assert match is not None  # every valid postcode starts with a letter
    return match.group(0)


def postcode_sector(pc: str) -> str:
    """Outward code plus the inward digit, e.g. ``"NN4 7"`` for ``"NN4 7SL"``."""
    return _require_postcode(pc)[:-2]


# --------------------------------------------------------------------------
# NHS numbers
# --------------------------------------------------------------------------

_NHS_SEPARATORS_RE: Final = re.compile(r"[\s\-]+")
_NHS_WEIGHTS: Final = (10, 9, 8, 7, 6, 5, 4, 3, 2)


def validate_nhs_number(raw: str) -> str:
    """Return the 10-digit NHS number, or raise :class:`InvalidIdentifier`.

    Spaces and dashes are allowed in the input ("943 476 5919").
    """
    digits = _NHS_SEPARATORS_RE.sub("", raw or "")
    if not digits:
        raise InvalidIdentifier("The NHS number is blank.")
    if not digits.isascii() or not digits.isdigit():
        raise InvalidIdentifier("An NHS number can only contain digits (spaces and dashes are allowed).")
    if len(digits) != 10:
        raise InvalidIdentifier(f"An NHS number has 10 digits; this one has {len(digits)}.")
    if len(set(digits)) == 1:
        raise InvalidIdentifier("An NHS number cannot be the same digit repeated; this looks like a placeholder.")
    total = sum(int(d) * w for d, w in zip(digits[:9], _NHS_WEIGHTS, strict=True))
    check = 11 - (total % 11)
    if check == 11:
        check = 0
    if check == 10:
        raise InvalidIdentifier(
            "This is not a valid NHS number: no valid check digit exists for "
            "its first nine digits. Please check it has been copied correctly."
        )
    if check != int(digits[9]):
        raise InvalidIdentifier(
            "This is not a valid NHS number: the last digit does not match "
            "the check digit. Please check it has been copied correctly."
        )
    return digits


# --------------------------------------------------------------------------
# Unique Pupil Numbers
# --------------------------------------------------------------------------

UPN_CHECK_ALPHABET: Final = "ABCDEFGHJKLMNPQRTUVWXYZ"
_UPN_SEPARATORS_RE: Final = re.compile(r"[\s\-]+")


def upn_check_letter(body: str) -> str:
    """Check letter for the 12 characters that follow it in a UPN.

    ``body`` is characters 2-13: eleven digits then a digit or (for a
    temporary UPN) a letter from :data:`UPN_CHECK_ALPHABET`.
    """
    if len(body) != 12:
        raise InvalidIdentifier("A UPN has 12 characters after the check letter.")
    total = 0
    for weight, char in enumerate(body, start=2):
        if char.isascii() and char.isdigit():
            value = int(char)
        elif weight == 13 and char in UPN_CHECK_ALPHABET:
            value = UPN_CHECK_ALPHABET.index(char)
        else:
            raise InvalidIdentifier(f"'{char}' is not allowed at position {weight} of a UPN.")
        total += weight * value
    return UPN_CHECK_ALPHABET[total % 23]


def validate_upn(raw: str) -> str:
    """Return the UPN in capitals without spaces, or raise :class:`InvalidIdentifier`.

    Temporary UPNs (letter in position 13) are accepted; see
    :func:`is_temporary_upn`.
    """
    upn = _UPN_SEPARATORS_RE.sub("", raw or "").upper()
    if not upn:
        raise InvalidIdentifier("The UPN is blank.")
    if len(upn) != 13:
        raise InvalidIdentifier(f"A Unique Pupil Number has 13 characters; this one has {len(upn)}.")
    first, middle, last = upn[0], upn[1:12], upn[12]
    if first not in UPN_CHECK_ALPHABET:
        raise InvalidIdentifier("A UPN must start with a check letter (A-Z, but not I, O or S).")
    if not (middle.isascii() and middle.isdigit()):
        raise InvalidIdentifier(
            "Characters 2 to 12 of a UPN must be digits (local authority number, school number, year and serial number)."
        )
    if not ((last.isascii() and last.isdigit()) or last in UPN_CHECK_ALPHABET):
        raise InvalidIdentifier(
            "The last character of a UPN must be a digit, or for a temporary UPN a letter (A-Z, but not I, O or S)."
        )
    expected = upn_check_letter(upn[1:])
    if expected != first:
        raise InvalidIdentifier(
            "This is not a valid UPN: the first letter does not match the check "
            "letter worked out from the other 12 characters. Please check it has "
            "been copied correctly."
        )
    return upn


def is_temporary_upn(upn: str) -> bool:
    """True for a valid *temporary* UPN (a letter in position 13).

    Raises :class:`InvalidIdentifier` if ``upn`` is not a valid UPN at all.
    """
    return validate_upn(upn)[12].isalpha()
