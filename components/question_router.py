"""Rasa NLU component: questions about BPO/KPO are knowledge questions, questions about cost,
location, data rules or contracts are those follow-ups, asking for a person is asking for a
person, and a message with nothing to read (`advisor.inputs.nothing_to_read`) is `nlu_fallback`,
whatever the classifier thought.

"is data entry bpo or kpo?" must be answered, not taken as a request to
outsource data entry. When a message is phrased as a question, names BPO or KPO
and does not ask for advice for the user's own company, the intent becomes
`ask_knowledge` with full confidence. A question about what it would cost, where
the provider should be, the data rules or how to contract it
(`advisor.patterns.guidance_topic`) becomes `ask_cost`, `ask_location`,
`ask_data_rules` or `ask_contract` first, so "what's the price of KPO?" is a cost
question. Runs after the intent classifier and before the FallbackClassifier.
"""

from __future__ import annotations

import re
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import (
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message

from advisor import inputs
from advisor.patterns import GUIDANCE_INTENTS, HUMAN_REQUEST, KNOWLEDGE_ONLY, guidance_topic, looks_like_question

MODELS = re.compile(r"\b(bpo|kpo|business\s+process\s+outsourcing|knowledge\s+process\s+outsourcing)\b", re.IGNORECASE)
ADVICE_FOR_US = re.compile(
    r"\b(should\s+(?:we|i)|for\s+(?:us|me|our|my)|recommend|we\s+need|we\s+want|our\s+company|"
    r"right\s+for\s+(?:us|me)|what\s+if|why\s+not|instead|other\s+option|downside|trade-?offs?)\b",
    re.IGNORECASE,
)
# A question is not contact details ("do you work with small companies?" once came out as
# share_contact, which ended the advisor's questions): it takes the runner-up intent instead.
CONTACT_DETAILS = re.compile(r"@|\+?\d[\d\s().-]{6,}\d")
SHARE_CONTACT = "share_contact"
TARGET = "ask_knowledge"
FALLBACK = "nlu_fallback"
HUMAN = "request_human"
PRIVACY = {"delete_my_data", "withdraw_consent", "start_over"}
KEEP = {"ask_why", "ask_what_if", "ask_tradeoffs", "request_human", "start_over"}


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class QuestionRouter(GraphComponent):
    """Overrides the intent of general BPO/KPO questions to `ask_knowledge`."""

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> QuestionRouter:
        return cls()

    @staticmethod
    def is_knowledge_question(text: str) -> bool:
        return bool(MODELS.search(text) and looks_like_question(text) and not ADVICE_FOR_US.search(text))

    @staticmethod
    def route(message: Message, target: str) -> None:
        """Set the intent to `target`, and put it first in the ranking too: the FallbackClassifier
        reads the ranking, and two close runners-up there would otherwise still make it
        `nlu_fallback` ("HIPAA?")."""
        ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get(INTENT_NAME_KEY) != target]
        message.set(INTENT, {INTENT_NAME_KEY: target, PREDICTED_CONFIDENCE_KEY: 1.0}, add_to_output=True)
        message.set(
            INTENT_RANKING_KEY,
            [
                {INTENT_NAME_KEY: target, PREDICTED_CONFIDENCE_KEY: 1.0},
                *[{**r, PREDICTED_CONFIDENCE_KEY: 0.0} for r in ranking],
            ],
            add_to_output=True,
        )

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            intent = (message.get(INTENT) or {}).get(INTENT_NAME_KEY)
            if text.startswith("/"):
                continue
            if inputs.nothing_to_read(text):
                # Emoji, another language, code or words aimed at the assistant's instructions: not an
                # answer and not a request, whatever the classifier thought. `action_clarify` says why
                # and asks the pending question again ("Necesitamos..." used to get the task question alone).
                if intent != FALLBACK:
                    self.route(message, FALLBACK)
                continue
            if HUMAN_REQUEST.search(text[:2000]) and intent not in PRIVACY:
                # "yes, please connect me with a specialist" asks for a person, whatever else it says.
                if intent != HUMAN:
                    self.route(message, HUMAN)
                continue
            if intent in KEEP or not looks_like_question(text[:2000]):
                continue
            if intent == SHARE_CONTACT and not CONTACT_DETAILS.search(text[:2000]):
                ranking = message.get(INTENT_RANKING_KEY) or []
                runner_up = next(
                    (r[INTENT_NAME_KEY] for r in ranking if r.get(INTENT_NAME_KEY) not in (SHARE_CONTACT, FALLBACK)),
                    "ask_capabilities",
                )
                self.route(message, runner_up)
                intent = runner_up
            target = GUIDANCE_INTENTS.get(guidance_topic(text) or "")
            if target is None and (self.is_knowledge_question(text[:2000]) or KNOWLEDGE_ONLY.search(text[:2000])):
                target = TARGET
            if target is not None and intent != target:
                self.route(message, target)
        return messages
