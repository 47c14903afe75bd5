"""Withdrawal and erasure reach the sales side: the CRM and Slack are told, nothing pending goes out,
and no file keeps the person's data (delivery queue, outbox, ``.rejected``)."""

from __future__ import annotations

import json
import threading
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from leads.config import LeadsConfig
from leads.delivery import deliver
from leads.delivery_log import DeliveryLog, conversation_ref
from leads.model import idempotency_key, utcnow
from leads.notify import notify_lead, queue_lead, withdraw_lead
from leads.outbox import Outbox, delete_lead, flush_outbox, save_lead
from leads.store import LeadStore
from tests.support.leads_testkit import HOT_LEAD, WARMER, FakeServer, make_lead

HOT = HOT_LEAD
WARM = {**HOT, **WARMER}
PERSONAL = ("aiko", "Tanaka", "Kaisha")


@pytest.fixture
def config(tmp_path: Path, fake_server: FakeServer) -> LeadsConfig:
    return LeadsConfig(
        deliveries_path=str(tmp_path / "deliveries.jsonl"),
        webhook_url=fake_server.url + "/crm",
        slack_webhook_url=fake_server.url + "/slack",
        webhook_backoff_seconds=0.01,
        webhook_max_attempts=2,
        webhook_timeout_seconds=5,
    )


def posts(fake: FakeServer, path: str) -> list[dict[str, Any]]:
    return [r.body for r in fake.accepted if r.path == path]


def no_personal_data(text: str) -> bool:
    return not any(word.lower() in text.lower() for word in PERSONAL)


def test_the_crm_and_slack_are_told_when_a_hot_lead_is_withdrawn(fake_server: FakeServer, config) -> None:
    lead = make_lead(HOT, "conv-hot")
    assert notify_lead(lead, config=config).slack == "sent"
    result = withdraw_lead("conv-hot", config=config)
    assert result.sending is not None
    result.sending.result(timeout=60)

    [captured, withdrawn] = posts(fake_server, "/crm")
    assert captured["event"] == "lead.captured" and withdrawn["event"] == "lead.withdrawn"
    key = idempotency_key(lead) + "-withdrawn"
    assert withdrawn == {
        "event": "lead.withdrawn",
        "idempotency_key": key,
        "conversation_id": "conv-hot",
        "lead_idempotency_key": idempotency_key(lead),
        "withdrawn_at": withdrawn["withdrawn_at"],
    }
    [request] = [r for r in fake_server.accepted if r.body.get("event") == "lead.withdrawn"]
    assert request.headers["Idempotency-Key"] == key
    [announcement, notice] = [body["text"] for body in posts(fake_server, "/slack")]
    assert conversation_ref("conv-hot") in announcement and conversation_ref("conv-hot") in notice
    assert "withdrew consent" in notice and no_personal_data(notice)
    assert no_personal_data(json.dumps(withdrawn))

    again = withdraw_lead("conv-hot", config=config)  # a second request tells nobody twice
    assert again.queued == [] and len(fake_server.accepted) == 4
    assert no_personal_data(Path(config.deliveries_path).read_text(encoding="utf-8"))


def test_slack_hears_of_a_withdrawal_only_if_it_was_told_of_the_lead(fake_server: FakeServer, config) -> None:
    warm = make_lead(WARM, "conv-warm")
    assert notify_lead(warm, config=config).slack == "skipped"
    withdraw_lead("conv-warm", config=config).sending.result(timeout=60)
    assert [body["event"] for body in posts(fake_server, "/crm")] == ["lead.captured", "lead.withdrawn"]
    assert posts(fake_server, "/slack") == []
    assert withdraw_lead("conv-nobody", config=config).queued == []  # no lead, nobody to tell


