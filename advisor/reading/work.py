"""Which task words in an item are work to hand off (step 3 of advisor.reading)."""

from __future__ import annotations

import functools
import re
from bisect import bisect_left
from collections.abc import Callable
from dataclasses import replace

from advisor import lexicon, taxonomy
from advisor.nlp import Mention
from advisor.reading.items import clause_turns
from advisor.reading.model import Item, TaskHit
from advisor.reading.text import Word, phrase_sets

WINDOW = 12
"""How many words back a need or lack word is looked for."""


DETERMINERS = {
    "a",
    "an",
    "the",
    "our",
    "my",
    "your",
    "their",
    "its",
    "this",
    "these",
    "those",
    "current",
    "existing",
    "internal",
    "whole",
    "entire",
}


PREPOSITIONS = {",", ";", ".", "for", "in", "on", "to", "of", "with", "into", "from", "by", "at"}


KNOWING = {
    "know",
    "knows",
    "knew",
    "knowing",
    "understand",
    "understands",
    "experience",
    "experienced",
    "skilled",
    "familiar",
    "expert",
    "trained",
    "qualified",
}


LACK_WORDS = {"no", "not", "lack", "lacking", "without", "don't", "dont", "doesn't", "nobody", "none", "missing"}


HAVE_AFTER = re.compile(
    r"\W*(?:we|i|our\s+team|the\s+team)\s+(?:know|knows|understand|can\s+do|can\s+handle|"
    r"handle|manage|have\s+(?:it\s+)?covered|(?:have\s+)?got\s+(?:it\s+)?covered)\b",
    re.IGNORECASE,
)


LIST_WORDS = {"and", "&", "or", "plus", "also", ",", ":", ";", "-", "."}


def needs_expertise(words: list[Word], a: int, at: int) -> bool:
    """'we need (specialised clinical) expertise' asks for knowledge work; 'we lack expertise' does not."""
    a = max(a, at - WINDOW)
    for k in range(at - 1, a - 1, -1):
        if words[k].text in (",", ";", ":", "but"):
            a = k + 1  # only the clause that names the expertise counts
            break
    before = [w.text for w in words[a:at]]
    if any(w in LACK_WORDS for w in before) or "have" in before or "know" in before:
        return False
    vocab = phrase_sets()
    return any(vocab["need_verbs"].length_at(words, k) for k in range(a, at)) or any(
        w in ("provide", "bring", "access", "from", "with") for w in before
    )


def object_of_expert_work(words: list[Word], a: int, first: int, last: int) -> tuple[int, int] | None:
    """If words[first:last+1] (a routine task) are only the object of an expert deliverable, its word range."""
    vocab = phrase_sets()
    # After it: "payroll audit", "complaints process review" (up to two object nouns in between).
    k = last + 1
    while k < len(words) and k <= last + 2 and vocab["object_nouns"].length_at(words, k):
        k += 1
    if k < len(words) and vocab["expert_heads"].length_at(words, k):
        return (k, k + vocab["expert_heads"].length_at(words, k))
    # Before it: "a study of our complaints process", "research to evaluate our ...".
    studied = studied_how(words, a, first)
    if studied is not None:
        return studied
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


QUESTION_WORDS = {"how", "whether", "why"}


def studied_how(words: list[Word], a: int, first: int) -> tuple[int, int] | None:
    """'an analysis of how councils respond to complaints', 'evaluate whether our billing works':
    what follows the question word is what the study looks at, even with its own work verb."""
    vocab = phrase_sets()
    for q in range(first - 1, max(a, first - 10) - 1, -1):
        w = words[q].text
        if w in (",", ";", ":") or vocab["need_verbs"].length_at(words, q):
            return None
        if w not in QUESTION_WORDS:
            continue
        for h in range(q - 1, max(a, q - 3) - 1, -1):
            length = vocab["expert_heads"].length_at(words, h)
            if length and h + length <= q:
                gap = range(h + length, q)
                if all(words[g].text in DETERMINERS or vocab["object_links"].length_at(words, g) for g in gap):
                    return (h, h + length)
        return None
    return None


def system_to_build(words: list[Word], a: int, b: int, last: int) -> tuple[int, int] | None:
    """'Design, customize and implement an off-the-shelf accounting system': the routine words name
    the system being built or chosen, not work to hand off. The word range from the verb to the
    system noun, if so."""
    vocab = phrase_sets()
    thing = next(
        (k for k in range(last + 1, min(b, last + 3)) if vocab["thing_nouns"].length_at(words, k)),
        None,
    )
    if thing is None or any(words[k].text in PREPOSITIONS for k in range(last + 1, thing)):
        return None
    verb = next(
        (k for k in range(last - 1, max(a, last - 8) - 1, -1) if vocab["system_verbs"].length_at(words, k)), None
    )
    if verb is None or any(words[k].text in (";", ".") for k in range(verb, last)):
        return None
    return (verb, thing)


NARRATED = {"is", "are", "was", "were", "been", "currently", "already"}


