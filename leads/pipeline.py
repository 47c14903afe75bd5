"""The sales pipeline: what happened to a lead after it was captured (status and notes, with history).

A captured lead starts as ``new``; the sales team moves it through ``contacted`` and
``qualified`` to ``won`` or ``lost`` from the sales console (``web/sales.py``) and adds notes.
Every change is kept with its time and the rep who made it, because "who called them, and
when?" is the first question about a lead; and every change reaches the CRM webhook as
``lead.updated`` through the delivery queue (:func:`leads.notify.queue_update`), retried like
the captured lead itself.

Tables (on :data:`leads.store.metadata`, so ``LeadStore.ensure_schema`` creates them with the
others, on SQLite and PostgreSQL alike; erased with the lead, since notes are about a person):

    ``lead_pipeline``           one row per conversation: current status, when and by whom it
                                last changed. No row means ``new``.
    ``lead_pipeline_changes``   append-only: every change (a new status, a note, or both),
                                the status before it, the rep, the time.

The status and the history live apart from the ``leads`` row on purpose: the assistant
rewrites that row whenever the visitor corrects a detail, and a rep's change must never be
lost to such a write (or the other way round).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Column, Integer, String, Table, Text, func, insert, select, update

from .model import as_utc, check_conversation_id, utcnow
from .store import ERASE_WITH_LEAD, LEAD_COLUMNS, LeadStore, UTCDateTime, leads_query, leads_table, metadata

STATUSES = ("new", "contacted", "qualified", "won", "lost")
DEFAULT_STATUS = "new"
NOTE_MAX = 2000
REP_MAX = 80

pipeline_table = Table(
    "lead_pipeline",
    metadata,
    Column("conversation_id", String(255), primary_key=True),
    Column("status", String(16), nullable=False, index=True),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("updated_by", Text, nullable=False),
    info={ERASE_WITH_LEAD: True},
)
changes_table = Table(
    "lead_pipeline_changes",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("change_id", String(32), nullable=False, unique=True),
    Column("conversation_id", String(255), nullable=False, index=True),
    Column("previous_status", String(16), nullable=False),
    Column("status", String(16)),
    Column("note", Text),
    Column("rep", Text, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    info={ERASE_WITH_LEAD: True},
)
current_status = func.coalesce(pipeline_table.c.status, DEFAULT_STATUS)


@dataclass(frozen=True)
class Change:
    """One change to a lead: a new ``status`` (None: unchanged), a ``note`` (None: none), or both."""

    change_id: str
    conversation_id: str
    previous_status: str
    status: str | None
    note: str | None
    rep: str
    at: datetime

    @property
    def current_status(self) -> str:
        return self.status or self.previous_status

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "at": self.at.isoformat()}


def _one_line(name: str, value: Any, limit: int, *, multiline: bool = False) -> str:
    """``value`` as trimmed text of at most ``limit`` characters; ValueError saying why not."""
    if not isinstance(value, str):
        raise ValueError(f"{name} must be text")
    value = value.strip()
    allowed = "\n\t" if multiline else ""
    if any((ord(c) < 32 and c not in allowed) or ord(c) == 127 for c in value):
        raise ValueError(f"{name} must not contain control characters" + ("" if multiline else " or line breaks"))
    if len(value) > limit:
        raise ValueError(f"{name} is {len(value)} characters long; at most {limit} are kept")
    return value


def check_rep(rep: Any) -> str:
    """The rep's name as given at login: 1 to :data:`REP_MAX` characters on one line."""
    name = _one_line("the rep name", rep, REP_MAX)
    if not name:
        raise ValueError("the rep name is empty: say who you are")
    return name


def check_change(status: Any, note: Any) -> tuple[str | None, str | None]:
    """A status (one of :data:`STATUSES`) and/or a note (at most :data:`NOTE_MAX` characters)."""
    if status is not None and status not in STATUSES:
        raise ValueError(f"status must be one of {', '.join(STATUSES)}")
    if note is not None:
        note = _one_line("the note", note, NOTE_MAX, multiline=True) or None
    if status is None and note is None:
        raise ValueError("nothing to change: give a status, a note, or both")
    return status, note


