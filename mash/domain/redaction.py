"""Redaction: what may leave the MASH is the original with parts taken out, never rewritten.

An agency (or a manager) redacts by deleting words or replacing them with the redaction
mark. Anything else (a reworded sentence, an added claim) would make the travelling copy
say something the agency never shared, so it is refused.
"""

from __future__ import annotations

import re

REDACTION_MARK = "[redacted]"

# Words, and each punctuation mark on its own, so "Seen by [redacted], GP." can keep the
# comma and full stop that followed a removed name.
_TOKEN = re.compile(r"\[redacted\]|\w+(?:['’-]\w+)*|[^\w\s]")


def _tokens(text: str) -> list[str]:
    return _TOKEN.findall(text)


def _is_subsequence(needle: list[str], haystack: list[str]) -> bool:
    remaining = iter(haystack)
    return all(any(token == candidate for candidate in remaining) for token in needle)


def redaction_problems(original: str, redacted: str) -> list[str]:
    """Why `redacted` is not an acceptable redaction of `original` (empty when it is)."""
    kept = [token for token in _tokens(redacted) if token != REDACTION_MARK]
    if " ".join(_tokens(redacted)) == " ".join(_tokens(original)):
        return ["The redacted version is the same as the original: remove or mark what must not leave the MASH."]
    if not kept:
        return [
            "Nothing would be left. To keep the whole item inside the MASH, withhold it instead of redacting it."
        ]
    if not _is_subsequence(kept, _tokens(original)):
        return [
            "A redaction may only remove words or replace them with "
            f"{REDACTION_MARK}; it must not add or reword anything."
        ]
    return []


def is_valid_redaction(original: str, redacted: str) -> bool:
    return not redaction_problems(original, redacted)
