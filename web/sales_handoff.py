"""The live hand-off in the sales console: presence, the waiting list, taking a chat, talking, handing back.

Routes on web/sales.py's API (cookie session or bearer token; CSRF-checked writes):

    POST /sales/api/presence                 heartbeat: this rep has the console open (web/sales/handoff.js, every 15 s)
    GET  /sales/api/handoffs                 waiting and active live chats, the hours, who is signed in
    POST /sales/api/handoffs/{id}/take       take a waiting visitor: the assistant pauses, the visitor hears who joined
    GET  /sales/api/handoffs/{id}/messages   the conversation, as the lead page shows it (?after=N: from turn N on)
    POST /sales/api/handoffs/{id}/messages   {"text": ...} from the rep who took it: to the visitor's widget
    POST /sales/api/handoffs/{id}/release    hand back: the assistant carries on where the conversation was

The state (who is signed in, who waits, who took whom) is in the lead database
(leads/handoff.py), which the action server reads to decide whether a person can join.
The conversation itself is changed only through Rasa's HTTP API (``RASA_URL``, with
``RASA_AUTH_TOKEN``, server side), under Rasa's conversation lock, with Rasa's own events:

* take: ``ReminderCancelled`` (the wait's timeout), ``ConversationPaused``, and a
  ``BotUttered`` saying who joined;
* a rep's message: a ``BotUttered`` whose metadata names the rep (``rep``, which the
  transcript reads, and ``{"handoff": {"event": "message", "person": ...}}``), and
  ``output_channel=socketio`` with ``execute_side_effects`` sends it to the visitor's socket.io
  room; serving/channels.py passes the label on and web/widget.js shows it as from a person;
* release: a ``BotUttered`` saying the rep left, ``ConversationResumed``, then the intent
  ``EXTERNAL_handoff_ended``, whose rules (data/rules/handoff.yml) resume the assistant.

While the conversation is paused Rasa still stores what the visitor types (it only stops
answering); the console reads it back by polling the tracker.
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from datetime import datetime, timezone
from http import HTTPStatus
from typing import Any
from urllib.parse import quote, urlencode

import project
from sales import (
    RASA_TIMEOUT_SECONDS,
    ApiError,
    Handler,
    SalesConsole,
    _conversation_id,
    _query,
    read_json,
    route,
    send_json,
)

project.on_path()

from advisor.texts import say  # noqa: E402 - leads/ and advisor/ are importable now
from leads.handoff import SalesDesk, desk_settings  # noqa: E402
from leads.sales_hours import hours_from_env  # noqa: E402

MESSAGE_MAX_CHARS = 2000
"""Longest message a rep can send (the widget's own limit for visitors)."""
ENDED_INTENT = "EXTERNAL_handoff_ended"
TIMEOUT_INTENT = "EXTERNAL_handoff_timeout"
"""The intent of the wait's reminder (actions/handoff.py), by which a take cancels it: its name
is the conversation's own, and Rasa cancels only this conversation's reminders anyway."""
CONVERSATION = r"handoffs/([^/]+)"

log = logging.getLogger("sales")


# --- Rasa's HTTP API ------------------------------------------------------------------------


def _rasa_post(console: SalesConsole, conversation_id: str, tail: str, body: Any, **params: str) -> None:
    """POST to the conversation on Rasa's HTTP API; ApiError (502/503) when that fails."""
    settings = console.settings
    if not settings.rasa_token:
        raise ApiError(HTTPStatus.SERVICE_UNAVAILABLE, "the web server has no RASA_AUTH_TOKEN to reach the assistant")
    query = urlencode({**params, "token": settings.rasa_token})
    url = f"{settings.rasa_url}/conversations/{quote(conversation_id, safe=':@')}/{tail}?{query}"
    request = urllib.request.Request(
        url, data=json.dumps(body).encode("utf-8"), headers={"Content-Type": "application/json"}, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=RASA_TIMEOUT_SECONDS) as response:
            response.read()
    except urllib.error.HTTPError as error:
        log.error("sales console: Rasa answered %s to a hand-off change", error.code)
        raise ApiError(HTTPStatus.BAD_GATEWAY, f"the assistant refused the change (HTTP {error.code})") from None
    except OSError as error:
        log.error("sales console: Rasa unreachable for a hand-off change: %s", type(error).__name__)
        raise ApiError(HTTPStatus.BAD_GATEWAY, "the assistant could not be reached; try again") from None


def tell_rasa(console: SalesConsole, conversation_id: str, events: Sequence[Mapping[str, Any]]) -> None:
    """Add events to the conversation; its bot messages go out on the widget's socket.io channel."""
    _rasa_post(
        console, conversation_id, "tracker/events", list(events), output_channel="socketio", execute_side_effects="true"
    )


def hand_back(console: SalesConsole, conversation_id: str) -> None:
    """Let the assistant's rules carry on (``EXTERNAL_handoff_ended``), answering on the widget."""
    _rasa_post(console, conversation_id, "trigger_intent", {"name": ENDED_INTENT}, output_channel="socketio")


def conversation_turns(console: SalesConsole, conversation_id: str) -> list[dict[str, Any]]:
    """The transcript as the lead page shows it (web/sales.py), read through Rasa's HTTP API."""
    turns, problem = console.transcript(conversation_id)
    if turns is None:
        raise ApiError(HTTPStatus.BAD_GATEWAY, problem or "the transcript could not be read")
    return turns


def desk(console: SalesConsole) -> SalesDesk:
    return SalesDesk(console.data().store)


def said_by(person: str, event: str, text: str) -> dict[str, Any]:
    """A bot message of the hand-off: ``handoff`` labels it for the widget (serving/channels.py);
    a rep's own words also carry ``rep``, which the transcript reads (web/sales.py)."""
    metadata: dict[str, Any] = {"handoff": {"event": event, "person": person}}
    if event == "message":
        metadata["rep"] = person
    return {"event": "bot", "text": text, "metadata": metadata}


# --- routes ---------------------------------------------------------------------------------


@route("POST", r"presence")
def api_presence(console: SalesConsole, handler: Handler, rep: str, match: Any) -> None:
    desk(console).heartbeat(rep)
    send_json(handler, HTTPStatus.OK, {"rep": rep, "every_seconds": 15})


@route("GET", r"handoffs")
def api_handoffs(console: SalesConsole, handler: Handler, rep: str, match: Any) -> None:
    sales_desk = desk(console)
    hours = hours_from_env()
    now = datetime.now(timezone.utc)
    send_json(
        handler,
        HTTPStatus.OK,
        {
            "handoffs": [h.as_json() | {"mine": h.taken_by == rep} for h in sales_desk.open_handoffs()],
            "reps": sales_desk.signed_in(desk_settings().presence_seconds),
            "open": hours.is_open(now),
            "hours": hours.describe(),
            "now": now.isoformat(),
        },
    )


def _own(console: SalesConsole, conversation_id: str, rep: str) -> None:
    """ApiError unless ``rep`` has this visitor now."""
    handoff = desk(console).get(conversation_id)
    if handoff is None or handoff.state != "active" or handoff.taken_by != rep:
        raise ApiError(HTTPStatus.CONFLICT, "this chat is not yours: take it from the waiting list first")


@route("POST", CONVERSATION + r"/take")
def api_take(console: SalesConsole, handler: Handler, rep: str, match: Any) -> None:
    conversation_id = _conversation_id(match)
    sales_desk = desk(console)
    if not sales_desk.take(conversation_id, rep):
        raise ApiError(HTTPStatus.CONFLICT, "this visitor is no longer waiting (another rep took it, or time ran out)")
    events = [
        {"event": "cancel_reminder", "intent": TIMEOUT_INTENT},
        {"event": "pause"},
        said_by(rep, "joined", say("handoff.joined", person=rep)),
    ]
    try:
        tell_rasa(console, conversation_id, events)
    except ApiError:
        sales_desk.untake(conversation_id, rep)  # the assistant still talks: let another try
        raise
    send_json(handler, HTTPStatus.OK, {"handoff": sales_desk.get(conversation_id).as_json()})  # type: ignore[union-attr]


@route("GET", CONVERSATION + r"/messages")
def api_messages(console: SalesConsole, handler: Handler, rep: str, match: Any) -> None:
    conversation_id = _conversation_id(match)
    if desk(console).get(conversation_id) is None:
        raise ApiError(HTTPStatus.NOT_FOUND, "no live chat with this conversation")
    raw = _query(handler).get("after", "0")
    if not raw.isdigit():
        raise ApiError(HTTPStatus.BAD_REQUEST, "after must be the number of turns already shown")
    turns = conversation_turns(console, conversation_id)
    send_json(handler, HTTPStatus.OK, {"turns": turns[int(raw) :], "count": len(turns)})


@route("POST", CONVERSATION + r"/messages")
def api_send(console: SalesConsole, handler: Handler, rep: str, match: Any) -> None:
    conversation_id = _conversation_id(match)
    text = read_json(handler).get("text")
    if not isinstance(text, str) or not text.strip():
        raise ApiError(HTTPStatus.BAD_REQUEST, "text must be a non-empty string")
    text = text.strip()
    if len(text) > MESSAGE_MAX_CHARS:
        raise ApiError(HTTPStatus.BAD_REQUEST, f"a message may be at most {MESSAGE_MAX_CHARS} characters")
    if any(ord(ch) < 32 and ch not in "\n\t" for ch in text):
        raise ApiError(HTTPStatus.BAD_REQUEST, "the message has control characters")
    _own(console, conversation_id, rep)
    tell_rasa(console, conversation_id, [said_by(rep, "message", text)])
    send_json(handler, HTTPStatus.OK, {"sent": True})


@route("POST", CONVERSATION + r"/release")
def api_release(console: SalesConsole, handler: Handler, rep: str, match: Any) -> None:
    conversation_id = _conversation_id(match)
    _own(console, conversation_id, rep)
    tell_rasa(console, conversation_id, [said_by(rep, "left", say("handoff.left", person=rep)), {"event": "resume"}])
    desk(console).end(conversation_id)
    hand_back(console, conversation_id)
    send_json(handler, HTTPStatus.OK, {"released": True})
