"""The sales desk (leads/handoff.py) on real SQLite and PostgreSQL: presence, hand-off states, races."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

import pytest

from leads.config import load_config
from leads.delivery_log import DeliveryLog
from leads.handoff import ACTIVE, ENDED, MISSED, WAITING, SalesDesk, availability, desk_settings
from leads.model import UTC
from leads.notify import HANDOFF_WAITING, queue_handoff_notice
from leads.sales_hours import hours_from_env
from leads.store import LeadStore

NOON = datetime(2026, 1, 14, 12, 0, tzinfo=UTC)  # a Wednesday
CONVERSATION = "socketio:0123456789abcdef0123456789abcdef"


@pytest.fixture
def desk(store: LeadStore) -> SalesDesk:
    return SalesDesk(store)


def test_a_rep_counts_as_signed_in_while_the_console_sends_heartbeats(desk: SalesDesk) -> None:
    assert desk.signed_in(60, now=NOON) == []
    desk.heartbeat("Sam Rivera", at=NOON - timedelta(seconds=30))
    desk.heartbeat("Ana", at=NOON - timedelta(seconds=90))
    assert desk.signed_in(60, now=NOON) == ["Sam Rivera"]
    desk.heartbeat("Ana", at=NOON)  # the same rep again: updated, not duplicated
    assert desk.signed_in(60, now=NOON) == ["Ana", "Sam Rivera"]
    assert desk.signed_in(60, now=NOON + timedelta(seconds=45)) == ["Ana"]
    desk.sign_out("Ana")
    assert desk.signed_in(60, now=NOON) == ["Sam Rivera"]


@pytest.mark.parametrize("rep", ["", "   ", "x" * 81, "Sam\nRivera", None])
def test_a_rep_needs_a_one_line_name(desk: SalesDesk, rep) -> None:
    with pytest.raises(ValueError):
        desk.heartbeat(rep)


def test_a_request_waits_until_a_rep_takes_it_and_hands_it_back(desk: SalesDesk) -> None:
    handoff, new = desk.request(CONVERSATION, at=NOON)
    assert new and handoff.state == WAITING
    again, new = desk.request(CONVERSATION, at=NOON + timedelta(seconds=20))
    assert not new and again.requested_at == NOON  # asking twice keeps the first wait
    assert [h.conversation_id for h in desk.open_handoffs()] == [CONVERSATION]

    assert desk.take(CONVERSATION, "Sam", at=NOON + timedelta(minutes=1))
    assert not desk.take(CONVERSATION, "Ana")  # already taken
    assert not desk.expire(CONVERSATION)  # the wait cannot run out any more
    taken = desk.get(CONVERSATION)
    assert taken is not None and (taken.state, taken.taken_by) == (ACTIVE, "Sam")
    assert taken.taken_at == NOON + timedelta(minutes=1)

    assert desk.end(CONVERSATION, at=NOON + timedelta(minutes=5))
    assert not desk.end(CONVERSATION)
    ended = desk.get(CONVERSATION)
    assert ended is not None and ended.state == ENDED and ended.as_json()["ended_at"].startswith("2026-01-14T12:05")
    assert desk.open_handoffs() == []

    # A new request after the end starts a new wait.
    fresh, new = desk.request(CONVERSATION, at=NOON + timedelta(hours=1))
    assert new and fresh.state == WAITING and desk.get(CONVERSATION).taken_by is None  # type: ignore[union-attr]


def test_nobody_takes_it_in_time(desk: SalesDesk) -> None:
    desk.request(CONVERSATION, at=NOON)
    assert desk.expire(CONVERSATION, at=NOON + timedelta(minutes=3))
    assert desk.get(CONVERSATION).state == MISSED  # type: ignore[union-attr]
    assert not desk.take(CONVERSATION, "Sam")  # too late: the visitor was offered a call-back
    assert not desk.expire(CONVERSATION)
    assert not desk.take("socketio:unknown", "Sam")


def test_two_reps_taking_the_same_visitor_have_one_winner(desk: SalesDesk) -> None:
    desk.request(CONVERSATION, at=NOON)
    results: list[bool] = []
    barrier = threading.Barrier(4)

    def take(rep: str) -> None:
        barrier.wait()
        results.append(desk.take(CONVERSATION, rep))

    threads = [threading.Thread(target=take, args=(f"rep {n}",)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False, False, False, True]


def test_erasing_the_lead_erases_the_hand_off(desk: SalesDesk, store: LeadStore) -> None:
    desk.request(CONVERSATION, at=NOON)
    store.delete(CONVERSATION)
    assert desk.get(CONVERSATION) is None


def test_a_person_can_join_only_in_hours_with_a_rep_signed_in() -> None:
    hours = hours_from_env({"SALES_HOURS": "09:00-17:30", "SALES_DAYS": "mon-fri", "SALES_TIMEZONE": "Europe/London"})
    assert availability(hours, NOON, ["Sam"]) == "live"
    assert availability(hours, NOON, []) == "nobody"
    assert availability(hours, NOON + timedelta(hours=8), ["Sam"]) == "closed"
    assert availability(hours, NOON + timedelta(days=3), ["Sam"]) == "closed"  # Saturday


def test_desk_settings() -> None:
    assert desk_settings({}).wait_seconds == 180 and desk_settings({}).presence_seconds == 60
    assert desk_settings({"HANDOFF_WAIT_SECONDS": "5"}).wait_seconds == 5
    for bad in ("0", "-3", "soon"):
        with pytest.raises(ValueError, match="HANDOFF_WAIT_SECONDS"):
            desk_settings({"HANDOFF_WAIT_SECONDS": bad})


def test_the_slack_channel_hears_of_a_waiting_visitor_once(tmp_path, fake_server, monkeypatch) -> None:
    monkeypatch.setenv("SALES_SLACK_WEBHOOK_URL", fake_server.url + "/slack")
    monkeypatch.setenv("LEADS_DELIVERIES_PATH", str(tmp_path / "deliveries.jsonl"))
    config = load_config()
    for _ in range(2):  # the same request queued twice is one notice
        sending = queue_handoff_notice(CONVERSATION, NOON, wait_seconds=180, console_url="https://sales.example/sales")
        if sending is not None:
            sending.result(timeout=30)
    records = [r for r in DeliveryLog(config.deliveries_path).load() if r["event"] == HANDOFF_WAITING]
    assert [r["state"] for r in records] == ["sent"]
    assert len(fake_server.received) == 1
    text = fake_server.received[0].body["text"]
    assert "asking for a person" in text and "<https://sales.example/sales|the sales console>" in text
    assert "after 3 minutes" in text and CONVERSATION not in text  # a ref, never the id itself

    monkeypatch.delenv("SALES_SLACK_WEBHOOK_URL")
    assert queue_handoff_notice(CONVERSATION, NOON + timedelta(hours=1), wait_seconds=180) is None
