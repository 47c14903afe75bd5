"""Hand-off to the sales team: CRM webhook for every captured lead, Slack for hot ones.

* ``LEADS_WEBHOOK_URL``: each lead with consent is POSTed as JSON with an
  ``Idempotency-Key`` header, stable per conversation + lead version
  (:func:`leads.model.idempotency_key`).
* ``SALES_SLACK_WEBHOOK_URL``: hot leads with consent are announced with a short summary;
  everything the visitor typed is escaped for Slack (:func:`slack_escape`).
* a status or note the sales team changes in the console reaches the CRM webhook as
  ``lead.updated`` (:func:`queue_update`);
* a call the visitor books after consenting (or the booking page they were sent) reaches it
  as ``lead.call_booked`` (:func:`queue_call`); the lead itself went out before the booking.

This module builds the messages and decides what to queue; every delivery is written to the
queue file first (:mod:`leads.delivery_log`) and sent from there, retried until it goes out
(:mod:`leads.delivery`): nothing lost, and no visitor waits for the CRM or Slack.

:func:`withdraw_lead` (consent withdrawn, data erased) cancels what is not sent yet and tells
the CRM (``lead.withdrawn``) and, if it had announced the lead, the Slack channel.

:func:`queue_handoff_notice` tells the Slack channel that a visitor in the chat is waiting for
a person (live hand-off, :mod:`leads.handoff`); it goes through the same queue.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

import requests

from .config import LeadsConfig, load_config
from .delivery import deliver, send_in_background
from .delivery_log import (
    CALL_BOOKED,
    CAPTURED,
    UPDATED,
    WITHDRAWN,
    DeliveryItem,
    DeliveryLog,
    add_records,
    conversation_ref,
    iso,
    queue,
)
from .model import conversation_digest, idempotency_key, lead_version, to_jsonable, utcnow

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class NotifyResult:
    """Per target: ``sent``, ``already_sent``, ``in_flight`` (another thread or process is
    sending it), ``queued`` (waits behind an earlier delivery of the conversation),
    ``failed`` (this try failed; an outage is retried later), ``cancelled``, ``skipped``
    or ``disabled``."""

    idempotency_key: str
    webhook: str
    slack: str


def slack_escape(text: Any) -> str:
    """Text safe inside a Slack message: ``&``, ``<`` and ``>`` as Slack's escapes.

    Slack reads ``<...>`` as a control sequence (``<!channel>`` pings everyone,
    ``<http://x|label>`` is a disguised link); escaping these three characters is what
    https://api.slack.com/reference/surfaces/formatting#escaping asks for.
    """
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_summary(lead: Mapping[str, Any]) -> str:
    """One short Slack message: company, need, recommendation, tier, contact.

    Everything that comes from the lead goes through :func:`slack_escape`.
    """
    answers = lead.get("answers") or {}
    tasks = answers.get("tasks")
    need = ", ".join(map(str, tasks)) if isinstance(tasks, (list, tuple)) else str(tasks or "?")
    if answers.get("expertise_gap"):
        need += " (no in-house expertise)"
    size = f" ({lead['company_size']})" if lead.get("company_size") else ""
    contact = " · ".join(str(lead[key]) for key in ("full_name", "role", "email") if lead.get(key))
    esc = slack_escape
    return (
        f":fire: *{esc(str(lead.get('tier') or '?').upper())} lead* (score {esc(lead.get('score'))})\n"
        f"*Company:* {esc(lead.get('company') or '?')}{esc(size)}\n"
        f"*Need:* {esc(need)}\n"
        f"*Recommendation:* {esc(str(lead.get('recommendation') or '?').upper())}\n"
        f"*Timeline:* {esc(lead.get('timeline') or '?')}\n"
        f"*Contact:* {esc(contact or '?')}\n"
        f"_Ref: {conversation_ref(lead['conversation_id'])}_"
    )


# --- queueing -----------------------------------------------------------------------------


def queue_lead(
    lead: Mapping[str, Any],
    *,
    config: LeadsConfig | None = None,
    deliveries: DeliveryLog | None = None,
) -> list[str]:
    """Durably queue the lead's deliveries (CRM; Slack when hot); returns their ids.

    Quick (file I/O only): safe to call before answering the visitor. Nothing is queued
    without consent or for a channel that is not configured.
    """
    config = config or load_config()
    deliveries = deliveries or DeliveryLog(config.deliveries_path)
    return [record["id"] for record in queue(deliveries, _lead_items(lead, config))]


def _lead_items(lead: Mapping[str, Any], config: LeadsConfig) -> list[DeliveryItem]:
    if not lead.get("consent"):
        return []
    key = idempotency_key(lead)
    conversation = conversation_ref(lead["conversation_id"])
    items: list[DeliveryItem] = []
    if config.webhook_url:
        payload = {
            "event": CAPTURED,
            "idempotency_key": key,
            "lead_version": lead_version(lead),
            "lead": to_jsonable(dict(lead)),
        }
        items.append((CAPTURED, "webhook", key, conversation, payload))
    if config.slack_webhook_url and lead.get("tier") == "hot":
        items.append((CAPTURED, "slack", key, conversation, {"text": slack_summary(lead)}))
    return items


def queue_update(
    lead: Mapping[str, Any],
    change: Mapping[str, Any],
    *,
    config: LeadsConfig | None = None,
    deliveries: DeliveryLog | None = None,
) -> list[str]:
    """Durably queue a console change (a :class:`leads.pipeline.Change` as dict) for the CRM webhook.

    Body: ``event`` ``lead.updated``, its ``idempotency_key`` (one per change), the
    conversation id, the captured lead's key (how the CRM found the lead), the status before
    and after, the note, who changed it and when. Quick (file I/O only); returns the
    delivery ids to send (:func:`leads.delivery.send_in_background`). Nothing is queued
    without consent or without ``LEADS_WEBHOOK_URL``.
    """
    config = config or load_config()
    if not (lead.get("consent") and config.webhook_url and change.get("change_id")):
        return []
    body = {
        "previous_status": change["previous_status"],
        "status": change["status"] or change["previous_status"],
        "status_changed": change["status"] is not None,
        "note": change["note"],
        "changed_by": change["rep"],
        "changed_at": change["at"],
    }
    return _queue_lead_event(lead, UPDATED, f"update-{change['change_id']}", body, config, deliveries)


def queue_call(
    lead: Mapping[str, Any],
    meeting: Mapping[str, Any],
    sequence: int,
    *,
    config: LeadsConfig | None = None,
    deliveries: DeliveryLog | None = None,
) -> list[str]:
    """Durably queue a booked call (``leads.booking.export_meeting``) for the CRM webhook.

    Body: ``event`` ``lead.call_booked``, its ``idempotency_key`` (the captured lead's key +
    ``-call-<n>``, n counting the bookings of the conversation, so a moved call is a new
    event), the conversation id, the captured lead's key and the ``meeting``: kind (``slot``,
    or ``link`` for the booking page sent), UTC start and end, the sales team's time zone,
    the booking page, when it was booked and the visitor's calendar link. Quick (file I/O
    only); nothing is queued without consent or without ``LEADS_WEBHOOK_URL``.
    """
    config = config or load_config()
    if not (lead.get("consent") and config.webhook_url):
        return []
    body = {"meeting": to_jsonable(dict(meeting))}
    return _queue_lead_event(lead, CALL_BOOKED, f"call-{sequence}", body, config, deliveries)


def _queue_lead_event(
    lead: Mapping[str, Any],
    event: str,
    suffix: str,
    body: Mapping[str, Any],
    config: LeadsConfig,
    deliveries: DeliveryLog | None,
) -> list[str]:
    """Queue one webhook event about a captured lead, in the envelope every such event shares:
    ``event``, its ``idempotency_key`` (the lead's key + ``-<suffix>``), the conversation id and
    the lead's key, then `body`. The delivery ids to send."""
    deliveries = deliveries or DeliveryLog(config.deliveries_path)
    lead_key = idempotency_key(lead)
    key = f"{lead_key}-{suffix}"
    payload = {
        "event": event,
        "idempotency_key": key,
        "conversation_id": lead["conversation_id"],
        "lead_idempotency_key": lead_key,
        **body,
    }
    item: DeliveryItem = (event, "webhook", key, conversation_ref(lead["conversation_id"]), payload)
    return [record["id"] for record in queue(deliveries, [item])]


def notify_lead(
    lead: Mapping[str, Any],
    *,
    config: LeadsConfig | None = None,
    deliveries: DeliveryLog | None = None,
    session: requests.Session | None = None,
) -> NotifyResult:
    """Queue a captured lead (``SaveResult.lead``) for the sales channels and send it now.

    Blocking (HTTP with retries). What fails on an outage stays queued and is retried
    by the background delivery; see the module docstring.
    """
    config = config or load_config()
    deliveries = deliveries or DeliveryLog(config.deliveries_path)
    key = idempotency_key(lead)
    if not lead.get("consent"):
        return NotifyResult(key, "skipped", "skipped")
    records = queue(deliveries, _lead_items(lead, config))
    before = {record["id"]: record["state"] for record in records}
    sent = deliver(config=config, deliveries=deliveries, ids=list(before), force=True, session=session)
    by_target = {
        "webhook": "disabled" if not config.webhook_url else "skipped",
        "slack": "disabled" if not config.slack_webhook_url else "skipped",
    }
    now = {record["id"]: record["state"] for record in deliveries.load()} if records else {}
    for record in records:
        state = before[record["id"]] if before[record["id"]] == "sent" else now.get(record["id"], "gone")
        outcome = sent.outcomes.get(record["id"])
        if outcome is None:
            outcome = {
                "sent": "already_sent",
                "sending": "in_flight",
                "cancelled": "cancelled",
                "pending": "queued",
            }.get(state, "failed")
        elif outcome in ("retry", "pending"):
            outcome = "failed"
        by_target[record["target"]] = outcome
    return NotifyResult(key, by_target["webhook"], by_target["slack"])


# --- live hand-off ------------------------------------------------------------------------

HANDOFF_WAITING = "handoff.waiting"


def slack_handoff_notice(conversation_id: str, wait_seconds: float, console_url: str | None = None) -> str:
    """The sales channel's call to take a visitor: the ref and how long they wait, nothing personal."""
    where = f"<{slack_escape(console_url)}|the sales console>" if console_url else "the sales console"
    minutes = max(1, round(wait_seconds / 60))
    return (
        f":wave: A visitor in the chat is asking for a person. Take the chat in {where} (Waiting); "
        f"after {minutes} minute{'s' if minutes != 1 else ''} they are offered a call-back instead.\n"
        f"_Ref: {conversation_ref(conversation_id)}_"
    )


def queue_handoff_notice(
    conversation_id: str,
    requested_at: Any,
    *,
    wait_seconds: float,
    console_url: str | None = None,
    config: LeadsConfig | None = None,
    deliveries: DeliveryLog | None = None,
    send: bool = True,
) -> Future | None:
    """Queue (and, with ``send``, start sending) the Slack notice of a new hand-off request.

    Once per request (its key holds the request time); nothing without a Slack webhook.
    Returns the sending future, if any.
    """
    config = config or load_config()
    if not config.slack_webhook_url:
        return None
    deliveries = deliveries or DeliveryLog(config.deliveries_path)
    stamp = to_jsonable(requested_at)
    key = f"handoff-{conversation_digest(conversation_id)}-{stamp}"
    text = slack_handoff_notice(conversation_id, wait_seconds, console_url)
    records = queue(deliveries, [(HANDOFF_WAITING, "slack", key, conversation_ref(conversation_id), {"text": text})])
    pending = [record["id"] for record in records if record["state"] == "pending"]
    return send_in_background(pending, config) if send and pending else None


# --- withdrawal ---------------------------------------------------------------------------


@dataclass
class WithdrawResult:
    """What :func:`withdraw_lead` did: deliveries cancelled, notices queued (and being sent)."""

    cancelled: int = 0
    queued: list[str] = field(default_factory=list)
    sending: Future | None = None


def slack_withdrawal_notice(conversation_id: str) -> str:
    """The sales channel's notice: which announcement it was (its ref), nothing about the person."""
    return (
        f":no_entry_sign: The lead announced here as _Ref: {conversation_ref(conversation_id)}_ "
        "withdrew consent; their details have been erased. Please do not contact them and "
        "delete any copies you made."
    )


def withdraw_lead(
    conversation_id: str,
    *,
    config: LeadsConfig | None = None,
    deliveries: DeliveryLog | None = None,
    send: bool = True,
) -> WithdrawResult:
    """The visitor withdrew consent or asked for erasure: stop and undo the hand-off.

    * every delivery of the conversation not sent yet is cancelled and its payload (the
      personal data) dropped from the queue; one being sent right now is checked again
      just before its request and dropped (one whose request is already on the wire can't
      be recalled: the notices below follow it, in order);
    * the CRM webhook gets a ``lead.withdrawn`` event (``Idempotency-Key``: the captured
      lead's key + ``-withdrawn``; body: event, key, conversation id, lead key, time) when
      a lead of the conversation was ever queued for it;
    * the sales Slack channel gets a short notice, only if it had been told of the lead.

    Quick: file I/O only; the notices are sent on the delivery pool (``send``) and retried
    like every delivery. Safe to call for a conversation without any lead.
    """
    config = config or load_config()
    deliveries = deliveries or DeliveryLog(config.deliveries_path)
    ref = conversation_ref(conversation_id)
    result = WithdrawResult()
    if not deliveries.path.exists():
        return result  # nothing was ever queued on this host
    now = iso(utcnow())
    with deliveries.lock():
        records = deliveries.load()
        captured: dict[str, str] = {}  # target -> key of the latest captured lead queued for it
        told_slack = False
        changed = False
        for record in records:
            if record.get("conversation") != ref:
                continue
            if record.get("event") == CAPTURED:
                captured[record["target"]] = record["key"]
                told_slack |= record["target"] == "slack" and record["state"] in ("sent", "sending")
            if record["state"] in ("pending", "failed"):
                record.update(state="cancelled", last_error="withdrawn", lease_until=None)
                result.cancelled += 1
            elif record["state"] == "sending":
                record["withdrawn"] = True  # the sender checks this right before its request
            changed |= record.pop("payload", None) is not None or record["state"] == "cancelled"
        items: list[DeliveryItem] = []
        if config.webhook_url and "webhook" in captured:
            key = captured["webhook"] + "-withdrawn"
            payload = {
                "event": WITHDRAWN,
                "idempotency_key": key,
                "conversation_id": conversation_id,
                "lead_idempotency_key": captured["webhook"],
                "withdrawn_at": now,
            }
            items.append((WITHDRAWN, "webhook", key, ref, payload))
        if config.slack_webhook_url and told_slack:
            items.append(
                (
                    WITHDRAWN,
                    "slack",
                    captured["slack"] + "-withdrawn",
                    ref,
                    {"text": slack_withdrawal_notice(conversation_id)},
                )
            )
        for record, new in add_records(records, items, now):
            if not new:
                continue  # withdrawn before: told already (or being told)
            if record["target"] == "slack":
                record["only_if_told"] = True  # checked again when it is sent
            result.queued.append(record["id"])
            changed = True
        if changed:
            deliveries.save(records)
    if result.cancelled or result.queued:
        log.info(
            "lead %s withdrawn: %d deliveries cancelled, %d notices queued", ref, result.cancelled, len(result.queued)
        )
    if send and result.queued:
        result.sending = send_in_background(result.queued, config)
    return result
