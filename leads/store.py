"""SQLAlchemy 1.4 store: one ``leads`` row per conversation, plus ``funnel_events``.

SQLite by default (file path given by the caller), any SQLAlchemy URL otherwise
(PostgreSQL via ``LEADS_DB_URL``). Tables are created on first use (idempotent). Every
statement uses bound parameters; text is stored exactly as given.

Tables
    ``leads``                 one row per ``conversation_id`` (unique), updated in place.
    ``funnel_events``         append-only ``(event_id unique, conversation_id, kind, detail,
                              created_at)`` read by ``python -m leads.cli report``.
    ``leads_outbox_applied``  ids of outbox entries already written, so a replay after a
                              crash never applies an entry twice.

Other modules add tables to the same :data:`metadata` (:mod:`leads.pipeline`), so one
``ensure_schema`` creates them all. A table whose ``info`` has :data:`ERASE_WITH_LEAD` keeps
data about a person by ``conversation_id``: :meth:`LeadStore.delete` erases its rows with the
lead, in the same transaction.
"""

from __future__ import annotations

import logging
import os
import threading
import uuid
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    delete,
    event,
    exc,
    insert,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import QueuePool
from sqlalchemy.types import TypeDecorator

from .config import LeadsConfig, load_config
from .files import private_file, truncate_wal
from .model import as_utc, check_conversation_id, clean_changes, conversation_digest, merge_lead, utcnow

log = logging.getLogger(__name__)

IN_LIST_CHUNK = 500
"""Ids per IN list in :meth:`LeadStore.rows_by_conversation`."""

ERASE_WITH_LEAD = "erase_with_lead"
"""``Table.info`` key: rows of this table (by ``conversation_id``) are erased with the lead."""
EVENT_KINDS = (
    "conversation_started",
    "advice_given",
    "lead_offered",
    "lead_captured",
    "lead_declined",
)


