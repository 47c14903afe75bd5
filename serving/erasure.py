"""Erasing personal data from a conversation's stored events (plain Python, no Rasa imports).

The lead actions (actions/leads.py) end every privacy request with a `lead_status` slot
event; the tracker store (serving/tracker_store.py) reads that status from the events it
is saving and, when it asks for erasure, rewrites all of the conversation's stored events
(every session) with :func:`redact_events` in the same transaction:

* ``deleted`` ("delete my data"): every user message is replaced by :data:`ERASED` (its
  NLU text, entity values and metadata too); every contact-detail slot value is removed,
  free text kept in other slots (`unclear_task`) is erased, and the contact details and any
  email address are cut out of the bot's messages (the consent summary, the thank-you);
* ``withdrawn`` and ``declined`` (consent withdrawn; the offer or the consent question
  answered with no): the contact details as above, and the answers given to the contact
  questions (user messages while `lead_form` was active). The rest of the conversation
  (the advice) stays readable.

The intents, the actions and the other slots are kept, so the conversation goes on as
before. The functions take and return the JSON dicts Rasa stores (`Event.as_dict()`).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Mapping
from typing import Any

from leads.redact import EMAIL_RE

ERASED = "<erased>"
STATUS_SLOT = "lead_status"
EVERYTHING = "everything"
CONTACT_DETAILS = "contact_details"
# lead_status value -> what is erased
SCOPES = {"deleted": EVERYTHING, "withdrawn": CONTACT_DETAILS, "declined": CONTACT_DETAILS}
CONTACT_SLOTS = (
    "lead_full_name",
    "lead_email",
    "lead_company",
    "lead_role",
    "lead_company_size",
    "lead_timeline",
)
# Slots that keep a user's own words (erased with everything, kept non-empty).
FREE_TEXT_SLOTS = ("unclear_task",)
CONTACT_FORM = "lead_form"


def erasure_scope(new_events: Iterable[Mapping[str, Any]]) -> str | None:
    """EVERYTHING, CONTACT_DETAILS or None, from the events a turn adds (the widest asked)."""
    scope = None
    for event in new_events:
        if event.get("event") == "slot" and event.get("name") == STATUS_SLOT:
            asked = SCOPES.get(event.get("value"))
            if asked == EVERYTHING:
                return EVERYTHING
            scope = asked or scope
    return scope


def _contact_values(events: Iterable[Mapping[str, Any]]) -> list[str]:
    values = set()
    for event in events:
        if event.get("event") == "slot" and event.get("name") in CONTACT_SLOTS:
            value = event.get("value")
            if isinstance(value, str) and value.strip():
                values.add(value.strip())
    return sorted(values, key=len, reverse=True)  # longest first: "Acme Ltd" before "Acme"


def _scrubber(values: list[str]) -> re.Pattern[str] | None:
    if not values:
        return None
    alternatives = "|".join(re.escape(value) for value in values)
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)


def _scrub(text: Any, pattern: re.Pattern[str] | None) -> Any:
    """`text` with every contact detail and every email address in it erased."""
    if not isinstance(text, str):
        return text
    if pattern is not None:
        text = pattern.sub(ERASED, text)
    return EMAIL_RE.sub(ERASED, text)


def _scrub_user_message(event: dict[str, Any], pattern: re.Pattern[str] | None) -> None:
    if "text" in event:
        event["text"] = _scrub(event["text"], pattern)
    parse_data = event.get("parse_data")
    if isinstance(parse_data, dict):
        if "text" in parse_data:
            parse_data["text"] = _scrub(parse_data["text"], pattern)
        for entity in parse_data.get("entities") or []:
            if isinstance(entity, dict):
                for key in ("value", "text"):
                    if key in entity:
                        entity[key] = _scrub(entity[key], pattern)
    metadata = event.get("metadata")
    if isinstance(metadata, dict):
        event["metadata"] = {key: _scrub(value, pattern) for key, value in metadata.items()}


def _scrub_bot_message(event: dict[str, Any], pattern: re.Pattern[str] | None) -> None:
    if "text" in event:
        event["text"] = _scrub(event["text"], pattern)
    data = event.get("data")
    if isinstance(data, dict):
        for key in ("buttons", "quick_replies"):
            for button in data.get(key) or []:
                if isinstance(button, dict) and "title" in button:
                    button["title"] = _scrub(button["title"], pattern)


def _erase_user_message(event: dict[str, Any]) -> None:
    event["text"] = ERASED
    parse_data = event.get("parse_data")
    if isinstance(parse_data, dict):
        parse_data["text"] = ERASED
        for entity in parse_data.get("entities") or []:
            if isinstance(entity, dict):
                for key in ("value", "text"):
                    if key in entity:
                        entity[key] = ERASED
        parse_data.pop("metadata", None)
    if event.get("metadata"):
        event["metadata"] = {}


def redact_events(events: Iterable[Mapping[str, Any]], scope: str) -> list[dict[str, Any]]:
    """The conversation's events (in stored order) with personal data erased per `scope`."""
    if scope not in (EVERYTHING, CONTACT_DETAILS):
        raise ValueError(f"unknown erasure scope {scope!r}")
    events = [copy.deepcopy(dict(event)) for event in events]
    pattern = _scrubber(_contact_values(events))
    in_contact_form = False
    for event in events:
        kind = event.get("event")
        if kind == "active_loop":
            in_contact_form = event.get("name") == CONTACT_FORM
        elif kind == "slot" and event.get("name") in CONTACT_SLOTS:
            event["value"] = None
        elif kind == "slot" and event.get("name") in FREE_TEXT_SLOTS and event.get("value") not in (None, ""):
            event["value"] = ERASED if scope == EVERYTHING else _scrub(event["value"], pattern)
        elif kind == "user" and (scope == EVERYTHING or in_contact_form):
            _erase_user_message(event)
        elif kind == "user":
            _scrub_user_message(event, pattern)
        elif kind == "bot":
            _scrub_bot_message(event, pattern)
    return events
