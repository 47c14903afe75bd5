"""The sales desk: which reps are signed in to the console, and the live hand-offs they take.

Plain Python, no Rasa imports. Two small tables live in the lead database (SQLite or
``LEADS_DB_URL``), so the action server (which decides whether a person can join) and the
web server (the console) share them:

``sales_presence``  one row per rep: the time the console last said the rep is there (a
                    heartbeat every few seconds while the console page is open).
``handoffs``        one row per conversation: ``waiting`` for a rep, ``active`` (a rep took
                    it; the assistant is paused), ``ended`` (handed back) or ``missed``
                    (nobody took it in time; the visitor was offered the lead form).

Every change of state is one conditional ``UPDATE`` (``... WHERE state = 'waiting'``), so two
reps taking the same visitor, or a rep taking one just as the wait runs out, have exactly one
winner, in SQLite and PostgreSQL alike.

Settings (:func:`desk_settings`): ``HANDOFF_WAIT_SECONDS`` (default 180) is how long a visitor
waits for a rep before being offered the lead form; ``SALES_PRESENCE_SECONDS`` (default 60)
is how long after its last heartbeat a console still counts as signed in.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Column, String, Table, Text, delete, exc, insert, select, update

from .model import as_utc, check_conversation_id, utcnow
from .pipeline import check_rep
from .sales_hours import SalesHours
from .store import ERASE_WITH_LEAD, LeadStore, UTCDateTime, metadata

WAITING, ACTIVE, ENDED, MISSED = "waiting", "active", "ended", "missed"
OPEN = (WAITING, ACTIVE)

presence_table = Table(
    "sales_presence",
    metadata,
    Column("rep", String(255), primary_key=True),
    Column("last_seen", UTCDateTime, nullable=False),
)
handoffs_table = Table(
    "handoffs",
    metadata,
    Column("conversation_id", String(255), primary_key=True),
    Column("state", String(16), nullable=False, index=True),
    Column("requested_at", UTCDateTime, nullable=False),
    Column("taken_by", Text),
    Column("taken_at", UTCDateTime),
    Column("ended_at", UTCDateTime),
    Column("updated_at", UTCDateTime, nullable=False),
    info={ERASE_WITH_LEAD: True},  # "delete my data" erases it with the lead
)


@dataclass(frozen=True)
class DeskSettings:
    wait_seconds: float = 180.0
    presence_seconds: float = 60.0


def _seconds(env: Mapping[str, str], name: str, default: float) -> float:
    raw = (env.get(name) or "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError as error:
        raise ValueError(f"{name} must be a number of seconds, got {raw!r}") from error
    if value <= 0:
        raise ValueError(f"{name} must be more than 0 seconds, got {raw!r}")
    return value


def desk_settings(env: Mapping[str, str] | None = None) -> DeskSettings:
    """``HANDOFF_WAIT_SECONDS`` and ``SALES_PRESENCE_SECONDS``; ValueError when malformed."""
    env = os.environ if env is None else env
    return DeskSettings(
        wait_seconds=_seconds(env, "HANDOFF_WAIT_SECONDS", 180.0),
        presence_seconds=_seconds(env, "SALES_PRESENCE_SECONDS", 60.0),
    )


@dataclass(frozen=True)
class Handoff:
    conversation_id: str
    state: str
    requested_at: datetime
    taken_by: str | None = None
    taken_at: datetime | None = None
    ended_at: datetime | None = None

    def as_json(self) -> dict[str, Any]:
        """For the console's API: times as ISO text."""
        return {
            "conversation_id": self.conversation_id,
            "state": self.state,
            "requested_at": self.requested_at.isoformat(),
            "taken_by": self.taken_by,
            "taken_at": self.taken_at.isoformat() if self.taken_at else None,
            "ended_at": self.ended_at.isoformat() if self.ended_at else None,
        }


def availability(hours: SalesHours, now: datetime, reps_signed_in: list[str]) -> str:
    """``live`` (a person can join now), ``closed`` (outside the hours) or ``nobody`` (no rep signed in)."""
    if not hours.is_open(now):
        return "closed"
    return "live" if reps_signed_in else "nobody"


