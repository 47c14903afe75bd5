"""A booked call's calendar file: ``/call/<token>.ics`` for the visitor, and the .ics text itself.

web/serve.py hands ``/call/...`` to :func:`respond`. The token (leads/booking.py, 256 random
bits, made when the call is booked) is the only key: the visitor gets the link in the chat's
confirmation, and the sales console offers the same file on the lead's page
(web/sales_booking.py). A token that is malformed, unknown, or whose call was erased ("delete
my data") answers 404; the lead database being down answers 503. The file is never cached
and its URL never sent on as a referrer.

The file (RFC 5545, leads/ics.py) describes the call with the lead's details when they are
stored; its words are in domain/texts/booking.yml.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

import brief
import project

PREFIX = "/call/"
"""Where the files are served (``leads.booking.CALENDAR_PREFIX``, which the confirmation's link uses)."""

log = logging.getLogger(__name__)

CONTENT_TYPE = "text/calendar; charset=utf-8"
DISPOSITION = 'attachment; filename="call.ics"'


def lead_store() -> Any:
    """The process-wide lead store (LEADS_DB_URL or LEADS_DB_PATH, as the action server), opened on first use."""
    project.on_path()
    from leads.outbox import default_store_and_outbox

    return default_store_and_outbox()[0]


def call_file(meeting: Any, lead: Mapping[str, Any] | None) -> str:
    """The .ics text of a booked call (a ``leads.booking.Meeting``); the lead's details (when stored) describe it."""
    project.on_path()
    from advisor.texts import say
    from leads.booking import slot_of
    from leads.delivery_log import conversation_ref
    from leads.ics import invitation
    from leads.model import utcnow

    slot = slot_of(meeting)
    if slot is None:
        raise ValueError("only a booked time has a calendar file")
    lead = lead or {}
    unknown = say("booking.ics.unknown")
    company = lead.get("company") or unknown
    return invitation(
        uid=meeting.uid,
        start=slot.start,
        end=slot.end,
        summary=say("booking.ics.summary", company=company),
        description=say(
            "booking.ics.description",
            name=lead.get("full_name") or unknown,
            company=company,
            email=lead.get("email") or unknown,
            advice=str(lead.get("recommendation") or unknown).upper(),
            ref=conversation_ref(meeting.conversation_id),
        ),
        stamp=utcnow(),
        sequence=meeting.sequence,
    )


def respond(handler: Any, path: str, head_only: bool) -> bool:
    """Answer ``/call/<token>.ics``; False for any other path (serve.py carries on)."""
    if not path.startswith(PREFIX):
        return False
    project.on_path()
    from leads.booking import Meetings, slot_of
    from leads.store import is_unavailable

    token = path[len(PREFIX) :].removesuffix(".ics") if path.endswith(".ics") else ""
    status, body, content_type, headers = HTTPStatus.NOT_FOUND, b"not found\n", "text/plain; charset=utf-8", {}
    try:
        store = lead_store()
        meeting = Meetings(store).by_token(token)
        if meeting is not None and slot_of(meeting) is not None:
            text = call_file(meeting, store.get_lead(meeting.conversation_id))
            status, body, content_type = HTTPStatus.OK, text.encode("utf-8"), CONTENT_TYPE
            headers = {"Content-Disposition": DISPOSITION}
    except Exception as error:
        if not is_unavailable(error):
            raise
        log.warning("calendar file: lead database unreachable (%s)", type(error).__name__)
        status, body = HTTPStatus.SERVICE_UNAVAILABLE, b"the calendar file cannot be read right now; try again soon\n"
    brief.send(handler, status, body, content_type, head_only, headers)  # a private link's headers, as the brief's
    return True
