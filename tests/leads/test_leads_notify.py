"""Webhook and Slack hand-off against real local HTTP servers."""

from __future__ import annotations

import logging
import threading
from dataclasses import replace
from pathlib import Path

import pytest

from leads.booking import Meetings, calendar_url, export_meeting
from leads.config import LeadsConfig
from leads.delivery import deliver
from leads.delivery_log import DeliveryLog
from leads.model import idempotency_key, utcnow
from leads.notify import notify_lead, queue_call, slack_summary
from leads.redact import RedactingFilter, redact, redact_lead
from leads.sales_hours import hours_from_env
from tests.support.leads_testkit import HOT_LEAD, WARMER, FakeServer, free_port, make_lead

HOT = {**HOT_LEAD, "full_name": "Aiko Tanaka 田中"}
WARM = {**HOT, **WARMER}


@pytest.fixture
def config(tmp_path: Path) -> LeadsConfig:
    return LeadsConfig(
        deliveries_path=str(tmp_path / "deliveries.jsonl"),
        webhook_backoff_seconds=0.01,
        webhook_max_attempts=4,
        webhook_timeout_seconds=2,
    )


def test_webhook_retries_503_then_delivers_once(fake_server: FakeServer, config: LeadsConfig) -> None:
    fake_server.plan = [503, 503]
    config = replace(config, webhook_url=fake_server.url + "/crm/leads")
    lead = make_lead(HOT)
    assert lead["tier"] == "hot"
    result = notify_lead(lead, config=config)
    assert result.webhook == "sent" and result.slack == "disabled"
    assert [r.status for r in fake_server.received] == [503, 503, 200]  # retried (urllib3 Retry)
    key = idempotency_key(lead)
    assert {r.headers["Idempotency-Key"] for r in fake_server.received} == {key}
    [accepted] = fake_server.accepted
    assert accepted.path == "/crm/leads"
    assert accepted.body["idempotency_key"] == key
    assert accepted.body["lead"]["email"] == "aiko@kaisha.jp"
    assert accepted.body["lead"]["full_name"] == "Aiko Tanaka 田中"
    assert accepted.body["lead"]["tier"] == "hot"

    again = notify_lead(lead, config=config)
    assert again.webhook == "already_sent"
    assert len(fake_server.received) == 3  # nothing sent the second time


def test_new_lead_version_gets_a_new_key(fake_server: FakeServer, config: LeadsConfig) -> None:
    config = replace(config, webhook_url=fake_server.url)
    first = make_lead(HOT)
    notify_lead(first, config=config)
    changed = make_lead({**HOT, "company": "Kaisha Holdings"})
    assert idempotency_key(changed) != idempotency_key(first)
    assert idempotency_key(make_lead(HOT)) == idempotency_key(first)  # stable, timestamps ignored
    assert notify_lead(changed, config=config).webhook == "sent"
    assert len(fake_server.accepted) == 2


def test_connection_errors_are_retried_then_sent_later(fake_server: FakeServer, config: LeadsConfig) -> None:
    lead = make_lead(HOT)
    down = replace(config, webhook_url=f"http://127.0.0.1:{free_port()}/hook")
    assert notify_lead(lead, config=down).webhook == "failed"
    [record] = DeliveryLog(config.deliveries_path).load()
    assert (record["state"], record["attempts"], record["last_error"]) == ("pending", 1, "ConnectionError")
    up = replace(config, webhook_url=fake_server.url)
    assert notify_lead(lead, config=up).webhook == "sent"  # still queued, sent now
    assert len(fake_server.accepted) == 1


def test_client_error_is_not_retried(fake_server: FakeServer, config: LeadsConfig) -> None:
    fake_server.plan = [400]
    config = replace(config, webhook_url=fake_server.url)
    assert notify_lead(make_lead(HOT), config=config).webhook == "failed"
    assert len(fake_server.received) == 1


