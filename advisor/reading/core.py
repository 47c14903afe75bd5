"""`read(text)`: the four steps of advisor.reading over one message."""

from __future__ import annotations

import contextlib
import functools
from bisect import bisect_left, bisect_right
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from advisor import cues, taxonomy
from advisor.nlp import SEGMENT_BREAKS, Analysis, Mention, get_nlp
from advisor.patterns import looks_like_question
from advisor.reading import work
from advisor.reading.arbiter import Arbiter, default_arbiter, settle
from advisor.reading.encoder import default_encoder
from advisor.reading.items import compliance_check, roles, self_description_end, sentences, work_items
from advisor.reading.model import Fact, Item, Reading, TaskHit
from advisor.reading.text import Word, fact_index, normalise, phrase_sets, words_of


def cue_hits(
    analysis: Analysis,
    content_at: list[int],
    text: str,
    work: tuple[int, int],
    taken: bytearray,
    whole: bool = True,
    segments: bool = True,
) -> list[TaskHit]:
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
            out.append(TaskHit(key, text[start:end], start, end, nlp.negated(doc, first.i, last.i, text), "cue"))

    for index, key in keys if segments else ():
        if key in SEGMENT_BREAKS:
            flush()
            segment = []
        else:
            segment.append((index, key))
    flush()
    if whole and not out and keys and not any(taken[a:b]):
        best = cues.best_task((k for _, k in keys if k not in SEGMENT_BREAKS), threshold=cues.SENTENCE_THRESHOLD)
        if best:
            first = doc[keys[0][0]]
            out.append(TaskHit(best, text[a:b].strip(), a, b, nlp.negated(doc, first.i, first.i, text), "cue"))
    return out


def sentence_cues(
    analysis: Analysis, content_at: list[int], text: str, items: list[Item], first: int, taken: bytearray
) -> None:
    """A sentence whose items said nothing clear is scored as a whole, as the strictest stretch:
    'work out which grape clones will cope - run field trials, look at our soil data ...'."""
    mine = items[first:]
    if len(mine) < 2 or any(it.tasks for it in mine) or looks_like_question(mine[0].text):
        return
    work = [it.work for it in mine if it.work[0] < it.work[1]]
    if not work:
        return
    a, b = work[0][0], work[-1][1]
    hits = cue_hits(analysis, content_at, text, (a, b), taken, whole=True, segments=False)
    if hits:
        items[first] = replace(items[first], tasks=tuple(hits))


def characters_of(text: str, mentions: list[Mention]) -> bytearray:
    """A mask over `text`: 1 where a character lies inside one of `mentions`."""
    mask = bytearray(len(text) + 1)
    for m in mentions:
        mask[m.start_char : m.end_char] = b"\x01" * (m.end_char - m.start_char)
    return mask


def facts(words: list[Word]) -> list[Fact]:
    vocab, index = phrase_sets(), fact_index()
    out: dict[str, Fact] = {}
    for i in range(len(words)):
        length = vocab["facts"].length_at(words, i)
        if length:
            key, kind = index[tuple(w.text for w in words[i : i + length])]
            out.setdefault(key, Fact(key, kind, " ".join(w.text for w in words[i : i + length])))
    return list(out.values())


DEFAULT = object()
_chosen: Any = DEFAULT  # the second opinion `read` uses: DEFAULT (the trained model), or set by `reading_with`


@functools.lru_cache(maxsize=512)
def read(text: str) -> Reading:
    """Read `text` once (cached: the same message is never read twice in a process): the rules,
    then the learned second opinion on which kinds of work are really asked for (`arbiter`)."""
    return settle(read_rules(text), default_arbiter() if _chosen is DEFAULT else _chosen)


def forget() -> None:
    """Clear the reading's caches (texts read, sentence vectors): a benchmark times a first reading."""
    read.cache_clear()
    read_rules.cache_clear()
    encoder = default_encoder()
    if encoder is not None:
        encoder.memo.clear()


def warm_up() -> None:
    """Load the spaCy pipeline, the reader's model and its sentence encoder now, so that the first
    visitor does not wait for them (the action server calls this when it starts)."""
    reading = read_rules(WARM_UP)
    arbiter = default_arbiter()
    if arbiter is not None:
        settle(reading, arbiter)


WARM_UP = (
    "We are looking for a firm to run our customer support line and process the claims forms it receives, "
    "and to study which of our services should move online first."
)


@contextlib.contextmanager
def reading_with(arbiter: Arbiter | None) -> Iterator[None]:
    """Read with this second opinion (None: the rules alone) inside the block: the corpus
    figures compare readings, and cross-validation reads with a model per fold."""
    global _chosen
    before, _chosen = _chosen, arbiter
    read.cache_clear()
    try:
        yield
    finally:
        _chosen = before
        read.cache_clear()


