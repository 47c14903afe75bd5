"""Input channels that keep conversations apart: one conversation per channel and sender.

Rasa 3.6 keys a conversation by the sender id alone, whatever the channel: a REST client
that posts `{"sender": "U123"}` writes into the Slack user U123's conversation (Slack user
ids are visible to the whole workspace), and a socket.io client that sends someone's
session id joins their conversation and receives their replies. `install()` (called by
`python -m serving`) registers these subclasses under the built-in names `rest`,
`socketio` and `slack`, so credentials.yml keeps its section names:

* every conversation id carries its channel: `rest:<sender>`, `slack:<user>` (or
  `slack:<user>_<channel>...` with SLACK_CONVERSATION_GRANULARITY), `socketio:<digest>`.
  Replies still go where they belong: REST answers carry the sender as sent, Slack posts
  to the event's channel, socket.io emits to the conversation's room.
* REST (`rest`) needs a token: the credentials section must give `token` (credentials.yml
  says `token: ${REST_TOKEN}`, so without REST_TOKEN the channel is left out and its URL
  answers 404). Requests must send `Authorization: Bearer <token>`, compared in constant
  time; anything else gets 401. The sender id is any string of 1-200 characters without a
  NUL character or a lone surrogate (`sender_problem`; anything else gets 400): spaces,
  slashes, quotes, `%`, other scripts are all fine (serving/http_api.py makes such ids
  reachable through the HTTP API).
* socket.io (`socketio`): the server, not the browser, issues the session token (32 random
  bytes). The conversation id is `socketio:` + a SHA-256 digest of the token, so the id that
  shows up in logs, the tracker store, lead exports or the HTTP API cannot be used to join
  the conversation, and a token that the server did not issue in this format is replaced by
  a fresh one. Each socket is bound to its conversation at `session_request`; a message
  names no conversation (a `session_id` in it is ignored). Only a browser that holds the
  token (the widget keeps it in localStorage) can carry on the conversation, e.g. after a
  reload.
* Slack (serving/slack_channel.py): in a shared channel (a mention, or SLACK_CHANNEL), the
  contact questions, the answers' echo and everything else while the lead form runs go to
  the user's direct message; the channel only hears that a DM was sent.
* socket.io messages are limited to SOCKET_MESSAGE_MAX_BYTES, binary packets are refused
  and engine.io schedules one ping at a time: the published advisories of the pinned
  python-socketio 5.9.0 / python-engineio 4.7.1 (see `GuardedAsyncServer`,
  `bound_engineio_pings`).
* metadata (socket.io and REST) keeps only `page_url` (without query string and fragment),
  `language` and `widget_version`, and is dropped whole above METADATA_MAX_BYTES.
* custom payloads: on socket.io, one that is not Rasa's `{"data": ...}` form (the advice card,
  `{"type": "recommendation", ...}`) is emitted as the `bot_uttered` message itself, as
  web/widget.js expects; Rasa 3.6 would pass its keys to `emit()` as arguments and fail
  (`CardSocketIOOutput`). REST clients get it as `{"custom": ...}` next to the text.
* live hand-off: a bot message whose metadata says a person from the sales team speaks
  (`{"handoff": {"event": "joined" | "message" | "left", "person": "Sam"}}`, written by the
  sales console through Rasa's HTTP API) reaches the widget with that label, so the visitor
  sees who is talking (`LabelledSocketIOOutput`).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import inspect
import json
import logging
import re
import secrets
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from rasa.core.channels.socketio import SocketBlueprint, SocketIOInput, SocketIOOutput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from socketio import AsyncServer

from serving.guard import who

logger = logging.getLogger(__name__)

METADATA_MAX_BYTES = 2048
"""Message metadata larger than this (as JSON) is dropped whole: it is stored with every
message and sent to the action server with the tracker on every action call."""
METADATA_KEYS = {"page_url": 1024, "language": 35, "widget_version": 32}
"""The only metadata kept (what web/widget.js sends), each a string of at most this length."""
SOCKET_MESSAGE_MAX_BYTES = 64 * 1024
"""Largest socket.io message (engine.io's max_http_buffer_size; its default is 1 MB). A
widget message is at most 2,000 characters plus 2 KB of metadata."""
SENDER_MAX_CHARS = 200
"""Longest REST sender id accepted (the lead store keeps conversation ids of up to 255)."""
SESSION_TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")
"""The form of a server-issued socket.io session token: `secrets.token_urlsafe(32)`."""


UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
"""What no store keeps (see `sender_problem`): a NUL character and lone UTF-16 surrogates."""


def sender_problem(sender: Any) -> str | None:
    """Why `sender` cannot name a REST conversation, or None when it can.

    Any text of 1-SENDER_MAX_CHARS characters can, whatever it holds (spaces, slashes,
    quotes, `%`, `?`, other scripts, emoji, control characters), except what no store keeps:
    a NUL character (PostgreSQL text cannot hold one: Rasa's tracker store took the error for
    a missing schema and the request got no answer; the lead and brief stores refuse it too)
    and a lone UTF-16 surrogate that JSON's `\\ud800` escape lets through (it has no UTF-8
    form: neither the tracker store nor the log's conversation digest could take it, a 500)."""
    if not isinstance(sender, str) or not 0 < len(sender) <= SENDER_MAX_CHARS:
        return f"`sender` must be a string of 1-{SENDER_MAX_CHARS} characters"
    if "\x00" in sender:
        return "`sender` must not contain a NUL character"
    if UNSTORABLE.search(sender):  # what is left of it: a lone surrogate
        return "`sender` must be Unicode text without lone surrogates"
    return None


def storable(text: str) -> str:
    """A message's text with what no store keeps replaced by U+FFFD, the rest as typed. A lone
    surrogate that JSON's `\\ud800` escape lets through made every turn of the conversation
    fail in the tracker store ("I'm having trouble right now", again and again); a NUL does the
    same on PostgreSQL. The visitor gets a real answer to what they wrote."""
    return UNSTORABLE.sub("\ufffd", text)


def conversation_id(channel: str, sender: str) -> str:
    """The tracker's conversation id for `sender` on `channel`."""
    return f"{channel}:{sender}"


def public_id(channel: str, conversation: str) -> str:
    """The sender id as the channel knows it: `conversation` without the `channel:` prefix."""
    return conversation.removeprefix(f"{channel}:")


def socketio_conversation_id(token: str) -> str:
    """The conversation of a socket.io session token; the token cannot be read back from it."""
    return conversation_id("socketio", hashlib.sha256(token.encode("utf-8")).hexdigest()[:32])


def new_session_token() -> str:
    return secrets.token_urlsafe(32)


def page_address(url: str) -> str | None:
    """`url` without query string, fragment and user info (they can hold tokens, e-mail
    addresses, search terms); None unless it is an absolute http(s) URL."""
    try:
        parts = urlsplit(url)
        host, port = parts.hostname, parts.port
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not host:
        return None
    netloc = f"[{host}]" if ":" in host else host
    return urlunsplit((parts.scheme, f"{netloc}:{port}" if port else netloc, parts.path, "", ""))


def clean_metadata(raw: Any) -> dict[str, str]:
    """The metadata worth storing: known keys only (METADATA_KEYS), nothing above METADATA_MAX_BYTES."""
    if isinstance(raw, str):
        if len(raw) > METADATA_MAX_BYTES:
            return {}
        try:
            raw = json.loads(raw)
        except ValueError:
            return {}
    if not isinstance(raw, dict) or not raw:
        return {}
    try:
        size = len(json.dumps(raw, ensure_ascii=False).encode("utf-8"))
    except (TypeError, ValueError):
        return {}
    if size > METADATA_MAX_BYTES:
        logger.warning("Message metadata of %d bytes dropped (limit %d)", size, METADATA_MAX_BYTES)
        return {}
    clean: dict[str, str] = {}
    for key, limit in METADATA_KEYS.items():
        value = raw.get(key)
        if isinstance(value, str) and key == "page_url":
            value = page_address(value)
        if isinstance(value, str) and len(value) <= limit:
            clean[key] = value
    return clean


async def _maybe_await(value: Any) -> Any:
    """python-socketio made room calls coroutines in 5.10; accept both forms."""
    if inspect.isawaitable(value):
        return await value
    return value


# --------------------------------------------------------------------------- REST


class NamespacedRestInput(RestInput):
    """Rasa's REST channel behind a bearer token, with `rest:`-prefixed conversation ids."""

    def __init__(self, token: str) -> None:
        if not token:
            raise ValueError("the REST channel needs a token: set REST_TOKEN (credentials.yml: `token: ${REST_TOKEN}`)")
        self.token = token

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        return cls(str((credentials or {}).get("token") or ""))

    def get_metadata(self, request: Request) -> dict[str, Any] | None:
        body = request.json if isinstance(request.json, dict) else {}
        return clean_metadata(body.get("metadata"))

    def authorised(self, request: Request) -> bool:
        scheme, _, given = (request.headers.get("Authorization") or "").partition(" ")
        if scheme.lower() != "bearer" or not given:
            return False
        return hmac.compare_digest(given.strip().encode("utf-8"), self.token.encode("utf-8"))

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        rest = Blueprint("advisor_rest_webhook", __name__)

        @rest.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @rest.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if not self.authorised(request):
                return response.json(
                    {"error": "missing or wrong token"}, status=401, headers={"WWW-Authenticate": "Bearer"}
                )
            body = request.json if isinstance(request.json, dict) else {}
            sender, text = body.get("sender"), body.get("message")
            problem = sender_problem(sender)
            if problem:
                return response.json({"error": problem}, status=400)
            if not isinstance(text, str):
                return response.json({"error": "`message` must be a string"}, status=400)
            collector = CollectingOutputChannel()
            message = UserMessage(
                storable(text),
                collector,
                conversation_id(self.name(), sender),
                input_channel=self.name(),
                metadata=self.get_metadata(request),
            )
            try:
                await on_new_message(message)
            except Exception:  # as Rasa's REST channel: the client still gets what was said
                logger.exception("REST turn of %s failed", who(message.sender_id))
            replies = [dict(reply, recipient_id=sender) for reply in collector.messages]
            return response.json(replies)

        return rest


# ------------------------------------------------------------------------ socket.io

BINARY_PACKET_TYPES = ("5", "6")  # Socket.IO BINARY_EVENT and BINARY_ACK


class GuardedAsyncServer(AsyncServer):
    """python-socketio's server, refusing binary packets (the widget sends none).

    python-socketio < 5.16.2 keeps a binary packet's attachments, and what is pending when
    a client leaves, without limit (CVE-2026-48804): a client that sends one is
    disconnected instead."""

    async def _handle_eio_message(self, eio_sid: str, data: Any) -> None:
        if isinstance(data, (bytes, bytearray)) or (isinstance(data, str) and data[:1] in BINARY_PACKET_TYPES):
            logger.warning("socket.io binary packet from %s refused: disconnected", eio_sid)
            self._binary_packet.pop(eio_sid, None)
            await self.eio.disconnect(eio_sid)
            return
        await super()._handle_eio_message(eio_sid, data)


def _version(distribution: str) -> tuple[int, ...]:
    from importlib.metadata import version

    return tuple(int(part) for part in re.findall(r"\d+", version(distribution))[:3])


def bound_engineio_pings() -> None:
    """One pending ping per engine.io socket (python-engineio < 4.13.2, CVE-2026-48802).

    Every PONG a client sends starts a new background task that sleeps for the ping
    interval and then pings, so a client sending PONGs in a loop piles up tasks without
    limit. As in 4.13.2, a new ping is only scheduled once the previous one has gone out."""
    if _version("python-engineio") >= (4, 13, 2):
        return
    import time

    from engineio import asyncio_socket, packet

    socket_class = asyncio_socket.AsyncSocket
    if getattr(socket_class.schedule_ping, "advisor_bounded", False):
        return

    def schedule_ping(self: Any) -> None:
        if getattr(self, "_advisor_ping_pending", False):
            return
        self._advisor_ping_pending = True

        async def send_ping() -> None:
            self.last_ping = None
            await asyncio.sleep(self.server.ping_interval)
            self._advisor_ping_pending = False
            if not self.closing and not self.closed:
                self.last_ping = time.time()
                await self.send(packet.Packet(packet.PING))

        self.server.start_background_task(send_ping)

    schedule_ping.advisor_bounded = True  # type: ignore[attr-defined]
    socket_class.schedule_ping = schedule_ping


class CardSocketIOOutput(SocketIOOutput):
    """Rasa's socket.io output; a custom payload that is not Rasa's `{"data": ...}` form is sent as the message itself.

    Rasa 3.6 emits `**json_message`, so only `{"data": ..., "room": ...}` payloads work there
    (the widget's `forget_history` is one, and still goes that way). Any other payload, such
    as the advice card, becomes the `bot_uttered` message, as a text message would."""

    EMIT_ARGUMENTS = frozenset({"data", "room", "to", "skip_sid", "namespace", "callback"})
    """What Rasa's form of a custom payload may hold: arguments of `AsyncServer.emit()`."""

    async def send_custom_json(self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any) -> None:
        if "data" in json_message and set(json_message) <= self.EMIT_ARGUMENTS:
            await super().send_custom_json(recipient_id, json_message, **kwargs)
        else:
            await self._send_message(recipient_id, json_message)


HANDOFF_EVENTS = ("joined", "message", "left")
PERSON_MAX_CHARS = 80


def handoff_label(raw: Any) -> dict[str, str] | None:
    """The widget's label of a message said during a live hand-off, or None for the assistant's own."""
    if not isinstance(raw, dict):
        return None
    event, person = raw.get("event"), raw.get("person")
    if event not in HANDOFF_EVENTS or not isinstance(person, str) or not 0 < len(person) <= PERSON_MAX_CHARS:
        return None
    return {"event": event, "person": person}


class LabelledSocketIOOutput(CardSocketIOOutput):
    """The widget's socket.io output: the advice card (above), and who speaks during a live hand-off.

    Rasa hands a bot message's metadata to the output channel as keyword arguments; a
    message the sales console added (web/sales_handoff.py) carries `handoff` there. Its
    text goes out as one `bot_uttered` per paragraph, as Rasa's, plus the label."""

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        label = handoff_label(kwargs.get("handoff"))
        if label is None:
            await super().send_text_message(recipient_id, text, **kwargs)
            return
        for part in text.strip().split("\n\n"):
            await self._send_message(recipient_id, {"text": part, "handoff": label})


class NamespacedSocketIOInput(SocketIOInput):
    """Rasa's socket.io channel with server-issued session tokens bound to each socket."""

    def get_output_channel(self) -> LabelledSocketIOOutput | None:
        """The output Rasa's HTTP API uses for `output_channel=socketio` (the sales console's messages)."""
        sio = getattr(self, "sio", None)
        return LabelledSocketIOOutput(sio, self.bot_message_evt) if sio is not None else None

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        # As Rasa's channel: origins are not checked here (no cookies are used; the Rasa
        # server's --cors applies to the HTTP routes). The client manager is the default
        # in-memory one: no message queue, so CVE-2025-61765 (pickled queue messages) does
        # not apply.
        sio = GuardedAsyncServer(
            async_mode="sanic", cors_allowed_origins=[], max_http_buffer_size=SOCKET_MESSAGE_MAX_BYTES
        )
        socketio_webhook = SocketBlueprint(sio, self.socketio_path, "socketio_webhook", __name__)
        self.sio = sio
        namespace = self.namespace

        @socketio_webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @sio.on("connect", namespace=namespace)
        async def connect(sid: str, environ: dict, auth: dict | None) -> bool:
            if not self.jwt_key:
                return True
            from rasa.core.channels.channel import decode_bearer_token

            token = (auth or {}).get("token")
            return bool(token and decode_bearer_token(token, self.jwt_key, self.jwt_algorithm))

        @sio.on("session_request", namespace=namespace)
        async def session_request(sid: str, data: Any) -> None:
            offered = data.get("session_id") if isinstance(data, dict) else None
            token = offered if isinstance(offered, str) and SESSION_TOKEN.fullmatch(offered) else None
            token = token or new_session_token()
            conversation = socketio_conversation_id(token)
            for room in sio.rooms(sid, namespace=namespace):
                if room != sid:
                    await _maybe_await(sio.leave_room(sid, room, namespace=namespace))
            await sio.save_session(sid, {"conversation": conversation}, namespace=namespace)
            await _maybe_await(sio.enter_room(sid, conversation, namespace=namespace))
            await sio.emit("session_confirm", token, room=sid, namespace=namespace)

        @sio.on(self.user_message_evt, namespace=namespace)
        async def handle_message(sid: str, data: Any) -> None:
            session = await sio.get_session(sid, namespace=namespace)
            conversation = session.get("conversation") if isinstance(session, dict) else None
            if not conversation:
                logger.warning("socket.io message before session_request from %s: ignored", sid)
                return
            if not isinstance(data, dict) or not isinstance(data.get("message"), str):
                return
            message = UserMessage(
                storable(data["message"]),
                LabelledSocketIOOutput(sio, self.bot_message_evt),
                conversation,
                input_channel=self.name(),
                metadata=clean_metadata(data.get(self.metadata_key)),
            )
            await on_new_message(message)

        return socketio_webhook


def install() -> None:
    """Serve `rest`, `socketio` and `slack` in credentials files with these classes (idempotent)."""
    from rasa.core import channels

    from serving.slack_channel import NamespacedSlackInput  # it builds on this module's ids

    served: dict[str, type[InputChannel]] = {
        "rest": NamespacedRestInput,
        "socketio": NamespacedSocketIOInput,
        "slack": NamespacedSlackInput,
    }
    channels.BUILTIN_CHANNELS.update(served)
    bound_engineio_pings()
