"""What a reading finds: task hits with their words, facts, work items, the whole reading."""

from __future__ import annotations

from dataclasses import dataclass, field

from advisor import taxonomy
from advisor.nlp import Mention


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
