"""Rasa NLU component: a linear intent classifier over word and character n-grams.

Why not DIET, or Rasa's own LogisticRegressionClassifier? Measured on this project's
held-out set and machine (README "Performance", table of pipelines tried), this
classifier is as accurate as DIET for our 18 intents while it

* needs no TensorFlow graph: DIET's model load re-traces its graph (about 35 s of the
  Rasa server's start-up) and its inference was the largest share of a turn's NLU time;
* loads in milliseconds: Rasa's LogisticRegressionClassifier loads through `skops`, whose
  import scans every loaded module (about 12 s with TensorFlow imported);
* stores plain arrays and JSON, never a pickle, so loading a model runs no code from it
  (the class of problem behind CVE-2024-49375).

Features: lower-cased text with digits folded to 0; word unigrams and bigrams (with a
start marker, so the first word counts on its own) and character n-grams of 2 to 5 inside
each word. Each present feature counts once and the vector is L2-normalised. A seeded
multinomial logistic regression (scikit-learn, training only) learns the weights;
prediction is one sparse dot product in NumPy.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

MAX_CHARS = 2000  # longer messages are classified on their beginning
EXTERNAL_PREFIX = "EXTERNAL_"
"""Intents the server triggers (reminders, the sales console), never typed: not learnt, never predicted."""
RANKING_LENGTH = 10
_TOKEN = re.compile(r"[a-z0]+(?:'[a-z]+)?|[^\w\s]")


def features(text: str, char_ngrams: tuple[int, int] = (2, 5)) -> set[str]:
    """The set of feature names of `text`."""
    text = re.sub(r"\d", "0", (text or "")[:MAX_CHARS].lower())
    words = _TOKEN.findall(text)
    found: set[str] = set()
    low, high = char_ngrams
    previous = "<s>"
    for word in words:
        found.add("w:" + word)
        found.add(f"b:{previous} {word}")
        previous = word
        if word.isalnum() or "'" in word:
            padded = f" {word} "
            for size in range(low, high + 1):
                for start in range(max(len(padded) - size + 1, 0)):
                    found.add("c:" + padded[start : start + size])
    if words:
        found.add(f"b:{previous} </s>")
    return found


class LinearModel:
    """Vocabulary, weights and labels; `predict` gives (label, probability) pairs, best first."""

    def __init__(
        self,
        vocabulary: dict[str, int],
        weights: np.ndarray,
        bias: np.ndarray,
        labels: list[str],
        char_ngrams: tuple[int, int],
    ) -> None:
        self.vocabulary = vocabulary
        self.weights = weights  # (features, labels)
        self.bias = bias  # (labels,)
        self.labels = labels
        self.char_ngrams = char_ngrams

    def indices(self, text: str) -> list[int]:
        return [self.vocabulary[f] for f in features(text, self.char_ngrams) if f in self.vocabulary]

    def predict(self, text: str) -> list[tuple[str, float]]:
        index = self.indices(text)
        scores = self.bias.copy()
        if index:
            scores = scores + self.weights[index].sum(axis=0) / math.sqrt(len(index))
        scores = np.exp(scores - scores.max())
        probabilities = scores / scores.sum()
        order = np.argsort(-probabilities, kind="stable")
        return [(self.labels[i], float(probabilities[i])) for i in order]

    @classmethod
    def train(
        cls, texts: list[str], labels: list[str], c: float, seed: int, char_ngrams: tuple[int, int]
    ) -> LinearModel:
        from scipy.sparse import csr_matrix
        from sklearn.linear_model import LogisticRegression

        rows = [sorted(features(t, char_ngrams)) for t in texts]
        vocabulary: dict[str, int] = {}
        for row in rows:
            for name in row:
                vocabulary.setdefault(name, len(vocabulary))
        data, indices, indptr = [], [], [0]
        for row in rows:
            cols = [vocabulary[name] for name in row]
            value = 1.0 / math.sqrt(len(cols)) if cols else 0.0
            indices.extend(cols)
            data.extend([value] * len(cols))
            indptr.append(len(indices))
        matrix = csr_matrix((data, indices, indptr), shape=(len(rows), len(vocabulary)))
        model = LogisticRegression(C=c, max_iter=2000, random_state=seed)
        model.fit(matrix, labels)
        weights = model.coef_.T.astype(np.float32)
        bias = model.intercept_.astype(np.float32)
        if len(model.classes_) == 2:  # scikit-learn keeps one column for two classes
            weights = np.hstack([-weights / 2, weights / 2])
            bias = np.array([-bias[0] / 2, bias[0] / 2], dtype=np.float32)
        return cls(vocabulary, weights, bias, [str(x) for x in model.classes_], char_ngrams)


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class LinearIntentClassifier(GraphComponent, IntentClassifier):
    """Intent classification with a seeded linear model over word and character n-grams."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"C": 10.0, "random_seed": 2026, "char_min_ngram": 2, "char_max_ngram": 5}

    def __init__(
        self, config: dict[str, Any], model_storage: ModelStorage, resource: Resource, model: LinearModel | None = None
    ) -> None:
        self._config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self._model = model

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> LinearIntentClassifier:
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        examples = [
            m
            for m in training_data.intent_examples
            if m.get(TEXT) and m.get(INTENT) and not str(m.get(INTENT)).startswith(EXTERNAL_PREFIX)
        ]
        if len({m.get(INTENT) for m in examples}) < 2:
            raise ValueError("LinearIntentClassifier needs training examples of at least two intents")
        self._model = LinearModel.train(
            [m.get(TEXT) for m in examples],
            [m.get(INTENT) for m in examples],
            c=float(self._config["C"]),
            seed=int(self._config["random_seed"]),
            char_ngrams=(int(self._config["char_min_ngram"]), int(self._config["char_max_ngram"])),
        )
        self.persist()
        return self._resource

    def persist(self) -> None:
        if self._model is None:
            return
        with self._model_storage.write_to(self._resource) as directory:
            names = sorted(self._model.vocabulary, key=self._model.vocabulary.__getitem__)
            meta = {"labels": self._model.labels, "features": names, "char_ngrams": list(self._model.char_ngrams)}
            (directory / "model.json").write_text(json.dumps(meta), encoding="utf-8")
            np.save(directory / "weights.npy", self._model.weights, allow_pickle=False)
            np.save(directory / "bias.npy", self._model.bias, allow_pickle=False)

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> LinearIntentClassifier:
        try:
            with model_storage.read_from(resource) as directory:
                meta = json.loads((directory / "model.json").read_text(encoding="utf-8"))
                weights = np.load(directory / "weights.npy", allow_pickle=False)
                bias = np.load(directory / "bias.npy", allow_pickle=False)
        except ValueError:  # nothing persisted (no training data)
            return cls(config, model_storage, resource)
        model = LinearModel(
            {name: i for i, name in enumerate(meta["features"])},
            weights,
            bias,
            meta["labels"],
            tuple(meta["char_ngrams"]),
        )
        return cls(config, model_storage, resource, model)

    def process(self, messages: list[Message]) -> list[Message]:
        if self._model is None:
            return messages
        for message in messages:
            ranking = self._model.predict(message.get(TEXT) or "")
            best, confidence = ranking[0]
            message.set(INTENT, {"name": best, "confidence": confidence}, add_to_output=True)
            message.set(
                INTENT_RANKING_KEY,
                [{"name": name, "confidence": p} for name, p in ranking[:RANKING_LENGTH]],
                add_to_output=True,
            )
        return messages
