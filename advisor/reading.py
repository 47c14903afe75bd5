"""Read a message as work items: what is to be done, what is a rule, what is only context.

Real requests (tender notices, case-study briefs, job posts, forum posts) mix the
work itself with rules the provider must follow ("in compliance with Medicare"),
the company describing itself ("a manufacturer and distributor of ...") and the
purpose of the work ("so our team can focus on user research"). Spotting task
words anywhere in such a text invents work. So a message is read in four steps:

1. **Items.** The text is cut into work items: lines and bullets, sentences, then
   clauses at joins ("plus", "as well as", "also") and at a comma, "and" or "or"
   followed by a work verb ("... an audit and run our help desk").
2. **Roles.** Inside an item, a requirement marker ("in accordance with") starts a
   requirement, a purpose marker ("allowing our team to ...") starts context, and a
   sentence that opens with a self-description is context up to its first need verb.
   Only the rest is work.
3. **Tasks.** Task phrases come from one spaCy pass (`advisor.nlp`). In the work
   part of an item, a routine task that is only the object of an expert deliverable
   ("a study of our complaints process", "payroll audit") gives way to the
   deliverable; expertise asked for ("we need clinical expertise") is knowledge work;
   an item with no task phrase is scored on cue words (`advisor.cues`).
4. **Facts.** Regulations, standards and sensitive data named anywhere ("HIPAA",
   "card payments") are kept as facts.

Every task keeps the words that triggered it. Every step is a scan over words with
bounded look-ahead, so the time grows linearly with the length of the message; the
vocabulary is data in `advisor/lexicon/reading.yml`.
"""

from __future__ import annotations

import functools
import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from itertools import pairwise

from advisor import cues, lexicon, taxonomy
from advisor.nlp import SEGMENT_BREAKS, Analysis, Mention, get_nlp
from advisor.patterns import looks_like_question

MAX_CHARS = 5000
"""Only the first MAX_CHARS characters of a message are read (advisor.inputs says so to the user)."""

_WORD = re.compile(r"[\w'’&/+-]+|[^\w\s]")
_SPACES = re.compile(r"[^\S\n]+")
_BULLET = re.compile(r"^\s*(?:[-*•·–]|\d{1,2}[.)]|\([a-zA-Z0-9]\)|[a-z][.)])\s+")
ABBREVIATIONS = {"e.g", "i.e", "etc", "inc", "ltd", "co", "corp", "u.s", "st", "no", "vs", "dr", "mr", "mrs", "ms"}
GREETINGS = {"hi", "hello", "hey", "dear", "greetings", "good", "morning", "afternoon", "evening", ","}
WINDOW = 12
"""How many words back a need or lack word is looked for."""
DETERMINERS = {"a", "an", "the", "our", "my", "your", "their", "its", "this", "these", "those", "current",
               "existing", "internal", "whole", "entire"}
PREPOSITIONS = {",", ";", ".", "for", "in", "on", "to", "of", "with", "into", "from", "by", "at"}
KNOWING = {"know", "knows", "knew", "knowing", "understand", "understands", "experience", "experienced",
           "skilled", "familiar", "expert", "trained", "qualified"}
LACK_WORDS = {"no", "not", "lack", "lacking", "without", "don't", "dont", "doesn't", "nobody", "none", "missing"}
HAVE_AFTER = re.compile(r"\W*(?:we|i|our\s+team|the\s+team)\s+(?:know|knows|understand|can\s+do|can\s+handle|"
                        r"handle|manage|have\s+(?:it\s+)?covered|(?:have\s+)?got\s+(?:it\s+)?covered)\b", re.IGNORECASE)


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
    return [Word(m.group(0).lower().replace("’", "'"), m.start(), m.end()) for m in _WORD.finditer(text)]


@functools.lru_cache(maxsize=1)
def _vocab() -> dict[str, PhraseSet]:
    names = ("item_joins", "work_verbs", "requirement_markers", "requirement_modifiers", "purpose_markers",
             "self_description_starts", "organisation_nouns", "need_verbs", "expert_heads", "object_links",
             "object_nouns", "expertise_requests", "neutral_verbs", "thing_nouns", "compliance_checks", "actor_nouns")
    out = {name: PhraseSet(lexicon.reading(name)) for name in names}
    out["facts"] = PhraseSet(p for entry in lexicon.reading("facts").values() for p in entry["phrases"])
    return out


