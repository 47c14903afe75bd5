"""The Slack channel (`slack` in credentials.yml), registered by serving/channels.py's `install()`.

Conversations are kept apart like on every channel (`slack:<user>`, or per channel with
SLACK_CONVERSATION_GRANULARITY). In a shared channel (a mention, or SLACK_CHANNEL), the contact
questions, the answers' echo and everything else while the lead form runs go to the user's
direct message; the channel only hears that a DM was sent.

The advice card (a custom payload `{"type": "recommendation", ...}`, advisor/card.py) is posted
as Block Kit blocks (serving/slack_card.py) in place of the advice's plain text, which becomes
the message's fallback text.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

import aiohttp
from rasa.core.channels.channel import UserMessage
from rasa.core.channels.slack import SlackBot, SlackInput
from sanic.request import Request
from slack_sdk.errors import SlackClientError

from advisor.texts import say
from serving.channels import conversation_id, public_id
from serving.guard import who
from serving.slack_card import card_blocks, card_fallback

logger = logging.getLogger(__name__)

PRIVATE_FORMS = ("lead_form", "call_form")
"""The forms whose replies stay in a direct message (domain/structure.yml): the contact questions, and
booking a call after them (its confirmation carries the call's private calendar link)."""
PRIVATE_RESPONSES = re.compile(r"utter_ask_lead_\w+|utter_lead_why")
"""Responses that ask for contact details: they start the move to a direct message."""
CARD_TYPE = "recommendation"
"""The advice card's custom payload type (advisor/card.py)."""


def is_card(payload: Any) -> bool:
    return isinstance(payload, dict) and payload.get("type") == CARD_TYPE


def is_direct_channel(channel_id: str) -> bool:
    """Slack's ids of direct-message conversations start with D."""
    return channel_id.startswith("D")


def slack_user(conversation: str) -> str:
    """The Slack user of a `slack:` conversation id (`slack:U1`, `slack:U1_C2`, `slack:U1_C2_ts`)."""
    return public_id("slack", conversation).split("_", 1)[0]


@dataclass
class SharedChannelTurn:
    """A turn that came from a channel others can read: personal replies go to a DM instead."""

    user: str
    channel: str
    private: bool
    """True: this and every later reply of the turn goes to the user's direct message."""
    dm_channel: str | None = None
    dm_failed: bool = False
    noticed: bool = False


_shared_turn: ContextVar[SharedChannelTurn | None] = ContextVar("advisor_slack_shared_turn", default=None)


class NamespacedSlackBot(SlackBot):
    """Rasa's Slack output, for `slack:` conversation ids, keeping contact details out of
    shared channels: in a turn that came from a channel (not a DM) and that asks for or
    echoes contact details, the replies go to the user's direct message (Slack's
    conversations.open, scope `im:write`) and the channel gets one short notice."""

    def __init__(
        self,
        token: str,
        slack_channel: str | None = None,
        thread_id: str | None = None,
        proxy: str | None = None,
        shared: SharedChannelTurn | None = None,
    ) -> None:
        super().__init__(token, slack_channel, thread_id, proxy)
        self.shared = shared

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        if self.shared is not None and PRIVATE_RESPONSES.fullmatch(str(message.get("utter_action") or "")):
            self.shared.private = True
        if is_card(message.get("custom")) and not message.get("buttons"):
            message = {key: value for key, value in message.items() if key != "text"}  # the card's fallback
        await super().send_response(recipient_id, message)

    async def send_custom_json(self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any) -> None:
        if not is_card(json_message):
            await super().send_custom_json(recipient_id, json_message, **kwargs)
            return
        await self._post_message(
            self.slack_channel or recipient_id,
            as_user=True,
            text=card_fallback(json_message),
            blocks=card_blocks(json_message),
        )

    async def _post_message(self, channel: str, **kwargs: Any) -> None:
        shared = self.shared
        if shared is None or not shared.private:
            await super()._post_message(public_id("slack", channel), **kwargs)
            return
        direct = await self._direct_channel(shared)
        if not shared.noticed:
            shared.noticed = True
            notice = say("channels.slack.dm_sent" if direct else "channels.slack.dm_failed")
            await super()._post_message(shared.channel, as_user=True, text=notice, type="mrkdwn")
        if direct:  # without a DM the reply is dropped: never into the shared channel
            await self.client.chat_postMessage(channel=direct, **kwargs)

    async def _direct_channel(self, shared: SharedChannelTurn) -> str | None:
        if shared.dm_channel is None and not shared.dm_failed:
            try:
                opened = await self.client.conversations_open(users=shared.user)
                shared.dm_channel = str(opened["channel"]["id"])
            except (SlackClientError, aiohttp.ClientError, asyncio.TimeoutError, KeyError, TypeError) as error:
                # e.g. the app lacks the im:write scope
                logger.warning(
                    "Slack: no direct message for %s (%s): personal replies withheld",
                    who(conversation_id("slack", shared.user)),
                    error,
                )
                shared.dm_failed = True
        return shared.dm_channel


class NamespacedSlackInput(SlackInput):
    """Rasa's Slack channel with `slack:`-prefixed conversation ids; in shared channels the
    contact-details part of a conversation moves to a direct message (NamespacedSlackBot)."""

    def _get_conversation_id(self, sender_id: str | None, channel_id: str | None, thread_id: str | None) -> str | None:
        conversation = super()._get_conversation_id(sender_id, channel_id, thread_id)
        return conversation_id(self.name(), conversation) if conversation else conversation

    def get_output_channel(self, channel: str | None = None, thread_id: str | None = None) -> NamespacedSlackBot:
        return NamespacedSlackBot(
            self.slack_token, channel or self.slack_channel, thread_id, self.proxy, shared=_shared_turn.get()
        )

    async def process_message(
        self,
        request: Request,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
        text: str,
        sender_id: str | None,
        metadata: dict | None,
    ) -> Any:
        channel = (metadata or {}).get("out_channel")
        shared = None
        if sender_id and channel and not is_direct_channel(channel):
            in_form = await self._in_lead_form(request, sender_id)
            shared = SharedChannelTurn(user=slack_user(sender_id), channel=channel, private=in_form)
        token = _shared_turn.set(shared)
        try:
            return await super().process_message(request, on_new_message, text, sender_id, metadata)
        finally:
            _shared_turn.reset(token)

    @staticmethod
    async def _in_lead_form(request: Request, conversation: str) -> bool:
        """Whether the conversation is answering the contact questions (True when unknown)."""
        try:
            tracker = await request.app.ctx.agent.tracker_store.retrieve(conversation)
        except Exception:
            logger.exception("Slack: could not read %s; its replies stay private", who(conversation))
            return True
        return tracker is not None and tracker.active_loop_name in PRIVATE_FORMS
