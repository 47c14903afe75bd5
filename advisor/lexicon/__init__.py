"""The advisor's vocabulary, kept as data: task phrases, cue words, goals, skills, word lists.

The YAML files beside this module are the only place words live; the code in
`advisor/` keeps the logic. Each file is loaded once and validated as it is
read, so a typo in an entry fails at start-up with the file and entry named,
never later in the middle of a conversation.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).parent
MODELS = ("bpo", "kpo")


class LexiconError(ValueError):
    """A lexicon file is malformed; the message names the file and the entry."""


def _fail(file: str, entry: str, problem: str) -> LexiconError:
    return LexiconError(f"advisor/lexicon/{file}: {entry}: {problem}")


def _strings(value: Any, file: str, entry: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not value:
        raise _fail(file, entry, "expected a non-empty list of strings")
    for item in value:
        if not isinstance(item, str) or not item.strip():
            raise _fail(file, entry, f"{item!r} is not a non-empty string")
    return tuple(value)


@functools.cache
def load(name: str) -> dict[str, Any]:
    """The parsed YAML mapping of `advisor/lexicon/<name>.yml`."""
    path = HERE / f"{name}.yml"
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise LexiconError(f"advisor/lexicon/{name}.yml: not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise _fail(f"{name}.yml", "(top level)", "expected a mapping")
    return data


@functools.lru_cache(maxsize=1)
def tasks() -> dict[str, Any]:
    """Categories and tasks from tasks.yml, validated."""
    file = "tasks.yml"
    data = load("tasks")
    categories = data.get("categories") or {}
    for key, cat in categories.items():
        if not isinstance(cat, dict) or cat.get("model") not in MODELS or not cat.get("label"):
            raise _fail(file, f"categories.{key}", "needs a label and a model of bpo or kpo")
    entries = data.get("tasks") or {}
    if not entries:
        raise _fail(file, "tasks", "no tasks")
    for key, task in entries.items():
        where = f"tasks.{key}"
        if not isinstance(task, dict) or not task.get("label"):
            raise _fail(file, where, "needs a label")
        if task.get("category") not in categories:
            raise _fail(file, where, f"unknown category {task.get('category')!r}")
        task["phrases"] = _strings(task.get("phrases"), file, f"{where}.phrases")
        for word, weight in (task.get("cues") or {}).items():
            if not isinstance(word, str) or not isinstance(weight, (int, float)) or weight <= 0:
                raise _fail(file, f"{where}.cues.{word}", "a cue is a word with a positive weight")
    return data


@functools.lru_cache(maxsize=1)
def goals_skills() -> dict[str, Any]:
    """Goals (label and phrases) and skills (words) from goals_skills.yml, validated."""
    file = "goals_skills.yml"
    data = load("goals_skills")
    for key, goal in (data.get("goals") or {}).items():
        if not isinstance(goal, dict) or not goal.get("label"):
            raise _fail(file, f"goals.{key}", "needs a label")
        goal["phrases"] = _strings(goal.get("phrases"), file, f"goals.{key}.phrases")
    for key, words in (data.get("skills") or {}).items():
        data["skills"][key] = _strings(words, file, f"skills.{key}")
    return data


@functools.cache
def words(name: str) -> frozenset[str]:
    """One word list from words.yml (KeyError naming the file if it is missing)."""
    data = load("words")
    if name not in data:
        raise _fail("words.yml", name, "missing list")
    return frozenset(_strings(data[name], "words.yml", name))


@functools.cache
def reading(name: str) -> Any:
    """One entry of reading.yml (the patterns of work items, requirements and context)."""
    data = load("reading")
    if name not in data:
        raise _fail("reading.yml", name, "missing entry")
    value = data[name]
    if isinstance(value, list):
        return _strings(value, "reading.yml", name)  # YAML reads a bare `on` or `no` as a boolean
    for key, entry in value.items():
        if not isinstance(entry, dict) or not entry.get("kind"):
            raise _fail("reading.yml", f"{name}.{key}", "needs a kind and phrases")
        entry["phrases"] = _strings(entry.get("phrases"), "reading.yml", f"{name}.{key}.phrases")
    return value


@functools.lru_cache(maxsize=1)
def regions() -> dict[str, Any]:
    """Places, the words that name them and whose place a place is, from regions.yml, validated."""
    file = "regions.yml"
    data = load("regions")
    places = data.get("places") or {}
    if not places:
        raise _fail(file, "places", "no places")
    for key, place in places.items():
        where = f"places.{key}"
        if not isinstance(place, dict) or not place.get("label") or not isinstance(place.get("utc"), (int, float)):
            raise _fail(file, where, "needs a label and a utc offset")
        place["words"] = _strings(place.get("words"), file, f"{where}.words")
        delivery = place.get("delivery") or {}
        for region in ("onshore", "nearshore", "offshore"):
            hub = delivery.get(region)
            if not isinstance(hub, dict) or not isinstance(hub.get("utc"), (int, float)):
                raise _fail(file, f"{where}.delivery.{region}", "needs countries and a utc offset")
            hub["countries"] = _strings(hub.get("countries"), file, f"{where}.delivery.{region}.countries")
    roles = data.get("roles") or {}
    for role in ("company", "customer", "provider"):
        roles[role] = _strings(roles.get(role), file, f"roles.{role}")
    data["capitals_only"] = _strings(data.get("capitals_only"), file, "capitals_only")
    return data