@functools.lru_cache(maxsize=512)
def read_rules(text: str) -> Reading:
    """The rules' reading of `text`: the four steps, no learned model."""
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
    taken = characters_of(text, task_mentions)  # characters inside any task phrase
    items: list[Item] = []
    dropped: list[TaskHit] = []
    for sentence in sentences(text, words):
        described_end = self_description_end(words, *sentence)
        first_item = len(items)
        for a, b in work_items(words, sentence):
            start, end = words[a].start, words[b - 1].end
            work_a, work_b, context, requirement, marker = roles(text, words, a, b, described_end)
            check = compliance_check(words, a, marker)
            w_start = words[work_a].start if work_a < work_b else end
            w_end = words[work_b - 1].end if work_a < work_b else end
            hits: list[TaskHit] = []
            mentions = task_mentions[bisect_left(mention_at, start) : bisect_left(mention_at, end)]
            for n, m in enumerate(mentions):
                hit = TaskHit(m.key, m.text, m.start_char, m.end_char, m.negated)
                if (
                    not (w_start <= m.start_char < w_end)
                    or work.only_a_modifier(m, mentions[n + 1 :])
                    or work.known_after(text, m.end_char)
                    or work.only_a_purpose(text, m.end_char)
                ):
                    # a rule or context, not work; "compliant payroll processing"; "HR we know";
                    # "for audit purposes"
                    dropped.append(hit)
                    continue
                first = bisect_left(word_starts, m.start_char)
                last = max(bisect_right(word_ends, m.end_char) - 1, first)
                if m.skill_phrase:
                    if work.needs_expertise(words, work_a, first):
                        hits.append(
                            replace(
                                hit, text=text[m.start_char : words[min(last + 1, work_b - 1)].end], source="expertise"
                            )
                        )
                    continue
                if hit.model == taxonomy.BPO and not hit.negated:
                    system = work.system_to_build(words, work_a, work_b, last)
                    if system is not None:
                        # "implement an off-the-shelf accounting system": building the system is the work
                        dropped.append(hit)
                        if not work.narrated(words, system[0]):
                            s0, s1 = words[system[0]].start, words[system[1]].end
                            hits.append(TaskHit("software_development", text[s0:s1], s0, s1, False, "deliverable"))
                        continue
                    head = work.object_of_expert_work(words, work_a, first, last)
                    if head is not None:
                        dropped.append(hit)
                        h0, h1 = head
                        s0, s1 = min(words[h0].start, hit.start), max(words[h1 - 1].end, hit.end)
                        hits.append(TaskHit("expert_analysis", text[s0:s1], s0, s1, False, "deliverable"))
                        continue
                hits.append(hit)
            hits = work.under_expert_head(words, work_a, work_b, hits, dropped, text)
            hits = work.things_of_expert_work(words, hits, dropped, word_starts)
            hits = work.steps_of_expert_hire(words, work_a, work_b, hits, dropped)
            if work_a < work_b and not any(h.model == taxonomy.KPO for h in hits):
                hits.extend(work.expertise_request(words, work_a, work_b, text))
            if check is not None:
                hits.append(
                    TaskHit(
                        "legal_services",
                        text[words[check].start : end],
                        words[check].start,
                        end,
                        False,
                        "compliance_check",
                    )
                )
            hits = work.distinct(hits)
            if work_a < work_b and not looks_like_question(text[start:end]):
                hits.extend(cue_hits(analysis, content_at, text, (w_start, w_end), taken, whole=not hits))
            items.append(Item(text[start:end], start, end, (w_start, w_end), requirement, context, tuple(hits)))
        sentence_cues(analysis, content_at, text, items, first_item, taken)
    items = work.incidental_words(words, word_starts, items, dropped, taxonomy.BPO, 2)
    items = work.incidental_words(words, word_starts, items, dropped, taxonomy.KPO, 3)
    # Characters of task phrases that name work, not a capability ("nobody knows market research").
    covered = characters_of(
        text,
        [
            m
            for m in task_mentions
            if not m.skill_phrase and not work.named_as_knowledge(words, bisect_left(word_starts, m.start_char))
        ],
    )
    return Reading(
        text=text,
        items=tuple(items),
        goals=tuple(m for m in analysis.mentions if m.kind == "goal"),  # a purpose clause states goals too
        skills=tuple(m for m in analysis.mentions if m.kind == "skill" and not any(covered[m.start_char : m.end_char])),
        facts=tuple(facts(words)),
        keys=tuple(k for _, k in analysis.content),
        dropped=tuple(dropped),
    )
