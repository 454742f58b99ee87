"""Redaction: the travelling copy is the original with words taken out or marked, never rewritten."""

from __future__ import annotations

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from mash.domain.redaction import REDACTION_MARK, is_valid_redaction, redaction_problems

ORIGINAL = "Officers attended on 3 March after a neighbour named Jo Bloggs reported shouting."

# -- examples ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "redacted",
    [
        "Officers attended on 3 March after a neighbour named [redacted] reported shouting.",
        "Officers attended on 3 March after a neighbour named [redacted] [redacted] reported shouting.",
        "Officers attended on 3 March after a neighbour reported shouting.",
        "Officers attended after a neighbour reported shouting.",
        "[redacted] attended on 3 March",
        "shouting.",
        "  Officers attended\n on 3 March [redacted]  ",
        # The mark may touch the words around it.
        "Officers attended on 3 March after a neighbour named[redacted]reported shouting.",
        # Punctuation is kept or dropped on its own, like a word.
        "Officers attended on 3 March after a neighbour named [redacted] reported shouting",
    ],
)
def test_removing_or_marking_words_is_a_valid_redaction(redacted):
    assert redaction_problems(ORIGINAL, redacted) == []
    assert is_valid_redaction(ORIGINAL, redacted)


def test_a_removed_name_may_leave_the_punctuation_that_followed_it():
    assert is_valid_redaction("Seen by Dr Jones, GP, on Monday.", "Seen by [redacted], GP, on Monday.")
    assert is_valid_redaction("Seen by Dr Jones, GP, on Monday.", "Seen by [redacted], on Monday.")
    assert not is_valid_redaction("Seen by Dr Jones, GP, on Monday.", "Seen by [redacted]; GP, on Monday.")


def test_identical_text_is_refused():
    problems = redaction_problems(ORIGINAL, ORIGINAL)
    assert len(problems) == 1 and "same as the original" in problems[0]


def test_a_copy_that_differs_only_in_spacing_counts_as_identical():
    assert "same as the original" in redaction_problems(ORIGINAL, ORIGINAL.replace(" ", "   \n"))[0]


@pytest.mark.parametrize("redacted", ["", "   ", REDACTION_MARK, f"{REDACTION_MARK} {REDACTION_MARK}", f"\n{REDACTION_MARK}\n"])
def test_removing_everything_is_refused_and_points_to_withholding(redacted):
    problems = redaction_problems(ORIGINAL, redacted)
    assert len(problems) == 1
    assert "Nothing would be left" in problems[0] and "withhold" in problems[0]
    assert not is_valid_redaction(ORIGINAL, redacted)


@pytest.mark.parametrize(
    "redacted",
    [
        # an added word
        "Officers attended on 3 March after a neighbour named [redacted] falsely reported shouting.",
        # a reworded word
        "Officers attended on 4 March after a neighbour named [redacted] reported shouting.",
        # a reordering
        "Officers attended on March 3 after a neighbour named [redacted] reported shouting.",
        # part of a word cut away changes the word that travels
        "Officers attended on 3 March after a neighbour named Jo [redacted]s reported shouting.",
        "Officers attended on 3 March after a neighbour named Jo Blog reported shouting.",
        # added punctuation changes the meaning too
        "Officers attended on 3 March after a neighbour named [redacted] reported shouting!",
    ],
)
def test_adding_or_rewording_is_refused(redacted):
    problems = redaction_problems(ORIGINAL, redacted)
    assert len(problems) == 1
    assert "must not add or reword" in problems[0]
    assert not is_valid_redaction(ORIGINAL, redacted)


def test_a_word_may_not_be_repeated_more_often_than_the_original_has_it():
    assert not is_valid_redaction("the cat sat", "the the cat")
    assert is_valid_redaction("the cat the sat", "the the")


# -- properties -------------------------------------------------------------------------------

WORD = st.text(
    alphabet=st.characters(blacklist_categories=("Zs", "Zl", "Zp", "Cc", "Cs")), min_size=1, max_size=8
).filter(lambda w: not any(c.isspace() for c in w) and "[" not in w and "]" not in w)
SEPARATOR = st.sampled_from([" ", "  ", "\n", "\t", " \n "])
KEEP, DROP, MARK = "keep", "drop", "mark"


def join(words: list[str], separators: list[str]) -> str:
    out = ""
    for index, word in enumerate(words):
        out += word + (separators[index % len(separators)] if index < len(words) - 1 else "")
    return out


@st.composite
def redaction_case(draw):  # noqa: ANN001, ANN201
    """An original, and a redaction of it: each word kept, dropped or replaced by the mark."""
    words = draw(st.lists(WORD, min_size=1, max_size=12))
    choices = draw(st.lists(st.sampled_from([KEEP, DROP, MARK]), min_size=len(words), max_size=len(words)))
    separators = draw(st.lists(SEPARATOR, min_size=1, max_size=4))
    original = join(words, separators)
    redacted_words = [REDACTION_MARK if c == MARK else w for w, c in zip(words, choices, strict=True) if c != DROP]
    return words, choices, original, join(redacted_words, draw(st.lists(SEPARATOR, min_size=1, max_size=4)))


@given(redaction_case())
def test_any_subsequence_with_some_words_marked_is_valid(case):
    words, choices, original, redacted = case
    assume(KEEP in choices)  # something is left
    assume(DROP in choices or MARK in choices)  # something was taken out
    assert redaction_problems(original, redacted) == [], (original, redacted)


NEW_WORD = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", min_size=1, max_size=8)


@given(redaction_case(), NEW_WORD, st.integers(min_value=0, max_value=20))
def test_adding_a_word_not_in_the_original_is_refused(case, new_word, position):
    words, choices, original, redacted = case
    assume(new_word not in original)  # so it is no word (nor part of one) of the original
    tokens = redacted.split()
    tokens.insert(position % (len(tokens) + 1), new_word)
    assert not is_valid_redaction(original, " ".join(tokens))


@given(st.lists(WORD, min_size=1, max_size=12), st.lists(SEPARATOR, min_size=1, max_size=4), st.lists(SEPARATOR, min_size=1, max_size=4))
def test_identical_words_are_refused_whatever_the_spacing(words, first, second):
    original, copy = join(words, first), join(words, second)
    problems = redaction_problems(original, copy)
    assert problems and "same as the original" in problems[0]


@given(redaction_case())
def test_taking_everything_out_is_refused(case):
    words, _, original, _ = case
    for redacted in ("", " ".join(REDACTION_MARK for _ in words)):
        problems = redaction_problems(original, redacted)
        assert problems and "Nothing would be left" in problems[0]


@given(st.lists(WORD, min_size=2, max_size=8, unique=True), st.data())
def test_reordering_distinct_words_is_refused(words, data):
    i = data.draw(st.integers(min_value=0, max_value=len(words) - 2))
    swapped = [*words]
    swapped[i], swapped[i + 1] = swapped[i + 1], swapped[i]
    assert not is_valid_redaction(" ".join(words), " ".join(swapped))
