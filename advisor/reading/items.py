"""Cutting a message into work items, and finding which part of each is work, rule or context."""

from __future__ import annotations

from itertools import pairwise

from advisor.reading.text import ABBREVIATIONS, GREETINGS, Word, phrase_sets


def sentences(text: str, words: list[Word]) -> list[tuple[int, int]]:
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


def work_items(words: list[Word], sentence: tuple[int, int]) -> list[tuple[int, int]]:
    """Cut a sentence into work items at joins and at ', and/or' + work verb."""
    vocab = phrase_sets()
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
            while (
                j < b
                and j < i + 4
                and words[j].text
                in (
                    "and",
                    "to",
                    "also",
                    "we",
                    "i",
                    "then",
                    "will",
                    "would",
                    "need",
                    "needs",
                    "want",
                    "like",
                    "'d",
                    "please",
                    "should",
                )
            ):
                j += 1
            if j < b and (vocab["work_verbs"].length_at(words, j) or new_actor(words, j, b)):
                cuts.append(i)
        i += 1
    cuts.append(b)
    return [(x, y) for x, y in pairwise(cuts) if y > x]


def new_actor(words: list[Word], j: int, b: int) -> bool:
    """'..., and someone to ...', '..., and, separately, a data analytics firm to ...': other work."""
    if words[j].text in ("someone", "somebody", "anyone", "people", "separately"):
        return True
    if words[j].text in ("a", "an") and j + 1 < b:
        vocab = phrase_sets()
        return any(vocab["actor_nouns"].length_at(words, k) for k in range(j + 1, min(b, j + 5)))
    return False


def self_description_end(words: list[Word], a: int, b: int) -> int | None:
    """If sentence words[a:b] opens with a self-description, the index where it stops."""
    vocab = phrase_sets()
    i = a
    while i < b and words[i].text in GREETINGS:
        i += 1
    need = vocab["need_verbs"].find(words, i, b)
    stop = need if need is not None else b
    if i < b and vocab["self_description_starts"].length_at(words, i):
        return stop
    # "As a financial advisor, I'm looking for ...": who is writing, up to the comma.
    if i + 2 < b and words[i].text == "as" and words[i + 1].text in ("a", "an"):
        close = next((c for c in range(i + 2, min(b, i + 10)) if words[c].text == ","), None)
        if close is not None:
            return close + 1
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


def first_marker(name: str, words: list[Word], a: int, b: int) -> int | None:
    return phrase_sets()[name].find(words, a, b)


def roles(
    text: str, words: list[Word], a: int, b: int, described_end: int | None
) -> tuple[int, int, str, str, int | None]:
    """The work part of item words[a:b] as a word range, its context and requirement texts, and where
    the requirement starts (a word index, or None)."""
    end = words[b - 1].end
    work_a, work_b = a, b
    context = requirement = ""
    if described_end is not None and a < described_end:
        work_a = min(max(work_a, described_end), b)
        context = text[words[a].start : words[min(described_end, b) - 1].end]
    purpose = first_marker("purpose_markers", words, work_a, work_b)
    if purpose is not None:
        context = (context + " " + text[words[purpose].start : end]).strip()
        work_b = purpose
    marker = first_marker("requirement_markers", words, work_a, work_b)
    if marker is not None:
        # The rule runs to the end of its clause; what follows the clause is work again
        # ("Given the highly regulated nature of billing, we need a partner to handle claims").
        stop = next((k for k in range(marker + 1, work_b) if clause_turns(words, k)), work_b)
        requirement = text[words[marker].start : words[stop - 1].end]
        if stop < work_b and marker == work_a:
            work_a = stop + 1
        elif stop < work_b and first_marker("need_verbs", words, stop, work_b) is not None:
            work_a = stop + 1  # the need comes after the rule: the words before it are its setting
        else:
            work_b = marker
    return work_a, work_b, context, requirement, marker


def clause_turns(words: list[Word], k: int) -> bool:
    """A comma or semicolon after which the message turns to the work ("..., we need ...")."""
    if words[k].text not in (",", ";", ":", "—", "–"):
        return False
    vocab = phrase_sets()
    for j in range(k + 1, min(len(words), k + 4)):
        if (
            words[j].text in ("we", "i", "our", "and", "they", "you", "please")
            or vocab["need_verbs"].length_at(words, j)
            or vocab["work_verbs"].length_at(words, j)
        ):
            return True
    return False


def compliance_check(words: list[Word], a: int, marker_at: int | None) -> int | None:
    """'check that our contracts comply with consumer-credit law': checking compliance is legal work."""
    if marker_at is None:
        return None
    vocab = phrase_sets()
    for k in range(marker_at - 1, max(a, marker_at - 10) - 1, -1):
        if vocab["compliance_checks"].length_at(words, k):
            return k
    return None
