"""Turn guard: a failed turn gets a short apology instead of silence or a stack trace.

Rasa 3.6 only logs a custom action that fails (action server down, timeout, HTTP 500):
the action's events are lost and the user usually hears nothing. It offers no hook for
this, so `install()` makes two small, behaviour-preserving changes in the `rasa run`
process (`python -m serving run ...`):

1. `RemoteAction.run` is wrapped: when it raises (other than the deliberate
   `ActionExecutionRejection` forms use), the failure is noted for the current turn in a
   context variable, and the exception is re-raised so Rasa carries on exactly as before.
   The resilient tracker store notes its own give-ups the same way (`note_failure`).
2. The function that connects input channels to the agent (`rasa.core.channels.channel.
   register`) is replaced by one that is identical except that every message goes
   through `handle_guarded`. That covers every channel (REST, socket.io, Slack) and keeps
   working when a new model is loaded through the HTTP API.

`handle_guarded` does three things around a turn:

* it caps the text at `HARD_LIMIT_CHARS` before NLU (the actions read only the first
  `advisor.inputs.MAX_MESSAGE_CHARS`; the cap keeps a megabyte paste from tying up the NLU
  pipeline and the tracker store), and tells the user that only the first
  MAX_MESSAGE_CHARS characters are read. (`action_extract_facts` returns that notice as a
  `BotUttered` event, but Rasa 3.6 keeps only `SlotSet` events from a custom slot
  mapping, so it never reached the user.);
* it asks the action server's `/health` first (about a millisecond on loopback). Every
  turn needs the action server (facts are extracted by a custom action), so when it is
  down the turn is not run at all: nothing is stored, the user gets the domain's `utter_technical_trouble`, and
  the same message sent again later carries on exactly where the conversation was;
* when a failure was noted during the turn anyway (the action server died mid-turn, an
  action crashed, the database stayed away past the retry window) or the turn raised, it
  drops the half-turn's replies on channels that collect them (REST) and sends
  `utter_technical_trouble`. Such a turn is not undone: Rasa's `UserUtteranceReverted` cannot be
  used for that inside a form (its loop bookkeeping then reverts the whole form).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from typing import Any
from urllib.parse import urljoin

from advisor import texts
from advisor.inputs import MAX_MESSAGE_CHARS, classify, reply
from leads.model import conversation_digest
from serving.speedups import loop_session

logger = logging.getLogger(__name__)

TROUBLE_RESPONSE = "utter_technical_trouble"
TROUBLE_REPLY = texts.response(TROUBLE_RESPONSE)
"""The apology as written in domain/texts/responses.yml: used when the loaded model's domain has no
`utter_technical_trouble` (no model loaded yet, or an older one)."""
HARD_LIMIT_CHARS = MAX_MESSAGE_CHARS + 1000
"""Text beyond this is cut before NLU. Longer than MAX_MESSAGE_CHARS, so the actions still
see that the message was too long and say so."""

HEALTH_TIMEOUT_SECONDS = 2.0
ACTION_FAILED = "action"
STORE_FAILED = "tracker_store"

_failures: ContextVar[list[tuple[str, str]] | None] = ContextVar("advisor_turn_failures", default=None)


def note_failure(kind: str, detail: str) -> None:
    """Record a failure for the turn being handled (no-op outside a guarded turn)."""
    failures = _failures.get()
    if failures is not None:
        failures.append((kind, detail))


def _noting_failures(run: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
    from rasa.core.actions.action import ActionExecutionRejection

    @functools.wraps(run)
    async def run_noting_failures(self: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return await run(self, *args, **kwargs)
        except ActionExecutionRejection:
            raise
        except Exception as error:
            note_failure(ACTION_FAILED, f"{self.name()}: {error}")
            raise

    run_noting_failures.advisor_guard = True  # type: ignore[attr-defined]
    return run_noting_failures


def who(sender_id: Any) -> str:
    """A conversation as logs name it: a short hash (a sender id can be a Slack user or an email)."""
    return "conv-" + conversation_digest(str(sender_id))


def _cap(text: str | None) -> str | None:
    if text is not None and len(text) > HARD_LIMIT_CHARS:
        return text[:HARD_LIMIT_CHARS]
    return text


_health_sessions: dict[Any, Any] = {}  # event loop -> aiohttp session kept open between turns


async def action_server_up(agent: Any) -> bool:
    """Whether the action server answers its /health route (True when there is none to ask)."""
    endpoint = getattr(agent, "action_endpoint", None)
    url = (getattr(endpoint, "url", None) or "").rstrip("/")
    if not url.endswith("/webhook"):
        return True  # not a rasa_sdk-style URL: nothing to ask, let the turn run
    import asyncio

    import aiohttp

    health = url[: -len("webhook")] + "health"
    headers = dict(getattr(endpoint, "headers", None) or {})
    try:
        session = loop_session(
            _health_sessions,
            lambda: {"timeout": aiohttp.ClientTimeout(total=HEALTH_TIMEOUT_SECONDS), "headers": headers},
        )
        async with session.get(health) as response:
            return response.status == 200
    except (aiohttp.ClientError, asyncio.TimeoutError, OSError) as error:  # down, for this turn
        logger.warning("Action server health check %s failed: %r", health, error)
        return False


def trouble_text(agent: Any) -> str:
    """The domain's `utter_technical_trouble` text, else TROUBLE_REPLY."""
    responses = getattr(getattr(agent, "domain", None), "responses", None) or {}
    for variant in responses.get(TROUBLE_RESPONSE) or []:
        if isinstance(variant, dict) and variant.get("text"):
            return str(variant["text"])
    return TROUBLE_REPLY


