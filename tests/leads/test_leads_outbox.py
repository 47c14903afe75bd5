"""Nothing lost: the outbox keeps writes while the database is unreachable and flushes them once."""

from __future__ import annotations

import json
import logging
import threading
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leads.outbox import Outbox, delete_lead, flush_outbox, record_event, record_events, save_lead
from leads.store import LeadStore
from tests.support.leads_testkit import TcpProxy, free_port, pg_url_for

CONTACT = {"full_name": "Søren Ærø 🐻", "email": "soren@acme.dk", "company": "Acme ApS", "role": "CFO", "consent": True}


def lines(outbox: Outbox) -> list[dict]:
    if not outbox.path.exists():
        return []
    return [json.loads(line) for line in outbox.path.read_text(encoding="utf-8").splitlines() if line]


@pytest.fixture
def blocked_sqlite(tmp_path: Path):
    """A SQLite store whose directory cannot be created until the blocker file is removed."""
    blocker = tmp_path / "blocker"
    blocker.write_text("a file where the database directory should be")
    store = LeadStore(path=blocker / "db" / "leads.db", connect_timeout=1)
    yield store, blocker
    store.dispose()


def test_sqlite_unreachable_then_back_flushes_exactly_once(blocked_sqlite, outbox: Outbox, caplog) -> None:
    store, blocker = blocked_sqlite
    caplog.set_level(logging.DEBUG, logger="leads")
    first = save_lead("c1", channel="web", answers={"tasks": ["support"]}, store=store, outbox=outbox)
    second = save_lead("c1", **CONTACT, store=store, outbox=outbox)
    assert record_event("c1", "lead_captured", store=store, outbox=outbox) is False
    assert first.queued and second.queued and not second.stored
    assert second.lead["full_name"] == CONTACT["full_name"] and second.lead["tier"]
    pending = lines(outbox)
    assert [entry["type"] for entry in pending] == ["lead", "lead", "event"]
    assert len({entry["id"] for entry in pending}) == 3
    assert "soren@acme.dk" not in caplog.text and "Søren" not in caplog.text

    blocker.unlink()  # the database is back
    third = save_lead("c2", company="Beta", store=store, outbox=outbox)
    assert third.stored
    assert lines(outbox) == []
    lead = store.get_lead("c1")
    assert lead["full_name"] == CONTACT["full_name"] and lead["channel"] == "web"
    assert lead["answers"] == {"tasks": ["support"]}
    assert [e["kind"] for e in store.list_events()] == ["lead_captured"]
    assert flush_outbox(store, outbox).applied == 0
    assert len(store.list_leads()) == 2 and len(store.list_events()) == 1


def test_queued_writes_keep_their_order(blocked_sqlite, outbox: Outbox) -> None:
    store, blocker = blocked_sqlite
    for company in ("First", "Second", "Third"):
        save_lead("c", company=company, store=store, outbox=outbox)
    blocker.unlink()
    result = flush_outbox(store, outbox)
    assert (result.applied, result.remaining) == (3, 0)
    assert store.get_lead("c")["company"] == "Third"


def test_crash_between_write_and_removal_does_not_apply_twice(blocked_sqlite, outbox: Outbox) -> None:
    store, blocker = blocked_sqlite
    save_lead("c", company="Queued Ltd", store=store, outbox=outbox)
    record_event("c", "lead_offered", store=store, outbox=outbox)
    snapshot = outbox.path.read_bytes()
    blocker.unlink()
    assert flush_outbox(store, outbox).applied == 2
    outbox.path.write_bytes(snapshot)  # as if the process died before removing the entries
    save_lead("c", company="Newer Ltd", store=store, outbox=outbox)  # flushes first
    assert lines(outbox) == []
    assert store.get_lead("c")["company"] == "Newer Ltd"
    assert len(store.list_events()) == 1
    outbox.path.write_bytes(snapshot)
    result = flush_outbox(store, outbox)
    assert (result.applied, result.already_applied, result.remaining) == (0, 2, 0)
    assert store.get_lead("c")["company"] == "Newer Ltd"