def narrated(words: list[Word], verb: int) -> bool:
    """'HSE is currently deploying a payroll system': what the company is doing itself."""
    return verb > 0 and words[verb - 1].text in NARRATED


def things_of_expert_work(
    words: list[Word], hits: list[TaskHit], dropped: list[TaskHit], word_starts: list[int]
) -> list[TaskHit]:
    """Beside knowledge work, 'our accounting and financial system' names a system to work on, not
    accounting to hand off."""
    if not any(h.model == taxonomy.KPO and not h.negated for h in hits):
        return hits
    vocab = phrase_sets()
    out = []
    for hit in hits:
        if hit.model == taxonomy.BPO and done_by_a_thing(words, bisect_left(word_starts, hit.start)):
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


def done_by_a_thing(words: list[Word], first: int) -> bool:
    """'software that can extract phone numbers', 'computers processing claims': routine words that say
    what a system does, beside knowledge work to build it."""
    vocab = phrase_sets()
    for k in range(first - 1, max(0, first - 6) - 1, -1):
        if words[k].text in (",", ";", ".", "and"):
            return False
        if vocab["thing_nouns"].length_at(words, k):
            return k + 1 < first and words[k + 1].text in ("that", "which", "to", "for", "processing", "handling")
    return False


def listed(words: list[Word], word_starts: list[int], item: Item, hit: TaskHit) -> bool:
    """'market research, competitor analysis and payroll': the task stands as an item of a list."""
    i = bisect_left(word_starts, hit.start)
    j = bisect_left(word_starts, hit.end)
    before = words[i - 1].text if i > 0 and words[i - 1].start >= item.work[0] else None
    after = words[j].text if j < len(words) and words[j].start < item.work[1] else None
    opens = before is None or before in LIST_WORDS or before in ("a", "an", "the", "our")
    return opens and (after is None or after in LIST_WORDS or after == "of")


def incidental_words(
    words: list[Word], word_starts: list[int], items: list[Item], dropped: list[TaskHit], minority: str, ratio: int
) -> list[Item]:
    """Words of the `minority` model that are only the subject matter of the other model's work.

    They must all sit inside items that also hold the other model's work, none may be listed as
    work of its own, and the other model must outnumber them `ratio` to one.
    - Routine words in a knowledge request (minority "bpo", counted by distinct task, 2:1): "the
      sales process metrics", "salary, benefits and paid time off" in a compensation study.
    - Knowledge words in a routine request (minority "kpo", counted by mention, 3:1, and only the
      one-word generic ones such as "audit", "research", "analysis"): steps of the process
      ("research and resolve disputed accounts"), not a study to buy.
    """
    majority = taxonomy.KPO if minority == taxonomy.BPO else taxonomy.BPO
    few = [(n, h) for n, it in enumerate(items) for h in it.tasks if h.model == minority and not h.negated]
    many = [h for it in items for h in it.tasks if h.model == majority and not h.negated]
    if minority == taxonomy.BPO:
        enough = len({h.key for h in many}) >= ratio * len({h.key for _, h in few})
    else:
        enough = len(many) >= ratio * len(few)
    if not few or not enough:
        return items
    for n, hit in few:
        generic = hit.key == "expert_analysis" and hit.source == "phrase" and len(hit.text.split()) == 1
        beside = any(h.model == majority and not h.negated for h in items[n].tasks)
        if (minority == taxonomy.KPO and not generic) or not beside or listed(words, word_starts, items[n], hit):
            return items
    out = list(items)
    for n, hit in few:
        dropped.append(hit)
        out[n] = replace(out[n], tasks=tuple(h for h in out[n].tasks if h is not hit))
    return out


def item_head(words: list[Word], a: int, b: int) -> tuple[str, int, int] | None:
    """The service an item asks for: ('expert', start, end) for a deliverable such as a study or an
    audit, ('routine', i, i+1) for a routine verb such as 'process' or 'answer', None if neither."""
    vocab = phrase_sets()
    for i in range(a, b):
        length = vocab["expert_heads"].length_at(words, i)
        if length:
            return ("expert", i, i + length)
        if vocab["work_verbs"].length_at(words, i) and not vocab["neutral_verbs"].length_at(words, i):
            return ("routine", i, i + 1)
    return None


def set_aside_routine(hits: list[TaskHit], dropped: list[TaskHit], part_of: Callable[[TaskHit], bool]) -> list[TaskHit]:
    """The hits without the wanted routine ones that `part_of` the expert work; those go to `dropped`."""
    out: list[TaskHit] = []
    for hit in hits:
        if hit.model == taxonomy.BPO and not hit.negated and part_of(hit):
            dropped.append(hit)
            continue
        out.append(hit)
    return out


