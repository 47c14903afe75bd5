"""No lead delivery is lost: the queue survives an action-server restart and goes out once.

The real action server (`python -m serving.actions`) runs `action_submit_lead` for a hot lead
while the fake CRM (loopback) answers 503; the server is stopped, the CRM recovers, the
server is started again and sends the queued delivery at start-up, exactly once.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.support import common
from tests.support.actions_testkit import CONTACT_SLOTS, KPO_SLOTS
from tests.support.common import run_python
from tests.support.leads_testkit import FakeServer
from tests.support.stack import free_port, stack_env, start_actions, wait_for

SLOTS = {**KPO_SLOTS, "recommendation_reasons": ["Legal work is KPO."], **CONTACT_SLOTS, "lead_consent": True}


def wait_until(check: Callable[[], Any], what: str) -> Any:
    """Poll `check` until it returns something truthy (the deadline only guards against a hang)."""
    return common.wait_until(check, what, timeout=90.0, interval=0.1)


def queued(path: Path) -> list[dict[str, Any]]:
    """The delivery queue file, read as plain JSON lines."""
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def submit_lead(action_url: str, sender: str) -> list[dict[str, Any]]:
    """Call `action_submit_lead` on the action server the way Rasa does."""
    tracker = {
        "sender_id": sender,
        "slots": SLOTS,
        "latest_message": {},
        "events": [],
        "paused": False,
        "followup_action": None,
        "active_loop": {},
        "latest_action_name": "lead_form",
    }
    body = {
        "next_action": "action_submit_lead",
        "sender_id": sender,
        "tracker": tracker,
        "domain": {},
        "version": "3.6.21",
    }
    response = requests.post(f"{action_url}/webhook", json=body, timeout=60)
    response.raise_for_status()
    return response.json()["events"]


@pytest.fixture
def action_server(tmp_path: Path, fake_server: FakeServer) -> Iterator[Callable[[], str]]:
    """Starts the action server (again) with the test's lead files; stops it afterwards."""
    port = free_port()
    env = stack_env(
        tmp_path,
        port,
        {
            "LEADS_WEBHOOK_URL": fake_server.url + "/crm",
            "LEADS_WEBHOOK_MAX_ATTEMPTS": "2",
            "LEADS_WEBHOOK_BACKOFF_SECONDS": "0.01",
            "LEADS_DELIVERY_RETRY_SECONDS": "3600",  # no periodic round during the test: only start-up
        },
    )
    running: list[subprocess.Popen] = []

    def start() -> str:
        for proc in running:
            proc.terminate()
            proc.wait(timeout=30)
        proc = start_actions(env, tmp_path, port, log=f"actions-{len(running)}.log")
        running.append(proc)
        wait_for(f"http://127.0.0.1:{port}/health", proc=proc)
        return f"http://127.0.0.1:{port}"

    start.env = env  # type: ignore[attr-defined]
    yield start
    for proc in running:
        if proc.poll() is None:
            proc.terminate()
            proc.wait(timeout=30)


def test_a_failed_delivery_goes_out_exactly_once_after_the_action_server_restarts(
    tmp_path: Path, fake_server: FakeServer, action_server
) -> None:
    fake_server.plan = [503] * 1000  # the CRM is down
    url = action_server()
    events = submit_lead(url, "visitor-restart")
    assert {"event": "slot", "timestamp": None, "name": "lead_status", "value": "captured"} in events
    queue = tmp_path / "leads_deliveries.jsonl"
    [record] = wait_until(
        lambda: [r for r in queued(queue) if r.get("attempts")], "a failed delivery kept in the queue"
    )
    assert (record["state"], record["last_error"]) == ("pending", "HTTP 503")
    assert fake_server.accepted == [] and len(fake_server.received) == 2  # one round, two tries

    with fake_server.lock:
        fake_server.plan.clear()  # the CRM recovers while the action server is down
    action_server()  # restart: the queue is read at start-up
    [accepted] = wait_until(lambda: fake_server.accepted, "the delivery after the restart")
    assert accepted.path == "/crm" and accepted.body["lead"]["conversation_id"] == "visitor-restart"
    assert accepted.headers["Idempotency-Key"] == record["key"]
    [sent] = queued(queue)
    assert sent["state"] == "sent" and "payload" not in sent  # no personal data kept once sent

    # Another round (the re-send command) and another restart send nothing more.
    env = action_server.env
    resend = run_python("-m", "leads.cli", "resend", env=env)
    assert resend.returncode == 0, resend.stderr
    assert resend.stdout.startswith("sent 0,")
    action_server()
    export = run_python("-m", "leads.cli", "export", "--format", "json", env=env)
    [lead] = json.loads(export.stdout)
    assert lead["delivery"] == "webhook:sent"
    assert len(fake_server.accepted) == 1
