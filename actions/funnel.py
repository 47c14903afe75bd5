"""The sales funnel of a conversation: started, advice given, lead offered (leads/report.py counts them).

Advice actions record their part here without importing the lead actions: `advice_given`
(which also brings a captured lead's advice up to date) and `offer_specialist` (the yes/no
offer and its `lead_offered` event). Events recorded inside `funnel_batch` are written in
one go. Analytics never break the conversation: a failed write is logged and the reply goes on.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
from collections.abc import AsyncIterator

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.lead_record import lead_fields, log_id, store
from leads import record_events
from leads.redact import describe_error

log = logging.getLogger(__name__)

_funnel_batch: contextvars.ContextVar[list[tuple[str, str | None]] | None] = contextvars.ContextVar(
    "funnel_batch", default=None
)


@contextlib.asynccontextmanager
async def funnel_batch(tracker: Tracker) -> AsyncIterator[None]:
    """Funnel events recorded inside are written together when it ends (one lock, one transaction)."""
    batch: list[tuple[str, str | None]] = []
    token = _funnel_batch.set(batch)
    try:
        yield
    finally:
        _funnel_batch.reset(token)
        if batch:
            await _record(tracker, batch)


async def funnel(tracker: Tracker, kind: str, detail: str | None = None) -> None:
    """Record a funnel event; analytics never break the conversation."""
    batch = _funnel_batch.get()
    if batch is not None:
        batch.append((kind, detail))
        return
    await _record(tracker, [(kind, detail)])


async def _record(tracker: Tracker, events: list[tuple[str, str | None]]) -> None:
    try:
        await asyncio.to_thread(record_events, tracker.sender_id, events)
    except Exception as error:  # noqa: BLE001 - logged, the user still gets an answer
        kinds = ", ".join(kind for kind, _ in events)
        log.error("funnel events %s for %s not recorded: %s", kinds, log_id(tracker), describe_error(error))


async def start_funnel(tracker: Tracker) -> list[EventType]:
    """`conversation_started`, once per conversation (first advice or first hand-off request)."""
    if tracker.get_slot("funnel_started"):
        return []
    await funnel(tracker, "conversation_started")
    return [SlotSet("funnel_started", True)]


async def advice_given(tracker: Tracker, choice: str, reasons: list[str]) -> list[EventType]:
    """Funnel events for new advice; a captured lead gets the updated advice too."""
    events = await start_funnel(tracker)
    await funnel(tracker, "advice_given", choice)
    await update_captured_lead(tracker, choice, reasons)
    return events


async def update_captured_lead(tracker: Tracker, choice: str, reasons: list[str]) -> None:
    """A captured lead gets the latest answers and advice (nothing without a consenting lead)."""
    if tracker.get_slot("lead_status") == "captured" and tracker.get_slot("lead_consent") is True:
        fields = lead_fields(tracker)
        await store(
            tracker,
            answers=fields["answers"],
            recommendation=choice,
            recommendation_reasons=reasons,
        )


# What a turn that only adds a fact runs: the advisor form takes the fact, then the advice is
# brought up to date. An offer followed by nothing else is still waiting for its yes or no.
_FACT_TURN = frozenset({"action_listen", "advisor_form", "action_recommend"})
_OFFER = "utter_offer_specialist"


def offer_pending(tracker: Tracker) -> bool:
    """The specialist offer was made and the user has only added facts since (no yes, no no)."""
    for event in reversed(tracker.events):
        kind = event.get("event")
        if kind == "bot" and (event.get("metadata") or {}).get("utter_action") == _OFFER:
            return True
        if kind == "action" and event.get("name") not in _FACT_TURN:
            return False
    return False


# What ends an open offer: its answer, the contact questions, starting over, erasing, a live chat.
_CLOSES_OFFER = frozenset(
    {
        "lead_form",
        "action_decline_lead",
        "action_submit_lead",
        "action_start_over",
        "action_withdraw_consent",
        "action_delete_lead_data",
        "action_live_handoff",
        "action_restart",
        "action_session_start",
    }
)
OPEN_FOR_TURNS = 3  # a yes or no this many messages after the offer can still be meant for it


def offer_open(tracker: Tracker) -> bool:
    """The specialist offer was made within the last `OPEN_FOR_TURNS` messages and nothing has
    answered or closed it since: "how much would that cost?" then "yes" still answers it."""
    if tracker.get_slot("lead_status") in ("captured", "declined", "withdrawn", "deleted"):
        return False
    messages = 0
    for event in reversed(tracker.events):
        kind = event.get("event")
        if kind == "user":
            messages += 1
            if messages > OPEN_FOR_TURNS:
                return False
        elif kind == "bot" and (event.get("metadata") or {}).get("utter_action") == _OFFER:
            return True
        elif kind == "action" and event.get("name") in _CLOSES_OFFER:
            return False
    return False


async def offer_specialist(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
    """Offer to connect the user with a specialist (yes/no), unless they already gave details.

    An offer still waiting for its answer is not made again: "business hours are fine" typed
    after the advice updates it, and the yes or no that follows still answers the first offer
    (data/rules/leads.yml: the last action is still `action_recommend`).
    """
    if tracker.get_slot("lead_status") == "captured":
        dispatcher.utter_message(response="utter_lead_already_captured")
        return []
    if offer_pending(tracker):
        return []
    dispatcher.utter_message(response=_OFFER)  # yes/no buttons in domain/texts/responses.yml
    await funnel(tracker, "lead_offered")
    return []
