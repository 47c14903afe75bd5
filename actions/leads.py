"""Lead pre-qualification and hand-off to sales: the offer, `lead_form`, storing and privacy.

Thin: these actions read slots, call the `leads` package (score, store with outbox,
notifications) and write events. Every `leads` call runs in a worker thread, and a
failing database never breaks the conversation (the package queues writes in its
outbox). Logs carry hashed conversation ids only, never names or emails.

Flow: `action_recommend` and `action_handoff` call :func:`offer_specialist` (yes/no
buttons). "Yes" starts `lead_form` (name, work email, company, role, company size,
timeline, consent); `validate_lead_form` (actions/lead_form.py) checks each answer;
`action_submit_lead` stores the lead only with consent. `action_withdraw_consent` and `action_delete_lead_data`
erase it again.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
from collections.abc import AsyncIterator
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.lead_form import FIELDS, FORM, LABELS, volunteered
from advisor import messages, taxonomy
from advisor.budget import monthly_usd
from leads import (
    delete_lead,
    parse_company_size,
    queue_lead,
    record_events,
    save_lead,
    score_from_lead,
    send_in_background,
    withdraw_lead,
)
from leads.model import conversation_digest
from leads.redact import describe_error

log = logging.getLogger(__name__)

# Everything the lead part writes; cleared again when nothing may be kept.
LEAD_SLOTS = (*FIELDS, "lead_consent", "lead_score", "lead_tier")

CONSENT_BUTTONS = [
    {"title": "Yes, I agree", "payload": "/affirm"},
    {"title": "No", "payload": "/deny"},
]

# --- the advice part, reused --------------------------------------------------------------


def advisor_answers(tracker: Tracker) -> dict[str, Any]:
    """What the advice part already knows, in the `answers` keys `leads.score` reads."""
    get = tracker.get_slot
    expertise = get("in_house_expertise")
    amount = get("budget_amount")
    monthly = None
    if isinstance(amount, (int, float)) and amount > 0:
        monthly = round(monthly_usd(float(amount), get("budget_currency"), get("budget_period")), 2)
    level = get("budget_level")
    answers = {
        "tasks": [t for t in (get("tasks") or []) if t != "unknown"] or None,
        "budget": level if level in ("tight", "moderate", "flexible") else None,
        "budget_level": level,
        "budget_amount": amount,
        "budget_currency": get("budget_currency"),
        "budget_period": get("budget_period"),
        "monthly_budget_usd": monthly,
        "cost_priority": get("cost_priority"),
        "in_house_expertise": expertise,
        "expertise_gap": {"no": True, "partial": True, "yes": False}.get(expertise),
        "missing_skills": get("missing_skills") or None,
        "goals": [g for g in (get("goals") or []) if g != "unknown"] or None,
        "coverage": get("coverage"),
        "recommendation_confidence": get("recommendation_confidence"),
    }
    size = parse_company_size(get("lead_company_size"))
    if size:
        answers["company_size_band"] = size.band
    return {key: value for key, value in answers.items() if value is not None}


def lead_fields(tracker: Tracker) -> dict[str, Any]:
    """The lead as `leads.save_lead` takes it, from the slots."""
    recommendation = tracker.get_slot("recommendation")
    return {
        **{field: tracker.get_slot(slot) for slot, field in FIELDS.items()},
        "answers": advisor_answers(tracker),
        "recommendation": recommendation if recommendation in ("bpo", "kpo", "hybrid") else None,
        "recommendation_reasons": tracker.get_slot("recommendation_reasons") or None,
    }


# --- talking to the leads package -------------------------------------------------------

_notifications: set[asyncio.Future] = set()


def _who(tracker: Tracker) -> str:
    return "conv-" + conversation_digest(str(tracker.sender_id))


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
        log.error("funnel events %s for %s not recorded: %s", kinds, _who(tracker), describe_error(error))


async def notify_in_background(lead: dict[str, Any], tracker: Tracker) -> None:
    """Queue the lead for sales durably (quick, file only), then send it on the delivery pool.

    The reply never waits for the CRM or Slack; what fails is retried by the action server.
    """
    who = _who(tracker)
    try:
        queued = await asyncio.to_thread(queue_lead, lead)
    except Exception as error:  # noqa: BLE001 - the lead itself is stored; say so in the log
        log.error("lead %s not queued for sales: %s", who, describe_error(error))
        return
    sending = asyncio.wrap_future(send_in_background(queued))
    _notifications.add(sending)

    def done(future: asyncio.Future) -> None:
        _notifications.discard(future)
        if future.exception() is not None:
            log.error("lead %s hand-off failed: %s", who, describe_error(future.exception()))
        elif future.result().outcomes:
            log.info("lead %s hand-off: %s", who, ", ".join(sorted(future.result().outcomes.values())))

    sending.add_done_callback(done)


async def wait_for_notifications() -> None:
    """Wait until every hand-off started by this process has finished (tests, shutdown)."""
    while _notifications:
        await asyncio.gather(*list(_notifications), return_exceptions=True)


async def withdraw_from_sales(tracker: Tracker) -> None:
    """Cancel pending hand-offs and tell the CRM and Slack (`leads.withdraw_lead`); never raises."""
    try:
        result = await asyncio.to_thread(withdraw_lead, tracker.sender_id)
    except Exception as error:  # noqa: BLE001 - the erasure itself still goes ahead
        log.error("withdrawing lead %s from sales failed: %s", _who(tracker), describe_error(error))
        return
    if result.sending is not None:
        sending = asyncio.wrap_future(result.sending)
        _notifications.add(sending)
        sending.add_done_callback(_notifications.discard)


async def store(tracker: Tracker, **changes: Any) -> dict[str, Any] | None:
    """Upsert the conversation's lead (database, or outbox while it is down); None on refusal."""
    try:
        result = await asyncio.to_thread(
            save_lead,
            conversation_id=tracker.sender_id,
            channel=tracker.get_latest_input_channel(),
            **changes,
        )
    except Exception as error:  # noqa: BLE001 - refused (or the outbox failed): say so, don't crash
        log.error("lead %s not saved: %s", _who(tracker), describe_error(error))
        return None
    if result.queued:
        log.warning("lead %s queued in the outbox (database unreachable)", _who(tracker))
    return result.lead