@functools.lru_cache(maxsize=1)
def _fact_index() -> dict[tuple[str, ...], tuple[str, str]]:
    index = {}
    for key, entry in lexicon.reading("facts").items():
        for phrase in entry["phrases"]:
            index[tuple(w.text for w in words_of(phrase))] = (key, entry["kind"])
    return index


@dataclass(frozen=True)
class TaskHit:
    """A task found in the message, with the words that triggered it."""

    key: str
    text: str
    start: int
    end: int
    negated: bool = False
    source: str = "phrase"  # "phrase", "cue", "deliverable" or "expertise"

    @property
    def model(self) -> str:
        return taxonomy.TASKS[self.key].model


@dataclass(frozen=True)
class Fact:
    """A regulation, standard or kind of sensitive data the request names."""

    key: str
    kind: str
    text: str


@dataclass(frozen=True)
class Item:
    """One work item: its text, and which parts are work, requirement and context."""

    text: str
    start: int
    end: int
    work: tuple[int, int]  # character range of the work part
    requirement: str = ""
    context: str = ""
    tasks: tuple[TaskHit, ...] = ()


@dataclass(frozen=True)
class Reading:
    """Everything read from one message (context-free: the actions add the dialogue state)."""

    text: str
    items: tuple[Item, ...] = ()
    goals: tuple[Mention, ...] = ()
    skills: tuple[Mention, ...] = ()
    facts: tuple[Fact, ...] = ()
    keys: tuple[str, ...] = ()
    dropped: tuple[TaskHit, ...] = field(default=(), compare=False)  # task words read as rule or context

    @property
    def tasks(self) -> list[TaskHit]:
        return [t for item in self.items for t in item.tasks]


def normalise(text: str) -> str:
    """Straight quotes, one space between words, at most MAX_CHARS characters."""
    text = (text or "")[:MAX_CHARS].replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    return "\n".join(_SPACES.sub(" ", line).strip() for line in text.split("\n"))


def _sentences(text: str, words: list[Word]) -> list[tuple[int, int]]:
    """Word index ranges of lines, bullets and sentences."""
    out: list[tuple[int, int]] = []
    start = 0
    for i, w in enumerate(words):
        new_line = i > start and "\n" in text[words[i - 1].end : w.start]
        if new_line:
            out.append((start, i))
            start = i
        if w.text in (".", "!", "?", ";") and i > start:
            prev = words[i - 1].text
            nxt = words[i + 1] if i + 1 < len(words) else None
            abbreviation = prev in ABBREVIATIONS or (len(prev) == 1 and prev.isalpha())
            decimal = nxt is not None and nxt.start == w.end and nxt.text[:1].isdigit()
            if not abbreviation and not decimal:
                out.append((start, i + 1))
                start = i + 1
    if start < len(words):
        out.append((start, len(words)))
    return [(a, b) for a, b in out if b > a]


def _items(words: list[Word], sentence: tuple[int, int]) -> list[tuple[int, int]]:
    """Cut a sentence into work items at joins and at ', and/or' + work verb."""
    vocab = _vocab()
    a, b = sentence
    cuts = [a]
    i = a + 1
    while i < b:
        w = words[i].text
        join = vocab["item_joins"].length_at(words, i)
        if join and i > cuts[-1]:
            cuts.append(i)
            i += join
            continue
        if w in (",", "and", "or", "&", ":", "-", "–") and i + 1 < b:
            j = i + 1
            while j < b and j < i + 4 and words[j].text in ("and", "to", "also", "we", "i", "then", "will", "would",
                                                             "need", "needs", "want", "like", "'d", "please", "should"):
                j += 1
            if j < b and (vocab["work_verbs"].length_at(words, j) or _new_actor(words, j, b)):
                cuts.append(i)
        i += 1
    cuts.append(b)
    return [(x, y) for x, y in pairwise(cuts) if y > x]


def _new_actor(words: list[Word], j: int, b: int) -> bool:
    """'..., and someone to ...', '..., and, separately, a data analytics firm to ...': other work."""
    if words[j].text in ("someone", "somebody", "anyone", "people", "separately"):
        return True
    if words[j].text in ("a", "an") and j + 1 < b:
        vocab = _vocab()
        return any(vocab["actor_nouns"].length_at(words, k) for k in range(j + 1, min(b, j + 5)))
    return False


