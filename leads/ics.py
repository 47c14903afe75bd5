"""An iCalendar (RFC 5545) file for a booked call: one VEVENT, times in UTC, ready to import.

Plain Python. What RFC 5545 asks for and this module does:

* lines end in CRLF (3.1) and are folded at 75 octets with CRLF + one space, never inside a
  UTF-8 character (3.1);
* TEXT values escape backslash, semicolon, comma and newlines (``\\\\``, ``\\;``, ``\\,``,
  ``\\n``; 3.3.11); carriage returns and other control characters are dropped;
* DTSTART, DTEND and DTSTAMP are UTC date-times (``20260115T100000Z``; 3.3.5 form #2);
* UID is stable per conversation, so re-booking replaces the event in a calendar, and
  SEQUENCE counts the re-bookings (3.8.4.7, 3.8.7.4).

No METHOD, ORGANIZER or ATTENDEE: the file is downloaded and imported (by the rep, by the
visitor), not sent as an iTIP invitation, so nobody's address is put forward as a calendar
participant.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from .model import as_utc

PRODID = "-//Outsourcing advisor//Sales call//EN"
MAX_OCTETS = 75


def escape_text(value: str) -> str:
    """A TEXT value as RFC 5545 writes it."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    value = "".join(ch for ch in value if ch == "\n" or ch == "\t" or (ord(ch) >= 32 and ord(ch) != 127))
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def utc_stamp(when: datetime) -> str:
    return as_utc(when).strftime("%Y%m%dT%H%M%SZ")  # type: ignore[union-attr]


def fold(line: str) -> str:
    """One content line, folded into lines of at most 75 octets (continuations start with a space)."""
    parts: list[str] = []
    current, size = "", 0
    for ch in line:
        width = len(ch.encode("utf-8"))
        limit = MAX_OCTETS if not parts else MAX_OCTETS - 1  # a continuation's leading space counts
        if size + width > limit:
            parts.append(current)
            current, size = "", 0
        current += ch
        size += width
    parts.append(current)
    return "\r\n ".join(parts)


def calendar(lines: Iterable[str]) -> str:
    return "".join(fold(line) + "\r\n" for line in lines)


def invitation(
    *,
    uid: str,
    start: datetime,
    end: datetime,
    summary: str,
    description: str,
    stamp: datetime,
    sequence: int = 0,
) -> str:
    """The .ics text of one call."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "BEGIN:VEVENT",
        f"UID:{uid}",
        f"DTSTAMP:{utc_stamp(stamp)}",
        f"DTSTART:{utc_stamp(start)}",
        f"DTEND:{utc_stamp(end)}",
        f"SEQUENCE:{int(sequence)}",
        "STATUS:CONFIRMED",
        f"SUMMARY:{escape_text(summary)}",
        f"DESCRIPTION:{escape_text(description)}",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return calendar(lines)
