"""``python -m leads.cli`` run as a real process against real databases."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from leads.booking import Meetings
from leads.model import UTC
from leads.sales_hours import hours_from_env
from leads.store import LeadStore
from tests.support.common import run_python

ROOT = Path(__file__).resolve().parents[2]
DAY = datetime(2026, 4, 10, 12, 0, tzinfo=UTC)
HOT_ANSWERS = {
    "tasks": ["payroll", "support", "research"],
    "budget": "flexible",
    "expertise_gap": True,
}


def cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("LEADS_")}
    environment.update(env or {})
    return run_python("-m", "leads.cli", *args, env=environment, timeout=60)


def populate(store: LeadStore) -> None:
    """Five conversations over three days; three leads captured (hot, warm, cold)."""
    store.upsert_lead(
        "hot-1",
        {
            "full_name": "Ava 🚀 Okafor",
            "email": "ava@bigco.com",
            "company": '=HYPERLINK("x")',
            "role": "CEO",
            "timeline": "now",
            "consent": True,
            "answers": HOT_ANSWERS,
            "recommendation": "hybrid",
        },
        at=DAY,
    )
    store.upsert_lead(
        "warm-1",
        {
            "full_name": "Wen Li 李",
            "email": "wen@gmail.com",
            "company": "Mid, Inc.",
            "role": "Ops manager",
            "timeline": "this quarter",
            "consent": True,
            "recommendation": "bpo",
            "answers": {"tasks": ["support", "billing"], "budget": "moderate", "expertise_gap": True},
        },
        at=DAY + timedelta(days=1),
    )
    store.upsert_lead(
        "cold-1",
        {
            "full_name": "Carl",
            "email": "carl@tiny.io",
            "role": "intern",
            "timeline": "just exploring",
            "consent": True,
            "recommendation": "kpo",
            "answers": {"tasks": ["research"], "budget": "tight"},
        },
        at=DAY + timedelta(days=2),
    )
    store.upsert_lead("no-consent", {"company": "Anon", "answers": {"tasks": ["x"]}}, at=DAY)
    events = [
        ("hot-1", "conversation_started", None, 0),
        ("hot-1", "advice_given", "hybrid", 0),
        ("hot-1", "lead_offered", None, 0),
        ("hot-1", "lead_captured", None, 0),
        ("warm-1", "conversation_started", None, 1),
        ("warm-1", "advice_given", "kpo", 1),
        ("warm-1", "advice_given", "bpo", 1),
        ("warm-1", "lead_offered", None, 1),
        ("warm-1", "lead_captured", None, 1),
        ("cold-1", "conversation_started", None, 2),
        ("cold-1", "advice_given", "kpo", 2),
        ("cold-1", "lead_offered", None, 2),
        ("cold-1", "lead_captured", None, 2),
        ("cold-1", "lead_captured", None, 2),
        ("no-consent", "conversation_started", None, 0),
        ("no-consent", "advice_given", "bpo", 0),
        ("no-consent", "lead_offered", None, 0),
        ("no-consent", "lead_declined", None, 0),
        ("bounced", "conversation_started", None, 2),
    ]
    for conversation, kind, detail, offset in events:
        store.record_event(conversation, kind, detail, at=DAY + timedelta(days=offset))


@pytest.fixture
def sqlite_db(tmp_path: Path) -> str:
    path = tmp_path / "leads.db"
    store = LeadStore("sqlite:///" + str(path))
    populate(store)
    store.dispose()
    return str(path)


def test_export_csv_default(sqlite_db: str) -> None:
    result = cli("--db", sqlite_db, "export")
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [row["conversation_id"] for row in rows] == [
        "hot-1",
        "warm-1",
        "cold-1",
    ]  # consented only
    hot = rows[0]
    assert hot["full_name"] == "Ava 🚀 Okafor" and hot["email"] == "ava@bigco.com"
    assert hot["company"] == '\'=HYPERLINK("x")'  # formula neutralised for spreadsheets
    assert (hot["tier"], hot["score"], hot["consent"]) == ("hot", "95", "true")
    assert json.loads(hot["answers"]) == HOT_ANSWERS
    assert rows[1]["company"] == "Mid, Inc." and rows[1]["email_is_freemail"] == "true"


def test_export_filters_and_json(sqlite_db: str) -> None:
    result = cli("--db", sqlite_db, "export", "--tier", "warm", "--format", "json")
    assert result.returncode == 0, result.stderr
    [lead] = json.loads(result.stdout)
    assert (lead["conversation_id"], lead["full_name"], lead["tier"]) == (
        "warm-1",
        "Wen Li 李",
        "warm",
    )
    assert lead["company"] == "Mid, Inc."
    since = json.loads(cli("--db", sqlite_db, "export", "--since", "2026-04-11", "--format", "json").stdout)
    assert [lead["conversation_id"] for lead in since] == ["warm-1", "cold-1"]
    window = cli(
        "--db",
        sqlite_db,
        "export",
        "--since",
        "2026-04-11",
        "--until",
        "2026-04-11",
        "--format",
        "json",
    )
    assert [lead["conversation_id"] for lead in json.loads(window.stdout)] == ["warm-1"]
    every = json.loads(cli("--db", sqlite_db, "export", "--include-unconsented", "--format", "json").stdout)
    assert len(every) == 4
    assert (
        json.loads(
            cli("--db", sqlite_db, "export", "--tier", "hot", "--since", "2026-04-12", "--format", "json").stdout
        )
        == []
    )


def test_report_numbers(sqlite_db: str) -> None:
    result = cli("--db", sqlite_db, "report", "--format", "json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "since": None,
        "until": None,
        "conversations_started": 5,
        "advice_given": {"total": 4, "bpo": 2, "kpo": 1, "hybrid": 1},
        "leads_offered": 4,
        "leads_captured": 3,
        "leads_declined": 1,
        "captured_by_tier": {"hot": 1, "warm": 1, "cold": 1, "unknown": 0},
    }
    lines = [" ".join(line.split()) for line in cli("--db", sqlite_db, "report").stdout.splitlines()]
    assert lines == [
        "Lead funnel (beginning .. now, UTC)",
        "Conversations started 5 100.0%",
        "Advice given 4 80.0% bpo 2 kpo 1 hybrid 1",
        "Leads offered 4 80.0%",
        "Leads captured 3 60.0% hot 1 warm 1 cold 1",
        "Leads declined 1 20.0%",
    ]


def test_report_window(sqlite_db: str) -> None:
    result = cli(
        "--db",
        sqlite_db,
        "report",
        "--since",
        "2026-04-12",
        "--until",
        "2026-04-12",
        "--format",
        "json",
    )
    numbers = json.loads(result.stdout)
    assert numbers["conversations_started"] == 2
    assert numbers["advice_given"] == {"total": 1, "bpo": 0, "kpo": 1, "hybrid": 0}
    assert numbers["leads_captured"] == 1 and numbers["captured_by_tier"]["cold"] == 1
    assert numbers["since"].startswith("2026-04-12") and numbers["until"].startswith("2026-04-13")


def test_delete_command_and_report_after_erasure(sqlite_db: str) -> None:
    assert cli("--db", sqlite_db, "delete", "hot-1").stdout.strip() == "deleted"
    numbers = json.loads(cli("--db", sqlite_db, "report", "--format", "json").stdout)
    assert numbers["leads_captured"] == 3
    assert numbers["captured_by_tier"] == {"hot": 0, "warm": 1, "cold": 1, "unknown": 1}
    exported = cli("--db", sqlite_db, "export").stdout
    assert "Ava" not in exported and "hot-1" not in exported


def test_cli_against_postgresql_via_environment(pg_url: str) -> None:
    store = LeadStore(pg_url)
    populate(store)
    store.dispose()
    result = cli("export", "--tier", "hot", "--format", "json", env={"LEADS_DB_URL": pg_url})
    assert result.returncode == 0, result.stderr
    assert [lead["conversation_id"] for lead in json.loads(result.stdout)] == ["hot-1"]
    report = json.loads(cli("report", "--format", "json", env={"LEADS_DB_URL": pg_url}).stdout)
    assert report["conversations_started"] == 5 and report["leads_captured"] == 3


def test_unreachable_database_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    result = cli("--db", str(blocker / "leads.db"), "export")
    assert result.returncode == 2
    assert "database unreachable" in result.stderr
    bad = cli("export", "--since", "yesterday")
    assert bad.returncode == 2 and "expected a date like 2026-01-31" in bad.stderr


def test_export_shows_the_delivery_state_and_resend_sends_now(sqlite_db: str, tmp_path: Path, fake_server) -> None:
    from leads.config import LeadsConfig
    from leads.notify import notify_lead

    store = LeadStore("sqlite:///" + sqlite_db)
    hot, warm = store.get_lead("hot-1"), store.get_lead("warm-1")
    store.dispose()
    deliveries = str(tmp_path / "deliveries.jsonl")
    fake_server.plan = [400, 503, 503]  # the CRM refuses the first lead, is down for the second
    config = LeadsConfig(
        deliveries_path=deliveries, webhook_url=fake_server.url, webhook_max_attempts=2, webhook_backoff_seconds=0.01
    )
    assert notify_lead(hot, config=config).webhook == "failed"
    assert notify_lead(warm, config=config).webhook == "failed"
    env = {"LEADS_DELIVERIES_PATH": deliveries, "LEADS_WEBHOOK_URL": fake_server.url}
    rows = {
        r["conversation_id"]: r for r in csv.DictReader(io.StringIO(cli("--db", sqlite_db, "export", env=env).stdout))
    }
    assert (rows["hot-1"]["delivery"], rows["warm-1"]["delivery"]) == ("webhook:failed", "webhook:retrying(1)")
    assert rows["cold-1"]["delivery"] == ""  # nothing was queued for it

    resent = cli("--db", sqlite_db, "resend", env=env)
    assert resent.returncode == 0, resent.stderr
    assert resent.stdout.strip() == "sent 2, to retry 0, failed 0, still unsent 0"
    assert sorted(r.body["lead"]["conversation_id"] for r in fake_server.accepted) == ["hot-1", "warm-1"]
    exported = json.loads(cli("--db", sqlite_db, "export", "--format", "json", env=env).stdout)
    assert {lead["conversation_id"]: lead["delivery"] for lead in exported} == {
        "hot-1": "webhook:sent",
        "warm-1": "webhook:sent",
        "cold-1": None,
    }


def test_export_carries_the_booked_call(sqlite_db: str) -> None:
    store = LeadStore("sqlite:///" + sqlite_db)
    try:
        slot = hours_from_env({"SALES_TIMEZONE": "Europe/Berlin"}).proposed_slots(DAY)[1]
        token = Meetings(store).book("hot-1", slot).token
        Meetings(store).offered_page("warm-1", "https://calendly.com/acme/intro")
    finally:
        store.dispose()
    env = {"WEB_PUBLIC_URL": "https://advisor.example.com"}
    leads = {
        lead["conversation_id"]: lead
        for lead in json.loads(cli("--db", sqlite_db, "export", "--format", "json", env=env).stdout)
    }
    call = leads["hot-1"]["meeting"]
    assert (call["kind"], call["starts_at"], call["timezone"]) == ("slot", slot.start.isoformat(), "Europe/Berlin")
    assert call["calendar_url"] == f"https://advisor.example.com/call/{token}.ics"
    assert leads["warm-1"]["meeting"]["booking_page"] == "https://calendly.com/acme/intro"
    assert leads["cold-1"]["meeting"] is None
    rows = {
        row["conversation_id"]: row
        for row in csv.DictReader(io.StringIO(cli("--db", sqlite_db, "export", env=env).stdout))
    }
    assert json.loads(rows["hot-1"]["meeting"]) == call and rows["cold-1"]["meeting"] == ""
