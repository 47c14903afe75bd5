"""Every sentence the assistant says lives in `domain/texts/`: Rasa's fixed replies and the topic files.

`domain/` is the Rasa domain (a directory: Rasa merges every YAML file in it that has a domain key).
`domain/texts/` is the one home of the words, so a writer edits them without touching a rule:

* `domain/texts/responses.yml` holds Rasa's responses (`utter_*`), which Rasa sends by itself;
  `response("utter_technical_trouble")` reads one where the code needs the same words.
* every other file is a topic of sentences the code composes; it has no Rasa domain key, so
  Rasa skips it. The code asks for a sentence by its key:

    from advisor.texts import say
    say("cost.estimate_line", low="$2,000", high="$4,000", unit="a month")

A key is `<file>.<path>` (e.g. `cost.estimate_line` is `estimate_line:` in domain/texts/cost.yml;
nested mappings add parts: `data.regulation.gdpr`). A value is a string with `{named}`
placeholders, or a list of strings (paragraphs, checklist items). Files are read once and
checked as they are loaded: a missing file or key, or a placeholder the caller did not fill,
raises TextError naming the file and key, so a writer's typo fails the tests, never a
conversation in production.
"""

from __future__ import annotations

import functools
import string
from pathlib import Path
from typing import Any

import yaml

DOMAIN_DIR = Path(__file__).resolve().parent.parent / "domain"
TEXTS_DIR = DOMAIN_DIR / "texts"
DOMAIN_KEYS = frozenset(
    {"intents", "entities", "slots", "forms", "actions", "responses", "e2e_actions", "session_config"}
)
"""A YAML file with one of these top-level keys is part of the Rasa domain (Rasa's `ALL_DOMAIN_KEYS`;
tests/unit/test_texts.py checks they agree). This module has no Rasa import, hence the copy."""


class TextError(LookupError):
    """A text is missing, malformed, or its placeholders were not all filled."""


def _where(name: str) -> str:
    return f"domain/texts/{name}.yml"


def _read(name: str) -> dict[str, Any]:
    try:
        data = yaml.safe_load((TEXTS_DIR / f"{name}.yml").read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise TextError(f"{_where(name)} does not exist") from exc
    except yaml.YAMLError as exc:
        raise TextError(f"{_where(name)} is not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise TextError(f"{_where(name)}: the top level must be a mapping of keys to texts")
    return data


def is_domain_file(data: dict[str, Any]) -> bool:
    """Whether a parsed file is part of the Rasa domain (Rasa reads it; `response()` reads its replies)."""
    return bool(DOMAIN_KEYS & set(data))


@functools.cache
def load(topic: str) -> dict[str, Any]:
    """The parsed mapping of `domain/texts/<topic>.yml`, a topic of sentences the code composes."""
    data = _read(topic)
    if is_domain_file(data):
        raise TextError(f"{_where(topic)} is a Rasa domain file, not a topic: read its replies with response()")
    return data


def topics() -> list[str]:
    """The topic names (file stems) in domain/texts/: every YAML file that is not a Rasa domain file."""
    return sorted(p.stem for p in TEXTS_DIR.glob("*.yml") if not is_domain_file(_read(p.stem)))


@functools.cache
def responses() -> dict[str, list[Any]]:
    """Rasa's responses (`utter_*` -> variants) from the domain files in domain/texts/."""
    found: dict[str, list[Any]] = {}
    for path in sorted(TEXTS_DIR.glob("*.yml")):
        data = _read(path.stem)
        if is_domain_file(data):
            found.update(data.get("responses") or {})
    return found


def response(name: str) -> str:
    """The text of Rasa's fixed reply `name`: its first variant with a text, as written.

    For code that must say exactly what Rasa says (the turn guard's apology is
    `utter_technical_trouble`), so the words are written once. A reply Rasa fills from slots
    (`{slot}`) cannot be sent from here and raises TextError, as does a missing one.
    """
    for variant in responses().get(name) or []:
        if isinstance(variant, dict) and isinstance(variant.get("text"), str):
            text: str = variant["text"]
            if "{" in text or "}" in text:
                raise TextError(f"response {name!r} is filled by Rasa from slots; it is not a fixed reply")
            return text
    raise TextError(f"no Rasa response {name!r} with a text in domain/texts/")


def reload() -> None:
    """Forget the files read so far (tests that point TEXTS_DIR elsewhere; a writer's live edit)."""
    load.cache_clear()
    responses.cache_clear()


def raw(key: str) -> Any:
    """The text (string or list of strings) under `key`, unfilled."""
    topic, _, path = key.partition(".")
    if not path:
        raise TextError(f"text key {key!r} needs a topic and a name, e.g. 'cost.estimate_line'")
    node: Any = load(topic)
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            raise TextError(f"{_where(topic)} has no {path!r} (asked for {key!r})")
        node = node[part]
    if isinstance(node, str) or (isinstance(node, list) and all(isinstance(x, str) for x in node)):
        return node
    raise TextError(f"{_where(topic)}: {path!r} is not a text or a list of texts")


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