class SalesDesk:
    """Presence and hand-offs in the lead database of ``store``. Thread-safe."""

    def __init__(self, store: LeadStore) -> None:
        self.store = store

    def _begin(self) -> Any:
        return self.store.transaction()

    # -- presence ------------------------------------------------------------------------
    def heartbeat(self, rep: str, at: datetime | None = None) -> None:
        """The rep's console is open (called every few seconds by the console)."""
        rep, at = check_rep(rep), as_utc(at) or utcnow()
        for attempt in (1, 2):
            try:
                with self._begin() as conn:
                    seen = conn.execute(update(presence_table).where(presence_table.c.rep == rep).values(last_seen=at))
                    if not seen.rowcount:
                        conn.execute(insert(presence_table).values(rep=rep, last_seen=at))
                return
            except exc.IntegrityError:  # two heartbeats of a new rep at once
                if attempt == 2:
                    raise

    def sign_out(self, rep: str) -> None:
        with self._begin() as conn:
            conn.execute(delete(presence_table).where(presence_table.c.rep == check_rep(rep)))

    def signed_in(self, within: float, now: datetime | None = None) -> list[str]:
        """Reps whose console sent a heartbeat in the last ``within`` seconds."""
        since = (as_utc(now) or utcnow()) - timedelta(seconds=within)
        query = select(presence_table.c.rep).where(presence_table.c.last_seen >= since).order_by(presence_table.c.rep)
        with self._begin() as conn:
            return [row[0] for row in conn.execute(query)]

    # -- hand-offs -----------------------------------------------------------------------
    def get(self, conversation_id: str) -> Handoff | None:
        with self._begin() as conn:
            row = (
                conn.execute(select(handoffs_table).where(handoffs_table.c.conversation_id == conversation_id))
                .mappings()
                .first()
            )
        return _handoff(row) if row else None

    def request(self, conversation_id: str, at: datetime | None = None) -> tuple[Handoff, bool]:
        """The visitor asks for a person: ``(hand-off, True)`` when a new wait starts, or the
        open one (waiting or active) and False when they asked before."""
        check_conversation_id(conversation_id)
        at = as_utc(at) or utcnow()
        table = handoffs_table
        fresh = {"state": WAITING, "requested_at": at, "taken_by": None, "taken_at": None, "ended_at": None}
        for attempt in (1, 2):
            try:
                with self._begin() as conn:
                    query = select(table).where(table.c.conversation_id == conversation_id).with_for_update()
                    row = conn.execute(query).mappings().first()
                    if row is not None and row["state"] in OPEN:
                        return _handoff(row), False
                    if row is None:
                        conn.execute(insert(table).values(conversation_id=conversation_id, updated_at=at, **fresh))
                    else:
                        conn.execute(
                            update(table)
                            .where(table.c.conversation_id == conversation_id)
                            .values(updated_at=at, **fresh)
                        )
                return Handoff(conversation_id, WAITING, at), True
            except exc.IntegrityError:  # asked twice at once: the other request won
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")  # pragma: no cover

    def _move(self, conversation_id: str, before: str, values: dict[str, Any], taken_by: str | None = None) -> bool:
        """One conditional UPDATE from state ``before`` (and rep ``taken_by``): True when it applied."""
        table = handoffs_table
        query = update(table).where(table.c.conversation_id == conversation_id, table.c.state == before)
        if taken_by is not None:
            query = query.where(table.c.taken_by == taken_by)
        with self._begin() as conn:
            moved = conn.execute(query.values(**values))
        return bool(moved.rowcount)

    def take(self, conversation_id: str, rep: str, at: datetime | None = None) -> bool:
        """``rep`` takes a waiting visitor; False when it is not waiting (taken, missed, unknown)."""
        at = as_utc(at) or utcnow()
        return self._move(
            conversation_id, WAITING, {"state": ACTIVE, "taken_by": check_rep(rep), "taken_at": at, "updated_at": at}
        )

    def untake(self, conversation_id: str, rep: str, at: datetime | None = None) -> bool:
        """Undo ``rep``'s :meth:`take` (the assistant could not be paused): the visitor waits again."""
        at = as_utc(at) or utcnow()
        again = {"state": WAITING, "taken_by": None, "taken_at": None, "updated_at": at}
        return self._move(conversation_id, ACTIVE, again, taken_by=rep)

    def end(self, conversation_id: str, at: datetime | None = None) -> bool:
        """The rep hands the visitor back to the assistant; False when no rep had it."""
        at = as_utc(at) or utcnow()
        return self._move(conversation_id, ACTIVE, {"state": ENDED, "ended_at": at, "updated_at": at})

    def expire(self, conversation_id: str, at: datetime | None = None) -> bool:
        """Nobody took the visitor in time; False when it was taken (or is not waiting)."""
        at = as_utc(at) or utcnow()
        return self._move(conversation_id, WAITING, {"state": MISSED, "ended_at": at, "updated_at": at})

    def open_handoffs(self) -> list[Handoff]:
        """Waiting and active hand-offs, the longest waiting first."""
        table = handoffs_table
        query = select(table).where(table.c.state.in_(OPEN)).order_by(table.c.requested_at, table.c.conversation_id)
        with self._begin() as conn:
            return [_handoff(row) for row in conn.execute(query).mappings()]


def _handoff(row: Mapping[str, Any]) -> Handoff:
    return Handoff(**{field.name: row[field.name] for field in fields(Handoff)})


_default: SalesDesk | None = None
_default_lock = threading.Lock()


def default_desk() -> SalesDesk:
    """The process-wide desk on the lead database of :func:`leads.config.load_config`."""
    global _default
    from .outbox import default_store_and_outbox

    store, _ = default_store_and_outbox()
    with _default_lock:
        if _default is None or _default.store is not store:
            _default = SalesDesk(store)
        return _default
