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
re-booked (the .ics ``SEQUENCE``, :mod:`leads.ics`).

Settings: ``BOOKING_URL`` (unset: slots), ``BOOKING_SLOT_MINUTES`` (default 30, the call's
length), ``BOOKING_SLOTS`` (default 3; 2 or 3 times offered).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from sqlalchemy import Column, Integer, String, Table, Text, exc, insert, select, update

from .model import as_utc, check_conversation_id, utcnow
from .sales_hours import Slot
from .store import ERASE_WITH_LEAD, LeadStore, UTCDateTime, metadata

SLOT, LINK = "slot", "link"
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
                        new = {"uid": f"{uuid.uuid4().hex}@outsourcing-advisor", "sequence": 0, "created_at": at}
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

    def get(self, conversation_id: str) -> Meeting | None:
        with self.store.transaction() as conn:
            row = (
                conn.execute(select(meetings_table).where(meetings_table.c.conversation_id == conversation_id))
                .mappings()
                .first()
            )
        if row is None:
            return None
        return Meeting(
            conversation_id=row["conversation_id"],
            kind=row["kind"],
            starts_at=row["starts_at"],
            ends_at=row["ends_at"],
            timezone=row["timezone"],
            booking_page=row["booking_page"],
            uid=row["uid"],
            sequence=row["sequence"],
            updated_at=row["updated_at"],
        )


def slot_of(meeting: Meeting) -> Slot | None:
    """The meeting's slot, for a booked time (None for a booking page)."""
    if meeting.kind != SLOT or meeting.starts_at is None or meeting.ends_at is None:
        return None
    return Slot(meeting.starts_at, meeting.ends_at, meeting.timezone or "UTC")
