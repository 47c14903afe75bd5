"""The linear intent classifier: trains in Rasa's model storage, persists without pickles, reloads the same."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from components.intent_classifier import LinearIntentClassifier, features

EXAMPLES = {
    "greet": ["hi", "hello there", "good morning", "hey", "hi team", "hello, anyone here?"],
    "ask_knowledge": [
        "what is kpo",
        "what does bpo mean",
        "explain knowledge process outsourcing",
        "how is kpo different from bpo",
        "what is a bpo provider",
        "define kpo please",
    ],
    "inform": [
        "we need payroll handled",
        "our budget is tight",
        "we lack legal expertise",
        "market research for a launch",
        "about 5k a month",
        "customer support around the clock",
    ],
}


def _training_data() -> TrainingData:
    return TrainingData([Message(data={"text": t, "intent": i}) for i, texts in EXAMPLES.items() for t in texts])


def _train(tmp_path: Path, name: str, config: dict | None = None) -> tuple[LinearIntentClassifier, Path]:
    (tmp_path / name).mkdir()
    storage = LocalModelStorage(tmp_path / name)
    resource = Resource("intent_classifier")
    context = ExecutionContext(GraphSchema({}), "test")
    component = LinearIntentClassifier.create(
        {**LinearIntentClassifier.get_default_config(), **(config or {})}, storage, resource, context
    )
    component.train(_training_data())
    return component, tmp_path / name


def _classify(component: LinearIntentClassifier, text: str) -> Message:
    message = Message(data={"text": text})
    component.process([message])
    return message


@pytest.mark.parametrize(
    "text, intent",
    [
        ("hello!", "greet"),
        ("what is bpo?", "ask_knowledge"),
        ("we need payroll and bookkeeping", "inform"),
    ],
)
def test_classifies_unseen_wordings(tmp_path, text, intent):
    component, _ = _train(tmp_path, "m")
    assert _classify(component, text).get("intent")["name"] == intent


def test_ranking_is_a_probability_distribution_best_first(tmp_path):
    component, _ = _train(tmp_path, "m")
    message = _classify(component, "what is kpo exactly?")
    ranking = message.get("intent_ranking")
    confidences = [r["confidence"] for r in ranking]
    assert ranking[0]["name"] == message.get("intent")["name"]
    assert confidences == sorted(confidences, reverse=True)
    assert sum(confidences) == pytest.approx(1.0, abs=1e-5)
    assert message.get("intent")["confidence"] == confidences[0]


@pytest.mark.parametrize("text", ["", "🙂🙂🙂", "<b>x</b>", "x" * 50_000, "¿Qué es KPO?", '/inform{"a": 1}'])
def test_every_input_gets_an_intent(tmp_path, text):
    component, _ = _train(tmp_path, "m")
    intent = _classify(component, text).get("intent")
    assert intent["name"] in EXAMPLES and 0.0 < intent["confidence"] <= 1.0


def test_persisted_model_is_plain_arrays_and_json_and_reloads_identically(tmp_path):
    component, directory = _train(tmp_path, "m")
    files = sorted(p.name for p in directory.rglob("*") if p.is_file())
    assert files == ["bias.npy", "model.json", "weights.npy"]
    storage = LocalModelStorage(directory)
    reloaded = LinearIntentClassifier.load(
        LinearIntentClassifier.get_default_config(),
        storage,
        Resource("intent_classifier"),
        ExecutionContext(GraphSchema({}), "t"),
    )
    for text in ["hi there", "what is kpo", "legal research please", "🙂"]:
        assert _classify(reloaded, text).get("intent_ranking") == _classify(component, text).get("intent_ranking")


def test_training_is_seeded(tmp_path):
    first, _ = _train(tmp_path, "a")
    second, _ = _train(tmp_path, "b")
    assert np.array_equal(first._model.weights, second._model.weights)


def test_features_fold_digits_and_case_and_mark_the_first_word():
    found = features("What about 5K?")
    assert {"w:what", "b:<s> what", "w:0k", "c: wha", "c:hat ", "w:?"} <= found
    assert features("What about 5K?") == features("what ABOUT 7k?")


def test_intents_the_server_triggers_are_never_learnt_or_predicted(tmp_path: Path) -> None:
    """EXTERNAL_ intents (a reminder, the sales console's hand-back) have an example only for
    Rasa's validator; a visitor typing that very text still gets a real intent."""
    (tmp_path / "external").mkdir()
    storage = LocalModelStorage(tmp_path / "external")
    component = LinearIntentClassifier.create(
        LinearIntentClassifier.get_default_config(),
        storage,
        Resource("intent_classifier"),
        ExecutionContext(GraphSchema({}), "test"),
    )
    data = _training_data().merge(
        TrainingData([Message(data={"text": "EXTERNAL_handoff_ended", "intent": "EXTERNAL_handoff_ended"})])
    )
    component.train(data)
    ranking = _classify(component, "EXTERNAL_handoff_ended").get("intent_ranking")
    assert {r["name"] for r in ranking} == set(EXAMPLES)
