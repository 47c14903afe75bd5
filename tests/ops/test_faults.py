"""Faults a production advisor meets: the action server dies, PostgreSQL restarts, a huge message.

One real stack (action server + `python -m serving run`) whose tracker store is PostgreSQL,
reached through a loopback TCP proxy that the tests stop and start: that is a database
restart as Rasa sees it (every connection cut, new ones refused), without touching the
shared server.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from advisor.inputs import MAX_MESSAGE_CHARS, reply
from serving.guard import HARD_LIMIT_CHARS, TROUBLE_REPLY
from tests.support.leads_testkit import TcpProxy
from tests.support.ops_support import (
    CONVERSATIONS,
    assert_stored_once_in_order,
    pg_address,
    pg_schema,
    reply_texts,
    stored_events,
    tracker_url,
)
from tests.support.stack import Stack, _stop, conversation, running_stack, start_actions, wait_for

LEAKS = ("Traceback", "Exception", "Error", "webhook")


@pytest.fixture(scope="module")
def proxy() -> Iterator[TcpProxy]:
    forwarder = TcpProxy(pg_address())
    forwarder.start()
    yield forwarder
    forwarder.stop()


@pytest.fixture(scope="module")
def schema() -> Iterator[str]:
    with pg_schema("ops_faults") as name:
        yield name


def proxied_tracker_env(proxy: TcpProxy, schema: str) -> dict[str, str]:
    """A PostgreSQL tracker store reached through ``proxy`` (so the test can cut it off)."""
    return {
        "TRACKER_DIALECT": "postgresql",
        "TRACKER_URL": tracker_url(host="127.0.0.1", port=proxy.port),
        "POSTGRESQL_SCHEMA": schema,
        "TRACKER_RETRY_SECONDS": "30",
    }


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory, proxy: TcpProxy, schema: str) -> Iterator[Stack]:
    env = proxied_tracker_env(proxy, schema)
    with running_stack(tmp_path_factory.mktemp("faults"), extra_env=env) as running:
        yield running


def _sender(name: str) -> str:
    return f"ops-{name}-{uuid.uuid4().hex[:8]}"


def _texts(replies: list[dict[str, Any]]) -> list[str]:
    texts = reply_texts(replies)
    leaked = [t for t in texts if any(word in t for word in LEAKS)]
    assert not leaked, f"a reply leaks an error: {leaked}"
    return texts


def _restart_actions(stack: Stack) -> None:
    port = int(stack.action_url.rsplit(":", 1)[1])
    stack.processes[0] = start_actions(stack.env, stack.workdir, port, log="actions-2.log")
    wait_for(f"{stack.action_url}/health", proc=stack.processes[0])


def test_with_the_action_server_down_the_user_is_asked_to_try_again(stack: Stack, schema: str) -> None:
    turns, expected = CONVERSATIONS["bpo"]
    sender = _sender("actions-down")
    assert any(t.strip() for t in _texts(stack.say(sender, turns[0])))

    _stop(stack.processes[0])  # the action server goes away
    assert _texts(stack.say(sender, turns[1])) == [TROUBLE_REPLY], "one short apology, nothing else"
    assert _texts(stack.say(sender, turns[1])) == [TROUBLE_REPLY], "still down: same apology"

    _restart_actions(stack)
    replies = _texts(stack.say(sender, turns[1]))  # the user tries again
    assert TROUBLE_REPLY not in replies and any(t.strip() for t in replies)
    for turn in turns[2:]:
        assert TROUBLE_REPLY not in _texts(stack.say(sender, turn))
    tracker = stack.tracker(sender)
    assert tracker["slots"]["recommendation"] == expected
    # The turns that could not run were not stored: the conversation reads as if the
    # user had sent each message once.
    assert_stored_once_in_order(stored_events(schema, conversation(sender)), turns)


def test_a_postgresql_restart_mid_conversation_loses_no_turn(stack: Stack, proxy: TcpProxy, schema: str) -> None:
    turns, expected = CONVERSATIONS["kpo"]
    sender = _sender("pg-restart")
    assert any(t.strip() for t in _texts(stack.say(sender, turns[0])))

    # A quick restart: every pooled connection dies; the next turn must not notice.
    proxy.stop()
    proxy.start()
    replies = _texts(stack.say(sender, turns[1]))
    assert TROUBLE_REPLY not in replies and any(t.strip() for t in replies)

    # A longer outage: the turn sent while the database is down waits for it.
    proxy.stop()
    result: dict[str, Any] = {}

    def send() -> None:
        started = time.monotonic()
        result["replies"] = stack.say(sender, turns[2])
        result["seconds"] = time.monotonic() - started

    sender_thread = threading.Thread(target=send)
    sender_thread.start()
    time.sleep(4)
    assert sender_thread.is_alive(), "the turn was answered while the database was down"
    proxy.start()
    sender_thread.join(timeout=60)
    assert "replies" in result, "the turn never came back"
    replies = _texts(result["replies"])
    assert TROUBLE_REPLY not in replies and any(t.strip() for t in replies)
    assert result["seconds"] >= 4

    assert TROUBLE_REPLY not in _texts(stack.say(sender, turns[3]))
    assert stack.tracker(sender)["slots"]["recommendation"] == expected
    assert_stored_once_in_order(stored_events(schema, conversation(sender)), turns)


def test_a_message_over_the_length_limit_gets_a_polite_answer(stack: Stack, schema: str) -> None:
    turns, expected = CONVERSATIONS["bpo"]
    sender = _sender("long")
    long_message = (turns[0] + ". ") * (MAX_MESSAGE_CHARS // len(turns[0]) + 5)
    assert len(long_message) > MAX_MESSAGE_CHARS
    replies = _texts(stack.say(sender, long_message))
    assert reply("too_long") in replies, f"no word about the length: {replies}"
    assert len(replies) >= 2, "the message is still read: the next question follows"

    huge = "lorem ipsum dolor sit amet " * 40_000  # about a megabyte
    started = time.monotonic()
    replies = _texts(stack.say(sender, huge))
    assert reply("too_long") in replies
    assert time.monotonic() - started < 30
    stored = [e for e in stored_events(schema, conversation(sender)) if e.get("event") == "user"]
    assert len(stored[-1]["text"]) == HARD_LIMIT_CHARS, "the megabyte was cut before NLU and storage"

    for turn in turns[1:]:
        stack.say(sender, turn)
    assert stack.tracker(sender)["slots"]["recommendation"] == expected


# --- an outage longer than the conversation lock ---------------------------------------------

LOCK_LIFETIME = 10  # seconds; Rasa's default is 60


@pytest.fixture(scope="module")
def short_lock_stack(tmp_path_factory: pytest.TempPathFactory, proxy: TcpProxy, schema: str) -> Iterator[Stack]:
    """A stack whose conversation lock lives LOCK_LIFETIME seconds, with the production retry setting."""
    # TRACKER_RETRY_SECONDS (30) is more than the lock allows: the store must bound it itself.
    env = {**proxied_tracker_env(proxy, schema), "TICKET_LOCK_LIFETIME": str(LOCK_LIFETIME)}
    with running_stack(tmp_path_factory.mktemp("short-lock"), extra_env=env) as running:
        yield running


def test_an_outage_longer_than_the_lock_never_lets_two_turns_overlap(
    short_lock_stack: Stack, proxy: TcpProxy, schema: str
) -> None:
    """Two messages of one conversation while the database is down for longer than the lock lives.

    Each turn gives up before its lock expires and answers with the apology; neither runs on an
    empty tracker nor alongside the other, nothing half-done is stored, and once the database is
    back the conversation carries on from its last stored turn.
    """
    stack = short_lock_stack
    turns, expected = CONVERSATIONS["kpo"]
    sender = _sender("lock-outage")
    assert TROUBLE_REPLY not in _texts(stack.say(sender, turns[0]))

    proxy.stop()
    results: dict[int, list[dict[str, Any]]] = {}

    def send(index: int) -> None:
        results[index] = stack.say(sender, turns[index])

    senders = [threading.Thread(target=send, args=(index,)) for index in (1, 2)]
    try:
        for thread in senders:
            thread.start()
        for thread in senders:
            thread.join(timeout=LOCK_LIFETIME + 5)  # the outage: longer than the lock lives
        answered_while_down = {index for index, thread in zip((1, 2), senders, strict=True) if not thread.is_alive()}
    finally:
        proxy.start()
    for thread in senders:
        thread.join(timeout=60)
    assert answered_while_down == {1, 2}, "a turn kept waiting for the database past its lock"
    assert _texts(results[1]) == [TROUBLE_REPLY] and _texts(results[2]) == [TROUBLE_REPLY]

    # Nothing of the two failed turns was stored, and no turn started the conversation afresh.
    events = stored_events(schema, conversation(sender))
    assert_stored_once_in_order(events, turns[:1])
    assert sum(e.get("event") == "session_started" for e in events) == 1

    for turn in turns[1:]:  # the user sends them again
        assert TROUBLE_REPLY not in _texts(stack.say(sender, turn))
    assert stack.tracker(sender)["slots"]["recommendation"] == expected
    assert_stored_once_in_order(stored_events(schema, conversation(sender)), turns)
