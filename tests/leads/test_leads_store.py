"""The SQLAlchemy store against real SQLite files and a real PostgreSQL schema."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from leads.model import UTC
from leads.store import LeadStore, events_table, leads_table

NASTY_TEXTS = [
    "Robert'); DROP TABLE leads;--",
    "' OR '1'='1",
    'x"; DELETE FROM funnel_events; --',
    "<script>alert('x')</script>",
    "<b>Bold</b> &amp; <i>co</i>",
    "Zoë Åström-Øberg",
    "李小龙",
    "Иван Петрович Сидоров",
    "محمد بن سلمان",
    "श्रेया घोषाल",
    "👩🏽‍💻 Dev 🇯🇵 🏳️‍🌈",
    "back\\slash %s %(name)s {0} $1 :param",
    "line one\nline two\ttab",
    "a" * 10_000,
    "名" * 10_000,
]


def count(store: LeadStore, table) -> int:
    with store.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table)).scalar_one()


def test_upsert_keeps_one_row_per_conversation(store: LeadStore) -> None:
    t0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
    first = store.upsert_lead(
        "conv-1",
        {"channel": "web", "answers": {"tasks": ["payroll"], "budget": "tight"}},
        at=t0,
    )
    assert first["tier"] == "cold" and first["full_name"] is None
    second = store.upsert_lead(
        "conv-1",
        {
            "full_name": "Jane Doe",
            "email": "jane@acme.com",
            "role": "COO",
            "consent": True,
            "answers": {"tasks": ["payroll", "support", "it"], "expertise_gap": True},
            "recommendation": "Hybrid",
            "recommendation_reasons": ["needs both"],
        },
        at=t0 + timedelta(minutes=5),
    )
    assert count(store, leads_table) == 1
    lead = store.get_lead("conv-1")
    assert lead == second
    assert lead["channel"] == "web"  # kept from the first save
    assert lead["answers"] == {
        "tasks": ["payroll", "support", "it"],
        "budget": "tight",
        "expertise_gap": True,
    }
    assert lead["recommendation"] == "hybrid"
    assert lead["email_is_freemail"] is False
    assert lead["created_at"] == t0
    assert lead["updated_at"] == t0 + timedelta(minutes=5)
    assert lead["consent_at"] == t0 + timedelta(minutes=5)
    assert (lead["score"], lead["tier"]) == (7 + 25 + 25 + 5, "warm")
    assert lead["score_reasons"][1].startswith("Authority 25/25")


def test_consent_time_is_kept_and_cleared_on_withdrawal(store: LeadStore) -> None:
    t0 = datetime(2026, 3, 1, tzinfo=UTC)
    store.upsert_lead("c", {"consent": True}, at=t0)
    store.upsert_lead("c", {"company": "Acme"}, at=t0 + timedelta(hours=1))
    store.upsert_lead("c", {"consent": True}, at=t0 + timedelta(hours=2))
    assert store.get_lead("c")["consent_at"] == t0
    store.upsert_lead("c", {"consent": False}, at=t0 + timedelta(hours=3))
    assert store.get_lead("c")["consent_at"] is None


def test_freemail_is_flagged(store: LeadStore) -> None:
    assert store.upsert_lead("c", {"email": "someone@gmail.com"})["email_is_freemail"] is True


def test_schema_creation_is_idempotent(db_url: str) -> None:
    stores = [LeadStore(db_url, connect_timeout=2) for _ in range(2)]
    for s in stores:
        s.ensure_schema()
        s.ensure_schema()
    stores[0].upsert_lead("a", {"company": "A"})
    assert stores[1].get_lead("a")["company"] == "A"
    for s in stores:
        s.dispose()


@pytest.mark.parametrize("text", NASTY_TEXTS, ids=lambda t: repr(t[:20]) + f"-len{len(t)}")
def test_text_is_stored_exactly(store: LeadStore, text: str) -> None:
    store.upsert_lead(
        text[:255],
        {
            "full_name": text,
            "company": text,
            "role": text,
            "timeline": text,
            "answers": {"goals": [text], text[:50]: text},
            "recommendation_reasons": [text],
        },
    )
    lead = store.get_lead(text[:255])
    assert lead["full_name"] == text and lead["company"] == text and lead["role"] == text
    assert lead["answers"] == {"goals": [text], text[:50]: text}
    assert lead["recommendation_reasons"] == [text]
    store.record_event(text[:255], "lead_declined", text)
    assert store.list_events()[0]["detail"] == text
    assert count(store, leads_table) == 1 and count(store, events_table) == 1


def test_delete_removes_lead_and_personal_fields(store: LeadStore) -> None:
    store.upsert_lead("gone", {"full_name": "Ana Lima", "email": "ana@acme.com", "consent": True})
    store.upsert_lead("kept", {"full_name": "Bo Chen", "email": "bo@acme.com"})
    store.record_event("gone", "advice_given", "kpo")
    store.record_event("gone", "lead_declined", "my name is Ana Lima")
    assert store.delete("gone") is True
    assert store.get_lead("gone") is None
    assert store.get_lead("kept")["full_name"] == "Bo Chen"
    events = store.list_events()
    assert {e["conversation_id"] for e in events} == {events[0]["conversation_id"]}
    assert events[0]["conversation_id"].startswith("erased:")
    assert [(e["kind"], e["detail"]) for e in events] == [
        ("advice_given", "kpo"),
        ("lead_declined", None),
    ]
    with store.engine.connect() as conn:
        dump = repr(conn.execute(select(leads_table)).all()) + repr(conn.execute(select(events_table)).all())
    assert "Ana" not in dump and "ana@acme.com" not in dump and "gone" not in dump
    assert store.delete("gone") is False


def test_delete_leaves_nothing_in_the_sqlite_files(tmp_path) -> None:
    """The erased row is gone from the database file and its write-ahead log too."""
    from sqlalchemy import event

    database = tmp_path / "var" / "leads.db"
    store = LeadStore(path=database)

    def like_a_build_without_secure_delete(connection, _record) -> None:
        connection.execute("PRAGMA secure_delete=OFF")  # Debian's SQLite has it on by default

    event.listen(store.engine, "connect", like_a_build_without_secure_delete, insert=True)
    personal = ["Ottilie Brandvold", "ottilie@fjordline.no", "Fjordline Logistics"]
    try:
        store.upsert_lead(
            "gone",
            {
                "full_name": personal[0],
                "email": personal[1],
                "company": personal[2],
                "role": "x" * 5000,
                "consent": True,
            },
        )  # long: on overflow pages
        store.upsert_lead("kept", {"full_name": "Bo Chen", "email": "bo@acme.com"})
        assert store.delete("gone") is True
        files = {p.name: p.read_bytes() for p in database.parent.iterdir() if p.name.startswith("leads.db")}
    finally:
        store.dispose()
    assert "leads.db-wal" in files
    assert [(name, value) for name, data in files.items() for value in personal if value.encode() in data] == []
    assert any(b"Bo Chen" in data for data in files.values())


def test_list_leads_filters(store: LeadStore) -> None:
    day = datetime(2026, 5, 1, tzinfo=UTC)
    store.upsert_lead(
        "hot",
        {"role": "CEO", "timeline": "now", "answers": {"tasks": 3, "budget": "flexible", "expertise_gap": True}},
        at=day,
    )
    store.upsert_lead("cold", {"role": "intern"}, at=day + timedelta(days=2))
    assert [lead["conversation_id"] for lead in store.list_leads()] == ["hot", "cold"]
    assert [lead["conversation_id"] for lead in store.list_leads(tier="hot")] == ["hot"]
    assert [lead["conversation_id"] for lead in store.list_leads(since=day + timedelta(days=1))] == ["cold"]
    assert [lead["conversation_id"] for lead in store.list_leads(until=day + timedelta(days=1))] == ["hot"]


def test_outbox_entry_is_applied_once(store: LeadStore) -> None:
    assert store.upsert_lead("c", {"company": "Old"}, entry_id="entry-1") is not None
    store.upsert_lead("c", {"company": "New"})
    assert store.upsert_lead("c", {"company": "Old"}, entry_id="entry-1") is None
    assert store.get_lead("c")["company"] == "New"
    assert store.record_event("c", "lead_offered", event_id="ev-1") is True
    assert store.record_event("c", "lead_offered", event_id="ev-1") is False
    assert count(store, events_table) == 1


@pytest.mark.parametrize(
    ("changes", "error", "match"),
    [
        ({"full_name": "Bob\x00"}, ValueError, "NUL"),
        ({"answers": {"note": "a\x00b"}}, ValueError, "NUL"),
        ({"full_name": 42}, TypeError, "text"),
        ({"consent": "yes"}, ValueError, "consent"),
        ({"recommendation": "outsource everything"}, ValueError, "bpo, kpo, hybrid"),
        ({"answers": ["not", "a", "mapping"]}, ValueError, "mapping"),
        ({"answers": {"when": datetime.now(UTC)}}, ValueError, "JSON"),
        ({"password": "x"}, ValueError, "unknown lead fields"),
    ],
)
def test_unstorable_input_is_refused(store: LeadStore, changes: dict, error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        store.upsert_lead("c", changes)
    assert store.get_lead("c") is None


def test_conversation_id_and_event_checks(store: LeadStore) -> None:
    with pytest.raises(ValueError, match="conversation_id"):
        store.upsert_lead("x" * 256, {})
    with pytest.raises(ValueError, match="unknown funnel event kind"):
        store.record_event("c", "lead_bought")
    with pytest.raises(ValueError, match="bpo, kpo or hybrid"):
        store.record_event("c", "advice_given", "maybe")
    assert store.record_event("c", "advice_given", " HYBRID ")
    assert store.list_events()[0]["detail"] == "hybrid"
