"""Reading the advisor's facts from a tracker, and writing slot events."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from rasa_sdk import Tracker

from advisor.engine import Profile, Recommendation, recommend
from advisor.extraction import FACT_SLOTS

T = TypeVar("T")


def fact_slots(tracker: Tracker) -> dict[str, Any]:
    """Current values of every fact slot."""
    return {name: tracker.get_slot(name) for name in FACT_SLOTS}


def profile(tracker: Tracker) -> Profile:
    """The company profile the engine works on."""
    return Profile.from_slots(fact_slots(tracker))


def current_recommendation(tracker: Tracker) -> Recommendation | None:
    """The engine's advice for the current slots, if advice was already given."""
    if not tracker.get_slot("recommendation"):
        return None
    return recommend(profile(tracker))


def latest_text(tracker: Tracker) -> str:
    """Text of the latest user message ('' for button payloads and empty messages)."""
    text = tracker.latest_message.get("text") or ""
    return "" if text.startswith("/") else text


def latest_intent(tracker: Tracker) -> str | None:
    return (tracker.latest_message.get("intent") or {}).get("name")


def slots_set_this_turn(tracker: Tracker) -> dict[str, Any]:
    """Slots set since the latest user message (latest value wins)."""
    found: dict[str, Any] = {}
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            break
        if event.get("event") == "slot":
            found.setdefault(event["name"], event.get("value"))
    return found


def slot_before_turn(tracker: Tracker, name: str) -> Any:
    """A slot's value before the latest user message (None if it was never set)."""
    seen_user = False
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            seen_user = True
        elif seen_user and event.get("event") == "slot" and event.get("name") == name:
            return event.get("value")
    return None


_READING_POOL = ThreadPoolExecutor(max_workers=2, thread_name_prefix="reading")


async def off_loop(function: Callable[..., T], *args: Any) -> T:
    """Run CPU-heavy reading in a worker thread, so one long message never holds up other visitors' turns."""
    return await asyncio.get_running_loop().run_in_executor(_READING_POOL, function, *args)
