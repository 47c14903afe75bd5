"""Booking a call after the visitor consented: a prefilled booking link, or a slot kept with the lead.

Thin: the link, the slots and the visitor's pick are leads/booking.py and leads/sales_hours.py.

* `action_submit_lead` (with consent) hands over to `action_offer_call`.
* With BOOKING_URL, `action_offer_call` sends that page prefilled with the visitor's name and
  email, and notes it with the lead (the visitor books there).
* Without it, `call_form` asks for one slot: `action_ask_call_slot` offers two or three times
  on the next working days within the sales team's hours (buttons, and "No thanks");
  `validate_call_form` reads the pick (the button, "the second one", "Tuesday", "3.30pm");
  `action_book_call` keeps it with the lead (`lead_meetings`), which the sales console shows
  with its .ics file, and confirms it with the visitor's own link to that file
  (`/call/<token>.ics`, web/call_file.py).
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

from actions.lead_record import log_id
from actions.slots import latest_intent
from advisor.texts import say
from leads import Meetings, booking_link, booking_settings, hours_from_env
from leads.answers import wants_to_stop
from leads.booking import calendar_url, choose_slot
from leads.model import utcnow
from leads.outbox import default_store_and_outbox
from leads.redact import describe_error
from leads.sales_hours import SalesHours, Slot, parse_slot_key

log = logging.getLogger(__name__)

FORM = "call_form"
DECLINED = "declined"


def meetings() -> Meetings:
    return Meetings(default_store_and_outbox()[0])


def slot_label(slot: Slot) -> str:
    """How a time is shown (and its button reads): "Thursday 15 January, 10:00-10:30"."""
    start, end = slot.local_start, slot.local_end
    return say(
        "booking.slot_label",
        weekday=start.strftime("%A"),
        day=start.day,
        month=start.strftime("%B"),
        start=start.strftime("%H:%M"),
        end=end.strftime("%H:%M"),
    )


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
    """After consent: the booking link, or the call form's proposed times."""

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
        if not settings.url:
            return [FollowupAction(FORM)]
        link = booking_link(settings.url, tracker.get_slot("lead_full_name"), tracker.get_slot("lead_email"))
        dispatcher.utter_message(text=say("booking.offer_link", link=link))
        try:
            await asyncio.to_thread(meetings().offered_page, tracker.sender_id, settings.url)
        except Exception as error:  # noqa: BLE001 - the visitor has the link; only the note is missing
            log.error("booking page for %s not noted: %s", log_id(tracker), describe_error(error))
        return []


class ActionAskCallSlot(Action):
    """The call form's question: two or three times on the next working days, and "No thanks"."""

    def name(self) -> str:
        return "action_ask_call_slot"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        settings, hours = booking_settings(), hours_from_env()
        slots = hours.proposed_slots(utcnow(), settings.slots, settings.minutes)
        buttons = [{"title": slot_label(slot), "payload": slot_label(slot)} for slot in slots]
        buttons.append({"title": say("booking.no_thanks_button"), "payload": "/deny"})
        dispatcher.utter_message(text=say("booking.offer_slots", timezone=hours.timezone), buttons=buttons)
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
        if intent == "deny" or wants_to_stop(text, intent):
            return {"call_slot": DECLINED}
        settings, hours = booking_settings(), hours_from_env()
        chosen = choose_slot(text, offered(tracker, hours, settings.minutes))
        if chosen is not None and hours.accepts(chosen.start, settings.minutes, utcnow()):
            return {"call_slot": chosen.key()}
        dispatcher.utter_message(text=say("booking.slot_gone" if chosen is not None else "booking.pick_one"))
        return {"call_slot": None}  # asked again, with the times free now


class ActionBookCall(Action):
    """Keep the chosen time with the lead and confirm it (or accept "no thanks")."""

    def name(self) -> str:
        return "action_book_call"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        done: list[EventType] = [SlotSet("call_slot", None), SlotSet("call_slots_offered", None)]
        start = parse_slot_key(tracker.get_slot("call_slot") or "")
        if start is None:
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
        link = calendar_url(meeting.token)
        dispatcher.utter_message(
            text=say("booking.booked", when=slot_label(slot), timezone=hours.timezone, calendar_link=link)
        )
        return done
