"""Live hand-off end to end, at the protocol level: a socket.io visitor (the widget's protocol),
the real Rasa and action servers, the sales console's API (web/serve.py) and a fake Slack.

The two-browser version is tests/browser/test_handoff_browser.py; this one checks what the
browsers cannot see: Rasa's pause and resume, the cancelled reminder, the desk's states and
the Slack notice.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from leads.delivery_log import conversation_ref
from leads.handoff import SalesDesk
from leads.store import LeadStore
from serving.channels import socketio_conversation_id
from tests.support.common import QuietHandler, serve_http
from tests.support.sales_desk import ALWAYS_OPEN, Rep
from tests.support.sales_support import new_token, start_console
from tests.support.socketio_client import Visitor, wait_until
from tests.support.stack import Stack, require_model, running_stack

WAIT_SECONDS = 15
BUDGET_QUESTION = "What budget do you have in mind?"
EXPERTISE_QUESTION = "Does your team already have the know-how"


@pytest.fixture(scope="module")
def slack_posts() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """A stand-in for the Slack incoming webhook on loopback: the JSON bodies it was sent."""
    posts: list[dict[str, Any]] = []

    class Handler(QuietHandler):
        def do_POST(self) -> None:
            posts.append(json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0)))))
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"ok")

    with serve_http(Handler) as url:
        yield url, posts


@pytest.fixture(scope="module")
def desk_stack(tmp_path_factory: pytest.TempPathFactory, slack_posts) -> Iterator[Stack]:
    require_model()
    env = {
        **ALWAYS_OPEN,
        "HANDOFF_WAIT_SECONDS": str(WAIT_SECONDS),
        "SALES_PRESENCE_SECONDS": "600",
        "SALES_SLACK_WEBHOOK_URL": slack_posts[0] + "/slack",
        "SALES_CONSOLE_URL": "https://sales.example/sales",
    }
    with running_stack(tmp_path_factory.mktemp("handoff-stack"), extra_env=env) as stack:
        yield stack


@pytest.fixture(scope="module")
def console(desk_stack: Stack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """web/serve.py with the sales console on, next to the stack: (its URL, the sales token)."""
    token = new_token()
    server = start_console(desk_stack, token, tmp_path_factory.mktemp("handoff-web") / "web.log", **ALWAYS_OPEN)
    yield server.url, token
    server.stop()


def desk_of(stack: Stack) -> SalesDesk:
    return SalesDesk(LeadStore(path=Path(stack.env["LEADS_DB_PATH"])))


def texts(visitor: Visitor) -> list[str]:
    return [r.get("text") or "" for r in visitor.replies]


def said(visitor: Visitor, words: str) -> list[dict[str, Any]]:
    return [r for r in visitor.replies if words.lower() in (r.get("text") or "").lower()]


def quick_replies_after(visitor: Visitor, reply: dict[str, Any]) -> list[str]:
    """The titles of the quick replies the visitor has received since `reply` (so far)."""
    later = visitor.replies[visitor.replies.index(reply) + 1 :]
    return [button["title"] for r in later for button in r.get("quick_replies") or []]


def labelled(visitor: Visitor, event: str) -> list[dict[str, Any]]:
    return [r for r in visitor.replies if (r.get("handoff") or {}).get("event") == event]


async def ask_for_a_person(stack: Stack, text: str) -> tuple[Visitor, str, str]:
    """A widget visitor who asks for a person and hears that someone is joining: (visitor, token, conversation)."""
    visitor = await Visitor(stack).connect()
    token = await visitor.session()
    await visitor.say(text)
    await wait_until(lambda: said(visitor, "join this chat"), "the visitor hearing that someone joins")
    return visitor, token, socketio_conversation_id(token)


async def test_a_rep_takes_over_talks_and_hands_back(desk_stack: Stack, console, slack_posts) -> None:
    web_url, token = console
    sam, ana = Rep(web_url, token, "Sam Rivera"), Rep(web_url, token, "Ana")
    await asyncio.to_thread(sam.heartbeat)

    visitor = await Visitor(desk_stack).connect()
    session = await visitor.session()
    conversation = socketio_conversation_id(session)
    await visitor.say("We need contract review and market research done.")
    await wait_until(lambda: said(visitor, BUDGET_QUESTION), "the advisor's budget question")
    await visitor.say("Can I talk to a person?")
    await wait_until(lambda: said(visitor, "join this chat"), "the visitor hearing that someone joins")

    # On the console's waiting list, and the sales Slack channel heard of it (no personal data).
    assert await asyncio.to_thread(sam.state_of, conversation) == "waiting"
    post = await wait_until(lambda: [p for p in slack_posts[1] if conversation_ref(conversation) in p["text"]], "Slack")
    assert "asking for a person" in post[0]["text"] and conversation not in post[0]["text"]

    # Sam takes it (Ana is too late); the assistant pauses and the visitor hears who joined.
    taken = await asyncio.to_thread(sam.take, conversation)
    assert taken.status_code == 200, taken.text
    assert (await asyncio.to_thread(ana.take, conversation)).status_code == 409
    joined = await wait_until(lambda: labelled(visitor, "joined"), "the visitor hearing who joined")
    assert joined[0] == {
        "text": "Sam Rivera from our sales team has joined the chat.",
        "handoff": {"event": "joined", "person": "Sam Rivera"},
    }
    assert desk_stack.conversation_tracker(conversation)["paused"] is True

    # What the visitor types reaches the console, and the assistant stays silent.
    before = len(visitor.replies)
    question = "Hi Sam, what would contract review cost us?"
    await visitor.say(question)
    await wait_until(
        lambda: [t for t in sam.turns(conversation) if t["speaker"] == "visitor" and t["text"] == question],
        "the rep seeing the visitor's message",
    )
    await visitor.session(session)  # a barrier: everything the server sent before has arrived
    assert visitor.replies[before:] == []
    events = desk_stack.conversation_tracker(conversation)["events"]
    after_question = events[[e.get("text") for e in events].index(question) + 1 :]
    assert not [e for e in after_question if e["event"] in ("bot", "action")], after_question

    # What the rep types reaches the visitor, labelled as from a person; only the rep who took it can.
    answer = "Hello! I'm Sam. Contract review usually starts around 4,000 USD a month.\n\nShall I send details?"
    sent = await asyncio.to_thread(sam.send, conversation, answer)
    assert sent.status_code == 200, sent.text
    messages = await wait_until(lambda: len(labelled(visitor, "message")) >= 2 and labelled(visitor, "message"), "rep")
    assert [m["text"] for m in messages] == [
        "Hello! I'm Sam. Contract review usually starts around 4,000 USD a month.",
        "Shall I send details?",
    ]
    assert all(m["handoff"] == {"event": "message", "person": "Sam Rivera"} for m in messages)
    assert (await asyncio.to_thread(ana.send, conversation, "hi")).status_code == 409
    assert (await asyncio.to_thread(sam.send, conversation, "   ")).status_code == 400

    # Everything said is in the transcript, in order, the rep's words under the rep's name.
    turns = await asyncio.to_thread(sam.turns, conversation)
    order = [(t["speaker"], t["text"]) for t in turns]
    asked = order.index(("visitor", "Can I talk to a person?"))
    assert order.index(("assistant", joined[0]["text"])) > asked
    assert order.index(("visitor", question)) > order.index(("assistant", joined[0]["text"]))
    assert order[-1] == ("rep", answer) and turns[-1]["name"] == "Sam Rivera"
    assert not [t for t in turns if t["text"].startswith("EXTERNAL")]

    # Sam hands back: the assistant resumes with the question that was open.
    released = await asyncio.to_thread(sam.release, conversation)
    assert released.status_code == 200, released.text
    await wait_until(lambda: len(said(visitor, BUDGET_QUESTION)) == 2, "the open question asked again")
    assert labelled(visitor, "left")[0]["text"] == "Sam Rivera has handed you back to me, the automated advisor."
    after_release = texts(visitor)[visitor.replies.index(labelled(visitor, "left")[0]) :]
    assert after_release[1] == "Let's carry on where we were." and BUDGET_QUESTION in after_release[2]
    assert desk_stack.conversation_tracker(conversation)["paused"] is False
    assert (await asyncio.to_thread(desk_of(desk_stack).get, conversation)).state == "ended"  # type: ignore[union-attr]
    assert await asyncio.to_thread(sam.state_of, conversation) is None  # off the list
    assert (await asyncio.to_thread(sam.release, conversation)).status_code == 409

    await visitor.say("Flexible, about 25,000 dollars a month.")
    await wait_until(lambda: said(visitor, EXPERTISE_QUESTION), "the advisor's next question")
    await visitor.close()


async def test_nobody_takes_the_chat_in_time(desk_stack: Stack, console) -> None:
    web_url, token = console
    sam = Rep(web_url, token, "Sam Rivera")
    await asyncio.to_thread(sam.heartbeat)

    # One visitor is taken at once (its timeout is cancelled), the other waits in vain.
    taken_visitor, taken_token, taken = await ask_for_a_person(desk_stack, "I'd like to speak to a real person")
    assert (await asyncio.to_thread(sam.take, taken)).status_code == 200
    visitor, _, conversation = await ask_for_a_person(desk_stack, "can you connect me with someone from sales?")

    missed = await wait_until(
        lambda: said(visitor, "nobody from our sales team could join"),
        "the wait running out",
        timeout=WAIT_SECONDS + 60,
    )
    assert "pick a time for the call" in missed[0]["text"]
    # The offer is the next message of the same turn and may still be on its way: wait for it.
    await wait_until(lambda: "Yes, connect me" in quick_replies_after(visitor, missed[0]), "the offer after it")
    assert (await asyncio.to_thread(desk_of(desk_stack).get, conversation)).state == "missed"  # type: ignore[union-attr]
    assert (await asyncio.to_thread(sam.take, conversation)).status_code == 409  # too late now

    # The taken visitor's wait was cancelled with the take: no "nobody came" for them.
    await taken_visitor.session(taken_token)  # a barrier, as above
    assert not said(taken_visitor, "could join")
    intents = [
        (e.get("parse_data") or {}).get("intent", {}).get("name")
        for e in desk_stack.conversation_tracker(taken)["events"]
        if e["event"] == "user"
    ]
    assert "EXTERNAL_handoff_timeout" not in intents

    # The offer works: yes starts the contact questions.
    await visitor.say("/affirm")
    await wait_until(lambda: said(visitor, "what's your full name"), "the first contact question")
    for person in (visitor, taken_visitor):
        await person.close()


async def test_two_visitors_waiting_at_once_each_hear_that_nobody_came(desk_stack: Stack, console) -> None:
    """Each wait keeps its own timer: with one reminder name for all, Rasa filed the second
    visitor's timer in place of the first one's, and the first visitor waited forever."""
    web_url, token = console
    await asyncio.to_thread(Rep(web_url, token, "Sam Rivera").heartbeat)
    first, _, first_id = await ask_for_a_person(desk_stack, "I'd like to speak to a real person")
    second, _, second_id = await ask_for_a_person(desk_stack, "can you connect me with someone from sales?")

    for visitor in (first, second):
        await wait_until(
            lambda visitor=visitor: said(visitor, "nobody from our sales team could join"),
            "the wait running out for each visitor",
            timeout=WAIT_SECONDS + 60,
        )
    for conversation in (first_id, second_id):
        assert (await asyncio.to_thread(desk_of(desk_stack).get, conversation)).state == "missed"  # type: ignore[union-attr]
    for person in (first, second):
        await person.close()
