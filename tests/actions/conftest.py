"""Fixtures for action tests: real Rasa trackers built from events over the real domain."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, ActiveLoop, Event, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def domain() -> Domain:
    return Domain.load(str(ROOT / "domain.yml"))


@pytest.fixture
def dispatcher() -> CollectingDispatcher:
    return CollectingDispatcher()


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


@pytest.fixture
def make_tracker(domain: Domain):
    """Build an SDK tracker from Rasa events (slots replayed by Rasa's own tracker)."""

    def build(
        events: list[Event], slots: dict[str, Any] | None = None, form: str | None = None
    ) -> Tracker:
        prefix: list[Event] = [ActionExecuted("action_session_start"), ActionExecuted("action_listen")]
        prefix += [SlotSet(k, v) for k, v in (slots or {}).items()]
        if form:
            prefix.append(ActiveLoop(form))
        rasa_tracker = DialogueStateTracker.from_events("test-user", prefix + events, slots=domain.slots)
        return Tracker.from_dict(rasa_tracker.current_state(EventVerbosity.ALL))

    return build


def as_dict(events) -> dict[str, Any]:
    """SlotSet events (SDK dicts) -> {slot: value}."""
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
