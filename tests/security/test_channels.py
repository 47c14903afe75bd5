"""Channels against a real Rasa server configured as `make run` does, with REST_TOKEN unset.

* REST is off: its URL answers 404 (a token-protected REST channel is tested with Slack in
  tests/slack/test_slack.py, where both channels run side by side).
* socket.io: a client that claims another visitor's conversation id (as it appears in
  logs, the tracker store or lead exports) neither receives that visitor's replies nor
  writes into their conversation; the visitor's own browser (holding the session token the
  server issued) carries on its conversation after a reconnect. Whatever odd session id a
  client offers (spaces, slashes, 500 characters, not a string), it gets a token of the
  server's and a working conversation.
* message metadata keeps only small known fields, and page URLs lose query and fragment.
* the published advisories of the pinned python-socketio 5.9.0 / python-engineio 4.7.1 are
  mitigated: binary packets and oversized messages close the socket, pings are bounded, and
  no message queue is used.
"""

from __future__ import annotations

import asyncio
import json

import pytest

from serving.channels import (
    SESSION_TOKEN,
    SOCKET_MESSAGE_MAX_BYTES,
    NamespacedSocketIOInput,
    install,
    socketio_conversation_id,
)
from serving.erasure import ERASED
from tests.support.socketio_client import (
    Visitor,
    conversation_ids,
    new_conversation,
    rest_status,
    turns_done,
    user_events,
    user_texts,
    wait_until,
)
from tests.support.stack import Stack

OPENING = "Hi, we need payroll and bookkeeping handled, budget is tight, about 2k a month"


def test_rest_is_off_without_rest_token(widget_stack: Stack) -> None:
    assert rest_status(widget_stack) == 404
    assert rest_status(widget_stack, {"Authorization": "Bearer anything"}) == 404


@pytest.mark.asyncio
async def test_a_claimed_session_id_does_not_join_another_visitors_conversation(widget_stack: Stack) -> None:
    alice = await Visitor(widget_stack).connect()
    mallory = await Visitor(widget_stack).connect()
    try:
        alice_token = await alice.session()
        before = conversation_ids(widget_stack)
        await alice.say(OPENING, session_id=alice_token)
        alice_conversation = await new_conversation(widget_stack, before)
        await wait_until(lambda: turns_done(widget_stack, alice_conversation, 1), "Alice's first turn")
        assert alice.replies, "Alice got no reply"

        # Mallory knows Alice's conversation id (or its last part) and claims it.
        for claimed in (alice_conversation, alice_conversation.rpartition(":")[2]):
            given = await mallory.session(claimed)
            assert given not in (claimed, alice_token)
        mallory_token = given

        # Alice carries on: none of her replies reach Mallory.
        seen = len(alice.replies)
        await alice.say("Business hours are enough.", session_id=alice_token)
        await wait_until(lambda: turns_done(widget_stack, alice_conversation, 2), "Alice's second turn")
        await alice.session(alice_token)  # barrier: Alice has everything sent to her
        assert len(alice.replies) > seen
        assert await mallory.session(mallory_token) == mallory_token  # barrier for Mallory
        assert mallory.replies == [], "Mallory received Alice's replies"

        # Mallory's message naming Alice's conversation stays in Mallory's own.
        seen = len(alice.replies)
        before = conversation_ids(widget_stack)
        await mallory.say("delete my data", session_id=alice_conversation)
        mallory_conversation = await new_conversation(widget_stack, before)
        await wait_until(lambda: turns_done(widget_stack, mallory_conversation, 1), "Mallory's turn")
        assert user_texts(widget_stack, alice_conversation) == [OPENING, "Business hours are enough."]
        # The request reached Mallory's own conversation and erased it there (serving/erasure.py
        # keeps the intent, not the text); Alice's, above, is intact and not marked deleted.
        said = user_events(widget_stack, mallory_conversation)
        assert [(e["text"], e["parse_data"]["intent"]["name"]) for e in said] == [(ERASED, "delete_my_data")]
        assert widget_stack.conversation_tracker(mallory_conversation)["slots"]["lead_status"] == "deleted"
        assert widget_stack.conversation_tracker(alice_conversation)["slots"]["lead_status"] != "deleted"
        await alice.session(alice_token)
        assert len(alice.replies) == seen, "Alice received replies to Mallory's message"
    finally:
        await alice.close()
        await mallory.close()

    # Alice's browser reconnects (e.g. after a reload) with the token it holds: same conversation.
    again = await Visitor(widget_stack).connect()
    try:
        assert await again.session(alice_token) == alice_token
        await again.say("yes we have the know-how")
        await wait_until(lambda: turns_done(widget_stack, alice_conversation, 3), "Alice's third turn")
        assert user_texts(widget_stack, alice_conversation)[-1] == "yes we have the know-how"
        assert again.replies
    finally:
        await again.close()


ODD_SESSION_IDS = {
    "spaces": "e2e-business hours-1234",
    "dot_dot": "../x",
    "other_scripts_and_slashes": "Zoë/日本語/🙂",
    "quotes": "q\"x'",
    "500_characters": "L" * 500,
    "empty": "",
    "none": None,
    "number": 1234,
    "list": ["x"],
}