def _self_description_end(words: list[Word], a: int, b: int) -> int | None:
    """If sentence words[a:b] opens with a self-description, the index where it stops."""
    vocab = _vocab()
    i = a
    while i < b and words[i].text in GREETINGS:
        i += 1
    need = vocab["need_verbs"].find(words, i, b)
    stop = need if need is not None else b
    if i < b and vocab["self_description_starts"].length_at(words, i):
        return stop
    # "<Name> is a leading manufacturer, marketer and distributor of ...", "X, a regional hospital, ..."
    for j in range(i, min(b, i + 12)):
        if words[j].text in ("is", "are", ",") and j + 1 < b and words[j + 1].text in ("a", "an", "the", "one"):
            for k in range(j + 2, min(stop, j + 9)):
                if vocab["organisation_nouns"].length_at(words, k):
                    if words[j].text == ",":
                        # "British Gas, the UK supplier of gas, awarded a contract to ...": the
                        # description is the apposition, up to its closing comma.
                        close = next((c for c in range(k + 1, min(b, k + 15)) if words[c].text == ","), None)
                        return close + 1 if close is not None else stop
                    return stop
            break
        if vocab["need_verbs"].length_at(words, j) or vocab["work_verbs"].length_at(words, j):
            break
    return None


def _first_marker(name: str, words: list[Word], a: int, b: int) -> int | None:
    return _vocab()[name].find(words, a, b)


def _needs_expertise(words: list[Word], a: int, at: int) -> bool:
    """'we need (specialised clinical) expertise' asks for knowledge work; 'we lack expertise' does not."""
    a = max(a, at - WINDOW)
    for k in range(at - 1, a - 1, -1):
        if words[k].text in (",", ";", ":", "but"):
            a = k + 1  # only the clause that names the expertise counts
            break
    before = [w.text for w in words[a:at]]
    if any(w in LACK_WORDS for w in before) or "have" in before or "know" in before:
        return False
    vocab = _vocab()
    return any(vocab["need_verbs"].length_at(words, k) for k in range(a, at)) or any(
        w in ("provide", "bring", "access", "from", "with") for w in before
    )


def _object_of_expert_work(words: list[Word], a: int, first: int, last: int) -> tuple[int, int] | None:
    """If words[first:last+1] (a routine task) are only the object of an expert deliverable, its word range."""
    vocab = _vocab()
    # After it: "payroll audit", "complaints process review" (up to two object nouns in between).
    k = last + 1
    while k < len(words) and k <= last + 2 and vocab["object_nouns"].length_at(words, k):
        k += 1
    if k < len(words) and vocab["expert_heads"].length_at(words, k):
        return (k, k + vocab["expert_heads"].length_at(words, k))
    # Before it: "a study of our complaints process", "research to evaluate our ...".
    for h in range(first - 1, max(a, first - 8) - 1, -1):
        w = words[h].text
        if w in (",", ";", ":") or vocab["need_verbs"].length_at(words, h):
            return None
        length = vocab["expert_heads"].length_at(words, h)
        if length:
            gap = [words[g].text for g in range(h + length, first)]
            linked = all(g in DETERMINERS for g in gap) or any(
                vocab["object_links"].length_at(words, g) for g in range(h + length, first)
            )
            return (h, h + length) if linked else None
        if vocab["work_verbs"].length_at(words, h) and not vocab["object_links"].length_at(words, h):
            return None
    return None


def _cue_hits(analysis: Analysis, content_at: list[int], text: str, work: tuple[int, int],
              taken: bytearray, whole: bool = True, segments: bool = True) -> list[TaskHit]:
    """Tasks read from cue words in the stretches of an item's work part that name no task phrase;
    with `whole`, an item with no task at all is also scored as a whole, more strictly."""
    doc, content = analysis.doc, analysis.content
    a, b = work
    keys = content[bisect_left(content_at, a) : bisect_left(content_at, b)]
    out: list[TaskHit] = []
    segment: list[tuple[int, str]] = []
    nlp = get_nlp()

    def flush() -> None:
        if not segment:
            return
        first, last = doc[segment[0][0]], doc[segment[-1][0]]
        start, end = first.idx, last.idx + len(last.text)
        if any(taken[start:end]):
            return
        key = cues.best_task(k for _, k in segment)
        if key:
            out.append(TaskHit(key, text[start:end], start, end,
                               nlp._negated(doc, first.i, last.i, text), "cue"))

    for index, key in keys if segments else ():
        if key in SEGMENT_BREAKS:
            flush()
            segment = []
        else:
            segment.append((index, key))
    flush()
    if whole and not out and keys and not any(taken[a:b]):
        key = cues.best_task((k for _, k in keys if k not in SEGMENT_BREAKS), threshold=cues.SENTENCE_THRESHOLD)
        if key:
            first = doc[keys[0][0]]
            out.append(TaskHit(key, text[a:b].strip(), a, b, nlp._negated(doc, first.i, first.i, text), "cue"))
    return out


