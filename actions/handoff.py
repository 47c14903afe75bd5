"""Live hand-off: a person from the sales team joins the chat when the visitor asks for one.

Thin: the hours, presence and hand-off states are in leads/sales_hours.py and leads/handoff.py;
these actions read them (in a worker thread) and write events. The flow:

* `action_handoff` (actions/conversation.py) asks :func:`situation`. A person can join when
  the visitor is on the web widget (only there can a rep's words reach them), it is within
  the sales team's hours (SALES_HOURS, SALES_DAYS, SALES_TIMEZONE) and a rep has the sales
  console open. Then it hands over to `action_live_handoff`; otherwise it says why nobody
  can join and offers the lead form, after which a call can be booked.
* `action_live_handoff` puts the conversation on the console's waiting list, tells the sales
  Slack channel, tells the visitor someone is joining, and sets a Rasa reminder
  (`EXTERNAL_handoff_timeout`, HANDOFF_WAIT_SECONDS) named for the conversation
  (:func:`reminder_name`), so visitors waiting at the same time each keep their own.
* A rep takes the conversation in the console (web/sales_handoff.py): Rasa's own
  `ConversationPaused` stops the assistant, the reminder is cancelled, and what the rep types
  is added to the conversation as a bot message labelled with the rep's name.
* The wait runs out (`action_handoff_timeout`): if nobody took it, the visitor is told so
  and offered the lead form.
* The rep hands back: `ConversationResumed` and `EXTERNAL_handoff_ended`, and
  `action_handoff_resume` carries on where the conversation was (the questions still open,
  or the advice's follow-ups).
"""

from __future__ import annotations

import asyncio
import logging
import os
from datetime import timedelta
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, FollowupAction, ReminderScheduled, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.funnel import offer_specialist, start_funnel
from actions.lead_record import log_id
from advisor.texts import say
from leads import availability, default_desk, desk_settings, hours_from_env
from leads.model import conversation_digest, utcnow
from leads.notify import queue_handoff_notice
from leads.redact import describe_error

log = logging.getLogger(__name__)

LIVE_CHANNELS = ("socketio",)
"""Channels whose visitors can hear a rep: the widget's (the console pushes to its socket)."""
TIMEOUT_INTENT = "EXTERNAL_handoff_timeout"
ENDED_INTENT = "EXTERNAL_handoff_ended"
REMINDER_NAME = "handoff_timeout"
"""The start of each wait's reminder name; the rest names the conversation (see reminder_name)."""


def reminder_name(conversation_id: str) -> str:
    """The name of this conversation's hand-off reminder. Rasa 3.6 files a reminder's job under
    its name alone (`id=name, replace_existing=True`, rasa/core/processor.py), so with one name
    for all, a second visitor's wait replaced the first one's, who then waited forever."""
    return f"{REMINDER_NAME}_{conversation_digest(conversation_id)}"


def minutes_text(seconds: float) -> str:
    count = max(1, round(seconds / 60))
    return say("handoff.minutes.one") if count == 1 else say("handoff.minutes.many", count=count)


async def situation(tracker: Tracker) -> tuple[str, str]:
    """(``live``, "") when a person can join now; else (``closed`` | ``nobody`` | ``elsewhere``,
    the sentence that says why nobody can, "" on channels without live chat)."""
    if tracker.get_latest_input_channel() not in LIVE_CHANNELS:
        return "elsewhere", ""
    try:
        hours = hours_from_env()
        settings = desk_settings()
        reps = await asyncio.to_thread(default_desk().signed_in, settings.presence_seconds)
    except Exception as error:  # noqa: BLE001 - misconfigured or database down: the form still works
        log.error("live hand-off for %s not possible: %s", log_id(tracker), describe_error(error))
        return "nobody", say("handoff.nobody")
    found = availability(hours, utcnow(), reps)
    if found == "closed":
        return found, say("handoff.closed", **hours.describe())
    return found, "" if found == "live" else say("handoff.nobody")


class ActionLiveHandoff(Action):
    """A rep can join: the visitor waits on the console's list, Slack hears of it, a reminder is set."""

    def name(self) -> str:
        return "action_live_handoff"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        events = await start_funnel(tracker)
        try:
            settings = desk_settings()
            handoff, new = await asyncio.to_thread(default_desk().request, tracker.sender_id)
        except Exception as error:  # noqa: BLE001 - the visitor is offered the form instead
            log.error("hand-off request of %s not stored: %s", log_id(tracker), describe_error(error))
            dispatcher.utter_message(text=say("handoff.nobody"))
            return events + await offer_specialist(dispatcher, tracker)
        if not new:
            dispatcher.utter_message(text=say("handoff.still_waiting"))
            return events
        try:
            await asyncio.to_thread(
                queue_handoff_notice,
                tracker.sender_id,
                handoff.requested_at,
                wait_seconds=settings.wait_seconds,
                console_url=os.environ.get("SALES_CONSOLE_URL") or None,
            )
        except Exception as error:  # noqa: BLE001 - the console's list still shows the visitor
            log.error("Slack notice of hand-off %s not queued: %s", log_id(tracker), describe_error(error))
        dispatcher.utter_message(text=say("handoff.joining", minutes=minutes_text(settings.wait_seconds)))
        due = handoff.requested_at + timedelta(seconds=settings.wait_seconds)
        name = reminder_name(tracker.sender_id)
        reminder = ReminderScheduled(TIMEOUT_INTENT, due, name=name, kill_on_user_message=False)
        return [*events, reminder]


class ActionHandoffTimeout(Action):
    """Nobody took the visitor in time: say so and offer the lead form (and with it a call)."""

    def name(self) -> str:
        return "action_handoff_timeout"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        try:
            missed = await asyncio.to_thread(default_desk().expire, tracker.sender_id)
        except Exception as error:  # noqa: BLE001 - cannot tell: say nothing rather than the wrong thing
            log.error("hand-off wait of %s not checked: %s", log_id(tracker), describe_error(error))
            missed = False
        if not missed:  # a rep took it (or it was over): nothing to say, nothing to answer
            return [FollowupAction("action_listen")]
        # The questions pause, as for any hand-off request; "yes" to the offer carries on
        # with the contact questions still open (answers given are kept).
        dispatcher.utter_message(text=say("handoff.missed"))
        events: list[EventType] = [ActiveLoop(None), SlotSet("requested_slot", None)]
        return events + await offer_specialist(dispatcher, tracker)


class ActionHandoffResume(Action):
    """The rep handed back: carry on where the conversation was."""

    def name(self) -> str:
        return "action_handoff_resume"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        dispatcher.utter_message(text=say("handoff.back"))
        if tracker.active_loop.get("name"):
            return []  # the rule runs the form, which asks its open question again
        if tracker.get_slot("recommendation"):
            dispatcher.utter_message(response="utter_after_recommendation")
            return []
        return [FollowupAction("advisor_form")]  # the next open question (the first if none was answered)
