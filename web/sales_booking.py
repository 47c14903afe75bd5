"""A lead's booked call in the sales console, and its calendar file.

Routes on web/sales.py's API (cookie session or bearer token):

    GET /sales/api/leads/{id}/meeting       {"meeting": {kind, starts_at, ends_at, timezone, booking_page, booked_at}}
                                            or {"meeting": null}
    GET /sales/api/leads/{id}/meeting.ics   the call as an iCalendar file (RFC 5545, leads/ics.py), for a booked time

The call is kept by the assistant after the visitor's consent (actions/booking.py, table
``lead_meetings`` of leads/booking.py); web/sales/booking.js shows it on the lead's page.
"""

from __future__ import annotations

from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from sales import ApiError, Handler, SalesConsole, _conversation_id, _project_on_path, route, send, send_json

_project_on_path()

from advisor.texts import say  # noqa: E402 - leads/ and advisor/ are importable now
from leads.booking import Meeting, Meetings, slot_of  # noqa: E402
from leads.delivery_log import conversation_ref  # noqa: E402
from leads.ics import invitation  # noqa: E402
from leads.model import utcnow  # noqa: E402

LEAD = r"leads/([^/]+)"


def call_file(meeting: Meeting, lead: Mapping[str, Any] | None) -> str:
    """The .ics text of a booked call; the lead's details (when stored) describe it."""
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


def _meeting(console: SalesConsole, conversation_id: str) -> Meeting | None:
    return Meetings(console.data().store).get(conversation_id)


@route("GET", LEAD + r"/meeting")
def api_meeting(console: SalesConsole, handler: Handler, rep: str, match: Any) -> None:
    meeting = _meeting(console, _conversation_id(match))
    send_json(handler, HTTPStatus.OK, {"meeting": meeting.as_json() if meeting else None})


@route("GET", LEAD + r"/meeting\.ics")
def api_meeting_ics(console: SalesConsole, handler: Handler, rep: str, match: Any) -> None:
    conversation_id = _conversation_id(match)
    meeting = _meeting(console, conversation_id)
    if meeting is None or slot_of(meeting) is None:
        raise ApiError(HTTPStatus.NOT_FOUND, "no call was booked at a time in this conversation")
    body = call_file(meeting, console.data().store.get_lead(conversation_id)).encode("utf-8")
    headers = {"Content-Disposition": 'attachment; filename="call.ics"'}
    send(handler, HTTPStatus.OK, body, "text/calendar; charset=utf-8", headers)
