"""Lead pre-qualification and hand-off to sales: a request for a person, consent, storing and privacy.

Thin: these actions read slots, call the `leads` package through actions/lead_record.py
(score, store with outbox, notifications) and write events.

Flow: `action_recommend` and `action_handoff` offer a specialist (yes/no buttons;
`offer_specialist` in actions/funnel.py, which also records the funnel). "Yes" starts
`lead_form` (name, work email, company, role, company size, timeline, consent);
`validate_lead_form` (actions/lead_form.py) checks each answer with `leads.answers`;
`action_submit_lead` stores the lead only with consent. `action_withdraw_consent` and
`action_delete_lead_data` erase it again.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.funnel import funnel, offer_open, offer_specialist, start_funnel
from actions.lead_form import FORM
from actions.lead_record import (
    erase_brief,
    lead_fields,
    lead_with_brief,
    log_id,
    notify_in_background,
    store,
    withdraw_from_sales,
)
from advisor import messages, taxonomy
from advisor.texts import say
from leads import delete_lead, score_from_lead
from leads.answers import FIELDS, bare_name, label, volunteered
from leads.redact import describe_error

log = logging.getLogger(__name__)

# Everything the lead part writes; cleared again when nothing may be kept.
LEAD_SLOTS = (*FIELDS, "lead_consent", "lead_score", "lead_tier")


def captured(tracker: Tracker) -> bool:
    """The visitor gave their details with consent: sales has them."""
    return tracker.get_slot("lead_status") == "captured" and tracker.get_slot("lead_consent") is True


async def handoff(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
    """A request for a person (or volunteered contact details): offer, keeping what was said.
    After the details were given, a call is offered (or the one booked named) instead."""
    events = await start_funnel(tracker)
    text = tracker.latest_message.get("text") or ""
    details = volunteered(text) if not text.startswith("/") else {}
    if captured(tracker):
        if details:
            await store(tracker, **{FIELDS[slot]: value for slot, value in details.items()})
            changed = taxonomy.join_labels([label(slot) for slot in details])
            dispatcher.utter_message(text=say("leads.updated_for_specialist", fields=changed))
            return events + [SlotSet(slot, value) for slot, value in details.items()]
        # A call is what a person can offer now: the times again (or the booking page), or the
        # call already booked, which the times then move (actions/booking.py).
        dispatcher.utter_message(text=say("booking.again"))
        return [*events, FollowupAction("action_offer_call")]
    events += [SlotSet(slot, value) for slot, value in details.items()]
    if offer_open(tracker) and not text.startswith("/"):
        # Details typed while the offer waits for its answer are the answer: "Jane Doe",
        # "jane@acme.com". The contact questions start with what was given, and ask the rest.
        name = bare_name(text) if "lead_full_name" not in details else None
        return [*events, *([SlotSet("lead_full_name", name)] if name else []), FollowupAction(FORM)]
    return events + await offer_specialist(dispatcher, tracker)


class ActionAskLeadConsent(Action):
    """Shows what would be passed on, exactly as typed, and asks for explicit consent."""

    def name(self) -> str:
        return "action_ask_lead_consent"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        lines = [
            say("leads.consent.detail", label=label(slot).capitalize(), value=tracker.get_slot(slot)) for slot in FIELDS
        ]
        tasks = taxonomy.labels(tracker.get_slot("tasks") or [])
        recommendation = tracker.get_slot("recommendation")
        if tasks or recommendation:
            need = taxonomy.sentence_case(taxonomy.join_labels(tasks)) if tasks else say("leads.consent.need_unnamed")
            advised = recommendation in messages.CHOICES
            advice = say("leads.consent.advice", name=messages.name(recommendation)) if advised else ""
            lines.append(say("leads.consent.need", need=need, advice=advice))
        buttons = [
            {"title": say("leads.consent.yes_button"), "payload": "/affirm"},
            {"title": say("leads.consent.no_button"), "payload": "/deny"},
        ]
        text = say("leads.consent.intro") + "\n" + "\n".join(lines) + "\n\n" + say("leads.consent.question")
        dispatcher.utter_message(text=text, buttons=buttons)
        return []


class ActionSubmitLead(Action):
    """With consent: score, store, notify sales. Without: store nothing personal, and say so."""

    def name(self) -> str:
        return "action_submit_lead"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        if tracker.get_slot("lead_consent") is not True:
            await funnel(tracker, "lead_declined")
            dispatcher.utter_message(response="utter_lead_not_stored")
            return [SlotSet(slot, None) for slot in LEAD_SLOTS] + [SlotSet("lead_status", "declined")]
        fields = lead_fields(tracker)
        scored = score_from_lead(fields)
        lead = await store(tracker, consent=True, **fields)
        if lead is None:
            dispatcher.utter_message(response="utter_lead_store_failed")
            return []
        await funnel(tracker, "lead_captured")
        await notify_in_background(await lead_with_brief(lead, tracker), tracker)
        name, email = fields["full_name"], fields["email"]
        dispatcher.utter_message(text=say("leads.captured", name=name, email=email))
        return [
            SlotSet("lead_score", float(scored.score)),
            SlotSet("lead_tier", scored.tier),
            SlotSet("lead_status", "captured"),
            FollowupAction("action_offer_call"),  # a call can be booked now (actions/booking.py)
        ]


class ActionDeclineLead(Action):
    """ "No thanks" to the offer: nothing is taken, and the user is told so."""

    def name(self) -> str:
        return "action_decline_lead"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        await funnel(tracker, "lead_declined")
        dispatcher.utter_message(response="utter_lead_offer_declined")
        # Details volunteered before the offer ("my email is ...") are dropped too, and the
        # tracker store erases them from the stored conversation on `declined`
        # (serving/erasure.py): "I haven't taken any contact details" stays true.
        return [SlotSet(slot, None) for slot in LEAD_SLOTS] + [SlotSet("lead_status", "declined")]


def forget_in_widget(dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
    """Ask the web widget (socket.io) to drop the transcript it keeps in the browser.

    Rasa's socket.io channel emits a custom payload's `data` as a `bot_uttered` message;
    web/widget.js acts on `forget_history`. Other channels keep no copy (and Slack would
    post the payload as a message), so they get nothing.
    """
    if tracker.get_latest_input_channel() == "socketio":
        dispatcher.utter_message(json_message={"data": {"forget_history": True}})


class _EraseLead:
    """Erase the stored lead (and anything queued for it) and clear the contact slots.

    The `lead_status` this ends with makes the tracker store erase the contact details
    (`withdrawn`) or every message (`deleted`) from the stored conversation
    (serving/erasure.py), and the widget forgets its copy of the transcript.

    A mixin, not an `Action`: the SDK registers every `Action` subclass by its name.
    """

    status = ""
    response = ""
    deletes_brief = False

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        # Like a hand-off, this pauses any questions (the advice resumes with the next fact).
        events: list[EventType] = [ActiveLoop(None), SlotSet("requested_slot", None)]
        events += [SlotSet(slot, None) for slot in LEAD_SLOTS]
        if tracker.active_loop.get("name") == FORM:  # stopped while giving details
            await funnel(tracker, "lead_declined")
        await withdraw_from_sales(tracker)
        try:
            await asyncio.to_thread(delete_lead, tracker.sender_id)
            if self.deletes_brief:  # "delete my data": the brief's link then answers 404
                await asyncio.to_thread(erase_brief, tracker.sender_id)
                events.append(SlotSet("brief_url", None))
        except Exception as error:  # noqa: BLE001 - database down: at least withdraw consent
            log.error("erasing lead %s failed: %s", log_id(tracker), describe_error(error))
            if tracker.get_slot("lead_status") == "captured":
                await store(tracker, consent=False)  # queued: no hand-off once the database is back
            dispatcher.utter_message(response="utter_lead_erase_failed")
            forget_in_widget(dispatcher, tracker)
            return [*events, SlotSet("lead_status", "withdrawn")]
        dispatcher.utter_message(response=self.response)
        forget_in_widget(dispatcher, tracker)
        return [*events, SlotSet("lead_status", self.status)]


class ActionWithdrawConsent(_EraseLead, Action):
    """ "I withdraw my consent": nobody will contact them, and the stored details are erased."""

    status = "withdrawn"
    response = "utter_consent_withdrawn"

    def name(self) -> str:
        return "action_withdraw_consent"


class ActionDeleteLeadData(_EraseLead, Action):
    """ "Delete my data": the lead record and contact details are erased."""

    status = "deleted"
    response = "utter_lead_data_deleted"
    deletes_brief = True

    def name(self) -> str:
        return "action_delete_lead_data"