@pytest.mark.asyncio
@pytest.mark.parametrize("name", list(ODD_SESSION_IDS), ids=list(ODD_SESSION_IDS))
async def test_an_odd_session_id_gets_a_token_of_the_servers_and_a_whole_turn(widget_stack: Stack, name: str) -> None:
    """A socket.io client cannot name its conversation: whatever it offers, the server issues the id."""
    offered = ODD_SESSION_IDS[name]
    visitor = await Visitor(widget_stack).connect()
    try:
        token = await visitor.session(offered)
        assert isinstance(token, str) and SESSION_TOKEN.fullmatch(token) and token != offered
        before = conversation_ids(widget_stack)
        await visitor.say(OPENING, session_id=offered)
        conversation = await new_conversation(widget_stack, before)
        assert conversation == socketio_conversation_id(token)
        await wait_until(lambda: turns_done(widget_stack, conversation, 1), "the visitor's first turn")
        await visitor.session(token)  # barrier: the visitor has everything sent to it
        assert visitor.replies, "no reply on the socket"
        assert user_texts(widget_stack, conversation) == [OPENING]
    finally:
        await visitor.close()


@pytest.mark.asyncio
async def test_message_metadata_is_capped_to_known_small_fields(widget_stack: Stack) -> None:
    """Metadata is stored with every message and sent with the tracker on every action call."""
    visitor = await Visitor(widget_stack).connect()
    try:
        token = await visitor.session()
        before = conversation_ids(widget_stack)
        sent = [
            {  # known keys kept, the page address without user info, query string and fragment
                "page_url": "https://jane:pw@shop.example:8443/pricing?email=jane%40example.com&t=s3cret#top",
                "language": "en-GB",
                "widget_version": "1.0.0",
                "cookies": "session=s3cret",
                "nested": {"a": [1, 2, 3]},
            },
            {"page_url": "https://shop.example/", "padding": "x" * 30_000},  # too big: dropped whole
            json.dumps({"page_url": "http://shop.example/a?b#c", "language": "de"}),  # JSON text
            {"page_url": "javascript:alert(1)", "language": "l" * 100},  # not a page, too long
        ]
        for number, metadata in enumerate(sent, start=1):
            await visitor.say(f"message {number}", metadata=metadata)
            if number == 1:
                conversation = await new_conversation(widget_stack, before)
            await wait_until(lambda n=number, c=conversation: turns_done(widget_stack, c, n), f"turn {number}")
        assert conversation == socketio_conversation_id(token)
        rasa_own = ("model_id", "assistant_id")  # Rasa adds these to every user message
        stored = [
            {k: v for k, v in (event.get("metadata") or {}).items() if k not in rasa_own}
            for event in user_events(widget_stack, conversation)
        ]
        assert stored == [
            {"page_url": "https://shop.example:8443/pricing", "language": "en-GB", "widget_version": "1.0.0"},
            {},
            {"page_url": "http://shop.example/a", "language": "de"},
            {},
        ]
        assert "s3cret" not in json.dumps(widget_stack.conversation_tracker(conversation))
    finally:
        await visitor.close()


# --- the pinned python-socketio 5.9.0 / python-engineio 4.7.1 --------------------------------


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("what", "payload"),
    [
        ("a binary packet (CVE-2026-48804)", {"message": "hi", "blob": b"\x00" * 16}),
        ("a message above the size limit", {"message": "x" * (SOCKET_MESSAGE_MAX_BYTES + 1)}),
    ],
)
async def test_the_socket_is_closed_on(widget_stack: Stack, what: str, payload: dict) -> None:
    attacker = await Visitor(widget_stack).connect()
    visitor = await Visitor(widget_stack).connect()
    try:
        await attacker.session()
        await attacker.client.emit("user_uttered", payload)
        await asyncio.wait_for(attacker.disconnected.wait(), timeout=30)
        token = await visitor.session()  # the server still serves everyone else
        assert SESSION_TOKEN.fullmatch(token)
    finally:
        await attacker.close()
        await visitor.close()


def test_the_socketio_server_uses_no_message_queue() -> None:
    """CVE-2025-61765 (pickled messages on a socket.io message queue) needs a queue-backed
    client manager; the channel uses the in-memory one."""
    from socketio.asyncio_manager import AsyncManager

    channel = NamespacedSocketIOInput.from_credentials({})
    channel.blueprint(lambda message: None)
    assert type(channel.sio.manager) is AsyncManager
    assert channel.sio.eio.max_http_buffer_size == SOCKET_MESSAGE_MAX_BYTES


@pytest.mark.asyncio
async def test_a_flood_of_pongs_schedules_one_ping(monkeypatch: pytest.MonkeyPatch) -> None:
    """CVE-2026-48802: python-engineio < 4.13.2 starts a sleeping ping task per PONG received."""
    import engineio
    from engineio import asyncio_socket, packet

    install()
    server = engineio.AsyncServer(async_mode="sanic")
    started: list = []
    monkeypatch.setattr(server, "start_background_task", lambda task, *a, **k: started.append(task))
    socket = asyncio_socket.AsyncSocket(server, "sid-1")
    socket.schedule_ping()  # as on connect
    for _ in range(1000):
        await socket.receive(packet.Packet(packet.PONG))
    assert len(started) == 1
