"""Booking a call with the sales team after the visitor consented: a link, or a slot kept with the lead.

Plain Python, no Rasa imports.

* ``BOOKING_URL`` set (a Calendly or Cal.com page, or any service that reads the same
  query): :func:`booking_link` prefills it with the visitor's name and email
  (``?name=...&email=...``, URL-encoded; other query parameters of the URL are kept).
* unset: :meth:`SalesHours.proposed_slots <leads.sales_hours.SalesHours.proposed_slots>`
  offers two or three times on the next working days, and the chosen one is stored here.

Table ``lead_meetings`` (on the lead store's metadata, erased with the lead): one row per
conversation, the chosen slot (UTC start and end, the team's time zone) or the booking page
offered (its address without the visitor's details), the calendar UID and how often it was
re-booked (the .ics ``SEQUENCE``, :mod:`leads.ics`), and the token of the visitor's link to
the call's calendar file (``/call/<token>.ics``, web/call_file.py): ``secrets.token_urlsafe(32)``,
256 random bits, the only key to it.

Settings: ``BOOKING_URL`` (unset: slots), ``BOOKING_SLOT_MINUTES`` (default 30, the call's
length), ``BOOKING_SLOTS`` (default 3; 2 or 3 times offered).
"""

from __future__ import annotations

import os
import re
import secrets
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from sqlalchemy import Column, Integer, String, Table, Text, exc, insert, select, update

from advisor.texts import say

from .briefs import public_base_url
from .model import as_utc, check_conversation_id, utcnow
from .sales_hours import Slot
from .store import ERASE_WITH_LEAD, LeadStore, UTCDateTime, metadata

SLOT, LINK = "slot", "link"
CALENDAR_PREFIX = "/call/"
TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")
"""The form of a calendar link's token (``secrets.token_urlsafe(32)``); nothing else is looked up."""
PREFILLED = ("name", "email")

