"""The phrase tables of tests/support/phrases.yml: buyer phrases and what the readers must make of them."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import yaml

PHRASES = Path(__file__).with_name("phrases.yml")


@functools.cache
def _tables() -> dict[str, list[list[Any]]]:
    return yaml.safe_load(PHRASES.read_text(encoding="utf-8"))


def table(name: str) -> list[tuple[Any, ...]]:
    """The rows of one table, each a tuple in the order the table's comment gives."""
    return [tuple(row) for row in _tables()[name]]


def task_table(name: str) -> list[tuple[str, set[str]]]:
    """A task table: (utterance, the set of task keys the readers must find)."""
    return [(text, set(keys)) for text, keys in _tables()[name]]
