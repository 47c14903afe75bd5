"""Helpers for action tests (a module of its own: `conftest` names clash across test folders)."""

from __future__ import annotations

import os
from typing import Any

from rasa.shared.core.events import UserUttered

# A company whose advice is KPO, and the contact details of its buyer (lead_form's slots).
KPO_SLOTS = {
    "tasks": ["legal_services", "market_research"],
    "budget_level": "flexible",
    "in_house_expertise": "no",
    "goals": ["strategic_decisions"],
    "recommendation": "kpo",
}
CONTACT_SLOTS = {
    "lead_full_name": "Zoë O'Brien-Ünal",
    "lead_email": "zoe@acme-legal.com",
    "lead_company": "Acme Legal",
    "lead_role": "CEO",
    "lead_company_size": "51-200",
    "lead_timeline": "Right away",
}


def user(
    text: str,
    intent: str = "inform",
    confidence: float = 0.95,
    entities: list | None = None,
    input_channel: str | None = None,
) -> UserUttered:
    """A user message as NLU would have parsed it (from `input_channel`, e.g. "socketio" for the widget)."""
    return UserUttered(
        text,
        input_channel=input_channel,
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


def sales_settings(monkeypatch: Any, settings: dict[str, str], **more: str) -> None:
    """Only these sales desk and booking settings (SALES_*, HANDOFF_*, BOOKING_*, WEB_*).

    None comes from the caller's environment."""

    for name in list(os.environ):
        if name.startswith(("SALES_", "HANDOFF_", "BOOKING_")) or name in ("WEB_PUBLIC_URL", "WEB_PORT"):
            monkeypatch.delenv(name)
    for name, value in {**settings, **more}.items():
        monkeypatch.setenv(name, value)


async def run(action: Any, dispatcher: Any, tracker: Any, domain: Any) -> list[dict[str, Any]]:
    """Run an SDK action as the action server would (the domain as a dict)."""
    return await action.run(dispatcher, tracker, domain.as_dict())