def under_expert_head(
    words: list[Word], a: int, b: int, hits: list[TaskHit], dropped: list[TaskHit], text: str
) -> list[TaskHit]:
    """In an item whose service is an expert deliverable, routine task words after it are its subject
    ("assessment of employee benefit plans, plan administration, eligibility"), unless a routine verb or
    a new actor ("someone to ...") starts other work first."""
    head = item_head(words, a, b)
    if head is None or head[0] != "expert" or not any(h.model == taxonomy.BPO and not h.negated for h in hits):
        return hits
    vocab = phrase_sets()
    _, h0, h1 = head
    if any(h.negated and h.start <= words[h0].start < h.end for h in hits):
        return hits  # "not legal research, I meant recruitment"
    boundary = next(
        (
            i
            for i in range(h1, b)
            if clause_turns(words, i)
            or (
                vocab["work_verbs"].length_at(words, i)
                and not vocab["neutral_verbs"].length_at(words, i)
                and not vocab["expert_heads"].length_at(words, i)
                and not vocab["object_links"].length_at(words, i)
            )
            or words[i].text in ("someone", "somebody", "staff", "agents", "people", "team")
        ),
        b,
    )
    # The routine words are the deliverable's subject only when linked to it ("assessment of ...",
    # "review covering ..."), not when listed beside it ("market research and customer support").
    link = next(
        (
            i
            for i in range(h1, boundary)
            if vocab["object_links"].length_at(words, i) or words[i].text in (":", "including", "such")
        ),
        None,
    )
    if link is None:
        return hits
    limit = words[boundary].start if boundary < b else words[b - 1].end + 1
    start = words[h0].start
    linked_from = words[link].start  # "audit and tax compliance services for the group": not linked
    out = set_aside_routine(hits, dropped, lambda hit: start < hit.start < limit and hit.start > linked_from)
    if not any(h.model == taxonomy.KPO for h in out):
        out.insert(
            0,
            TaskHit("expert_analysis", text[start : words[h1 - 1].end], start, words[h1 - 1].end, False, "deliverable"),
        )
    return out


def steps_of_expert_hire(
    words: list[Word], a: int, b: int, hits: list[TaskHit], dropped: list[TaskHit]
) -> list[TaskHit]:
    """'An experienced data analyst to import the survey data and interpret it': the title names the
    work, and the routine words after it are steps of that job, unless another person starts other
    work ('... and a virtual assistant to do data entry')."""
    if not any(h.model == taxonomy.KPO and not h.negated for h in hits):
        return hits
    vocab = phrase_sets()
    title = next(
        (
            i
            for i in range(a + 1, b - 1)
            if vocab["expert_hires"].length_at(words, i) and vocab["hire_links"].length_at(words, i + 1)
        ),
        None,
    )
    if title is None or not any(w.text in ("a", "an") for w in words[max(a, title - 5) : title]):
        return hits
    boundary = next((i for i in range(title + 2, b) if vocab["routine_hires"].length_at(words, i)), b)
    limit = words[boundary].start if boundary < b else words[b - 1].end + 1
    return set_aside_routine(hits, dropped, lambda hit: words[title].end <= hit.start < limit)


def named_as_knowledge(words: list[Word], first: int) -> bool:
    """'nobody here knows how to do financial modelling': the task names a capability too."""
    for k in range(first - 1, max(0, first - 6) - 1, -1):
        if words[k].text in (",", ";", ".", "but"):
            return False
        if words[k].text in KNOWING:
            return True
    return False


def only_a_modifier(m: Mention, following: list[Mention]) -> bool:
    """'compliant payroll processing': a requirement word read as legal work, right before the task."""
    if m.key != "legal_services" or m.text.lower() not in vocab_modifiers():
        return False
    return bool(following) and following[0].start_char - m.end_char <= 2


@functools.lru_cache(maxsize=1)
def vocab_modifiers() -> frozenset[str]:
    return frozenset(p.lower() for p in lexicon.reading("requirement_modifiers")) | {"regulatory", "regulation"}


def distinct(hits: list[TaskHit]) -> list[TaskHit]:
    seen: set[tuple[str, int]] = set()
    out = []
    for h in hits:
        if (h.key, h.start) not in seen:
            seen.add((h.key, h.start))
            out.append(h)
    return out


def expertise_request(words: list[Word], a: int, b: int, text: str) -> list[TaskHit]:
    """'We need specialised clinical expertise' with no task named: specialist work."""
    vocab = phrase_sets()
    for k in range(a, b):
        if vocab["expertise_requests"].length_at(words, k) and needs_expertise(words, a, k):
            return [
                TaskHit(
                    "expert_analysis",
                    text[words[a].start : words[k].end],
                    words[a].start,
                    words[k].end,
                    False,
                    "expertise",
                )
            ]
    return []


def known_after(text: str, end: int) -> bool:
    """'HR we know': the task just named is something the team already does."""
    return bool(HAVE_AFTER.match(text, end, end + 60))


# "files kept for audit purposes", "a reconciliation tool for payroll and accounting purposes"
PURPOSES_AFTER = re.compile(r"(?:\s*(?:and|or|&|/|,)\s*[\w-]+){0,2}\s*[- ]?purposes?\b", re.IGNORECASE)


def only_a_purpose(text: str, end: int) -> bool:
    """'for audit purposes': the task word names why something is done, not work to hand off."""
    return bool(PURPOSES_AFTER.match(text, end, end + 60))