def test_a_pending_delivery_is_cancelled_and_the_crm_never_gets_the_lead(fake_server: FakeServer, config) -> None:
    fake_server.plan = [503] * 4  # the CRM and Slack are down: both deliveries stay pending
    lead = make_lead(HOT, "conv-pending")
    result = notify_lead(lead, config=config)
    assert (result.webhook, result.slack) == ("failed", "failed")
    outcome = withdraw_lead("conv-pending", config=config, send=False)
    assert outcome.cancelled == 2
    queue = Path(config.deliveries_path).read_text(encoding="utf-8")
    assert no_personal_data(queue)  # the queued payloads are gone at once
    deliver(config=config, force=True, include_failed=True)  # the CRM is back
    assert [body["event"] for body in posts(fake_server, "/crm")] == ["lead.withdrawn"]
    assert posts(fake_server, "/slack") == []  # Slack never announced it, so no notice either


def test_a_delivery_about_to_be_sent_checks_for_a_withdrawal(tmp_path: Path, config) -> None:
    """Two leads in one round; the first is held by a slow CRM while the second's visitor withdraws."""
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    release, first_arrived = threading.Event(), threading.Event()
    bodies: list[dict[str, Any]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            bodies.append(body)
            first_arrived.set()
            release.wait(60)
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    slow = replace(config, webhook_url=f"http://127.0.0.1:{server.server_address[1]}/crm", slack_webhook_url=None)
    try:
        queue_lead(make_lead(HOT, "conv-first"), config=slow)
        queue_lead(make_lead(HOT, "conv-second"), config=slow)
        round_ = threading.Thread(target=deliver, kwargs={"config": slow})
        round_.start()  # claims both, sends the first, the second waits its turn
        assert first_arrived.wait(60)
        withdraw_lead("conv-second", config=slow, send=False)
        release.set()
        round_.join(60)
        deliver(config=slow, force=True)  # the withdrawal notice
    finally:
        release.set()
        server.shutdown()
        server.server_close()
    sent = [(body["event"], body.get("lead", body).get("conversation_id")) for body in bodies]
    assert sent == [("lead.captured", "conv-first"), ("lead.withdrawn", "conv-second")]
    states = {(r["conversation"], r["event"]): r["state"] for r in DeliveryLog(slow.deliveries_path).load()}
    assert states[(conversation_ref("conv-second"), "lead.captured")] == "cancelled"


def test_erasure_leaves_no_personal_data_in_the_outbox_or_the_rejected_file(tmp_path: Path) -> None:
    blocker = tmp_path / "blocker"
    blocker.write_text("the database directory cannot be created yet")
    store = LeadStore(path=blocker / "db" / "leads.db", connect_timeout=1)
    outbox = Outbox(tmp_path / "outbox" / "leads_outbox.jsonl")
    save_lead("erase-me", full_name="Aiko Tanaka", email="aiko@kaisha.jp", consent=True, store=store, outbox=outbox)
    save_lead("keep-me", company="Other Co", store=store, outbox=outbox)
    refused = {
        "id": "r" * 32,
        "type": "lead",
        "conversation_id": "erase-me",
        "at": utcnow().isoformat(),
        "changes": {"email": "aiko@kaisha.jp", "company": "Kaisha KK", "shoe_size": 42},
    }
    kept = {**refused, "id": "k" * 32, "conversation_id": "keep-me", "changes": {"company": "Other", "x": 1}}
    with outbox.lock():
        outbox.append(refused)
        outbox.append(kept)
    blocker.unlink()
    assert flush_outbox(store, outbox).rejected == 2  # unknown fields: refused, set aside whole
    assert "aiko@kaisha.jp" in outbox.rejected_path.read_text(encoding="utf-8")

    assert delete_lead("erase-me", store=store, outbox=outbox) is True
    rejected = outbox.rejected_path.read_text(encoding="utf-8")
    assert no_personal_data(rejected) and '"erase-me"' not in rejected
    lines = [json.loads(line) for line in rejected.splitlines()]
    assert lines[0]["id"] == "r" * 32 and lines[0]["conversation"] == conversation_ref("erase-me")
    assert lines[1] == kept  # other conversations' lines are untouched
    assert not outbox.path.exists() or no_personal_data(outbox.path.read_text(encoding="utf-8"))
    assert store.get_lead("erase-me") is None
    store.dispose()