class Pipeline:
    """Status and notes of the leads in ``store``'s database (thread-safe, like the store)."""

    def __init__(self, store: LeadStore) -> None:
        self.store = store

    def record(
        self,
        conversation_id: str,
        *,
        rep: str,
        status: str | None = None,
        note: str | None = None,
        at: datetime | None = None,
    ) -> Change:
        """Store a change made by ``rep``; LookupError when the conversation has no lead.

        Setting the status the lead already has, without a note, changes nothing and is not
        recorded (a double click is not a second call to the customer): the returned change
        then has ``status`` None and ``change_id`` empty.
        """
        check_conversation_id(conversation_id)
        rep = check_rep(rep)
        status, note = check_change(status, note)
        at = as_utc(at) or utcnow()
        with self.store._begin() as conn:
            lead = conn.execute(
                select(leads_table.c.id).where(leads_table.c.conversation_id == conversation_id)
            ).first()
            if lead is None:
                raise LookupError("no lead for that conversation")
            row = (
                conn.execute(
                    select(pipeline_table).where(pipeline_table.c.conversation_id == conversation_id).with_for_update()
                )
                .mappings()
                .first()
            )
            previous = row["status"] if row else DEFAULT_STATUS
            if status == previous:
                status = None
            if status is None and note is None:
                return Change("", conversation_id, previous, None, None, rep, at)
            change = Change(uuid.uuid4().hex, conversation_id, previous, status, note, rep, at)
            if status is not None:
                values = {"status": status, "updated_at": at, "updated_by": rep}
                if row is None:
                    conn.execute(insert(pipeline_table).values(conversation_id=conversation_id, **values))
                else:
                    conn.execute(
                        update(pipeline_table)
                        .where(pipeline_table.c.conversation_id == conversation_id)
                        .values(**values)
                    )
            conn.execute(
                insert(changes_table).values(
                    change_id=change.change_id,
                    conversation_id=conversation_id,
                    previous_status=previous,
                    status=status,
                    note=note,
                    rep=rep,
                    created_at=at,
                )
            )
        return change

    def history(self, conversation_id: str) -> list[dict[str, Any]]:
        """Every change of the conversation's lead, oldest first."""
        query = (
            select(changes_table)
            .where(changes_table.c.conversation_id == conversation_id)
            .order_by(changes_table.c.created_at, changes_table.c.id)
        )
        with self.store._begin() as conn:
            rows = conn.execute(query).mappings().all()
        return [
            {
                "at": row["created_at"].isoformat(),
                "rep": row["rep"],
                "previous_status": row["previous_status"],
                "status": row["status"],
                "note": row["note"],
            }
            for row in rows
        ]

    def list_leads(
        self,
        *,
        tier: str | None = None,
        status: str | None = None,
        recommendation: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        consented_only: bool = True,
    ) -> list[dict[str, Any]]:
        """Leads (as :meth:`LeadStore.list_leads`) with ``status``, ``status_at``, ``status_by``, filtered.

        Without consent a lead is nobody's to contact, so by default only consented leads are listed.
        """
        query = _with_status_columns(leads_query(tier=tier, recommendation=recommendation, since=since, until=until))
        if status:
            query = query.where(current_status == status)
        if consented_only:
            query = query.where(leads_table.c.consent.is_(True))
        with self.store._begin() as conn:
            rows = conn.execute(query).mappings().all()
        return [_with_status(row) for row in rows]

    def get_lead(self, conversation_id: str) -> dict[str, Any] | None:
        """One lead with its status (whatever its consent), or None."""
        query = _with_status_columns(select(leads_table).where(leads_table.c.conversation_id == conversation_id))
        with self.store._begin() as conn:
            row = conn.execute(query).mappings().first()
        return _with_status(row) if row is not None else None

    def statuses(self, conversation_ids: Sequence[str] | None = None) -> dict[str, str]:
        """Current status by conversation (only those that left ``new``), of ``conversation_ids`` or all."""
        query = select(pipeline_table.c.conversation_id, pipeline_table.c.status)
        if conversation_ids is not None:
            query = query.where(pipeline_table.c.conversation_id.in_(list(conversation_ids)))
        with self.store._begin() as conn:
            return {row.conversation_id: row.status for row in conn.execute(query)}


def _with_status_columns(query: Any) -> Any:
    """``query`` over ``leads`` plus each lead's current status, when and by whom it was set."""
    return query.outerjoin(
        pipeline_table, pipeline_table.c.conversation_id == leads_table.c.conversation_id
    ).add_columns(
        current_status.label("status"),
        pipeline_table.c.updated_at.label("status_at"),
        pipeline_table.c.updated_by.label("status_by"),
    )


def _with_status(row: Mapping[str, Any]) -> dict[str, Any]:
    lead = {key: row[key] for key in LEAD_COLUMNS}
    lead.update(status=row["status"], status_at=row["status_at"], status_by=row["status_by"])
    return lead
