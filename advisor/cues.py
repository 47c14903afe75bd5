"""Cue words: recognise work described without any of the taxonomy's phrases.

"A team to field our support emails while we sleep" names no task phrase, but
its words (field, support, email, sleep) point clearly at customer support.
Each task has weighted cue lemmas; a stretch of text with no phrase match is
scored, and the best task counts when its score reaches `THRESHOLD` and beats
the runner-up by `MARGIN`. Phrase matches always win over cues.
"""

from __future__ import annotations

from collections.abc import Iterable

from advisor import lexicon

THRESHOLD = 2.0
SENTENCE_THRESHOLD = 2.5
MARGIN = 0.75

# Cue words and weights per task, from advisor/lexicon/tasks.yml.
CUES: dict[str, dict[str, float]] = {
    key: dict(task["cues"]) for key, task in lexicon.tasks()["tasks"].items() if task.get("cues")
}


def cue_vocabulary() -> list[str]:
    """Every cue word (added to the typo corrector's vocabulary)."""
    return sorted({word for cues in CUES.values() for word in cues})


def score(keys: Iterable[str]) -> list[tuple[str, float]]:
    """Tasks ranked by the summed weight of their cues among `keys` (each key counted once)."""
    present = set(keys)
    totals = [(task, sum(w for word, w in cues.items() if word in present)) for task, cues in CUES.items()]
    return sorted((t for t in totals if t[1] > 0), key=lambda t: -t[1])


def best_task(keys: Iterable[str], threshold: float = THRESHOLD) -> str | None:
    """The task the words point to, if they point clearly enough.

    One strong word is enough only in a short stretch ("help with contracts");
    otherwise two different cue words, or a score of 3, are needed.
    """
    keys = list(keys)
    ranked = score(keys)
    if not ranked or ranked[0][1] < threshold:
        return None
    task, total = ranked[0]
    distinct = sum(1 for k in set(keys) if k in CUES[task])
    if distinct < 2 and total < 3 and len(keys) > 3:
        return None
    if len(ranked) > 1 and ranked[0][1] - ranked[1][1] < MARGIN:
        return None
    return ranked[0][0]
