"""The conversation's lead in the `leads` package: built from the slots, stored, handed to sales, withdrawn.

Every `leads` call runs in a worker thread, and a failing database never breaks the
conversation (the package queues writes in its outbox). Logs carry hashed conversation
ids only, never names or emails. Used by the lead actions (actions/leads.py) and by the
funnel (actions/funnel.py), which updates a captured lead when the advice changes. The lead
goes to sales with its one-page brief (leads/briefs.py), which "delete my data" erases too.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from rasa_sdk import Tracker

from advisor.budget import monthly_usd
from leads import (
    parse_company_size,
    queue_lead,
    save_lead,
    send_in_background,
    withdraw_lead,
)
from leads.answers import FIELDS
from leads.booking import Meeting, export_meeting
from leads.briefs import BriefStore, export_brief, public_base_url
from leads.model import conversation_digest
from leads.notify import queue_call
from leads.outbox import default_store_and_outbox
from leads.redact import describe_error

log = logging.getLogger(__name__)

_notifications: set[asyncio.Future] = set()


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
        "requirements": get("requirements") or None,
        "company_region": get("company_region"),
        "customer_region": get("customer_region"),
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


def log_id(tracker: Tracker) -> str:
    """The conversation as logs name it: hashed, so a log line never carries who it was."""
    return "conv-" + conversation_digest(str(tracker.sender_id))


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
        log.error("lead %s not saved: %s", log_id(tracker), describe_error(error))
        return None
    if result.queued:
        log.warning("lead %s queued in the outbox (database unreachable)", log_id(tracker))
    return result.lead


async def notify_in_background(lead: dict[str, Any], tracker: Tracker) -> None:
    """Queue the lead for sales durably (quick, file only), then send it on the delivery pool.

    The reply never waits for the CRM or Slack; what fails is retried by the action server.
    """
    await _queue_and_send(tracker, "lead", queue_lead, lead)


def _queue_call(meeting: Meeting) -> list[str]:
    lead = default_store_and_outbox()[0].get_lead(meeting.conversation_id)
    return queue_call(lead, export_meeting(meeting) or {}, meeting.sequence) if lead else []


async def notify_call_in_background(meeting: Meeting, tracker: Tracker) -> None:
    """Tell the CRM of a call booked after consent (``lead.call_booked``), as for the lead itself;
    the lead went out when it was captured, before the visitor picked a time."""
    await _queue_and_send(tracker, "booked call", _queue_call, meeting)


async def _queue_and_send(tracker: Tracker, what: str, queue_items: Callable[[Any], list[str]], item: Any) -> None:
    who = log_id(tracker)
    try:
        queued = await asyncio.to_thread(queue_items, item)
    except Exception as error:  # noqa: BLE001 - the lead itself is stored; say so in the log
        log.error("%s of %s not queued for sales: %s", what, who, describe_error(error))
        return
    if not queued:  # no consent, or no CRM/Slack configured
        return
    sending = asyncio.wrap_future(send_in_background(queued))
    _notifications.add(sending)

    def done(future: asyncio.Future) -> None:
        _notifications.discard(future)
        if future.exception() is not None:
            log.error("%s of %s: hand-off failed: %s", what, who, describe_error(future.exception()))
        elif future.result().outcomes:
            log.info("%s of %s: hand-off %s", what, who, ", ".join(sorted(future.result().outcomes.values())))

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
        log.error("withdrawing lead %s from sales failed: %s", log_id(tracker), describe_error(error))
        return
    if result.sending is not None:
        sending = asyncio.wrap_future(result.sending)
        _notifications.add(sending)
        sending.add_done_callback(_notifications.discard)


def _with_brief(lead: dict, conversation_id: str) -> dict:
    brief = BriefStore().for_conversation(conversation_id)
    return {**lead, "brief": export_brief(brief, public_base_url())} if brief else lead


async def lead_with_brief(lead: dict, tracker: Tracker) -> dict:
    """The lead as sales receives it (CRM webhook): with its `brief` field when there is one."""
    try:
        return await asyncio.to_thread(_with_brief, lead, tracker.sender_id)
    except Exception as error:  # noqa: BLE001 - the lead still goes to sales, without the brief
        log.error("brief for lead %s not attached: %s", log_id(tracker), describe_error(error))
        return lead


def erase_brief(conversation_id: str) -> bool:
    """ "Delete my data": the brief goes too, so its link answers 404. Raises when the database is down."""
    return BriefStore().delete(conversation_id)