def _sentence_cues(analysis: Analysis, content_at: list[int], text: str, items: list[Item], first: int,
                   taken: bytearray) -> None:
    """A sentence whose items said nothing clear is scored as a whole, as the strictest stretch:
    'work out which grape clones will cope - run field trials, look at our soil data ...'."""
    mine = items[first:]
    if len(mine) < 2 or any(it.tasks for it in mine) or looks_like_question(mine[0].text):
        return
    work = [it.work for it in mine if it.work[0] < it.work[1]]
    if not work:
        return
    a, b = work[0][0], work[-1][1]
    hits = _cue_hits(analysis, content_at, text, (a, b), taken, whole=True, segments=False)
    if hits:
        items[first] = replace(items[first], tasks=tuple(hits))


def _facts(words: list[Word]) -> list[Fact]:
    vocab, index = _vocab(), _fact_index()
    out: dict[str, Fact] = {}
    for i in range(len(words)):
        length = vocab["facts"].length_at(words, i)
        if length:
            key, kind = index[tuple(w.text for w in words[i : i + length])]
            out.setdefault(key, Fact(key, kind, " ".join(w.text for w in words[i : i + length])))
    return list(out.values())


@functools.lru_cache(maxsize=512)
def read(text: str) -> Reading:
    """Read `text` once (cached: the same message is never read twice in a process)."""
    text = normalise(text)
    if not text.strip():
        return Reading(text)
    analysis = get_nlp().analyse(text)
    words = words_of(text)
    word_starts = [w.start for w in words]
    word_ends = [w.end for w in words]
    content_at = [analysis.doc[i].idx for i, _ in analysis.content]
    task_mentions = [m for m in analysis.mentions if m.kind == "task"]
    mention_at = [m.start_char for m in task_mentions]
    taken = bytearray(len(text) + 1)  # characters inside any task phrase
    for m in task_mentions:
        taken[m.start_char : m.end_char] = b"\x01" * (m.end_char - m.start_char)
    items: list[Item] = []
    dropped: list[TaskHit] = []
    for sentence in _sentences(text, words):
        described_end = _self_description_end(words, *sentence)
        first_item = len(items)
        for a, b in _items(words, sentence):
            start, end = words[a].start, words[b - 1].end
            work_a, work_b, context, requirement, marker = _roles(text, words, a, b, described_end)
            check = _compliance_check(words, a, marker)
            w_start = words[work_a].start if work_a < work_b else end
            w_end = words[work_b - 1].end if work_a < work_b else end
            hits: list[TaskHit] = []
            mentions = task_mentions[bisect_left(mention_at, start) : bisect_left(mention_at, end)]
            for n, m in enumerate(mentions):
                hit = TaskHit(m.key, m.text, m.start_char, m.end_char, m.negated)
                if not (w_start <= m.start_char < w_end) or _only_a_modifier(m, mentions[n + 1 :]) \
                        or known_after(text, m.end_char):
                    # a rule or context, not work; "compliant payroll processing"; "HR we know"
                    dropped.append(hit)
                    continue
                first = bisect_left(word_starts, m.start_char)
                last = max(bisect_right(word_ends, m.end_char) - 1, first)
                if m.skill_phrase:
                    if _needs_expertise(words, work_a, first):
                        hits.append(replace(hit, text=text[m.start_char : words[min(last + 1, work_b - 1)].end],
                                            source="expertise"))
                    continue
                if hit.model == taxonomy.BPO and not hit.negated:
                    head = _object_of_expert_work(words, work_a, first, last)
                    if head is not None:
                        dropped.append(hit)
                        h0, h1 = head
                        s0, s1 = min(words[h0].start, hit.start), max(words[h1 - 1].end, hit.end)
                        hits.append(TaskHit("expert_analysis", text[s0:s1], s0, s1, False, "deliverable"))
                        continue
                hits.append(hit)
            hits = _under_expert_head(words, work_a, work_b, hits, dropped, text)
            hits = _things_of_expert_work(words, hits, dropped, word_starts)
            if work_a < work_b and not any(h.model == taxonomy.KPO for h in hits):
                hits.extend(_expertise_request(words, work_a, work_b, text))
            if check is not None:
                hits.append(TaskHit("legal_services", text[words[check].start : end], words[check].start, end,
                                    False, "compliance_check"))
            hits = _distinct(hits)
            if work_a < work_b and not looks_like_question(text[start:end]):
                hits.extend(_cue_hits(analysis, content_at, text, (w_start, w_end), taken, whole=not hits))
            items.append(Item(text[start:end], start, end, (w_start, w_end), requirement, context, tuple(hits)))
        _sentence_cues(analysis, content_at, text, items, first_item, taken)
    items = _incidental_routine_words(words, word_starts, items, dropped)
    items = _incidental_expert_words(words, word_starts, items, dropped)
    covered = bytearray(len(text) + 1)  # characters of task phrases that are work, not capabilities
    for m in task_mentions:
        if not m.skill_phrase and not _named_as_knowledge(words, bisect_left(word_starts, m.start_char)):
            covered[m.start_char : m.end_char] = b"\x01" * (m.end_char - m.start_char)
    return Reading(
        text=text,
        items=tuple(items),
        goals=tuple(m for m in analysis.mentions if m.kind == "goal"),  # a purpose clause states goals too
        skills=tuple(m for m in analysis.mentions if m.kind == "skill" and not any(covered[m.start_char : m.end_char])),
        facts=tuple(_facts(words)),
        keys=tuple(k for _, k in analysis.content),
        dropped=tuple(dropped),
    )


