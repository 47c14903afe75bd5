"""Words of a message: normalising, cutting into words, phrase lists from advisor/lexicon/reading.yml."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from advisor import lexicon

MAX_CHARS = 5000
"""Only the first MAX_CHARS characters of a message are read (advisor.inputs says so to the user)."""


WORD = re.compile(r"[\w'’&/+-]+|[^\w\s]")


SPACES = re.compile(r"[^\S\n]+")


ABBREVIATIONS = {"e.g", "i.e", "etc", "inc", "ltd", "co", "corp", "u.s", "st", "no", "vs", "dr", "mr", "mrs", "ms"}


GREETINGS = {"hi", "hello", "hey", "dear", "greetings", "good", "morning", "afternoon", "evening", ","}


@dataclass(frozen=True)
class Word:
    text: str  # lower case, curly apostrophes straightened
    start: int
    end: int


class PhraseSet:
    """Literal multi-word phrases found by a word-by-word scan (no regular expressions)."""

    def __init__(self, phrases: Iterable[str]) -> None:
        self._by_first: dict[str, list[tuple[str, ...]]] = {}
        for phrase in phrases:
            words = tuple(w.text for w in words_of(phrase))
            if words:
                self._by_first.setdefault(words[0], []).append(words)
        for options in self._by_first.values():
            options.sort(key=len, reverse=True)

    def length_at(self, words: Sequence[Word], i: int) -> int:
        """Words in the longest phrase starting at `words[i]`, 0 if none."""
        for option in self._by_first.get(words[i].text, ()):
            if tuple(w.text for w in words[i : i + len(option)]) == option:
                return len(option)
        return 0

    def find(self, words: Sequence[Word], start: int = 0, end: int | None = None) -> int | None:
        """Index of the first phrase in words[start:end], or None."""
        end = len(words) if end is None else end
        for i in range(start, end):
            if words[i].text in self._by_first and self.length_at(words, i):
                return i
        return None


def words_of(text: str) -> list[Word]:
    """Words and punctuation marks of `text` with their character offsets."""
    return [Word(m.group(0).lower().replace("’", "'"), m.start(), m.end()) for m in WORD.finditer(text)]


@functools.lru_cache(maxsize=1)
def phrase_sets() -> dict[str, PhraseSet]:
    names = (
        "item_joins",
        "work_verbs",
        "requirement_markers",
        "requirement_modifiers",
        "purpose_markers",
        "self_description_starts",
        "organisation_nouns",
        "need_verbs",
        "expert_heads",
        "object_links",
        "object_nouns",
        "expertise_requests",
        "neutral_verbs",
        "thing_nouns",
        "compliance_checks",
        "actor_nouns",
        "expert_hires",
        "hire_links",
        "routine_hires",
        "system_verbs",
    )
    out = {name: PhraseSet(lexicon.reading(name)) for name in names}
    out["facts"] = PhraseSet(p for entry in lexicon.reading("facts").values() for p in entry["phrases"])
    return out


@functools.lru_cache(maxsize=1)
def fact_index() -> dict[tuple[str, ...], tuple[str, str]]:
    index = {}
    for key, entry in lexicon.reading("facts").items():
        for phrase in entry["phrases"]:
            index[tuple(w.text for w in words_of(phrase))] = (key, entry["kind"])
    return index


LONGEST_RUN = 100
LONG_RUN = re.compile(rf"(\S{{{LONGEST_RUN}}})(?=\S)")


def normalise(text: str) -> str:
    """Straight quotes, one space between words, at most MAX_CHARS characters, no "word" longer
    than LONGEST_RUN characters (spaCy's tokenizer peels punctuation off a token one mark at a
    time, so a 5,000-character run of quotes would cost it quadratic time)."""
    text = (text or "")[:MAX_CHARS].replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    lines = (SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return "\n".join(LONG_RUN.sub(r"\1 ", line) for line in lines)
