"""Scripted multi-turn conversations against the running advisor over REST (conversations*.yml)."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from tests.support.e2e_runner import Conversation, load_all_conversations, run_conversation

CONVERSATIONS = load_all_conversations()


def test_conversation_file_has_enough_varied_cases() -> None:
    """The script set is large and covers every recommendation (no server needed)."""
    counts = Counter(c.recommendation for c in CONVERSATIONS)
    assert len(CONVERSATIONS) >= 45, counts
    assert all(counts[outcome] >= 10 for outcome in ("bpo", "kpo", "hybrid")), counts


@pytest.mark.parametrize("conversation", CONVERSATIONS, ids=[c.id for c in CONVERSATIONS])
def test_conversation_reaches_expected_recommendation_without_repeating_questions(
    conversation: Conversation,
    stack: Any,
    sender: str,
    conversation_outcomes: list[dict[str, Any]],
) -> None:
    """The bot recommends what the article's rules say and never asks for a filled slot."""
    outcome = run_conversation(stack, conversation, sender)
    conversation_outcomes.append(outcome.as_dict())
    transcript = outcome.render()
    assert outcome.error is None, f"the conversation broke off: {outcome.error}\n{transcript}"
    assert outcome.actual == conversation.recommendation, transcript
    assert not outcome.repeated, f"asked again for answered slots: {outcome.repeated}\n{transcript}"
