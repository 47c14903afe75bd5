"""serving/tracker_store.py stores and reads exactly what Rasa's own SQLTrackerStore does."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from ops_support import PG_URL, ROOT, pg_address, pg_schema, reachable
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from serving.tracker_store import ResilientSQLTrackerStore

DOMAIN = Domain.load(str(ROOT / "domain.yml"))


def _turn(text: str, at: float) -> list:
    return [
        UserUttered(text, {"name": "inform", "confidence": 1.0}, timestamp=at),
        SlotSet("tasks", ["hr_payroll"], timestamp=at + 0.1),
        ActionExecuted("advisor_form", timestamp=at + 0.2),
        BotUttered("What budget do you have in mind?", timestamp=at + 0.3),
        ActionExecuted("action_listen", timestamp=at + 0.4),
    ]


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'tracker.db'}"
        return
    if not reachable(pg_address()):
        pytest.skip("PostgreSQL unreachable")
    with pg_schema("ops_store") as schema:
        monkeypatch.setenv("POSTGRESQL_SCHEMA", schema)
        yield PG_URL


async def test_saves_and_reads_like_rasas_store_across_sessions(url: str) -> None:
    ours = ResilientSQLTrackerStore(domain=DOMAIN, host=url, dialect=url.split(":")[0])
    rasas = SQLTrackerStore(domain=DOMAIN, host=url, dialect=url.split(":")[0])
    sender = f"store-{uuid.uuid4().hex[:8]}"
    start = [ActionExecuted("action_session_start", timestamp=1.0), SessionStarted(timestamp=1.1),
             ActionExecuted("action_listen", timestamp=1.2)]
    everything = start + _turn("payroll please", 2.0)
    await ours.save(DialogueStateTracker.from_events(sender, everything, DOMAIN.slots))
    # As in Rasa: each turn reads the conversation, adds to it and saves it.
    tracker = await ours.retrieve(sender)
    assert tracker.events == (await rasas.retrieve(sender)).events
    await ours.save(tracker)  # nothing new: nothing written
    tracker.update_with_events(_turn("and bookkeeping", 3.0), DOMAIN, override_timestamp=False)
    everything += _turn("and bookkeeping", 3.0)
    await ours.save(tracker)
    assert (await ours.retrieve_full_tracker(sender)).events == (await rasas.retrieve_full_tracker(sender)).events
    assert list((await ours.retrieve_full_tracker(sender)).events) == everything, "stored once, in order"

    # A new session: the latest-session read starts there, the full read has everything.
    tracker = await ours.retrieve(sender)
    new_session = [ActionExecuted("action_session_start", timestamp=9.0), SessionStarted(timestamp=9.1),
                   ActionExecuted("action_listen", timestamp=9.2), *_turn("hello again", 10.0)]
    tracker.update_with_events(new_session, DOMAIN, override_timestamp=False)
    await ours.save(tracker)
    latest, full = await ours.retrieve(sender), await ours.retrieve_full_tracker(sender)
    assert latest.events == (await rasas.retrieve(sender)).events
    assert next(e for e in latest.events if isinstance(e, UserUttered)).text == "hello again"
    assert full.events == (await rasas.retrieve_full_tracker(sender)).events
    assert list(full.events) == everything + new_session
    assert await ours.retrieve(f"unknown-{sender}") is None
    assert sender in await ours.keys()


async def test_the_postgresql_schema_is_checked_once_not_per_read_and_write(monkeypatch: pytest.MonkeyPatch) -> None:
    import sqlalchemy as sa

    if not reachable(pg_address()):
        pytest.skip("PostgreSQL unreachable")
    with pg_schema("ops_schema_check") as schema:
        monkeypatch.setenv("POSTGRESQL_SCHEMA", schema)
        ours = ResilientSQLTrackerStore(domain=DOMAIN, host=PG_URL, dialect="postgresql")
        statements: list[str] = []
        sa.event.listen(ours.engine, "before_cursor_execute",
                        lambda _c, _cur, statement, *_a: statements.append(statement))
        sender = f"schema-{uuid.uuid4().hex[:8]}"
        tracker = DialogueStateTracker.from_events(sender, _turn("payroll please", 2.0), DOMAIN.slots)
        for at in (3.0, 4.0, 5.0):
            await ours.save(tracker)
            tracker = await ours.retrieve(sender)
            tracker.update_with_events(_turn("more", at), DOMAIN, override_timestamp=False)
        assert len(list((await ours.retrieve(sender)).events)) == 15
        assert sum("information_schema.schemata" in s for s in statements) == 1

        # A missing schema still stops the server on first use, with Rasa's message.
        monkeypatch.setenv("POSTGRESQL_SCHEMA", f"{schema}_missing")
        fresh = ResilientSQLTrackerStore(domain=DOMAIN, host=PG_URL, dialect="postgresql")
        with pytest.raises(SystemExit):
            await fresh.retrieve(sender)