def test_corrupt_line_is_set_aside_not_lost(blocked_sqlite, outbox: Outbox) -> None:
    store, blocker = blocked_sqlite
    save_lead("c", company="Good", store=store, outbox=outbox)
    with open(outbox.path, "a", encoding="utf-8") as handle:
        handle.write('{"id": "half-written", "type": "le')  # a crash mid-append
    blocker.unlink()
    result = flush_outbox(store, outbox)  # the partial tail is set aside when the lock is taken
    assert (result.applied, result.rejected, result.remaining) == (1, 0, 0)
    [rejected] = outbox.rejected_path.read_text(encoding="utf-8").splitlines()
    assert json.loads(rejected)["id"] == "half-written"
    assert store.get_lead("c")["company"] == "Good"


def test_delete_purges_pending_entries(blocked_sqlite, outbox: Outbox) -> None:
    store, blocker = blocked_sqlite
    save_lead("erase-me", **CONTACT, store=store, outbox=outbox)
    record_event("erase-me", "lead_captured", store=store, outbox=outbox)
    save_lead("keep-me", company="Other", store=store, outbox=outbox)
    blocker.unlink()
    assert delete_lead("erase-me", store=store, outbox=outbox) is True
    assert "soren" not in outbox.path.read_text(encoding="utf-8")
    flush_outbox(store, outbox)
    assert store.get_lead("erase-me") is None
    assert store.get_lead("keep-me")["company"] == "Other"
    assert store.list_events()[0]["conversation_id"].startswith("erased:")