class UTCDateTime(TypeDecorator):
    """Timestamps stored as UTC and always read back timezone-aware."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> datetime | None:
        value = as_utc(value)
        if value is not None and dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: Any, dialect: Any) -> datetime | None:
        return as_utc(value)


def _json() -> Any:
    return JSON(none_as_null=True).with_variant(JSONB(none_as_null=True), "postgresql")


metadata = MetaData()
leads_table = Table(
    "leads",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("conversation_id", String(255), nullable=False, unique=True),
    Column("channel", Text),
    Column("full_name", Text),
    Column("email", Text),
    Column("email_is_freemail", Boolean),
    Column("company", Text),
    Column("role", Text),
    Column("company_size", Text),
    Column("timeline", Text),
    Column("consent", Boolean),
    Column("consent_at", UTCDateTime),
    Column("answers", _json()),
    Column("recommendation", String(16)),
    Column("recommendation_reasons", _json()),
    Column("score", Integer),
    Column("tier", String(8), index=True),
    Column("score_reasons", _json()),
    Column("created_at", UTCDateTime, nullable=False, index=True),
    Column("updated_at", UTCDateTime, nullable=False),
)
events_table = Table(
    "funnel_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("event_id", String(64), nullable=False, unique=True),
    Column("conversation_id", String(255), nullable=False, index=True),
    Column("kind", String(32), nullable=False, index=True),
    Column("detail", Text),
    Column("created_at", UTCDateTime, nullable=False, index=True),
)
applied_table = Table(
    "leads_outbox_applied",
    metadata,
    Column("entry_id", String(64), primary_key=True),
    Column("applied_at", UTCDateTime, nullable=False),
)
LEAD_COLUMNS = [c.name for c in leads_table.columns if c.name != "id"]

UNAVAILABLE_ERRORS = (
    exc.OperationalError,
    exc.InterfaceError,
    exc.TimeoutError,
    OSError,
)


def is_unavailable(error: BaseException) -> bool:
    """True when ``error`` means "database unreachable" (queue and retry later)."""
    if isinstance(error, exc.DBAPIError) and error.connection_invalidated:
        return True
    return isinstance(error, UNAVAILABLE_ERRORS)


def database_url(path: str | os.PathLike | None = None, config: LeadsConfig | None = None) -> str:
    """``LEADS_DB_URL`` when set, else a SQLite URL for ``path`` (default ``var/leads.db``)."""
    config = config or load_config()
    if config.db_url:
        return config.db_url
    return "sqlite:///" + str(Path(path or config.db_path).expanduser().resolve())


class LeadStore:
    """Leads and funnel events in one database. Thread-safe; share one per process.

    Which database: ``url`` when given, else ``LEADS_DB_URL`` when set, else the SQLite
    file ``path`` (default ``LEADS_DB_PATH`` or ``var/leads.db``; its folder is created).
    """

    def __init__(
        self,
        url: str | None = None,
        *,
        path: str | os.PathLike | None = None,
        connect_timeout: float | None = None,
    ) -> None:
        config = load_config()
        self.url = url or database_url(path, config)
        timeout = connect_timeout if connect_timeout is not None else config.db_connect_timeout
        self._sqlite_path: Path | None = None
        connect_args: dict[str, Any] = {}
        if self.url.startswith("sqlite"):
            database = self.url.split(":///", 1)[-1]
            self._sqlite_path = Path(database) if database and database != ":memory:" else None
            connect_args["timeout"] = max(timeout, 5.0)
        elif self.url.startswith("postgresql"):
            connect_args["connect_timeout"] = max(round(timeout), 1)
        engine_kwargs: dict[str, Any] = {}
        if self._sqlite_path is not None:
            # Pooled connections (SQLAlchemy 1.4 opens one per transaction for a file);
            # the pool hands each to one thread at a time.
            connect_args["check_same_thread"] = False
            engine_kwargs["poolclass"] = QueuePool
        # hide_parameters: a logged SQL error never carries a name or an email.
        self.engine: Engine = create_engine(
            self.url, future=True, pool_pre_ping=True, connect_args=connect_args, hide_parameters=True, **engine_kwargs
        )
        if self._sqlite_path is not None:
            # Write-ahead log: one fsync per commit instead of several, and readers (the
            # `make leads` export) never block the assistant's writes.
            event.listen(self.engine, "connect", _sqlite_wal)
        self._schema_ready = False
        self._schema_lock = threading.Lock()

    def ensure_schema(self) -> None:
        """Create the tables if missing (idempotent; raises when unreachable)."""
        if self._schema_ready:
            return
        with self._schema_lock:
            if self._schema_ready:
                return
            if self._sqlite_path is not None:
                private_file(self._sqlite_path)  # 0600 in a 0700 folder before SQLite opens it
            try:
                metadata.create_all(self.engine, checkfirst=True)
            except exc.IntegrityError:  # another process created them at the same time
                metadata.create_all(self.engine, checkfirst=True)
            self._schema_ready = True

    def _begin(self) -> Any:
        self.ensure_schema()
        return self.engine.begin()

    def transaction(self) -> Any:
        """A transaction on this database, tables created first: for modules that keep their
        own tables here (:mod:`leads.handoff`)."""
        return self._begin()

    def rows_by_conversation(self, table: Table, conversation_ids: Iterable[str]) -> dict[str, Mapping[str, Any]]:
        """The rows of `table` (at most one per conversation, in its ``conversation_id`` column) for
        these conversations, by conversation id: for modules that keep such tables here (briefs,
        meetings). The ids go in IN lists of IN_LIST_CHUNK, within every database's limits."""
        ids = sorted(set(conversation_ids))
        found: dict[str, Mapping[str, Any]] = {}
        with self._begin() as conn:
            for start in range(0, len(ids), IN_LIST_CHUNK):
                query = select(table).where(table.c.conversation_id.in_(ids[start : start + IN_LIST_CHUNK]))
                for row in conn.execute(query).mappings():
                    found[row["conversation_id"]] = row
        return found

    # -- leads ---------------------------------------------------------------------------
    def upsert_lead(
        self,
        conversation_id: str,
        changes: Mapping[str, Any],
        *,
        at: datetime | None = None,
        entry_id: str | None = None,
    ) -> dict[str, Any] | None:
        """Merge ``changes`` into the conversation's lead (insert when new) and return it.

        With ``entry_id`` (an outbox entry) the write is recorded in the same transaction
        and skipped, returning None, when that entry was applied before.
        """
        check_conversation_id(conversation_id)
        clean = clean_changes(changes)
        at = as_utc(at) or utcnow()
        for attempt in (1, 2):
            try:
                with self._begin() as conn:
                    return self._upsert(conn, conversation_id, clean, at, entry_id)
            except exc.IntegrityError:
                if attempt == 2:
                    raise
        return None  # pragma: no cover

    def _upsert(
        self,
        conn: Connection,
        conversation_id: str,
        changes: dict[str, Any],
        at: datetime,
        entry_id: str | None,
    ) -> dict[str, Any] | None:
        if entry_id is not None:
            seen = conn.execute(select(applied_table.c.entry_id).where(applied_table.c.entry_id == entry_id))
            if seen.first() is not None:
                return None
        query = select(leads_table).where(leads_table.c.conversation_id == conversation_id).with_for_update()
        row = conn.execute(query).mappings().first()
        lead = merge_lead(row, changes, conversation_id=conversation_id, at=at)
        values = {key: lead.get(key) for key in LEAD_COLUMNS}
        if row is None:
            conn.execute(insert(leads_table).values(**values))
        else:
            values.pop("created_at")
            conn.execute(update(leads_table).where(leads_table.c.id == row["id"]).values(**values))
        if entry_id is not None:
            conn.execute(insert(applied_table).values(entry_id=entry_id, applied_at=utcnow()))
        return {key: lead.get(key) for key in LEAD_COLUMNS}

    def get_lead(self, conversation_id: str) -> dict[str, Any] | None:
        """The stored lead of a conversation, or None."""
        with self._begin() as conn:
            query = select(leads_table).where(leads_table.c.conversation_id == conversation_id)
            row = conn.execute(query).mappings().first()
        return {key: row[key] for key in LEAD_COLUMNS} if row else None

    def list_leads(
        self,
        *,
        tier: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> list[dict[str, Any]]:
        """Leads created in ``[since, until)``, optionally of one tier, oldest first."""
        with self._begin() as conn:
            rows = conn.execute(leads_query(tier=tier, since=since, until=until)).mappings().all()
        return [{key: row[key] for key in LEAD_COLUMNS} for row in rows]

    def delete(self, conversation_id: str) -> bool:
        """Erase a conversation's lead; its funnel events keep only an anonymous id.

        Returns True when a lead row was deleted.
        """
        erased = "erased:" + conversation_digest(conversation_id)
        events = events_table.c
        with self._begin() as conn:
            deleted = conn.execute(delete(leads_table).where(leads_table.c.conversation_id == conversation_id))
            for table in metadata.sorted_tables:
                if table.info.get(ERASE_WITH_LEAD):
                    conn.execute(delete(table).where(table.c.conversation_id == conversation_id))
            conn.execute(
                update(events_table)
                .where(
                    events.conversation_id == conversation_id,
                    events.kind != "advice_given",
                )
                .values(conversation_id=erased, detail=None)
            )
            conn.execute(
                update(events_table).where(events.conversation_id == conversation_id).values(conversation_id=erased)
            )
        self._checkpoint()
        return bool(deleted.rowcount)

    def _checkpoint(self) -> None:
        """SQLite: empty the write-ahead log, so erased rows do not live on in it."""
        if self._sqlite_path is not None:
            truncate_wal(self.engine, "rows", log)

    # -- funnel events -------------------------------------------------------------------
    def record_event(
        self,
        conversation_id: str,
        kind: str,
        detail: str | None = None,
        *,
        event_id: str | None = None,
        at: datetime | None = None,
    ) -> bool:
        """Append a funnel event; False when ``event_id`` was already recorded."""
        check_conversation_id(conversation_id)
        kind, detail = check_event(kind, detail)
        values = {
            "event_id": event_id or uuid.uuid4().hex,
            "conversation_id": conversation_id,
            "kind": kind,
            "detail": detail,
            "created_at": as_utc(at) or utcnow(),
        }
        try:
            with self._begin() as conn:
                conn.execute(insert(events_table).values(**values))
        except exc.IntegrityError:
            with self._begin() as conn:
                query = select(events_table.c.id).where(events_table.c.event_id == values["event_id"])
                if conn.execute(query).first() is None:
                    raise
            return False
        return True

    def record_events(self, entries: Sequence[Mapping[str, Any]]) -> int:
        """Append several funnel events in one transaction; returns how many were new.

        Each entry has ``conversation_id``, ``kind`` and optionally ``detail``,
        ``event_id`` and ``at``. When an ``event_id`` was recorded before, the entries
        are written one by one instead, so that only the new ones are added.
        """
        rows = []
        for entry in entries:
            check_conversation_id(entry["conversation_id"])
            kind, detail = check_event(entry["kind"], entry.get("detail"))
            rows.append(
                {
                    "event_id": entry.get("event_id") or uuid.uuid4().hex,
                    "conversation_id": entry["conversation_id"],
                    "kind": kind,
                    "detail": detail,
                    "created_at": as_utc(entry.get("at")) or utcnow(),
                }
            )
        if not rows:
            return 0
        try:
            with self._begin() as conn:
                conn.execute(insert(events_table), rows)
        except exc.IntegrityError:
            return sum(
                self.record_event(
                    r["conversation_id"], r["kind"], r["detail"], event_id=r["event_id"], at=r["created_at"]
                )
                for r in rows
            )
        return len(rows)

    def list_events(self, *, since: datetime | None = None, until: datetime | None = None) -> list[dict[str, Any]]:
        """Funnel events in ``[since, until)``, oldest first."""
        query = select(events_table).order_by(events_table.c.created_at, events_table.c.id)
        if since:
            query = query.where(events_table.c.created_at >= since)
        if until:
            query = query.where(events_table.c.created_at < until)
        with self._begin() as conn:
            return [dict(row) for row in conn.execute(query).mappings().all()]

    def dispose(self) -> None:
        """Close pooled connections."""
        self.engine.dispose()


def leads_query(
    *,
    tier: str | None = None,
    recommendation: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> Any:
    """``SELECT`` of the leads created in ``[since, until)``, optionally of one tier and recommendation, oldest first.

    :mod:`leads.pipeline` joins its status onto this query, so both filter the same way.
    """
    query = select(leads_table).order_by(leads_table.c.created_at, leads_table.c.id)
    if tier:
        query = query.where(leads_table.c.tier == tier)
    if recommendation:
        query = query.where(leads_table.c.recommendation == recommendation)
    if since:
        query = query.where(leads_table.c.created_at >= since)
    if until:
        query = query.where(leads_table.c.created_at < until)
    return query


def check_event(kind: Any, detail: Any) -> tuple:
    """Validate an event kind (and the outcome of ``advice_given``); return cleaned values."""
    if kind not in EVENT_KINDS:
        raise ValueError(f"unknown funnel event kind {kind!r}; use one of {', '.join(EVENT_KINDS)}")
    if detail is not None and not isinstance(detail, str):
        raise ValueError("detail must be text or None")
    if detail is not None and "\x00" in detail:
        raise ValueError("detail contains a NUL character, which cannot be stored")
    if kind == "advice_given":
        detail = (detail or "").strip().lower()
        if detail not in ("bpo", "kpo", "hybrid"):
            raise ValueError("advice_given needs the outcome as detail: bpo, kpo or hybrid")
    return kind, detail


def _sqlite_wal(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA secure_delete=ON")  # deleted or overwritten rows are zeroed on disk
    cursor.close()