# --- the offer (called by action_recommend and action_handoff) ----------------------------


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
    if tracker.get_slot("lead_status") == "captured" and tracker.get_slot("lead_consent") is True:
        fields = lead_fields(tracker)
        await store(
            tracker,
            answers=fields["answers"],
            recommendation=choice,
            recommendation_reasons=reasons,
        )
    return events


async def offer_specialist(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
    """Offer to connect the user with a specialist (yes/no), unless they already gave details."""
    if tracker.get_slot("lead_status") == "captured":
        dispatcher.utter_message(response="utter_lead_already_captured")
        return []
    dispatcher.utter_message(response="utter_offer_specialist")  # yes/no buttons in domain.yml
    await funnel(tracker, "lead_offered")
    return []


async def handoff(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
    """A request for a person (or volunteered contact details): offer, keeping what was said."""
    events = await start_funnel(tracker)
    text = tracker.latest_message.get("text") or ""
    details = volunteered(text) if not text.startswith("/") else {}
    if tracker.get_slot("lead_status") == "captured" and tracker.get_slot("lead_consent") is True:
        if details:
            await store(tracker, **{FIELDS[slot]: value for slot, value in details.items()})
            changed = taxonomy.join_labels([LABELS[slot] for slot in details])
            dispatcher.utter_message(text=f"Thanks, I've updated your {changed} for the specialist.")
            return events + [SlotSet(slot, value) for slot, value in details.items()]
        dispatcher.utter_message(response="utter_lead_already_captured")
        return events
    events += [SlotSet(slot, value) for slot, value in details.items()]
    return events + await offer_specialist(dispatcher, tracker)


class ActionAskLeadConsent(Action):
    """Shows what would be passed on, exactly as typed, and asks for explicit consent."""

    def name(self) -> str:
        return "action_ask_lead_consent"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        lines = [f"• {LABELS[slot].capitalize()}: {tracker.get_slot(slot)}" for slot in FIELDS]
        tasks = taxonomy.labels(tracker.get_slot("tasks") or [])
        recommendation = tracker.get_slot("recommendation")
        if tasks or recommendation:
            need = taxonomy.sentence_case(taxonomy.join_labels(tasks)) if tasks else "Your needs"
            advice = f"; my advice: {messages.NAMES[recommendation]}" if recommendation in messages.NAMES else ""
            lines.append(f"• What you need: {need}{advice}")
        dispatcher.utter_message(
            text="Here's what I'd pass on to our specialist:\n" + "\n".join(lines) + "\n\n"
            "May we store these details and have a specialist contact you about your outsourcing plans? "
            'You can withdraw your consent at any time by saying "withdraw my consent".',
            buttons=CONSENT_BUTTONS,
        )
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
        await notify_in_background(lead, tracker)
        name, email = fields["full_name"], fields["email"]
        dispatcher.utter_message(
            text=f"Thank you, {name}! A specialist will contact you at {email}, usually within one "
            "business day. If you'd rather they didn't, just say \"withdraw my consent\" and I'll erase "
            "your details."
        )
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

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        # Like a hand-off, this pauses any questions (the advice resumes with the next fact).
        events: list[EventType] = [ActiveLoop(None), SlotSet("requested_slot", None)]
        events += [SlotSet(slot, None) for slot in LEAD_SLOTS]
        if tracker.active_loop.get("name") == FORM:  # stopped while giving details
            await funnel(tracker, "lead_declined")
        await withdraw_from_sales(tracker)
        try:
            await asyncio.to_thread(delete_lead, tracker.sender_id)
        except Exception as error:  # noqa: BLE001 - database down: at least withdraw consent
            log.error("erasing lead %s failed: %s", _who(tracker), describe_error(error))
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

    def name(self) -> str:
        return "action_delete_lead_data"