def _roles(text: str, words: list[Word], a: int, b: int,
           described_end: int | None) -> tuple[int, int, str, str, int | None]:
    """The work part of item words[a:b] as a word range, its context and requirement texts, and where
    the requirement starts (a word index, or None)."""
    end = words[b - 1].end
    work_a, work_b = a, b
    context = requirement = ""
    if described_end is not None and a < described_end:
        work_a = min(max(work_a, described_end), b)
        context = text[words[a].start : words[min(described_end, b) - 1].end]
    purpose = _first_marker("purpose_markers", words, work_a, work_b)
    if purpose is not None:
        context = (context + " " + text[words[purpose].start : end]).strip()
        work_b = purpose
    marker = _first_marker("requirement_markers", words, work_a, work_b)
    if marker is not None:
        # The rule runs to the end of its clause; what follows the clause is work again
        # ("Given the highly regulated nature of billing, we need a partner to handle claims").
        stop = next((k for k in range(marker + 1, work_b) if _clause_turns(words, k)), work_b)
        requirement = text[words[marker].start : words[stop - 1].end]
        if stop < work_b and marker == work_a:
            work_a = stop + 1
        elif stop < work_b and _first_marker("need_verbs", words, stop, work_b) is not None:
            work_a = stop + 1  # the need comes after the rule: the words before it are its setting
        else:
            work_b = marker
    return work_a, work_b, context, requirement, marker


def _compliance_check(words: list[Word], a: int, marker_at: int | None) -> int | None:
    """'check that our contracts comply with consumer-credit law': checking compliance is legal work."""
    if marker_at is None:
        return None
    vocab = _vocab()
    for k in range(marker_at - 1, max(a, marker_at - 10) - 1, -1):
        if vocab["compliance_checks"].length_at(words, k):
            return k
    return None


def _clause_turns(words: list[Word], k: int) -> bool:
    """A comma or semicolon after which the message turns to the work ("..., we need ...")."""
    if words[k].text not in (",", ";", ":", "—", "–"):
        return False
    vocab = _vocab()
    for j in range(k + 1, min(len(words), k + 4)):
        if words[j].text in ("we", "i", "our", "and", "they", "you", "please") or vocab["need_verbs"].length_at(
            words, j
        ) or vocab["work_verbs"].length_at(words, j):
            return True
    return False