async def _apologise(agent: Any, message: Any) -> None:
    from rasa.core.channels.channel import CollectingOutputChannel

    output = message.output_channel
    if isinstance(output, CollectingOutputChannel):
        output.messages.clear()  # a half-turn's replies would only confuse
    try:
        await output.send_text_message(message.sender_id, trouble_text(agent))
    except Exception:
        logger.exception("Could not send the apology to %s", who(message.sender_id))


async def handle_guarded(agent: Any, message: Any) -> None:
    """`agent.handle_message(message)`, with an apology when the turn cannot run or fails."""
    message.text = _cap(message.text)
    if not await action_server_up(agent):
        # Nothing has happened yet: the message is not stored, so when the user sends it
        # again the conversation carries on exactly where it was.
        logger.warning("Action server down: turn of %s not run, user asked to retry", who(message.sender_id))
        await _apologise(agent, message)
        return
    if classify(message.text) == "too_long":
        await message.output_channel.send_text_message(message.sender_id, reply("too_long"))
    failures: list[tuple[str, str]] = []
    token = _failures.set(failures)
    try:
        await agent.handle_message(message)
    except Exception as error:  # the channel would only log it; the user would hear nothing
        logger.exception("Turn of %s failed", who(message.sender_id))
        failures.append(("error", repr(error)))
    finally:
        _failures.reset(token)
    if failures:
        logger.warning("Turn of %s failed, answering with an apology: %s", who(message.sender_id), failures)
        await _apologise(agent, message)


def register(input_channels: list[Any], app: Any, route: str | None) -> None:
    """`rasa.core.channels.channel.register`, with every message going through the guard."""

    async def handler(message: Any) -> None:
        await handle_guarded(app.ctx.agent, message)

    for channel in input_channels:
        prefix = urljoin(route, channel.url_prefix()) if route else None
        app.blueprint(channel.blueprint(handler), url_prefix=prefix)
    app.ctx.input_channels = input_channels


register.advisor_guard = True  # type: ignore[attr-defined]


def install() -> None:
    """Install the guard in this process (idempotent). Call before Rasa starts serving."""
    from rasa.core.actions.action import RemoteAction
    from rasa.core.channels import channel

    if not getattr(RemoteAction.run, "advisor_guard", False):
        RemoteAction.run = _noting_failures(RemoteAction.run)
    channel.register = register
