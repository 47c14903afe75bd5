"""What the scripted buyer says in the end-to-end, Slack and widget tests."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

# A knowledge-work request that the advice ends on KPO for, and the answers to any advisor
# question it does not settle by itself.
KPO_OPENING = (
    "We need contract review and market research done. Our budget is flexible, around 25,000 USD "
    "a month. We have no legal or research expertise in-house, and we want better strategic decisions."
)
KPO_ANSWERS = {
    "tasks": "Contract review and market research.",
    "budget_level": "Flexible, about 25,000 dollars a month.",
    "in_house_expertise": "No, we lack that expertise.",
    "goals": "Better strategic decisions.",
    "coverage": "Business hours are enough.",
}


def texts(replies: Sequence[Mapping[str, Any]]) -> str:
    """The text of a turn's replies over REST, one line each."""
    return "\n".join(r.get("text") or "" for r in replies)


def slots(stack: Any, sender: str) -> dict[str, Any]:
    """The conversation's slots, from the tracker (`stack` is a tests.support.stack.Stack)."""
    return stack.tracker(sender)["slots"]


def typed_answer(question: str, answers: Sequence[tuple[Sequence[str], str]]) -> str:
    """The answer of the first (words, answer) pair with a word in the question; "Yes." otherwise."""
    lowered = question.lower()
    for words, answer in answers:
        if any(word in lowered for word in words):
            return answer
    return "Yes."


def reach_advice(stack: Any, sender: str, opening: str, answers: Mapping[str, str]) -> list[dict[str, Any]]:
    """Say `opening`, then answer each question from `answers` (by the slot asked for; "I don't
    know." otherwise) until the advice comes; the replies that brought it. `stack` is a
    tests.support.stack.Stack."""
    replies = stack.say(sender, opening)
    for _ in range(8):
        current = stack.tracker(sender)["slots"]
        if current.get("recommendation"):
            return replies
        replies = stack.say(sender, answers.get(current.get("requested_slot"), "I don't know."))
    raise AssertionError(f"no advice after the scripted answers: {texts(replies)!r}")