def _things_of_expert_work(words: list[Word], hits: list[TaskHit], dropped: list[TaskHit],
                           word_starts: list[int]) -> list[TaskHit]:
    """Beside knowledge work, 'our accounting and financial system' names a system to work on, not
    accounting to hand off."""
    if not any(h.model == taxonomy.KPO and not h.negated for h in hits):
        return hits
    vocab = _vocab()
    out = []
    for hit in hits:
        if hit.model == taxonomy.BPO and _done_by_a_thing(words, bisect_left(word_starts, hit.start)):
            dropped.append(hit)
            continue
        if hit.model == taxonomy.BPO:
            last = bisect_left(word_starts, hit.end) - 1
            ahead = range(last + 1, min(len(words), last + 4))
            thing = next((k for k in ahead if vocab["thing_nouns"].length_at(words, k)), None)
            if thing is not None and not any(words[k].text in PREPOSITIONS for k in range(last + 1, thing)):
                dropped.append(hit)
                continue
        out.append(hit)
    return out


def _done_by_a_thing(words: list[Word], first: int) -> bool:
    """'software that can extract phone numbers', 'computers processing claims': routine words that say
    what a system does, beside knowledge work to build it."""
    vocab = _vocab()
    for k in range(first - 1, max(0, first - 6) - 1, -1):
        if words[k].text in (",", ";", ".", "and"):
            return False
        if vocab["thing_nouns"].length_at(words, k):
            return k + 1 < first and words[k + 1].text in ("that", "which", "to", "for", "processing", "handling")
    return False


LIST_WORDS = {"and", "&", "or", "plus", "also", ",", ":", ";", "-", "."}


def _listed(words: list[Word], word_starts: list[int], item: Item, hit: TaskHit) -> bool:
    """'market research, competitor analysis and payroll': the task stands as an item of a list."""
    i = bisect_left(word_starts, hit.start)
    j = bisect_left(word_starts, hit.end)
    before = words[i - 1].text if i > 0 and words[i - 1].start >= item.work[0] else None
    after = words[j].text if j < len(words) and words[j].start < item.work[1] else None
    opens = before is None or before in LIST_WORDS or before in ("a", "an", "the", "our")
    return opens and (after is None or after in LIST_WORDS or after == "of")


def _incidental_routine_words(words: list[Word], word_starts: list[int], items: list[Item],
                              dropped: list[TaskHit]) -> list[Item]:
    """When knowledge work outnumbers routine words two to one and every routine word sits inside
    an item of knowledge work without being listed as work of its own ("the sales process
    metrics", "salary, benefits and paid time off" in a compensation study), the request is
    knowledge work and those words are its subject matter."""
    routine = [(n, h) for n, it in enumerate(items) for h in it.tasks if h.model == taxonomy.BPO and not h.negated]
    expert = {h.key for it in items for h in it.tasks if h.model == taxonomy.KPO and not h.negated}
    if not routine or len(expert) < 2 * len({h.key for _, h in routine}):
        return items
    for n, hit in routine:
        item = items[n]
        if not any(h.model == taxonomy.KPO and not h.negated for h in item.tasks) or _listed(
            words, word_starts, item, hit
        ):
            return items
    out = list(items)
    for n, hit in routine:
        dropped.append(hit)
        out[n] = replace(out[n], tasks=tuple(h for h in out[n].tasks if h is not hit))
    return out


def _incidental_expert_words(words: list[Word], word_starts: list[int], items: list[Item],
                             dropped: list[TaskHit]) -> list[Item]:
    """The mirror image, for a routine request: one-word generic knowledge words ("audit",
    "research", "analysis") inside items of routine work, outnumbered three to one by routine work
    and not listed as work of their own, are steps of the process ("research and resolve
    disputed accounts", "audit the billing run"), not a study to buy."""
    expert = [(n, h) for n, it in enumerate(items) for h in it.tasks if h.model == taxonomy.KPO and not h.negated]
    routine = [h for it in items for h in it.tasks if h.model == taxonomy.BPO and not h.negated]
    if not expert or len(routine) < 3 * len(expert):
        return items
    for n, hit in expert:
        item = items[n]
        generic = hit.key == "expert_analysis" and hit.source == "phrase" and len(hit.text.split()) == 1
        if not generic or not any(h.model == taxonomy.BPO and not h.negated for h in item.tasks) or _listed(
            words, word_starts, item, hit
        ):
            return items
    out = list(items)
    for n, hit in expert:
        dropped.append(hit)
        out[n] = replace(out[n], tasks=tuple(h for h in out[n].tasks if h is not hit))
    return out


