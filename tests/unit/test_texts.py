"""The texts home: every file loads, keys resolve, and unfilled placeholders fail loudly."""

from __future__ import annotations

import pytest

from advisor import texts


def test_every_texts_file_is_a_mapping_of_texts() -> None:
    assert texts.topics(), "texts/ has no files"

    def walk(node: object, where: str) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                walk(value, f"{where}.{key}")
        else:
            assert isinstance(node, str) or (isinstance(node, list) and all(isinstance(x, str) for x in node)), where

    for topic in texts.topics():
        walk(texts.load(topic), topic)


def test_missing_key_and_missing_placeholder_are_named(tmp_path, monkeypatch) -> None:
    (tmp_path / "demo.yml").write_text("greeting: 'Hello {name}'\nsteps: ['one {n}', 'two']\n", encoding="utf-8")
    monkeypatch.setattr(texts, "TEXTS_DIR", tmp_path)
    texts.load.cache_clear()
    try:
        assert texts.say("demo.greeting", name="Ada") == "Hello Ada"
        assert texts.say_all("demo.steps", n=1) == ["one 1", "two"]
        with pytest.raises(texts.TextError, match="needs name"):
            texts.say("demo.greeting")
        with pytest.raises(texts.TextError, match="has no 'farewell'"):
            texts.say("demo.farewell")
        with pytest.raises(texts.TextError, match="does not exist"):
            texts.say("nothing.here")
    finally:
        texts.load.cache_clear()