def test_concurrent_flushers_apply_each_entry_once(blocked_sqlite, outbox: Outbox, tmp_path: Path) -> None:
    store, blocker = blocked_sqlite
    for i in range(20):
        record_event(f"c{i}", "conversation_started", store=store, outbox=outbox)
    blocker.unlink()
    stores = [LeadStore(path=blocker / "db" / "leads.db") for _ in range(4)]
    threads = [threading.Thread(target=flush_outbox, args=(s, Outbox(outbox.path))) for s in stores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert lines(outbox) == []
    events = store.list_events()
    assert len(events) == 20 and len({e["conversation_id"] for e in events}) == 20
    for s in stores:
        s.dispose()


def test_postgresql_on_closed_port_then_back(pg_schema: str, outbox: Outbox) -> None:
    down = LeadStore(pg_url_for(pg_schema, port=free_port()), connect_timeout=1)
    result = save_lead("pg-1", **CONTACT, store=down, outbox=outbox)
    assert result.queued and len(lines(outbox)) == 1
    up = LeadStore(pg_url_for(pg_schema), connect_timeout=2)
    assert flush_outbox(up, outbox).applied == 1
    assert flush_outbox(up, outbox).applied == 0
    assert up.get_lead("pg-1")["email"] == "soren@acme.dk"
    down.dispose()
    up.dispose()


def test_postgresql_traffic_cut_mid_run(pg_schema: str, pg_proxy: TcpProxy, outbox: Outbox) -> None:
    store = LeadStore(pg_url_for(pg_schema, port=pg_proxy.port), connect_timeout=1)
    assert save_lead("mid-1", company="Before", store=store, outbox=outbox).stored
    assert record_event("mid-1", "lead_offered", store=store, outbox=outbox) is True

    pg_proxy.stop()  # the network to PostgreSQL goes away, pooled connections die
    during = save_lead("mid-1", **CONTACT, store=store, outbox=outbox)
    assert during.queued
    assert record_event("mid-1", "lead_captured", store=store, outbox=outbox) is False
    assert save_lead("mid-2", company="During", store=store, outbox=outbox).queued
    assert len(lines(outbox)) == 3

    pg_proxy.start()  # back on the same address
    after = save_lead("mid-3", company="After", store=store, outbox=outbox)
    assert after.stored and lines(outbox) == []
    assert store.get_lead("mid-1")["company"] == "Acme ApS"
    assert store.get_lead("mid-1")["email"] == "soren@acme.dk"
    assert {lead["conversation_id"] for lead in store.list_leads()} == {
        "mid-1",
        "mid-2",
        "mid-3",
    }
    assert [e["kind"] for e in store.list_events()] == ["lead_offered", "lead_captured"]
    assert flush_outbox(store, outbox).applied == 0
    store.dispose()


def test_invalid_input_is_refused_not_queued(blocked_sqlite, outbox: Outbox) -> None:
    store, _ = blocked_sqlite
    with pytest.raises(ValueError):
        save_lead("c", full_name="nul\x00", store=store, outbox=outbox)
    with pytest.raises(ValueError):
        record_event("c", "lead_bought", store=store, outbox=outbox)
    assert lines(outbox) == []


def test_defaults_come_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LEADS_DB_PATH", str(tmp_path / "var" / "leads.db"))
    monkeypatch.setenv("LEADS_OUTBOX_PATH", str(tmp_path / "var" / "outbox.jsonl"))
    result = save_lead("env-1", company="Env Co", timeline="this year")
    assert result.stored
    assert record_event("env-1", "conversation_started") is True
    store = LeadStore("sqlite:///" + str(tmp_path / "var" / "leads.db"))
    assert store.get_lead("env-1")["company"] == "Env Co"
    assert len(store.list_events()) == 1
    store.dispose()


ADVICE_EVENTS = [("conversation_started", None), ("advice_given", "hybrid"), ("lead_offered", None)]


def test_several_events_at_once_are_written_in_order(tmp_path: Path, outbox: Outbox) -> None:
    store = LeadStore(path=tmp_path / "leads.db")
    assert record_events("c1", ADVICE_EVENTS, store=store, outbox=outbox) is True
    assert record_events("c1", [], store=store, outbox=outbox) is True
    stored = store.list_events()
    assert [(e["kind"], e["detail"]) for e in stored] == ADVICE_EVENTS
    assert {e["conversation_id"] for e in stored} == {"c1"} and len({e["event_id"] for e in stored}) == 3
    assert lines(outbox) == []
    store.dispose()


def test_several_events_queue_while_unreachable_and_flush_exactly_once(blocked_sqlite, outbox: Outbox) -> None:
    store, blocker = blocked_sqlite
    assert record_events("c1", ADVICE_EVENTS, store=store, outbox=outbox) is False
    pending = lines(outbox)
    assert [(e["kind"], e["detail"]) for e in pending] == ADVICE_EVENTS
    blocker.unlink()
    assert flush_outbox(store, outbox).applied == 3
    assert flush_outbox(store, outbox).applied == 0
    assert [(e["kind"], e["detail"]) for e in store.list_events()] == ADVICE_EVENTS


def test_a_batch_with_an_already_recorded_id_adds_only_the_new_events(tmp_path: Path) -> None:
    store = LeadStore(path=tmp_path / "leads.db")
    assert store.record_event("c1", "conversation_started", event_id="a" * 32)
    added = store.record_events(
        [
            {"conversation_id": "c1", "kind": "conversation_started", "event_id": "a" * 32},
            {"conversation_id": "c1", "kind": "advice_given", "detail": "kpo", "event_id": "b" * 32},
        ]
    )
    assert added == 1
    assert [e["kind"] for e in store.list_events()] == ["conversation_started", "advice_given"]
    with pytest.raises(ValueError):
        store.record_events([{"conversation_id": "c1", "kind": "no_such_kind"}])
    store.dispose()


# --- whole lines: a crash mid-append never takes the next entry with it -------------------


def _dump(entry: dict) -> bytes:
    """An entry as the outbox writes it: compact JSON, UTF-8, one line."""
    return (json.dumps(entry, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")


REDACTED_KEYS = {"rejected", "at", "bytes", "sha256", "id", "type", "conversation"}


def test_a_partial_last_line_does_not_take_the_next_entry_with_it(blocked_sqlite, outbox: Outbox) -> None:
    store, blocker = blocked_sqlite
    save_lead("c1", company="Before the crash", store=store, outbox=outbox)
    crashed = _dump(
        {
            "id": "b" * 32,
            "type": "lead",
            "conversation_id": "c2",
            "at": "2026-01-01T00:00:00+00:00",
            "changes": {"email": "crash.victim@example.com", "full_name": "Half Written"},
        }
    )
    with open(outbox.path, "ab") as handle:
        handle.write(crashed[: len(crashed) // 2 + 10])  # the process died mid-line
    after = save_lead("c3", **CONTACT, store=store, outbox=outbox)
    assert after.queued
    entries, bad = outbox.read()
    assert [e["conversation_id"] for e in entries] == ["c1", "c3"] and bad == []
    assert entries[1]["changes"]["email"] == "soren@acme.dk"  # the new entry survived whole
    [rejected] = outbox.rejected_path.read_text(encoding="utf-8").splitlines()
    record = json.loads(rejected)
    assert set(record) <= REDACTED_KEYS and record["id"] == "b" * 32
    assert "crash.victim" not in rejected and "Half Written" not in rejected  # redacted
    blocker.unlink()
    assert flush_outbox(store, outbox).applied == 2
    assert store.get_lead("c3")["email"] == "soren@acme.dk"


def test_an_entry_already_joined_onto_a_partial_line_is_salvaged(outbox: Outbox) -> None:
    """A file damaged before this fix (partial line + next entry on one line) loses only the partial."""
    good = _dump(
        {
            "id": "c" * 32,
            "type": "event",
            "conversation_id": "c9",
            "at": "2026-01-01T00:00:00+00:00",
            "kind": "lead_offered",
            "detail": None,
        }
    )
    outbox.path.parent.mkdir(parents=True, exist_ok=True)
    outbox.path.write_bytes(b'{"id":"' + b"d" * 32 + b'","type":"lead","changes":{"email":"x@y.z' + good)
    entries, bad = outbox.read()
    assert [e["id"] for e in entries] == ["c" * 32]
    [stub] = bad
    assert json.loads(stub)["id"] == "d" * 32 and "x@y.z" not in stub


def _entry(i: int, company: str) -> dict:
    return {
        "id": f"{i:032x}",
        "type": "lead",
        "conversation_id": f"c{i}",
        "at": "2026-01-01T00:00:00+00:00",
        "changes": {"company": company},
    }


_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)


@settings(max_examples=60, deadline=None)
@given(
    companies=st.lists(_text, max_size=4),
    crashed_company=_text,
    new_company=_text,
    cut=st.floats(min_value=0.0, max_value=1.0, exclude_max=True),
)
def test_after_any_partial_write_every_whole_entry_and_the_next_one_survive(
    tmp_path_factory, companies, crashed_company, new_company, cut
) -> None:
    outbox = Outbox(tmp_path_factory.mktemp("outbox") / "leads_outbox.jsonl")
    good = [_entry(i, company) for i, company in enumerate(companies)]
    crashed = _dump(_entry(100, crashed_company))
    with outbox.lock():
        for entry in good:
            outbox.append(entry)
    with open(outbox.path, "ab") as handle:
        handle.write(crashed[: max(1, int(len(crashed) * cut))])  # 1 .. len-1 bytes: never whole
    new = _entry(200, new_company)
    with outbox.lock():
        outbox.append(new)
        entries, bad = outbox.read()
    assert entries == [*good, new] and bad == []
    [rejected] = outbox.rejected_path.read_text(encoding="utf-8").splitlines()
    assert set(json.loads(rejected)) <= REDACTED_KEYS
