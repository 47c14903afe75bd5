"""Fixtures for action tests: real Rasa trackers built from events over the real domain."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, ActiveLoop, Event, SlotSet
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def domain() -> Domain:
    return Domain.load(str(ROOT / "domain"))


@pytest.fixture
def dispatcher() -> CollectingDispatcher:
    return CollectingDispatcher()


@pytest.fixture
def make_tracker(domain: Domain):
    """Build an SDK tracker from Rasa events (slots replayed by Rasa's own tracker)."""

    def build(events: list[Event], slots: dict[str, Any] | None = None, form: str | None = None) -> Tracker:
        prefix: list[Event] = [ActionExecuted("action_session_start"), ActionExecuted("action_listen")]
        prefix += [SlotSet(k, v) for k, v in (slots or {}).items()]
        if form:
            prefix.append(ActiveLoop(form))
        rasa_tracker = DialogueStateTracker.from_events("test-user", prefix + events, slots=domain.slots)
        return Tracker.from_dict(rasa_tracker.current_state(EventVerbosity.ALL))

    return build


@pytest.fixture(autouse=True)
def private_lead_store(tmp_path, monkeypatch):
    """Actions that store leads write into the test's own folder, never the repo's var/."""
    monkeypatch.setenv("LEADS_DB_PATH", str(tmp_path / "leads.db"))
    monkeypatch.setenv("LEADS_OUTBOX_PATH", str(tmp_path / "outbox.jsonl"))
    monkeypatch.setenv("LEADS_DELIVERIES_PATH", str(tmp_path / "deliveries.jsonl"))
    monkeypatch.delenv("LEADS_DB_URL", raising=False)
    monkeypatch.delenv("LEADS_WEBHOOK_URL", raising=False)
    monkeypatch.delenv("SALES_SLACK_WEBHOOK_URL", raising=False)


@pytest.fixture
def lead_store(tmp_path):
    """The test's own lead database (the one private_lead_store points the actions to)."""
    from leads import LeadStore

    store = LeadStore(path=tmp_path / "leads.db")
    yield store
    store.dispose()
