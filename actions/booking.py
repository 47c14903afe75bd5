"""Booking a call after the visitor consented: a prefilled booking link, or a slot kept with the lead.

Thin: the link, the slots and the visitor's pick are leads/booking.py and leads/sales_hours.py.

* `action_submit_lead` (with consent) hands over to `action_offer_call`.
* With BOOKING_URL, `action_offer_call` sends that page prefilled with the visitor's name and
  email, and notes it with the lead (the visitor books there) and the CRM (`lead.call_booked`).
* Without it, `call_form` asks for one slot: `action_ask_call_slot` offers two or three times
  on the next working days within the sales team's hours (buttons, and "No thanks");
  `validate_call_form` reads the pick (the button, "the second one", "Tuesday", "3.30pm");
  `action_book_call` keeps it with the lead (`lead_meetings`), which the sales console shows
  with its .ics file, and confirms it with the visitor's own link to that file
  (`/call/<token>.ics`, web/call_file.py), and tells the CRM (`lead.call_booked`).
* Asking for a call again after giving one's details (actions/leads.py `handoff`) runs
  `action_offer_call` anew: a call still to come is named, and the times then move it
  ("no thanks" keeps it; the calendar event stays the same, with the new time).
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.lead_record import log_id, notify_call_in_background
from actions.slots import latest_intent
from advisor.texts import say
from leads import Meetings, booking_link, booking_settings, hours_from_env
from leads.answers import wants_to_stop
from leads.booking import Meeting, calendar_url, choose_slot, keeps_booked_time, slot_label, slot_of, upcoming
from leads.model import utcnow
from leads.outbox import default_store_and_outbox
from leads.redact import describe_error
from leads.sales_hours import SalesHours, Slot, parse_slot_key

log = logging.getLogger(__name__)

FORM = "call_form"
DECLINED = "declined"


def meetings() -> Meetings:
    return Meetings(default_store_and_outbox()[0])


async def booked(tracker: Tracker) -> Meeting | None:
    """The conversation's call that is still to come, if one was booked; None too when the
    database cannot say (the visitor is then offered times as if none was)."""
    try:
        meeting = await asyncio.to_thread(meetings().get, tracker.sender_id)
    except Exception as error:  # noqa: BLE001 - offering times anew is the safe answer
        log.error("booked call of %s not read: %s", log_id(tracker), describe_error(error))
        return None
    return meeting if upcoming(meeting) is not None else None


def named(meeting: Meeting) -> dict[str, str]:
    """The placeholders that name a booked call: {when}, {timezone}, {calendar_link}."""
    slot = upcoming(meeting) or slot_of(meeting)
    assert slot is not None
    return {"when": slot_label(slot), "timezone": slot.zone, "calendar_link": calendar_url(meeting.token)}


def offered(tracker: Tracker, hours: SalesHours, minutes: int) -> list[tuple[Slot, str]]:
    """The slots last offered to the visitor (kept as UTC keys in `call_slots_offered`), with their labels."""
    slots = []
    for key in tracker.get_slot("call_slots_offered") or []:
        start = parse_slot_key(key)
        if start is not None:
            slot = Slot(start, start + timedelta(minutes=minutes), hours.timezone)
            slots.append((slot, slot_label(slot)))
    return slots


class ActionOfferCall(Action):
    """After consent (or when the visitor asks for a call again): the booking link, or the call
    form's proposed times; a call already booked is named first, and the form then moves it."""

    def name(self) -> str:
        return "action_offer_call"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        try:
            settings = booking_settings()
            hours_from_env()
        except ValueError as error:  # misconfigured: the specialist arranges the call by email
            log.error("booking not offered to %s: %s", log_id(tracker), error)
            dispatcher.utter_message(text=say("booking.unavailable"))
            return []
        current = await booked(tracker)
        if current is not None:
            dispatcher.utter_message(text=say("booking.already_booked", **named(current)))
        if not settings.url:
            return [FollowupAction(FORM)]
        link = booking_link(settings.url, tracker.get_slot("lead_full_name"), tracker.get_slot("lead_email"))
        dispatcher.utter_message(text=say("booking.offer_link", link=link))
        try:
            meeting = await asyncio.to_thread(meetings().offered_page, tracker.sender_id, settings.url)
        except Exception as error:  # noqa: BLE001 - the visitor has the link; only the note is missing
            log.error("booking page for %s not noted: %s", log_id(tracker), describe_error(error))
            return []
        await notify_call_in_background(meeting, tracker)
        return []


class ActionAskCallSlot(Action):
    """The call form's question: two or three times on the next working days, and "No thanks"."""

    def name(self) -> str:
        return "action_ask_call_slot"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        settings, hours = booking_settings(), hours_from_env()
        slots = hours.proposed_slots(utcnow(), settings.slots, settings.minutes)
        buttons = [{"title": slot_label(slot), "payload": slot_label(slot)} for slot in slots]
        change = await booked(tracker) is not None  # a call is booked: these times move it
        buttons.append(
            {"title": say("booking.keep_button" if change else "booking.no_thanks_button"), "payload": "/deny"}
        )
        question = "booking.offer_change" if change else "booking.offer_slots"
        dispatcher.utter_message(text=say(question, timezone=hours.timezone), buttons=buttons)
        return [SlotSet("call_slots_offered", [slot.key() for slot in slots])]


class ValidateCallForm(FormValidationAction):
    """Reads which offered time the visitor picked; "no thanks" ends the form without a call."""

    def name(self) -> str:
        return "validate_call_form"

    async def validate_call_slot(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        text = value if isinstance(value, str) else ""
        intent = latest_intent(tracker)
        if intent == "deny" or wants_to_stop(text, intent) or keeps_booked_time(text):
            return {"call_slot": DECLINED}
        settings, hours = booking_settings(), hours_from_env()
        chosen = choose_slot(text, offered(tracker, hours, settings.minutes))
        if chosen is not None and hours.accepts(chosen.start, settings.minutes, utcnow()):
            return {"call_slot": chosen.key()}
        dispatcher.utter_message(text=say("booking.slot_gone" if chosen is not None else "booking.pick_one"))
        return {"call_slot": None}  # asked again, with the times free now


class ActionBookCall(Action):
    """Keep the chosen time with the lead, confirm it and tell the CRM (or accept "no thanks",
    which keeps a call booked before)."""

    def name(self) -> str:
        return "action_book_call"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        done: list[EventType] = [SlotSet("call_slot", None), SlotSet("call_slots_offered", None)]
        start = parse_slot_key(tracker.get_slot("call_slot") or "")
        before = await booked(tracker)
        if start is None:
            if before is not None:
                dispatcher.utter_message(text=say("booking.kept", **named(before)))
            else:
                dispatcher.utter_message(text=say("booking.declined"))
            return done
        try:
            settings, hours = booking_settings(), hours_from_env()
            slot = Slot(start, start + timedelta(minutes=settings.minutes), hours.timezone)
            meeting = await asyncio.to_thread(meetings().book, tracker.sender_id, slot)
        except Exception as error:  # noqa: BLE001 - the lead is stored; the specialist arranges the call
            log.error("call for %s not booked: %s", log_id(tracker), describe_error(error))
            dispatcher.utter_message(text=say("booking.save_failed"))
            return done
        dispatcher.utter_message(text=say("booking.moved" if before else "booking.booked", **named(meeting)))
        await notify_call_in_background(meeting, tracker)
        return done
