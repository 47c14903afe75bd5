"""The question router turns general BPO/KPO questions into knowledge questions, and nothing else."""

from __future__ import annotations

import pytest
from rasa.shared.nlu.training_data.message import Message

from components.question_router import QuestionRouter


def route(text: str, intent: str) -> str:
    message = Message(data={"text": text, "intent": {"name": intent, "confidence": 0.6}})
    QuestionRouter().process([message])
    return message.get("intent")["name"]


@pytest.mark.parametrize(
    "text",
    [
        "is data entry bpo or kpo?",
        "what is kpo",
        "difference between bpo and kpo",
        "Would a call centre count as BPO?",
        "which is better, bpo or kpo, for a law firm?",
    ],
)
def test_general_questions_about_the_models_become_knowledge_questions(text):
    assert route(text, "inform") == "ask_knowledge"


@pytest.mark.parametrize(
    "text, intent",
    [
        ("should we go with bpo or kpo?", "inform"),
        ("we need kpo for market research", "inform"),
        ("Is BPO right for us?", "inform"),
        ("why not KPO instead?", "ask_tradeoffs"),
        ("what if we chose kpo?", "ask_what_if"),
        ('/inform{"nature": "expert"}', "inform"),
    ],
)
def test_advice_requests_and_follow_ups_keep_their_intent(text, intent):
    assert route(text, intent) == intent
