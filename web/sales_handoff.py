"""The live hand-off in the sales console: presence, the waiting list, taking a chat, talking, handing back.

Routes on web/sales.py's API (cookie session or bearer token; CSRF-checked writes):

    POST /sales/api/presence                 heartbeat: this rep has the console open (web/sales/handoff.js, every 15 s)
    GET  /sales/api/handoffs                 waiting and active live chats, the hours, who is signed in
    POST /sales/api/handoffs/{id}/take       take a waiting visitor: the assistant pauses, the visitor hears who joined
    GET  /sales/api/handoffs/{id}/messages   the conversation (?after=N: only what came after turn N)
    POST /sales/api/handoffs/{id}/messages   {"text": ...} from the rep who took it: to the visitor's widget
    POST /sales/api/handoffs/{id}/release    hand back: the assistant carries on where the conversation was

The state (who is signed in, who waits, who took whom) is in the lead database
(leads/handoff.py), which the action server reads to decide whether a person can join.
The conversation itself is changed only through Rasa's HTTP API (``RASA_URL``, with
``RASA_AUTH_TOKEN``, server side), under Rasa's conversation lock, with Rasa's own events:

* take: ``ReminderCancelled`` (the wait's timeout), ``ConversationPaused``, and a
  ``BotUttered`` saying who joined;
* a rep's message: a ``BotUttered`` whose metadata names the rep
  (``{"handoff": {"event": "message", "person": ...}}``), so it is in the transcript, and
  ``output_channel=socketio`` with ``execute_side_effects`` sends it to the visitor's socket.io
  room; serving/channels.py passes the label on and web/widget.js shows it as from a person;
* release: a ``BotUttered`` saying the rep left, ``ConversationResumed``, then the intent
  ``EXTERNAL_handoff_ended``, whose rules (data/rules/handoff.yml) resume the assistant.

While the conversation is paused Rasa still stores what the visitor types (it only stops
answering); the console reads it back by polling the tracker.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from datetime import datetime, timezone
from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import requests
from sales import RASA_TIMEOUT_SECONDS, ROOT, ApiError, Handler, SalesConsole, _conversation_id, _query, route
from sales import read_json, send_json

if str(ROOT) not in sys.path:  # `python web/serve.py` puts only web/ on the path
    sys.path.append(str(ROOT))

from advisor.texts import say  # noqa: E402 - after the path is set
from leads.handoff import SalesDesk, desk_settings  # noqa: E402
from leads.sales_hours import hours_from_env  # noqa: E402

MESSAGE_MAX_CHARS = 2000
"""Longest message a rep can send (the widget's own limit for visitors)."""
ENDED_INTENT = "EXTERNAL_handoff_ended"
REMINDER_NAME = "handoff_timeout"
CONVERSATION = r"handoffs/([^/]+)"


# --- Rasa's HTTP API ------------------------------------------------------------------------


class RasaAPI:
    """The few calls of Rasa's HTTP API the hand-off needs; errors become ApiError(502)."""

    def __init__(self, url: str, token: str | None) -> None:
        if not token:
            raise ApiError(HTTPStatus.SERVICE_UNAVAILABLE, "the web server has no RASA_AUTH_TOKEN to reach the assistant")
        self.url = url.rstrip("/")
        self.token = token

    def _call(self, method: str, conversation_id: str, tail: str, **kwargs: Any) -> Any:
        where = f"{self.url}/conversations/{quote(conversation_id, safe=':')}/{tail}"
        params = {"token": self.token, **kwargs.pop("params", {})}
        try:
            response = requests.request(method, where, params=params, timeout=RASA_TIMEOUT_SECONDS, **kwargs)
        except requests.RequestException:
            raise ApiError(HTTPStatus.BAD_GATEWAY, "the assistant could not be reached; try again") from None
        if response.status_code >= 400:
            raise ApiError(HTTPStatus.BAD_GATEWAY, f"the assistant refused the change ({response.status_code})")
        return response.json() if response.content else None

    def append(self, conversation_id: str, events: Sequence[Mapping[str, Any]]) -> None:
        """Add events to the conversation; bot messages go out on the widget's socket.io channel."""
        params = {"output_channel": "socketio", "execute_side_effects": "true"}
        self._call("POST", conversation_id, "tracker/events", json=list(events), params=params)

    def trigger(self, conversation_id: str, intent: str) -> None:
        self._call("POST", conversation_id, "trigger_intent", json={"name": intent}, params={"output_channel": "socketio"})

    def events(self, conversation_id: str) -> list[dict[str, Any]]:
        tracker = self._call("GET", conversation_id, "tracker", params={"include_events": "ALL"})
        return list((tracker or {}).get("events") or [])


def rasa(console: SalesConsole) -> RasaAPI:
    return RasaAPI(console.settings.rasa_url, console.settings.rasa_token)


def desk(console: SalesConsole) -> SalesDesk:
    return SalesDesk(console.data().store)


def said_by(person: str, event: str, text: str) -> dict[str, Any]:
    """A bot message spoken during the hand-off, labelled for the widget and the transcript."""
    return {"event": "bot", "text": text, "metadata": {"handoff": {"event": event, "person": person}}}


# --- the transcript -------------------------------------------------------------------------


def _at(timestamp: Any) -> str | None:
    if not isinstance(timestamp, (int, float)):
        return None
    return datetime.fromtimestamp(timestamp, timezone.utc).isoformat()


def turns(events: Sequence[Mapping[str, Any]], after: int = -1) -> list[dict[str, Any]]:
    """What the visitor, the assistant and the rep said, in order; ``i`` is the event's index.

    Events Rasa triggered itself (reminders, the console's hand-back) are not words anyone
    said, and are left out."""
    said: list[dict[str, Any]] = []
    for index, event in enumerate(events):
        if index <= after or not isinstance(event, Mapping) or not event.get("text"):
            continue
        metadata = event.get("metadata") if isinstance(event.get("metadata"), Mapping) else {}
        if event.get("event") == "user":
            if metadata.get("is_external") or str(event["text"]).startswith("EXTERNAL: "):
                continue
            said.append({"i": index, "speaker": "visitor", "text": event["text"], "at": _at(event.get("timestamp"))})
        elif event.get("event") == "bot":
            label = metadata.get("handoff") if isinstance(metadata.get("handoff"), Mapping) else {}
            rep = label.get("person") if label.get("event") == "message" else None
            turn = {"i": index, "speaker": "rep" if rep else "assistant", "text": event["text"]}
            turn.update({"name": rep, "at": _at(event.get("timestamp"))} if rep else {"at": _at(event.get("timestamp"))})
            said.append(turn)
    return said


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
        raise ApiError(HTTPStatus.CONFLICT, "this visitor is no longer waiting (another rep took the chat, or time ran out)")
    events = [
        {"event": "cancel_reminder", "name": REMINDER_NAME},
        {"event": "pause"},
        said_by(rep, "joined", say("handoff.joined", person=rep)),
    ]
    try:
        rasa(console).append(conversation_id, events)
    except ApiError:
        sales_desk.untake(conversation_id, rep)  # the assistant still talks: let another try
        raise
    send_json(handler, HTTPStatus.OK, {"handoff": sales_desk.get(conversation_id).as_json()})  # type: ignore[union-attr]


@route("GET", CONVERSATION + r"/messages")
def api_messages(console: SalesConsole, handler: Handler, rep: str, match: Any) -> None:
    conversation_id = _conversation_id(match)
    if desk(console).get(conversation_id) is None:
        raise ApiError(HTTPStatus.NOT_FOUND, "no live chat with this conversation")
    raw = _query(handler).get("after", "-1")
    try:
        after = int(raw)
    except ValueError:
        raise ApiError(HTTPStatus.BAD_REQUEST, "after must be a whole number") from None
    send_json(handler, HTTPStatus.OK, {"turns": turns(rasa(console).events(conversation_id), after)})


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
    rasa(console).append(conversation_id, [said_by(rep, "message", text)])
    send_json(handler, HTTPStatus.OK, {"sent": True})


@route("POST", CONVERSATION + r"/release")
def api_release(console: SalesConsole, handler: Handler, rep: str, match: Any) -> None:
    conversation_id = _conversation_id(match)
    _own(console, conversation_id, rep)
    api = rasa(console)
    api.append(conversation_id, [said_by(rep, "left", say("handoff.left", person=rep)), {"event": "resume"}])
    desk(console).end(conversation_id)
    api.trigger(conversation_id, ENDED_INTENT)
    send_json(handler, HTTPStatus.OK, {"released": True})