def _item_head(words: list[Word], a: int, b: int) -> tuple[str, int, int] | None:
    """The service an item asks for: ('expert', start, end) for a deliverable such as a study or an
    audit, ('routine', i, i+1) for a routine verb such as 'process' or 'answer', None if neither."""
    vocab = _vocab()
    for i in range(a, b):
        length = vocab["expert_heads"].length_at(words, i)
        if length:
            return ("expert", i, i + length)
        if vocab["work_verbs"].length_at(words, i) and not vocab["neutral_verbs"].length_at(words, i):
            return ("routine", i, i + 1)
    return None


def _under_expert_head(words: list[Word], a: int, b: int, hits: list[TaskHit], dropped: list[TaskHit],
                       text: str) -> list[TaskHit]:
    """In an item whose service is an expert deliverable, routine task words after it are its subject
    ("assessment of employee benefit plans, plan administration, eligibility"), unless a routine verb or
    a new actor ("someone to ...") starts other work first."""
    head = _item_head(words, a, b)
    if head is None or head[0] != "expert" or not any(h.model == taxonomy.BPO and not h.negated for h in hits):
        return hits
    vocab = _vocab()
    _, h0, h1 = head
    if any(h.negated and h.start <= words[h0].start < h.end for h in hits):
        return hits  # "not legal research, I meant recruitment"
    boundary = next(
        (i for i in range(h1, b)
         if _clause_turns(words, i) or (vocab["work_verbs"].length_at(words, i) and not vocab["neutral_verbs"].length_at(words, i)
             and not vocab["expert_heads"].length_at(words, i) and not vocab["object_links"].length_at(words, i))
         or words[i].text in ("someone", "somebody", "staff", "agents", "people", "team")),
        b,
    )
    # The routine words are the deliverable's subject only when linked to it ("assessment of ...",
    # "review covering ..."), not when listed beside it ("market research and customer support").
    link = next((i for i in range(h1, boundary) if vocab["object_links"].length_at(words, i)
                 or words[i].text in (":", "including", "such")), None)
    if link is None:
        return hits
    limit = words[boundary].start if boundary < b else words[b - 1].end + 1
    start = words[h0].start
    out: list[TaskHit] = []
    for hit in hits:
        if hit.model == taxonomy.BPO and not hit.negated and start < hit.start < limit:
            dropped.append(hit)
            continue
        out.append(hit)
    if not any(h.model == taxonomy.KPO for h in out):
        out.insert(0, TaskHit("expert_analysis", text[start : words[h1 - 1].end], start, words[h1 - 1].end,
                              False, "deliverable"))
    return out


def _named_as_knowledge(words: list[Word], first: int) -> bool:
    """'nobody here knows how to do financial modelling': the task names a capability too."""
    for k in range(first - 1, max(0, first - 6) - 1, -1):
        if words[k].text in (",", ";", ".", "but"):
            return False
        if words[k].text in KNOWING:
            return True
    return False


def _only_a_modifier(m: Mention, following: list[Mention]) -> bool:
    """'compliant payroll processing': a requirement word read as legal work, right before the task."""
    if m.key != "legal_services" or m.text.lower() not in _vocab_modifiers():
        return False
    return bool(following) and following[0].start_char - m.end_char <= 2


@functools.lru_cache(maxsize=1)
def _vocab_modifiers() -> frozenset[str]:
    return frozenset(p.lower() for p in lexicon.reading("requirement_modifiers")) | {"regulatory", "regulation"}


def _distinct(hits: list[TaskHit]) -> list[TaskHit]:
    seen: set[tuple[str, int]] = set()
    out = []
    for h in hits:
        if (h.key, h.start) not in seen:
            seen.add((h.key, h.start))
            out.append(h)
    return out


def _expertise_request(words: list[Word], a: int, b: int, text: str) -> list[TaskHit]:
    """'We need specialised clinical expertise' with no task named: specialist work."""
    vocab = _vocab()
    for k in range(a, b):
        if vocab["expertise_requests"].length_at(words, k) and _needs_expertise(words, a, k):
            return [TaskHit("expert_analysis", text[words[a].start : words[k].end], words[a].start, words[k].end,
                            False, "expertise")]
    return []


def known_after(text: str, end: int) -> bool:
    """'HR we know': the task just named is something the team already does."""
    return bool(HAVE_AFTER.match(text, end, end + 60))
