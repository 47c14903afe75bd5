"""A slow CRM holds up nothing: lead and funnel writes of other conversations still complete.

The fake CRM (loopback) holds every request until the test releases it. More hot leads are
submitted than the action server's worker pool has threads; a lead write and a funnel
write from another conversation must complete while the CRM still holds them all.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from rasa_sdk.executor import CollectingDispatcher

import actions.lead_record as lead_record
from actions.leads import ActionDeclineLead, ActionSubmitLead, ActionWithdrawConsent
from leads import LeadStore
from tests.support.actions_testkit import CONTACT_SLOTS, KPO_SLOTS
from tests.support.common import QuietHandler, serve_http

HOT = {
    **KPO_SLOTS,
    **CONTACT_SLOTS,
    "lead_full_name": "Ana Silva",
    "lead_email": "ana@acme-legal.com",
    "lead_consent": True,
}
POOL_THREADS = 4  # the default pool of a small host (2 cores: min(32, 2 + 4) = 6, here fewer)


@dataclass
class SlowCrm:
    url: str = ""
    release: threading.Event = field(default_factory=threading.Event)
    arrived: list[str] = field(default_factory=list)
    answered: list[str] = field(default_factory=list)
    bodies: list[tuple[str, dict]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


@pytest.fixture
def slow_crm() -> Iterator[SlowCrm]:
    crm = SlowCrm()

    class Handler(QuietHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
            key = self.headers.get("Idempotency-Key", "")
            with crm.lock:
                crm.arrived.append(key)
                crm.bodies.append((self.path, body))
            crm.release.wait(120)  # a slow CRM: answers only when the test says so
            with crm.lock:
                crm.answered.append(key)
            self.send_response(200)
            self.end_headers()

    with serve_http(Handler) as url:
        crm.url = url + "/crm"
        yield crm
        crm.release.set()  # before the server stops: no request is left waiting


async def until(check, what: str) -> None:
    for _ in range(1200):
        if check():
            return
        await asyncio.sleep(0.05)
    pytest.fail(f"timed out waiting for {what}")


async def test_a_slow_crm_never_holds_up_lead_or_funnel_writes(
    make_tracker, domain, slow_crm: SlowCrm, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LEADS_WEBHOOK_URL", slow_crm.url)
    monkeypatch.setenv("LEADS_WEBHOOK_TIMEOUT_SECONDS", "120")
    loop = asyncio.get_running_loop()
    loop.set_default_executor(ThreadPoolExecutor(max_workers=POOL_THREADS))
    store = LeadStore(path=tmp_path / "leads.db")

    def tracker(sender: str, slots: dict[str, Any]):
        built = make_tracker([], slots=slots)
        built.sender_id = sender
        return built

    async def scenario() -> None:
        for i in range(POOL_THREADS + 2):  # more deliveries than the pool has threads
            await ActionSubmitLead().run(CollectingDispatcher(), tracker(f"hot-{i}", HOT), domain.as_dict())
        await until(lambda: slow_crm.arrived, "the CRM to receive a lead")
        # Another visitor meanwhile: their lead write and their funnel write both complete.
        other = tracker("other-visitor", {"recommendation": "bpo"})
        stored = await lead_record.store(other, company="Other Co", timeline="next year")
        declined = await ActionDeclineLead().run(CollectingDispatcher(), other, domain.as_dict())
        assert stored is not None and stored["company"] == "Other Co"
        assert {"event": "slot", "timestamp": None, "name": "lead_status", "value": "declined"} in declined

    try:
        await asyncio.wait_for(scenario(), timeout=90)  # a guard against a hang, not a measurement
        assert slow_crm.answered == []  # ... all while the CRM still held every request
        assert store.get_lead("other-visitor")["company"] == "Other Co"
        assert ("other-visitor", "lead_declined") in {(e["conversation_id"], e["kind"]) for e in store.list_events()}
        assert len({lead["conversation_id"] for lead in store.list_leads()}) == POOL_THREADS + 3
    finally:
        slow_crm.release.set()
    await asyncio.wait_for(lead_record.wait_for_notifications(), timeout=120)
    assert sorted(slow_crm.answered) == sorted(set(slow_crm.answered))  # each lead once
    assert len(slow_crm.answered) == POOL_THREADS + 2
    store.dispose()


async def test_withdrawing_consent_tells_the_crm_and_the_slack_channel(
    make_tracker, domain, slow_crm: SlowCrm, monkeypatch: pytest.MonkeyPatch
) -> None:
    slow_crm.release.set()  # a prompt CRM and Slack this time
    monkeypatch.setenv("LEADS_WEBHOOK_URL", slow_crm.url)
    monkeypatch.setenv("SALES_SLACK_WEBHOOK_URL", slow_crm.url.replace("/crm", "/slack"))
    captured = make_tracker([], slots=HOT)
    await ActionSubmitLead().run(CollectingDispatcher(), captured, domain.as_dict())
    await asyncio.wait_for(lead_record.wait_for_notifications(), timeout=60)
    assert sorted(path for path, _ in slow_crm.bodies) == ["/crm", "/slack"]

    withdrawing = make_tracker([], slots={**HOT, "lead_status": "captured"})
    await ActionWithdrawConsent().run(CollectingDispatcher(), withdrawing, domain.as_dict())
    await asyncio.wait_for(lead_record.wait_for_notifications(), timeout=60)
    crm = [body for path, body in slow_crm.bodies if path == "/crm"]
    slack = [body["text"] for path, body in slow_crm.bodies if path == "/slack"]
    assert [body["event"] for body in crm] == ["lead.captured", "lead.withdrawn"]
    assert crm[1]["conversation_id"] == "test-user" and "lead" not in crm[1]
    assert len(slack) == 2 and "withdrew consent" in slack[1] and "Ana" not in slack[1]
