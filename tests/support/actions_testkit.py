"""Helpers for action tests (a module of its own: `conftest` names clash across test folders)."""

from __future__ import annotations

from typing import Any

from rasa.shared.core.events import UserUttered


def user(text: str, intent: str = "inform", confidence: float = 0.95, entities: list | None = None) -> UserUttered:
    """A user message as NLU would have parsed it."""
    return UserUttered(
        text,
        intent={"name": intent, "confidence": confidence},
        entities=entities or [],
        parse_data={
            "intent": {"name": intent, "confidence": confidence},
            "entities": entities or [],
            "text": text,
            "intent_ranking": [{"name": intent, "confidence": confidence}],
        },
    )


def as_dict(events) -> dict[str, Any]:
    """SlotSet events (SDK dicts) -> {slot: value}."""
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
