"""Every sentence the assistant composes in code lives in `texts/*.yml`, one file per topic.

A writer edits those files without touching a rule; the code asks for a sentence by its key:

    from advisor.texts import say
    say("cost.estimate_line", low="$2,000", high="$4,000", unit="a month")

A key is `<file>.<path>` (e.g. `cost.estimate_line` is `estimate_line:` in texts/cost.yml;
nested mappings add parts: `data.regulation.gdpr`). A value is a string with `{named}`
placeholders, or a list of strings (paragraphs, checklist items). Files are read once and
checked as they are loaded: a missing file or key, or a placeholder the caller did not fill,
raises TextError naming the file and key, so a writer's typo fails the tests, never a
conversation in production.

The files carry no Rasa domain keys (intents, responses, ...), so they stay plain data.
"""

from __future__ import annotations

import functools
import string
from pathlib import Path
from typing import Any

import yaml

TEXTS_DIR = Path(__file__).resolve().parent.parent / "texts"


class TextError(LookupError):
    """A text is missing, malformed, or its placeholders were not all filled."""


@functools.cache
def load(topic: str) -> dict[str, Any]:
    """The parsed mapping of `texts/<topic>.yml`."""
    path = TEXTS_DIR / f"{topic}.yml"
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise TextError(f"texts/{topic}.yml does not exist") from exc
    except yaml.YAMLError as exc:
        raise TextError(f"texts/{topic}.yml is not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise TextError(f"texts/{topic}.yml: the top level must be a mapping of keys to texts")
    return data


def topics() -> list[str]:
    """The topic names (file stems) present in texts/."""
    return sorted(p.stem for p in TEXTS_DIR.glob("*.yml"))


def raw(key: str) -> Any:
    """The text (string or list of strings) under `key`, unfilled."""
    topic, _, path = key.partition(".")
    if not path:
        raise TextError(f"text key {key!r} needs a topic and a name, e.g. 'cost.estimate_line'")
    node: Any = load(topic)
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            raise TextError(f"texts/{topic}.yml has no {path!r} (asked for {key!r})")
        node = node[part]
    if isinstance(node, str) or (isinstance(node, list) and all(isinstance(x, str) for x in node)):
        return node
    raise TextError(f"texts/{topic}.yml: {path!r} is not a text or a list of texts")


def placeholders(text: str) -> set[str]:
    """The `{named}` placeholders of a text."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def _fill(text: str, key: str, fields: dict[str, Any]) -> str:
    missing = placeholders(text) - fields.keys()
    if missing:
        raise TextError(f"text {key!r} needs {', '.join(sorted(missing))}")
    return text.format(**fields)


def say(key: str, **fields: Any) -> str:
    """The text under `key` with its placeholders filled (a list is joined into paragraphs)."""
    value = raw(key)
    if isinstance(value, list):
        return "\n".join(_fill(item, key, fields) for item in value)
    return _fill(value, key, fields)


def say_all(key: str, **fields: Any) -> list[str]:
    """The list of texts under `key` (a single text gives a one-item list), each filled."""
    value = raw(key)
    items = value if isinstance(value, list) else [value]
    return [_fill(item, key, fields) for item in items]