meetings_table = Table(
    "lead_meetings",
    metadata,
    Column("conversation_id", String(255), primary_key=True),
    Column("kind", String(8), nullable=False),
    Column("starts_at", UTCDateTime),
    Column("ends_at", UTCDateTime),
    Column("timezone", Text),
    Column("booking_page", Text),
    Column("uid", String(64), nullable=False),
    Column("token", String(64), nullable=False, unique=True),
    Column("sequence", Integer, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    info={ERASE_WITH_LEAD: True},  # a call with a person is about that person
)


@dataclass(frozen=True)
class BookingSettings:
    url: str | None = None
    minutes: int = 30
    slots: int = 3


def check_booking_url(url: str) -> str:
    """An absolute http(s) URL without user info; ValueError naming BOOKING_URL otherwise."""
    try:
        parts = urlsplit(url)
    except ValueError:
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname or "@" in parts.netloc:
        raise ValueError(f"BOOKING_URL must be an http(s) address such as https://calendly.com/acme/intro, got {url!r}")
    if any(ch.isspace() for ch in url):
        raise ValueError("BOOKING_URL must not contain spaces")
    return url


def booking_settings(env: Mapping[str, str] | None = None) -> BookingSettings:
    """``BOOKING_URL``, ``BOOKING_SLOT_MINUTES`` and ``BOOKING_SLOTS``; ValueError when malformed."""
    env = os.environ if env is None else env
    url = (env.get("BOOKING_URL") or "").strip() or None
    minutes_raw = (env.get("BOOKING_SLOT_MINUTES") or "30").strip()
    slots_raw = (env.get("BOOKING_SLOTS") or "3").strip()
    if not minutes_raw.isdigit() or not 5 <= int(minutes_raw) <= 240:
        raise ValueError(f"BOOKING_SLOT_MINUTES must be 5-240 minutes, got {minutes_raw!r}")
    if slots_raw not in ("2", "3"):
        raise ValueError(f"BOOKING_SLOTS must be 2 or 3, got {slots_raw!r}")
    return BookingSettings(url=check_booking_url(url) if url else None, minutes=int(minutes_raw), slots=int(slots_raw))


def booking_link(url: str, name: str | None, email: str | None) -> str:
    """``url`` with ``name`` and ``email`` in its query, as Calendly and Cal.com prefill their forms."""
    parts = urlsplit(check_booking_url(url))
    query = [(key, value) for key, value in parse_qsl(parts.query, keep_blank_values=True) if key not in PREFILLED]
    query += [(key, value) for key, value in (("name", name), ("email", email)) if value]
    return urlunsplit(parts._replace(query=urlencode(query, quote_via=quote)))


def calendar_url(token: str, env: Mapping[str, str] | None = None) -> str:
    """The visitor's link to the call's .ics: the web page's public address (``WEB_PUBLIC_URL``,
    checked as for the brief's link) + ``/call/<token>.ics``."""
    return f"{public_base_url(env)}{CALENDAR_PREFIX}{token}.ics"


def booking_page(url: str) -> str:
    """The booking page's address as stored: without any query (where a visitor's details would go)."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(query="", fragment=""))


@dataclass(frozen=True)
class Meeting:
    conversation_id: str
    kind: str
    starts_at: datetime | None
    ends_at: datetime | None
    timezone: str | None
    booking_page: str | None
    uid: str
    token: str
    sequence: int
    updated_at: datetime

    def as_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "starts_at": self.starts_at.isoformat() if self.starts_at else None,
            "ends_at": self.ends_at.isoformat() if self.ends_at else None,
            "timezone": self.timezone,
            "booking_page": self.booking_page,
            "booked_at": self.updated_at.isoformat(),
        }


class Meetings:
    """The booked calls in the lead database of ``store``."""

    def __init__(self, store: LeadStore) -> None:
        self.store = store

    def _write(self, conversation_id: str, values: dict[str, Any], at: datetime) -> Meeting:
        check_conversation_id(conversation_id)
        table = meetings_table
        for attempt in (1, 2):
            try:
                with self.store.transaction() as conn:
                    query = select(table).where(table.c.conversation_id == conversation_id).with_for_update()
                    row = conn.execute(query).mappings().first()
                    if row is None:
                        new = {
                            "uid": f"{uuid.uuid4().hex}@outsourcing-advisor",
                            "token": secrets.token_urlsafe(32),
                            "sequence": 0,
                            "created_at": at,
                        }
                        conn.execute(
                            insert(table).values(conversation_id=conversation_id, updated_at=at, **values, **new)
                        )
                    else:
                        again = update(table).where(table.c.conversation_id == conversation_id)
                        conn.execute(again.values(updated_at=at, sequence=row["sequence"] + 1, **values))
                break
            except exc.IntegrityError:  # booked twice at once: the second write updates the first
                if attempt == 2:
                    raise
        found = self.get(conversation_id)
        assert found is not None
        return found

    def book(self, conversation_id: str, slot: Slot, at: datetime | None = None) -> Meeting:
        """Keep the chosen slot (a new choice replaces the old, as the same calendar event)."""
        values = {
            "kind": SLOT,
            "starts_at": slot.start,
            "ends_at": slot.end,
            "timezone": slot.zone,
            "booking_page": None,
        }
        return self._write(conversation_id, values, as_utc(at) or utcnow())

    def offered_page(self, conversation_id: str, url: str, at: datetime | None = None) -> Meeting:
        """Note that the visitor got the booking page (they book there; the time is not known here)."""
        values = {"kind": LINK, "starts_at": None, "ends_at": None, "timezone": None, "booking_page": booking_page(url)}
        return self._write(conversation_id, values, as_utc(at) or utcnow())

    def _find(self, where: Any) -> Meeting | None:
        with self.store.transaction() as conn:
            row = conn.execute(select(meetings_table).where(where)).mappings().first()
        return _row_meeting(row) if row else None

    def get(self, conversation_id: str) -> Meeting | None:
        return self._find(meetings_table.c.conversation_id == conversation_id)

    def by_token(self, token: str) -> Meeting | None:
        """The meeting of a calendar link; None for anything that is not a token of one."""
        if not TOKEN.fullmatch(token or ""):
            return None
        return self._find(meetings_table.c.token == token)

    def for_conversations(self, conversation_ids: Iterable[str]) -> dict[str, Meeting]:
        """The meetings of these conversations, by conversation id (for the lead export)."""
        rows = self.store.rows_by_conversation(meetings_table, conversation_ids)
        return {conversation_id: _row_meeting(row) for conversation_id, row in rows.items()}


def _row_meeting(row: Mapping[str, Any]) -> Meeting:
    return Meeting(**{field.name: row[field.name] for field in fields(Meeting)})


def export_meeting(meeting: Meeting | None, env: Mapping[str, str] | None = None) -> dict[str, Any] | None:
    """The ``meeting`` field sales receives with a lead (``make leads``, the CRM's ``lead.call_booked``):
    the call as the console shows it, and for a booked time the visitor's calendar link to it."""
    if meeting is None:
        return None
    link = calendar_url(meeting.token, env) if slot_of(meeting) is not None else None
    return {**meeting.as_json(), "calendar_url": link}


# --- reading the visitor's choice -------------------------------------------------------------

_ORDINALS = {0: r"first|1st|earliest", 1: r"second|2nd|middle", 2: r"third|3rd", -1: r"last|latest"}
_NUMBERED = re.compile(r"\b(?:option|number|slot|no)\s*(one|two|three|[123])\b|^([123])$")
_NUMBERS = {"one": 0, "two": 1, "three": 2, "1": 0, "2": 1, "3": 2}
_TIME = re.compile(r"\b(\d{1,2})(?:[:.h](\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)?(?!\d)", re.IGNORECASE)


def _normal(text: str) -> str:
    return " ".join(re.sub(r"[^\w:]+", " ", text.lower()).split())


def _times(text: str) -> set[int]:
    """Minutes after midnight of every time of day in ``text`` ("10:00", "3.30pm", "10am", "15h30")."""
    found = set()
    for match in _TIME.finditer(text):
        hour, minute, half = int(match.group(1)), int(match.group(2) or 0), (match.group(3) or "").lower()
        if not match.group(2) and not half:
            continue  # a bare number is an ordinal or a date, not a time
        if half.startswith("p") and hour < 12:
            hour += 12
        elif half.startswith("a") and hour == 12:
            hour = 0
        if hour < 24 and minute < 60:
            found.add(hour * 60 + minute)
    return found


def choose_slot(text: str, offered: Sequence[tuple[Slot, str]]) -> Slot | None:
    """The offered slot the visitor picked, or None when the answer names none (or several).

    ``offered`` pairs each slot with the label the visitor saw (its button). The answer may be
    that label, an ordinal ("the second one"), a weekday ("Tuesday"), a time ("10:00",
    "3.30pm") or a mix ("Thursday at 10"): the cues it has must fit exactly one slot.
    """
    said = _normal(text or "")
    if not said or not offered:
        return None
    for slot, label in offered:
        if _normal(label) == said:
            return slot
    candidates = list(range(len(offered)))
    cues = 0
    positions = {position for position, words in _ORDINALS.items() if re.search(rf"\b(?:{words})\b", said)}
    numbered = _NUMBERED.search(said)
    if numbered:
        positions.add(_NUMBERS[numbered.group(1) or numbered.group(2)])
    if positions:
        picked = {position % len(offered) for position in positions}
        candidates = [i for i in candidates if i in picked] if len(picked) == 1 else []
        cues += 1
    days = {slot.local_start.strftime("%A").lower() for slot, _ in offered}
    named = {day for day in days if re.search(rf"\b{day}|\b{day[:3]}\b", said)}
    if named:
        candidates = [i for i in candidates if offered[i][0].local_start.strftime("%A").lower() in named]
        cues += 1
    times = _times(text)
    if times:
        candidates = [
            i for i in candidates if offered[i][0].local_start.hour * 60 + offered[i][0].local_start.minute in times
        ]
        cues += 1
    return offered[candidates[0]][0] if cues and len(candidates) == 1 else None


def slot_of(meeting: Meeting) -> Slot | None:
    """The meeting's slot, for a booked time (None for a booking page)."""
    if meeting.kind != SLOT or meeting.starts_at is None or meeting.ends_at is None:
        return None
    return Slot(meeting.starts_at, meeting.ends_at, meeting.timezone or "UTC")


def upcoming(meeting: Meeting | None, now: datetime | None = None) -> Slot | None:
    """The meeting's slot while the call is still to come (a call that is over can be booked anew)."""
    slot = slot_of(meeting) if meeting is not None else None
    return slot if slot is not None and slot.end > (as_utc(now) or utcnow()) else None


def slot_label(slot: Slot, zone: str | None = None) -> str:
    """How a time is shown (and its button reads): "Thursday 15 January, 10:00-10:30", in the
    slot's own time zone (the sales team's), or in ``zone`` (e.g. ``UTC``)."""
    if zone is not None:
        slot = Slot(slot.start, slot.end, zone)
    start, end = slot.local_start, slot.local_end
    return say(
        "booking.slot_label",
        weekday=start.strftime("%A"),
        day=start.day,
        month=start.strftime("%B"),
        start=start.strftime("%H:%M"),
        end=end.strftime("%H:%M"),
    )


_CALL = re.compile(r"\b(?:call(?:s|ed|ing)?|phone|ring|meeting|meet|appointment|schedule|book(?:ing)?)\b")
_NO_CALL = re.compile(r"\b(?:don ?t|do not|dont|never|no|stop|without)\s+(?:\w+\s+){0,2}?(?:call|phone|ring)")


def asks_for_call(text: str) -> bool:
    """True when the visitor asks for a call or a meeting ("can someone call me?", "book a call"),
    rather than for a person in the chat; "don't call me" is not one."""
    said = _normal(text or "")
    return bool(_CALL.search(said)) and not _NO_CALL.search(said)


_KEEP = re.compile(r"\b(?:keep|leave|stick with)\b")


def keeps_booked_time(text: str) -> bool:
    """True for "keep it" / "leave it as it is": the answer to moving a booked call that moves nothing."""
    return bool(_KEEP.search(_normal(text or "")))
