"""The symmetric-delete index finds exactly what measuring the whole vocabulary would find."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from advisor.nlp import damerau_levenshtein, get_nlp

NORMALIZER = get_nlp().normalizer
VOCABULARY = sorted(NORMALIZER._vocabulary)


def brute_force(word: str) -> str:
    """The old correction: every vocabulary word of a near length, measured."""
    if len(word) < 5 or not word.isalpha() or word in NORMALIZER._vocabulary or NORMALIZER.is_known(word):
        return word
    limit = 1 if len(word) < 8 else 2
    best, best_score = word, limit + 1.0
    for candidate in sorted(VOCABULARY, key=lambda c: (len(c), c)):
        if abs(len(candidate) - len(word)) > limit:
            continue
        distance = damerau_levenshtein(word, candidate, limit + 1)
        score = distance + (0.0 if candidate[0] == word[0] else 0.5)
        if distance <= limit and score < best_score:
            best, best_score = candidate, score
    return best


def _typo(word: str, edits: list[tuple[int, int, str]]) -> str:
    for kind, position, letter in edits:
        position %= max(len(word), 1)
        if kind == 0:
            word = word[:position] + word[position + 1 :]
        elif kind == 1:
            word = word[:position] + letter + word[position:]
        elif kind == 2:
            word = word[:position] + letter + word[position + 1 :]
        elif position + 1 < len(word):
            word = word[:position] + word[position + 1] + word[position] + word[position + 2 :]
    return word


@settings(max_examples=300, deadline=None)
@given(
    word=st.sampled_from(VOCABULARY),
    edits=st.lists(
        st.tuples(st.integers(0, 3), st.integers(0, 20), st.sampled_from("abcdeilmnorstuy")), min_size=1, max_size=3
    ),
)
def test_the_index_corrects_like_the_whole_vocabulary(word, edits):
    typo = _typo(word, edits)
    assert NORMALIZER.correct(typo) == brute_force(typo)


def test_known_typos_are_still_corrected():
    assert NORMALIZER.correct("payrol") == "payroll"
    assert NORMALIZER.correct("custmer") == "customer"
    assert NORMALIZER.correct("biling") == "billing"
