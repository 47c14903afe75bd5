"""The task taxonomy from the source article: which work is BPO and which is KPO.

Each task has a stable key (stored in the `tasks` slot), the service category it
belongs to, and the phrases people use for it; all of them are data in
`advisor/lexicon/tasks.yml`. The phrases are matched over
normalised tokens (lower case, singular, typos corrected, filler words dropped)
by `advisor.nlp`, so "keeping the books in order" and "keep our book in order"
hit the same pattern.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from advisor import lexicon

BPO = "bpo"
KPO = "kpo"
HYBRID = "hybrid"


@dataclass(frozen=True)
class Category:
    """A service type from the article, e.g. back-office BPO or legal KPO."""

    key: str
    model: str
    label: str


@dataclass(frozen=True)
class Task:
    """One kind of work a company may hand off."""

    key: str
    label: str
    category: str
    phrases: tuple[str, ...]
    customer_facing: bool = False

    @property
    def model(self) -> str:
        return CATEGORIES[self.category].model


_LEX = lexicon.tasks()
CATEGORIES: dict[str, Category] = {
    key: Category(key, entry["model"], entry["label"]) for key, entry in _LEX["categories"].items()
}

TASKS: dict[str, Task] = {
    key: Task(key, entry["label"], entry["category"], entry["phrases"], bool(entry.get("customer_facing")))
    for key, entry in _LEX["tasks"].items()
}

# Skills a company may say it lacks, with the words that name them.
SKILLS: dict[str, tuple[str, ...]] = dict(lexicon.goals_skills()["skills"])

GOALS: dict[str, tuple[str, ...]] = {k: g["phrases"] for k, g in lexicon.goals_skills()["goals"].items()}

GOAL_LABELS: dict[str, str] = {k: g["label"] for k, g in lexicon.goals_skills()["goals"].items()}


def task(key: str) -> Task:
    """Look a task up by key (KeyError for unknown keys)."""
    return TASKS[key]


def model_of(key: str) -> str | None:
    """`bpo` or `kpo` for a task key, None for unknown keys."""
    t = TASKS.get(key)
    return t.model if t else None


def split_by_model(keys: Iterable[str]) -> tuple[list[str], list[str]]:
    """Split task keys into (BPO tasks, KPO tasks), keeping order and dropping unknowns."""
    bpo = [k for k in keys if model_of(k) == BPO]
    kpo = [k for k in keys if model_of(k) == KPO]
    return bpo, kpo


def labels(keys: Iterable[str]) -> list[str]:
    """Human labels for task keys."""
    return [TASKS[k].label for k in keys if k in TASKS]


def join_labels(items: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'; with a comma before the last 'and' when a label holds an 'and'
    of its own ('HR and payroll, and accounting and bookkeeping'), so the pairs stay apart."""
    items = [i for i in items if i]
    if len(items) <= 1:
        return "".join(items)
    last = ", and " if any(" and " in i for i in items) else " and "
    return ", ".join(items[:-1]) + last + items[-1]


def sentence_case(text: str) -> str:
    """Upper-case the first letter only ("HR and payroll" stays as it is)."""
    return text[:1].upper() + text[1:]
