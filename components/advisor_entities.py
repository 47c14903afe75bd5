"""Rasa NLU component: taxonomy entities from the rule-based spaCy pipeline in `advisor.nlp`.

Adds `task` entities whose value is the taxonomy key ("hr_payroll") and `goal`
entities, skipping anything the user negated ("not data entry"). It needs no
training and no downloaded model.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from advisor.nlp import get_nlp

MAX_CHARS = 5000


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False
)
class AdvisorEntityExtractor(GraphComponent, EntityExtractorMixin):
    """Finds taxonomy tasks and goals with spaCy phrase matching over normalised tokens."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"kinds": ["task", "goal"]}

    def __init__(self, config: dict[str, Any]) -> None:
        self._kinds = tuple(config.get("kinds", ["task", "goal"]))
        get_nlp()  # build the pipeline once, at load time

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> AdvisorEntityExtractor:
        return cls(config)

    def entities_for(self, text: str | None) -> list[dict[str, Any]]:
        """Entity dicts in Rasa's format for `text`."""
        if not text or text.startswith("/"):
            return []
        return [
            {
                "entity": m.kind,
                "value": m.key,
                "start": m.start_char,
                "end": m.end_char,
                "confidence": 1.0,
                "extractor": self.name,
            }
            for m in get_nlp().mentions(text[:MAX_CHARS], kinds=self._kinds)
            if not m.negated
        ]

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            found = self.entities_for(message.get(TEXT))
            if found:
                message.set(ENTITIES, message.get(ENTITIES, []) + found, add_to_output=True)
        return messages

    def process_training_data(self, training_data: Any) -> Any:
        return training_data