def test_concurrent_notifications_send_once(fake_server: FakeServer, config: LeadsConfig) -> None:
    config = replace(config, webhook_url=fake_server.url)
    lead = make_lead(HOT)
    results: list[str] = []
    threads = [
        threading.Thread(target=lambda: results.append(notify_lead(lead, config=config).webhook)) for _ in range(5)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert results.count("sent") == 1  # the others saw it sent, or in flight in another thread
    assert set(results) <= {"sent", "already_sent", "in_flight"}
    assert len(fake_server.received) == 1


def test_leads_without_consent_are_not_sent(fake_server: FakeServer, config: LeadsConfig) -> None:
    config = replace(config, webhook_url=fake_server.url, slack_webhook_url=fake_server.url)
    result = notify_lead(make_lead({**HOT, "consent": False}), config=config)
    assert (result.webhook, result.slack) == ("skipped", "skipped")
    assert fake_server.received == []


def test_slack_announces_only_hot_leads(fake_server: FakeServer, config: LeadsConfig) -> None:
    config = replace(config, slack_webhook_url=fake_server.url + "/slack")
    warm = make_lead(WARM, "conv-warm")
    cold = make_lead({"consent": True, "role": "intern"}, "conv-cold")
    hot = make_lead(HOT, "conv-hot")
    assert (warm["tier"], cold["tier"]) == ("warm", "cold")
    assert notify_lead(warm, config=config).slack == "skipped"
    assert notify_lead(cold, config=config).slack == "skipped"
    assert notify_lead(hot, config=config).slack == "sent"
    assert notify_lead(hot, config=config).slack == "already_sent"
    [message] = fake_server.received
    assert message.path == "/slack"
    text = message.body["text"]
    for expected in (
        "HOT lead",
        "Kaisha KK",
        "payroll, support, analytics",
        "HYBRID",
        "Aiko Tanaka 田中",
        "aiko@kaisha.jp",
        "CEO",
    ):
        assert expected in text
    assert text == slack_summary(hot)


def test_webhook_and_slack_together(fake_server: FakeServer, config: LeadsConfig) -> None:
    config = replace(
        config,
        webhook_url=fake_server.url + "/crm",
        slack_webhook_url=fake_server.url + "/slack",
    )
    result = notify_lead(make_lead(HOT), config=config)
    assert (result.webhook, result.slack) == ("sent", "sent")
    assert sorted(r.path for r in fake_server.received) == ["/crm", "/slack"]
    deliveries = DeliveryLog(config.deliveries_path).path.read_text()
    assert "aiko" not in deliveries.lower() and "conv-42" not in deliveries


def test_logs_never_carry_names_or_emails(fake_server: FakeServer, config: LeadsConfig, caplog) -> None:
    caplog.set_level(logging.DEBUG, logger="leads")
    fake_server.plan = [503, 400]
    config = replace(config, webhook_url=fake_server.url, slack_webhook_url=fake_server.url)
    notify_lead(make_lead(HOT), config=config)
    assert caplog.records, "expected log lines about the failed delivery"
    assert "aiko" not in caplog.text.lower() and "Tanaka" not in caplog.text


def test_redaction_helpers() -> None:
    assert redact("write to jane.doe@acme.com or bob@x.org") == "write to ***@acme.com or ***@x.org"
    safe = redact_lead(make_lead(HOT))
    assert safe["full_name"] == "<redacted>" and safe["email"] == "***@kaisha.jp"
    assert safe["conversation_id"].startswith("conv-") and safe["conversation_id"] != "conv-42"
    assert safe["tier"] == "hot"
    record = logging.LogRecord("leads", logging.INFO, __file__, 1, "mail %s", ("jane@acme.com",), None)
    assert RedactingFilter().filter(record) and record.getMessage() == "mail ***@acme.com"


def test_visitor_text_cannot_ping_the_channel_or_hide_a_link_in_slack(
    fake_server: FakeServer, config: LeadsConfig
) -> None:
    """Slack control sequences typed by a visitor arrive escaped (&amp; &lt; &gt;)."""
    config = replace(config, slack_webhook_url=fake_server.url + "/slack")
    typed = {
        **HOT,
        "company": "<!channel> Acme & Co",
        "full_name": "Eve <http://evil.example|click here>",
        "role": "CEO <@U0123>",
        "timeline": "<!here> now",
        "company_size": "<!everyone>",
    }
    lead = make_lead(typed)
    assert lead["tier"] == "hot"
    assert notify_lead(lead, config=config).slack == "sent"
    [message] = fake_server.accepted
    text = message.body["text"]
    assert "&lt;!channel&gt; Acme &amp; Co" in text
    assert "Eve &lt;http://evil.example|click here&gt;" in text
    assert "&lt;@U0123&gt;" in text and "&lt;!here&gt; now" in text and "&lt;!everyone&gt;" in text
    assert "<" not in text and ">" not in text  # no control sequence at all reaches Slack


def test_a_booked_call_reaches_the_crm_as_its_own_event_and_a_moved_call_as_another(
    fake_server: FakeServer, config: LeadsConfig, store
) -> None:
    """The lead went out when it was captured; the call the visitor picks after that follows it."""
    config = replace(config, webhook_url=fake_server.url + "/crm")
    lead = make_lead(HOT)
    meetings = Meetings(store)
    first, second = hours_from_env({"SALES_TIMEZONE": "Asia/Tokyo"}).proposed_slots(utcnow(), count=2)
    booked = meetings.book(lead["conversation_id"], first)
    ids = queue_call(lead, export_meeting(booked) or {}, booked.sequence, config=config)
    assert deliver(config=config, ids=ids, force=True).outcomes == {ids[0]: "sent"}
    [received] = fake_server.accepted
    key = f"{idempotency_key(lead)}-call-0"
    assert received.headers["Idempotency-Key"] == key
    assert received.body == {
        "event": "lead.call_booked",
        "idempotency_key": key,
        "conversation_id": lead["conversation_id"],
        "lead_idempotency_key": idempotency_key(lead),
        "meeting": {
            "kind": "slot",
            "starts_at": first.start.isoformat(),
            "ends_at": first.end.isoformat(),
            "timezone": "Asia/Tokyo",
            "booking_page": None,
            "booked_at": booked.updated_at.isoformat(),
            "calendar_url": calendar_url(booked.token),
        },
    }
    # Queued again (a retry of the same booking): nothing new goes out.
    assert queue_call(lead, export_meeting(booked) or {}, booked.sequence, config=config) == ids
    moved = meetings.book(lead["conversation_id"], second)
    ids = queue_call(lead, export_meeting(moved) or {}, moved.sequence, config=config)
    deliver(config=config, ids=ids, force=True)
    assert [r.body["meeting"]["starts_at"] for r in fake_server.accepted] == [
        first.start.isoformat(),
        second.start.isoformat(),
    ]
    assert fake_server.accepted[-1].headers["Idempotency-Key"] == f"{idempotency_key(lead)}-call-1"
    # Without consent, or without a CRM, nothing is queued.
    assert queue_call({**lead, "consent": False}, export_meeting(moved) or {}, 2, config=config) == []
    assert queue_call(lead, export_meeting(moved) or {}, 2, config=replace(config, webhook_url=None)) == []
