"""serving/tracker_store.py stores and reads exactly what Rasa's own SQLTrackerStore does."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActiveLoop,
    BotUttered,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from serving.tracker_store import ResilientSQLTrackerStore
from tests.support.ops_support import PG_URL, ROOT, pg_address, pg_schema, reachable, tracker_url

DOMAIN = Domain.load(str(ROOT / "domain"))


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
    start = [
        ActionExecuted("action_session_start", timestamp=1.0),
        SessionStarted(timestamp=1.1),
        ActionExecuted("action_listen", timestamp=1.2),
    ]
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
    new_session = [
        ActionExecuted("action_session_start", timestamp=9.0),
        SessionStarted(timestamp=9.1),
        ActionExecuted("action_listen", timestamp=9.2),
        *_turn("hello again", 10.0),
    ]
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
        sa.event.listen(
            ours.engine, "before_cursor_execute", lambda _c, _cur, statement, *_a: statements.append(statement)
        )
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


# --- erasure ("delete my data", consent withdrawn or declined) -------------------------------

NAME, EMAIL, COMPANY = "Ottilie Brandvold-Achebe", "ottilie.brandvold@fjordline-logistics.no", "Fjordline Logistics"
# Long enough to be stored on overflow pages, which SQLite frees (not overwrites) on a rewrite.
LONG = (
    "We run freight planning for three ports and need help with the reporting backlog. " * 80
    + f"You can reach me, {NAME}, at {EMAIL}."
)


def _with_contact_details(sender: str) -> DialogueStateTracker:
    start = [
        ActionExecuted("action_session_start", timestamp=1.0),
        SessionStarted(timestamp=1.1),
        ActionExecuted("action_listen", timestamp=1.2),
    ]
    advice = [
        UserUttered(LONG, {"name": "inform", "confidence": 1.0}, timestamp=2.0),
        SlotSet("unclear_task", LONG[:300], timestamp=2.1),
        SlotSet("tasks", ["market_research"], timestamp=2.2),
        BotUttered("My recommendation: KPO.", timestamp=2.3),
        ActionExecuted("action_listen", timestamp=2.4),
    ]
    form = [
        UserUttered("yes please", {"name": "affirm", "confidence": 1.0}, timestamp=3.0),
        ActionExecuted("lead_form", timestamp=3.1),
        ActiveLoop("lead_form", timestamp=3.2),
        BotUttered("What's your name?", timestamp=3.3),
        ActionExecuted("action_listen", timestamp=3.4),
    ]
    for at, (slot, value) in enumerate([("lead_full_name", NAME), ("lead_email", EMAIL), ("lead_company", COMPANY)]):
        form += [
            UserUttered(value, {"name": "inform", "confidence": 1.0}, timestamp=4.0 + at),
            ActionExecuted("lead_form", timestamp=4.1 + at),
            SlotSet(slot, value, timestamp=4.2 + at),
            BotUttered(f"Here's what I'd pass on: {NAME}, {EMAIL}, {COMPANY}", timestamp=4.3 + at),
            ActionExecuted("action_listen", timestamp=4.4 + at),
        ]
    form += [
        ActiveLoop(None, timestamp=8.0),
        BotUttered(f"Thank you, {NAME}!", timestamp=8.1),
        ActionExecuted("action_listen", timestamp=8.2),
    ]
    return DialogueStateTracker.from_events(sender, start + advice + form, DOMAIN.slots)


def _erasure_turn(status: str, text: str, at: float = 10.0) -> list:
    return [
        UserUttered(text, {"name": "delete_my_data", "confidence": 1.0}, timestamp=at),
        ActionExecuted("action_delete_lead_data", timestamp=at + 0.1),
        *[SlotSet(slot, None, timestamp=at + 0.2) for slot in ("lead_full_name", "lead_email", "lead_company")],
        SlotSet("lead_status", status, timestamp=at + 0.3),
        BotUttered("Done: I've erased your contact details and lead record.", timestamp=at + 0.4),
        ActionExecuted("action_listen", timestamp=at + 0.5),
    ]


def _sqlite_files(url: str) -> list:
    from pathlib import Path

    database = Path(url.split(":///", 1)[1])
    return sorted(p for p in database.parent.iterdir() if p.name.startswith(database.name))


def _holding(blobs: dict[str, bytes], values: list[str]) -> list[str]:
    import json

    forms = {value: {value.encode(), json.dumps(value)[1:-1].encode()} for value in values}
    return [
        f"{name}: {value}"
        for name, blob in blobs.items()
        for value in values
        if any(form.lower() in blob.lower() for form in forms[value])
    ]


def _like_a_sqlite_built_without_secure_delete(store: ResilientSQLTrackerStore) -> None:
    """Debian's SQLite zeroes deleted content by default (SQLITE_SECURE_DELETE); most builds do not."""
    import sqlalchemy as sa

    def off(connection, _record) -> None:
        connection.execute("PRAGMA secure_delete=OFF")

    if store.engine.dialect.name == "sqlite":
        sa.event.listen(store.engine, "connect", off, insert=True)  # before the store's own settings


