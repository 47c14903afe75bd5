"""A lead's booked call in the sales console, and its calendar file.

Routes on web/sales.py's API (cookie session or bearer token):

    GET /sales/api/leads/{id}/meeting       {"meeting": {kind, starts_at, ends_at, timezone, booking_page, booked_at}}
                                            or {"meeting": null}
    GET /sales/api/leads/{id}/meeting.ics   the call as an iCalendar file (RFC 5545, leads/ics.py), for a booked time

The call is kept by the assistant after the visitor's consent (actions/booking.py, table
``lead_meetings`` of leads/booking.py); web/sales/booking.js shows it on the lead's page. The
visitor's own link to the file is web/call_file.py.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

import project
from call_file import DISPOSITION, call_file  # the same file the visitor's link gives
from sales import ApiError, Handler, SalesConsole, _conversation_id, route, send, send_json

project.on_path()

from leads.booking import Meeting, Meetings, slot_of  # noqa: E402 - leads/ is importable now

LEAD = r"leads/([^/]+)"


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
    send(handler, HTTPStatus.OK, body, "text/calendar; charset=utf-8", {"Content-Disposition": DISPOSITION})
