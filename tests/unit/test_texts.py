"""The texts home: every file loads, keys resolve, and unfilled placeholders fail loudly."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

from advisor import texts


def test_every_topic_file_is_a_mapping_of_texts() -> None:
    assert texts.topics(), "domain/texts/ has no topic files"

    def walk(node: object, where: str) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                walk(value, f"{where}.{key}")
        else:
            assert isinstance(node, str) or (isinstance(node, list) and all(isinstance(x, str) for x in node)), where

    for topic in texts.topics():
        walk(texts.load(topic), topic)


def test_topics_are_what_rasa_skips_and_responses_what_it_reads() -> None:
    """One home, two readers: Rasa merges the YAML files of domain/ that have a domain key and skips
    the rest, so every topic file must be skipped by Rasa and the responses file read by it."""
    from rasa.shared.core.domain import ALL_DOMAIN_KEYS, Domain

    assert set(ALL_DOMAIN_KEYS) == texts.DOMAIN_KEYS
    files = sorted(texts.TEXTS_DIR.glob("*.yml"))
    rasa_reads = {path.stem for path in files if Domain.is_domain_file(path)}
    assert rasa_reads == {"responses"}
    assert set(texts.topics()) == {path.stem for path in files} - rasa_reads
    assert texts.responses() == Domain.load(str(texts.DOMAIN_DIR)).responses
    with pytest.raises(texts.TextError, match="is a Rasa domain file"):
        texts.load("responses")


def test_a_fixed_reply_reads_as_rasa_sends_it() -> None:
    from rasa.shared.core.domain import Domain

    domain = Domain.load(str(texts.DOMAIN_DIR))
    for name in ("utter_technical_trouble", "utter_greet", "utter_lead_data_deleted"):
        assert texts.response(name) == domain.responses[name][0]["text"]
    # two variants (the second after an answer that could not be classified): the first one written
    assert texts.response("utter_ask_tasks") == domain.responses["utter_ask_tasks"][0]["text"]
    assert texts.response("utter_ask_tasks").startswith("What work would you like to hand off?")


def test_missing_key_and_missing_placeholder_are_named(tmp_path, monkeypatch) -> None:
    (tmp_path / "demo.yml").write_text("greeting: 'Hello {name}'\nsteps: ['one {n}', 'two']\n", encoding="utf-8")
    (tmp_path / "responses.yml").write_text(
        "responses:\n  utter_hi: [{text: 'Hi {name}'}]\n  utter_bye: [{image: 'x.png'}, {text: 'Bye.'}]\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(texts, "TEXTS_DIR", tmp_path)
    texts.reload()
    try:
        assert texts.topics() == ["demo"]
        assert texts.say("demo.greeting", name="Ada") == "Hello Ada"
        assert texts.say_all("demo.steps", n=1) == ["one 1", "two"]
        assert texts.response("utter_bye") == "Bye."
        with pytest.raises(texts.TextError, match="needs name"):
            texts.say("demo.greeting")
        with pytest.raises(texts.TextError, match="has no 'farewell'"):
            texts.say("demo.farewell")
        with pytest.raises(texts.TextError, match="does not exist"):
            texts.say("nothing.here")
        with pytest.raises(texts.TextError, match="filled by Rasa from slots"):
            texts.response("utter_hi")
        with pytest.raises(texts.TextError, match="no Rasa response 'utter_nothing'"):
            texts.response("utter_nothing")
    finally:
        texts.reload()


# --- every key the code asks for ------------------------------------------------------------

ROOT = Path(__file__).resolve().parents[2]
CODE = ("advisor", "actions", "leads", "serving")


@dataclass
class Ask:
    """One `say(...)`/`say_all(...)` call: its key (or the fixed start of an f-string key) and filled names."""

    where: str
    key: str
    prefix: str | None  # f"cost.work_{model}": every text under "cost" whose key starts "cost.work_" must be fillable
    fields: set[str] | None  # None: filled with **kwargs, not checked


def _keys(node: ast.expr) -> list[tuple[str, str | None]]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [(node.value, None)]
    if isinstance(node, ast.IfExp):
        return _keys(node.body) + _keys(node.orelse)
    if isinstance(node, ast.JoinedStr) and node.values and isinstance(node.values[0], ast.Constant):
        start = str(node.values[0].value)  # f"advice.reasons.skill.{category}": the section before the name
        return [(start.rpartition(".")[0], start)] if "." in start else []
    return []  # a key in a variable: checked by the tests of the code that builds it


def asks() -> list[Ask]:
    found = []
    for path in sorted(p for folder in CODE for p in (ROOT / folder).rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if name not in ("say", "say_all"):
                continue
            kwargs = {k.arg for k in node.keywords}
            fields = None if None in kwargs else {str(k) for k in kwargs}
            where = f"{path.relative_to(ROOT)}:{node.lineno}"
            found += [Ask(where, key, prefix, fields) for key, prefix in _keys(node.args[0])]
    return found


def leaves(node: object, key: str) -> dict[str, list[str]]:
    """Every text under `key`: full key -> its strings."""
    if isinstance(node, dict):
        return {k: v for name, child in node.items() for k, v in leaves(child, f"{key}.{name}").items()}
    return {key: [node] if isinstance(node, str) else list(node)}  # type: ignore[arg-type]


def under(key: str) -> object:
    topic, _, path = key.partition(".")
    node: object = texts.load(topic)
    for part in path.split(".") if path else []:
        assert isinstance(node, dict) and part in node, f"domain/texts/{topic}.yml has no {path!r}"
        node = node[part]
    return node


def test_the_scan_finds_the_code_that_speaks() -> None:
    files = {ask.where.split(":")[0] for ask in asks()}
    assert {"advisor/messages.py", "advisor/engine.py", "actions/leads.py", "leads/validation.py"} <= files


def test_every_key_the_code_asks_for_exists_and_its_placeholders_are_filled() -> None:
    for ask in asks():
        found = {key: v for key, v in leaves(under(ask.key), ask.key).items() if key.startswith(ask.prefix or "")}
        assert found, f"{ask.where}: nothing under {ask.prefix or ask.key!r}"
        if ask.prefix is None:
            texts.raw(ask.key)  # a text or a list of texts, not a section
        if ask.fields is None:
            continue
        for key, strings in found.items():
            missing = set().union(*(texts.placeholders(text) for text in strings)) - ask.fields
            assert not missing, f"{ask.where}: {key} needs {sorted(missing)}; the code fills {sorted(ask.fields)}"


def test_every_key_built_at_run_time_exists() -> None:
    """The f-string keys above are checked by section; here every value the code can put in them."""
    from actions.conversation import INTENT_PAYLOADS, intent_button
    from advisor import inputs, knowledge, messages, taxonomy
    from advisor.engine import SPECIALISED_CATEGORIES
    from leads.answers import FIELDS, label

    assert [messages.name(choice) for choice in messages.CHOICES] == ["BPO", "KPO", "a hybrid of BPO and KPO"]
    assert all(messages.why_ask(slot) for slot in messages.FORM_QUESTIONS)
    assert messages.why_ask("lead_email") is None
    assert all(inputs.reply(kind) for kind in inputs.UNREADABLE)
    assert all(knowledge.topic_text(topic, subject) for topic in knowledge.TOPICS for subject in knowledge.SUBJECTS)
    assert all(texts.say(f"advice.reasons.skill.{category}") for category in SPECIALISED_CATEGORIES)
    assert all(texts.say(f"knowledge.classification.why.{model}") for model in (taxonomy.BPO, taxonomy.KPO))
    assert all(intent_button(intent)["title"] for intent in INTENT_PAYLOADS)
    assert all(label(slot) for slot in FIELDS)