async def test_delete_my_data_erases_every_stored_message_and_detail(url: str) -> None:
    ours = ResilientSQLTrackerStore(domain=DOMAIN, host=url, dialect=url.split(":")[0])
    _like_a_sqlite_built_without_secure_delete(ours)
    sender = f"erase-{uuid.uuid4().hex[:8]}"
    tracker = _with_contact_details(sender)
    await ours.save(tracker)
    tracker = await ours.retrieve(sender)
    tracker.update_with_events(_erasure_turn("deleted", f"delete my data ({EMAIL})"), DOMAIN, override_timestamp=False)
    await ours.save(tracker)

    events = [e.as_dict() for e in (await ours.retrieve_full_tracker(sender)).events]
    assert {e["text"] for e in events if e["event"] == "user"} == {"<erased>"}
    assert [e["value"] for e in events if e["event"] == "slot" and e["name"] == "unclear_task"] == ["<erased>"]
    assert "Thank you, <erased>!" in [e.get("text") for e in events if e["event"] == "bot"]
    assert _holding({"events": repr(events).encode()}, [NAME, EMAIL, COMPANY, LONG[:80]]) == []
    # The conversation keeps its shape: same events, same intents, the other slots.
    sent = [*_with_contact_details(sender).events, *_erasure_turn("deleted", "")]
    assert [(e["event"], e.get("name")) for e in events] == [(e.type_name, e.as_dict().get("name")) for e in sent]
    assert (await ours.retrieve(sender)).get_slot("tasks") == ["market_research"]
    if url.startswith("sqlite"):
        blobs = {p.name: p.read_bytes() for p in _sqlite_files(url)}
        assert {"tracker.db", "tracker.db-wal"} <= set(blobs)
        assert _holding(blobs, [NAME, EMAIL, COMPANY, LONG[:80]]) == []


async def test_a_declined_offer_erases_the_contact_details_and_keeps_the_advice(url: str) -> None:
    ours = ResilientSQLTrackerStore(domain=DOMAIN, host=url, dialect=url.split(":")[0])
    sender = f"decline-{uuid.uuid4().hex[:8]}"
    await ours.save(_with_contact_details(sender))
    tracker = await ours.retrieve(sender)
    tracker.update_with_events(_erasure_turn("declined", "no thanks"), DOMAIN, override_timestamp=False)
    await ours.save(tracker)

    events = [e.as_dict() for e in (await ours.retrieve_full_tracker(sender)).events]
    users = [e["text"] for e in events if e["event"] == "user"]
    # The advice message stays, with the email and name cut out; the form answers go.
    assert users[0].startswith("We run freight planning") and EMAIL not in users[0] and NAME not in users[0]
    assert users[1:] == ["yes please", "<erased>", "<erased>", "<erased>", "no thanks"]
    assert _holding({"events": repr(events).encode()}, [NAME, EMAIL, COMPANY]) == []
    if url.startswith("sqlite"):
        blobs = {p.name: p.read_bytes() for p in _sqlite_files(url)}
        assert _holding(blobs, [NAME, EMAIL, COMPANY]) == []


# --- a read that gives up ------------------------------------------------------------------------


async def test_a_read_that_gives_up_fails_the_turn_instead_of_starting_afresh(monkeypatch: pytest.MonkeyPatch) -> None:
    """Rasa's FailSafeTrackerStore turns a failed read into "no such conversation"; not here."""
    from rasa.core.lock_store import InMemoryLockStore
    from rasa.core.tracker_store import FailSafeTrackerStore

    from serving import lock_store, tracker_store
    from tests.support.leads_testkit import TcpProxy

    if not reachable(pg_address()):
        pytest.skip("PostgreSQL unreachable")
    tracker_store.install()  # as `python -m serving run` does
    lock_store.install()
    proxy = TcpProxy(pg_address())
    proxy.start()
    try:
        with pg_schema("ops_read_fails") as schema:
            monkeypatch.setenv("POSTGRESQL_SCHEMA", schema)
            ours = ResilientSQLTrackerStore(
                domain=DOMAIN, host=tracker_url("127.0.0.1", proxy.port), dialect="postgresql", retry_seconds=1
            )
            store = FailSafeTrackerStore(ours)  # what Rasa's Agent wraps every tracker store in
            sender = f"read-fails-{uuid.uuid4().hex[:8]}"
            await store.save(DialogueStateTracker.from_events(sender, _turn("payroll please", 2.0), DOMAIN.slots))
            assert (await store.retrieve(sender)).get_slot("tasks") == ["hr_payroll"]

            proxy.stop()
            with pytest.raises(tracker_store.TrackerStoreUnavailable):
                await store.get_or_create_tracker(sender)  # the start of every turn
            # Inside a conversation lock the retries end well before the lock does.
            async with InMemoryLockStore().lock(sender, lock_lifetime=60):
                assert ours._retry_budget() <= lock_store.lock_seconds_left() - ours.lock_margin_seconds
                with pytest.raises(tracker_store.TrackerStoreUnavailable):
                    await store.retrieve_full_tracker(sender)
            proxy.start()
            assert (await store.retrieve(sender)).get_slot("tasks") == ["hr_payroll"]
            ours.engine.dispose()
    finally:
        proxy.stop()
