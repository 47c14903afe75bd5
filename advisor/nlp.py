"""A rule-based spaCy pipeline on `spacy.blank("en")` that finds tasks, goals and skills.

No pretrained English model fits spaCy < 3.5 offline, so the pipeline is built
from parts that need no download:

* spaCy's tokenizer and the lookup lemmatizer (tables from `spacy-lookups-data`),
* a normaliser that lower-cases, lemmatises and corrects typos against the
  project's own vocabulary ("payrol" -> "payroll", "custmer" -> "customer"),
* `PhraseMatcher`s over the normalised, filler-free token stream, so
  "keep our books in order" matches the pattern "keep book in order",
* a negation scope check, so "not data entry, we need a forecast" drops data entry.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import spacy
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.pipeline import Lemmatizer
from spacy.tokens import Doc
from spacy.util import filter_spans

from advisor import cues, lexicon, taxonomy

# Words that carry no meaning for matching: dropped from both text and patterns.
FILLERS = lexicon.words("fillers")

# Lemmas that would merge distinct concepts ("marketing" -> "market").
KEEP_SURFACE = lexicon.words("keep_surface")

# Common words that look like typos of vocabulary words but are not.
NEVER_CORRECT = lexicon.words("never_correct")

NEGATION_CUES = lexicon.words("negation_cues")
# After a one-word task ("sales"), these words make it a figure, not work to hand off.
FIGURE_WORDS = lexicon.words("figure_words")
TREND_WORDS = lexicon.words("trend_words")
# Before a one-word task: "monthly sales", "historical sales" are figures.
FIGURE_BEFORE = lexicon.words("figure_before")
FIGURE_NOUNS = lexicon.words("figure_nouns")  # the one-word tasks that are also quantities
# After "enter into": making a deal ("entering into a contract"), not data entry.
AGREEMENT_WORDS = lexicon.words("agreement_words")
# Tokens that separate stretches of text scored for cue words.
SEGMENT_BREAKS = lexicon.words("segment_breaks")
# Tokens that end a negation's reach (a new clause starts).
CLAUSE_BREAKS = lexicon.words("clause_breaks")
# "and"/"or" end the negation only when a new verb phrase follows ("and we need X").
CLAUSE_OPENERS = lexicon.words("clause_openers")
SKILL_NOUNS = lexicon.words("skill_nouns")
# After a task: "payroll is covered", "we do accounting ourselves".
POST_NEGATION = re.compile(
    r"^\W*(?:(?:is|are|'s|'re)\s+(?:already\s+)?(?:not\s+(?:needed|required|necessary|"
    r"a\s+priority|an\s+issue|a\s+problem)|covered|handled\s+(?:internally|in[- ]house|already|by\s+us)|"
    r"sorted|taken\s+care\s+of|fine\s+as\s+(?:it\s+is|is)|done\s+in[- ]house)|"
    r"isn'?t\s+needed|aren'?t\s+needed|not\s+needed|not\s+required|"
    r"(?:stays?|remains?)\s+(?:with\s+(?:us|our|me)|in[- ]house|internal)|"
    r"(?:we\s+)?(?:do|handle|keep|manage)\s+(?:it\s+|that\s+|them\s+)?"
    r"(?:ourselves|internally|in[- ]house))",
    re.IGNORECASE,
)
PRE_NEGATION_PHRASES = re.compile(
    r"(?:rather\s+than|instead\s+of|other\s+than|apart\s+from|as\s+opposed\s+to|"
    r"no\s+need\s+for|no\s+longer\s+need|don'?t\s+need|do\s+not\s+need|doesn'?t\s+need|"
    r"not\s+looking\s+for|not\s+interested\s+in|we\s+handle|we\s+do|we\s+already\s+(?:do|have|handle))"
    r"\s+(?:\w+\s+){0,3}$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Mention:
    """A matched phrase: which concept, where, and whether it was negated."""

    kind: str  # "task", "goal" or "skill"
    key: str
    text: str
    start_char: int
    end_char: int
    negated: bool = False
    skill_phrase: bool = False  # "strategy expertise": a capability named, which the reading judges in context


@dataclass(frozen=True)
class Analysis:
    """One pass of the pipeline over a text."""

    doc: Doc
    content: list[tuple[int, str]]  # (token index, matching key) of the content tokens
    mentions: list[Mention]


class Normalizer:
    """Turns tokens into matching keys: lemma, lower case, typos fixed."""

    def __init__(self, nlp: Language, vocabulary: Iterable[str]) -> None:
        lemmatizer = nlp.get_pipe("lemmatizer")
        if not isinstance(lemmatizer, Lemmatizer):
            raise TypeError(f"the pipeline's 'lemmatizer' is a {type(lemmatizer).__name__}, not spaCy's Lemmatizer")
        table = lemmatizer.lookups.get_table("lemma_lookup")
        self._table = table
        self._known_words: set[str] = set(table.values()) | _english_base_forms()
        self._vocabulary: set[str] = {w for w in vocabulary if w.isalpha() and len(w) >= 4}
        # Symmetric-delete index: every vocabulary word under each string left by deleting up to two
        # of its letters. A typo within two edits shares one of its own deletes with the word it
        # meant, so only those few candidates are measured instead of the whole vocabulary.
        self._longest = max((len(w) for w in self._vocabulary), default=0)
        self._deletes: dict[str, set[str]] = {}
        for word in self._vocabulary:
            for variant in _deletes(word, 2):
                self._deletes.setdefault(variant, set()).add(word)

    def is_known(self, word: str) -> bool:
        return word in self._known_words or word in self._table or word in NEVER_CORRECT

    def correct(self, word: str) -> str:
        """The vocabulary word a typo most likely meant, or the word itself."""
        if (
            len(word) < 5
            or len(word) > self._longest + 2
            or not word.isalpha()
            or word in self._vocabulary
            or self.is_known(word)
        ):
            return word  # (a word longer than any vocabulary word plus two edits cannot be a typo of one)
        limit = 1 if len(word) < 8 else 2
        best, best_score = word, limit + 1.0
        candidates = {c for variant in _deletes(word, limit) for c in self._deletes.get(variant, ())}
        for candidate in sorted(candidates, key=lambda c: (len(c), c)):
            if abs(len(candidate) - len(word)) <= limit:
                distance = damerau_levenshtein(word, candidate, limit + 1)
                # Ties go to the candidate with the same first letter ("biling" -> "billing", not "filing").
                score = distance + (0.0 if candidate[0] == word[0] else 0.5)
                if distance <= limit and score < best_score:
                    best, best_score = candidate, score
        return best

    def key(self, lower: str) -> str:
        word = self.correct(lower)
        if word in KEEP_SURFACE or len(word) <= 3:
            return word  # the lemma table maps e.g. "ai" to "have"
        lemma = self._table.get(word, word)
        if not isinstance(lemma, str) or word in (lemma + "er", lemma + "est", lemma + "r"):
            return word  # "number" is not the comparative of "numb"
        return lemma


def _deletes(word: str, depth: int) -> set[str]:
    """`word` and every string made by deleting up to `depth` of its letters."""
    out = {word}
    frontier = {word}
    for _ in range(depth):
        frontier = {w[:i] + w[i + 1 :] for w in frontier for i in range(len(w))}
        out |= frontier
    return out


def _english_base_forms() -> set[str]:
    """About 91,000 English base forms (spaCy's lemma index): real words are never "corrected"."""
    import gzip
    import json
    from pathlib import Path

    import spacy_lookups_data

    path = Path(spacy_lookups_data.__file__).parent / "data" / "en_lemma_index.json.gz"
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        index = json.load(handle)
    return {word for words in index.values() for word in words if word.isalpha()}


def damerau_levenshtein(a: str, b: str, cap: int = 3) -> int:
    """Edit distance with transpositions; returns `cap` as soon as it cannot be lower."""
    if abs(len(a) - len(b)) >= cap:
        return cap
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        if min(cur) >= cap:
            return cap
        prev2, prev = prev, cur
    return min(prev[-1], cap)


class AdvisorNLP:
    """Loads once; `mentions(text)` returns tasks, goals and skills found in the text."""

    def __init__(self) -> None:
        self.nlp = spacy.blank("en")
        self.nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
        self.nlp.initialize()
        lexicons = self._lexicons()
        vocabulary = {
            word
            for entries in lexicons.values()
            for phrases in entries.values()
            for phrase in phrases
            for word in re.findall(r"[a-z]+", phrase.lower())
        }
        vocabulary |= {"tight", "moderate", "flexible", "budget", "expertise", "knowhow"}
        vocabulary |= set(cues.cue_vocabulary())
        self.normalizer = Normalizer(self.nlp, vocabulary)
        self.matchers: dict[str, PhraseMatcher] = {}
        for kind, entries in lexicons.items():
            matcher = PhraseMatcher(self.nlp.vocab, attr="ORTH")
            for key, phrases in entries.items():
                patterns = [self._pattern(p) for p in phrases]
                matcher.add(key, [p for p in patterns if len(p)])
            self.matchers[kind] = matcher

    @staticmethod
    def _lexicons() -> dict[str, dict[str, Sequence[str]]]:
        return {
            "task": {k: t.phrases for k, t in taxonomy.TASKS.items()},
            "goal": dict(taxonomy.GOALS),
            "skill": dict(taxonomy.SKILLS),
        }

    def _keys(self, doc: Doc) -> list[tuple[int, str]]:
        """(original token index, matching key) for the content tokens of `doc`."""
        out = []
        for token in doc:
            lower = token.lower_
            if lower in FILLERS or token.is_space:
                continue
            if lower in ("'s", "’s", "-", "/"):
                continue  # "computer-vision" matches "computer vision"
            out.append((token.i, self.normalizer.key(lower)))
        return out

    def _pattern(self, phrase: str) -> Doc:
        doc = self.nlp.make_doc(phrase)
        words = [key for _, key in self._keys(doc)]
        return Doc(self.nlp.vocab, words=words)

    def parse(self, text: str) -> Doc:
        """Tokenise and lemmatise `text` with the blank English pipeline."""
        return self.nlp(text)

    def analyse(self, text: str, kinds: Iterable[str] = ("task", "goal", "skill")) -> Analysis:
        """One spaCy pass over `text`: the doc, its content keys and every phrase mention."""
        doc = self.parse(text)
        content = self._keys(doc)
        found: list[Mention] = []
        if not content:
            return Analysis(doc, content, found)
        content_doc = Doc(self.nlp.vocab, words=[key for _, key in content])
        for kind in kinds:
            spans = []
            for match_id, start, end in self.matchers[kind](content_doc):
                span = content_doc[start:end]
                span.label_ = self.nlp.vocab.strings[match_id]
                spans.append(span)
            for span in filter_spans(spans):
                first = doc[content[span.start][0]]
                last = doc[content[span.end - 1][0]]
                if kind == "task" and first.i == last.i and self._is_figure(doc, last.i):
                    continue
                if kind == "task" and self._enters_an_agreement(doc, first.i, last.i):
                    continue
                start_char, end_char = first.idx, last.idx + len(last.text)
                found.append(
                    Mention(
                        kind=kind,
                        key=span.label_,
                        text=text[start_char:end_char],
                        start_char=start_char,
                        end_char=end_char,
                        negated=self.negated(doc, first.i, last.i, text),
                        skill_phrase=kind == "task" and self._is_skill_phrase(doc, last.i),
                    )
                )
        found.sort(key=lambda m: m.start_char)
        return Analysis(doc, content, found)

    @staticmethod
    def _is_figure(doc: Doc, last: int) -> bool:
        """'our sales dropped', 'marketing budget': a number being talked about, not work."""
        following = doc[last + 1].lower_ if last + 1 < len(doc) else ""
        after = doc[last + 2].lower_ if last + 2 < len(doc) else ""
        before = doc[last - 1].lower_ if last > 0 else ""
        return (
            following in FIGURE_WORDS
            or (before in FIGURE_BEFORE and doc[last].lower_ in FIGURE_NOUNS)
            or (following in ("are", "is", "were", "was", "have", "has") and after in TREND_WORDS)
        )

    @staticmethod
    def _enters_an_agreement(doc: Doc, first: int, last: int) -> bool:
        """'entering into a contract with ...': making a deal, not data entry."""
        return doc[first].lower_.startswith("enter") and any(
            token.lower_ in AGREEMENT_WORDS for token in doc[last + 1 : last + 6]
        )

    @staticmethod
    def _is_skill_phrase(doc: Doc, last: int) -> bool:
        """'data science skills', 'legal expertise': a capability, not work to hand off."""
        for token in doc[last + 1 : last + 3]:
            if token.lower_ in SKILL_NOUNS:
                return True
            if token.is_punct:
                return False
        return False

    @staticmethod
    def negated(doc: Doc, first: int, last: int, text: str) -> bool:
        """Whether the words doc[first:last+1] are negated: by a cue before them in their clause
        ("not data entry"), a phrase before ("rather than payroll"), or one after ("payroll is covered")."""
        window = 0
        i = first - 1
        while i >= 0 and window < 8:
            lower = doc[i].lower_
            following = doc[i + 1].lower_ if i + 1 < len(doc) else ""
            if lower == "," and following not in CLAUSE_OPENERS:
                # "no research, analysis or strategy": a comma inside a negated list
                i -= 1
                window += 1
                continue
            if lower in CLAUSE_BREAKS:
                break
            if lower in ("and", "or", "&", "plus") and i + 1 < len(doc) and (doc[i + 1].lower_ in CLAUSE_OPENERS):
                break
            if lower in NEGATION_CUES:
                return True
            i -= 1
            window += 1
        before = text[max(0, doc[first].idx - 60) : doc[first].idx]
        clause_before = re.split(r"[,;.!?]|\bbut\b|\band\s+(?:we|i)\b", before)[-1]
        if PRE_NEGATION_PHRASES.search(clause_before):
            return True
        end = doc[last].idx + len(doc[last].text)
        after = text[end : end + 80]
        return bool(POST_NEGATION.match(after))


@functools.lru_cache(maxsize=1)
def get_nlp() -> AdvisorNLP:
    """The shared pipeline (built once per process, about half a second)."""
    return AdvisorNLP()
