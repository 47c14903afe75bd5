"""Rasa's SQL tracker store, made to ride out a database restart.

Rasa 3.6 wraps every tracker store in `FailSafeTrackerStore`: when a read fails it answers
"no such conversation" and when a write fails it keeps the events in memory only. During
a database restart a turn is therefore answered as if the conversation had just begun and
its events never reach the database; and because the connection pool still holds the dead
connections, the first turns after the restart fail the same way.

This subclass changes two things for resilience:

* a pooled connection that died (database restart) fails its first statement, which
  invalidates the pool, and the retry below runs on a fresh connection; connections are
  opened with a timeout. (Checking every connection before use, `pool_pre_ping`, did the
  same at the cost of one more database round trip for every read and every write: 4.6%
  of the Rasa process's time under load on PostgreSQL.);
* reads and writes that fail because the database cannot be reached are retried with
  back-off: the turn waits for the database instead of being lost. The wait is bounded by
  the conversation lock, because once a turn's lock ticket expires (Rasa's
  TICKET_LOCK_LIFETIME, 60 s from when the message arrived) the next message of the same
  conversation runs even while this turn still does, and the two overlap. So each read or
  write retries for at most `retry_seconds` (endpoints.yml key, env TRACKER_RETRY_SECONDS;
  default and maximum a quarter of the lock lifetime, 15 s), and never past
  `lock_margin_seconds` before the turn's own ticket expires (a quarter of the lifetime,
  at least the connect timeout plus a second): the turn then ends before its lock does.
  Past that the failure is noted for the turn guard, which answers with an apology. A read
  that fails (gave up, or any other error) raises `TrackerStoreUnavailable`, which
  `install()` lets through Rasa's `FailSafeTrackerStore` (which would answer "no such
  conversation" and let the turn run on an empty tracker); a write that gives up is lost
  for this turn, as before.

Events go to the event broker once per turn, not once per attempt.

And two for speed (README "Performance"), with the same results:

* a conversation is read, counted and appended to with SQL statements built once (Rasa
  builds an ORM query with a subquery on every read and every save, and SQLAlchemy's
  statement-cache bookkeeping for it cost more than the query: 3.1 ms against 1.7 ms per
  read of a 50-event conversation here), and new events are inserted in one batch;
* with `POSTGRESQL_SCHEMA` set, Rasa checks on every read and every write that the schema
  exists (a query to `information_schema`, 17% of the Rasa process's time under load on
  PostgreSQL); here it is checked on first use and again after a lost connection, with
  Rasa's own check and error;
* SQLite files are put in write-ahead-log mode (one fsync per commit instead of several,
  readers never block the writer; still `synchronous=FULL`), and their connections are
  pooled instead of opened for every read and write.

And one for privacy: when a turn ends with a privacy request (`lead_status` set to
`deleted`, `withdrawn` or `declined` by actions/leads.py), the save also rewrites every
stored event of that conversation with the personal data erased (serving/erasure.py), in
the same transaction, on SQLite and PostgreSQL alike. SQLite runs with `secure_delete`
(replaced text is zeroed in the file) and the write-ahead log is checkpointed and
truncated right after, so the old text is in no file. (PostgreSQL keeps old row versions
until VACUUM; that is outside the application's files.)
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
import os
import time
from collections.abc import Awaitable, Callable, Iterable, Iterator
from typing import Any, TypeVar

import sqlalchemy as sa
import sqlalchemy.exc
from rasa.core.lock_store import LOCK_LIFETIME
from rasa.core.tracker_store import (
    FailSafeTrackerStore,
    SQLTrackerStore,
    create_engine_kwargs,
    is_postgresql_url,
)
from rasa.shared.core.events import SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

from leads.files import private_file, truncate_wal
from serving.erasure import erasure_scope, redact_events
from serving.guard import STORE_FAILED, note_failure, who
from serving.lock_store import lock_seconds_left

logger = logging.getLogger(__name__)

T = TypeVar("T")
CONNECT_TIMEOUT_SECONDS = 5
RETRY_SHARE_OF_LOCK = 0.25
"""A read or write retries for at most this share of the lock lifetime (the default too)."""
MARGIN_SHARE_OF_LOCK = 0.25
"""Retrying stops this share of the lock lifetime before the turn's ticket expires."""


TRANSIENT = (sqlalchemy.exc.OperationalError, sqlalchemy.exc.InterfaceError, sqlalchemy.exc.DisconnectionError)


class TrackerStoreUnavailable(Exception):
    """A read failed (or a write stayed unreachable for its whole retry budget)."""


def retry_limits(lock_lifetime: float = LOCK_LIFETIME) -> tuple[float, float]:
    """(most seconds one read or write retries, seconds kept free before a lock expires)."""
    most = lock_lifetime * RETRY_SHARE_OF_LOCK
    return most, max(lock_lifetime * MARGIN_SHARE_OF_LOCK, CONNECT_TIMEOUT_SECONDS + 1.0)


def is_transient(error: BaseException) -> bool:
    """True for errors that mean "the database cannot be reached right now"."""
    if isinstance(error, TRANSIENT):
        return True
    return isinstance(error, sqlalchemy.exc.DBAPIError) and bool(error.connection_invalidated)


class ResilientSQLTrackerStore(SQLTrackerStore):
    """`SQLTrackerStore` with pool pre-ping and bounded retries on connection errors."""

    def __init__(self, *args: Any, retry_seconds: float | str | None = None, **kwargs: Any) -> None:
        database = _sqlite_file(kwargs)
        if database is not None:
            private_file(database)  # 0600 in a 0700 folder, before Rasa creates the tables in it
        super().__init__(*args, **kwargs)
        most, self.lock_margin_seconds = retry_limits()
        if retry_seconds is None:
            retry_seconds = os.environ.get("TRACKER_RETRY_SECONDS") or most
        self.retry_seconds = float(retry_seconds)
        if self.retry_seconds > most:
            logger.warning(
                "Tracker store retry_seconds %.1f is more than a quarter of the conversation lock's lifetime "
                "(%.0f s, TICKET_LOCK_LIFETIME): using %.1f s, so that a turn never outlives its lock",
                self.retry_seconds,
                LOCK_LIFETIME,
                most,
            )
            self.retry_seconds = most
        self._schema_checked = False
        url = self.engine.url
        engine_kwargs = create_engine_kwargs(url)
        engine_kwargs["pool_pre_ping"] = False  # a dead connection fails once and is retried
        if is_postgresql_url(url):
            connect_args = dict(engine_kwargs.get("connect_args") or {})
            connect_args.setdefault("connect_timeout", CONNECT_TIMEOUT_SECONDS)
            engine_kwargs["connect_args"] = connect_args
        if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
            # SQLAlchemy 1.4 opens a new connection (and so re-runs the WAL pragma) for every
            # session of a SQLite file; a small pool reuses them. All sessions run on the
            # server's event-loop thread, one at a time.
            engine_kwargs["poolclass"] = sa.pool.QueuePool
            engine_kwargs["connect_args"] = {**(engine_kwargs.get("connect_args") or {}), "check_same_thread": False}
        self.engine.dispose()
        # SQL errors are logged (here and by Rasa) with their text: no parameters in it, as
        # they hold the conversation's messages.
        self.engine = sa.create_engine(url, hide_parameters=True, **engine_kwargs)
        if self.engine.dialect.name == "sqlite":
            sa.event.listen(self.engine, "connect", _sqlite_wal)
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)
        events = self.SQLEvent.__table__
        sender = sa.bindparam("sender_id")
        session_start = (
            sa.select(sa.func.max(events.c.timestamp))
            .where(events.c.sender_id == sender, events.c.type_name == SessionStarted.type_name)
            .scalar_subquery()
        )
        everything = sa.select(events.c.data).where(events.c.sender_id == sender).order_by(events.c.id)
        # The same rows as SQLTrackerStore._event_query: the latest session, or all events.
        latest_session = everything.where(sa.or_(events.c.timestamp >= session_start, session_start.is_(None)))
        self._statements = {True: everything, False: latest_session}
        self._count_latest_session = sa.select(sa.func.count()).select_from(latest_session.subquery())
        self._insert = events.insert()
        self._all_rows = sa.select(events.c.id, events.c.data).where(events.c.sender_id == sender).order_by(events.c.id)
        self._rewrite = (
            events.update().where(events.c.id == sa.bindparam("row_id")).values(data=sa.bindparam("new_data"))
        )

    def _retry_budget(self) -> float:
        """Seconds this read or write may retry: `retry_seconds`, ending in time for the lock."""
        budget = self.retry_seconds
        lock_left = lock_seconds_left()
        if lock_left is not None:
            budget = min(budget, lock_left - self.lock_margin_seconds)
        return budget

    async def _retrying(self, what: str, operation: Callable[..., Awaitable[T]], *args: Any) -> T:
        budget = self._retry_budget()
        deadline = time.monotonic() + budget
        delay = 0.1
        attempt = 1
        while True:
            try:
                return await operation(*args)
            except Exception as error:
                if not is_transient(error):
                    if what != "read":
                        raise
                    note_failure(STORE_FAILED, f"{what}: {error.__class__.__name__}")
                    raise TrackerStoreUnavailable(f"tracker store read failed: {error.__class__.__name__}") from error
                self._schema_checked = False  # the database may have come back without it
                if time.monotonic() + delay > deadline:
                    note_failure(STORE_FAILED, f"{what}: {error.__class__.__name__}")
                    logger.error("Tracker store %s failed after %d attempts: %s", what, attempt, error)
                    raise TrackerStoreUnavailable(
                        f"tracker store {what} failed for {max(budget, 0):.1f}s: {error.__class__.__name__}"
                    ) from error
                logger.warning(
                    "Tracker store %s failed (attempt %d), retrying in %.1fs: %s",
                    what,
                    attempt,
                    delay,
                    str(error).splitlines()[0] if str(error) else error,
                )
                await asyncio.sleep(delay)
                delay = min(delay * 2, 2.0)
                attempt += 1

    @contextlib.contextmanager
    def session_scope(self) -> Iterator[Any]:
        """Rasa's session scope, with the PostgreSQL schema check made once, not per session."""
        if not self._schema_checked:
            with super().session_scope() as session:  # Rasa's check (and its exit when missing)
                yield session
            self._schema_checked = True
            return
        session = self.sessionmaker()
        try:
            yield session
        finally:
            session.close()

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        return await self._retrying("read", super().retrieve, sender_id)

    async def retrieve_full_tracker(self, conversation_id: str) -> DialogueStateTracker | None:
        return await self._retrying("read", super().retrieve_full_tracker, conversation_id)

    async def keys(self) -> Iterable[str]:
        return await self._retrying("read", super().keys)

    async def _retrieve(self, sender_id: str, fetch_events_from_all_sessions: bool) -> DialogueStateTracker | None:
        with self.session_scope() as session:
            rows = (
                session.execute(self._statements[fetch_events_from_all_sessions], {"sender_id": sender_id})
                .scalars()
                .all()
            )
        if not self.domain or not rows:
            return None
        return DialogueStateTracker.from_dict(sender_id, [json.loads(row) for row in rows], self.domain.slots)

    async def save(self, tracker: DialogueStateTracker) -> None:
        """As SQLTrackerStore.save; only the database part is repeated on a retry."""
        await self.stream_events(tracker)  # its own read is retried by `retrieve`
        await self._retrying("write", self._insert_new_events, tracker)
        logger.debug("Tracker of %s stored to database", who(tracker.sender_id))

    async def _insert_new_events(self, tracker: DialogueStateTracker) -> None:
        # The database part of SQLTrackerStore.save (Rasa 3.6) in one transaction, with the
        # statements built once: on a retry it recounts what is stored, so no event is
        # written twice.
        with self.session_scope() as session:
            stored = session.execute(self._count_latest_session, {"sender_id": tracker.sender_id}).scalar()
            rows, new_events = [], []
            for event in itertools.islice(tracker.events, stored, None):
                data = event.as_dict()
                new_events.append(data)
                rows.append(
                    {
                        "sender_id": tracker.sender_id,
                        "type_name": event.type_name,
                        "timestamp": data.get("timestamp"),
                        "intent_name": data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
                        "action_name": data.get("name"),
                        "data": json.dumps(data),
                    }
                )
            if rows:
                session.execute(self._insert, rows)
            scope = erasure_scope(new_events)  # a privacy request in this turn
            if scope:
                self._erase(session, tracker.sender_id, scope)
            session.commit()
        if scope and self.engine.dialect.name == "sqlite":
            self._checkpoint()

    def _erase(self, session: Any, sender_id: str, scope: str) -> None:
        """Rewrite every stored event of the conversation with personal data erased (serving/erasure.py)."""
        stored = session.execute(self._all_rows, {"sender_id": sender_id}).all()
        ids, events = [row_id for row_id, _ in stored], [json.loads(data) for _, data in stored]
        changes = [
            {"row_id": row_id, "new_data": json.dumps(new)}
            for row_id, old, new in zip(ids, events, redact_events(events, scope), strict=True)
            if old != new
        ]
        if changes:
            session.execute(self._rewrite, changes)
        logger.info("Personal data erased (%s) in %d stored events of a conversation", scope, len(changes))

    def _checkpoint(self) -> None:
        """Empty the write-ahead log: the erased text must not live on in its old pages."""
        truncate_wal(self.engine, "text", logger)


def _sqlite_file(kwargs: dict[str, Any]) -> str | None:
    """The SQLite database file the tracker store's settings name, if any."""
    url = SQLTrackerStore.get_db_url(
        kwargs.get("dialect") or "sqlite", kwargs.get("host"), kwargs.get("port"), kwargs.get("db") or "rasa.db"
    )
    url = sa.engine.make_url(str(url)) if isinstance(url, str) else url
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    return url.database


def _sqlite_wal(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA secure_delete=ON")  # erased or overwritten text is zeroed on disk
    cursor.close()


def _failing_read(name: str) -> Callable[..., Awaitable[DialogueStateTracker | None]]:
    """`FailSafeTrackerStore.<name>`, except that a read that gave up raises."""

    async def read(self: FailSafeTrackerStore, sender_id: str) -> DialogueStateTracker | None:
        try:
            return await getattr(self._tracker_store, name)(sender_id)
        except TrackerStoreUnavailable:
            raise  # not "no such conversation": the turn must not run on an empty tracker
        except Exception as error:  # noqa: BLE001 - as Rasa: any other failure reads as "none"
            self.on_tracker_store_retrieve_error(error)
            return None

    read.advisor_raises = True  # type: ignore[attr-defined]
    return read


def install() -> None:
    """Let a read that gave up fail the turn instead of starting it afresh (idempotent)."""
    for name in ("retrieve", "retrieve_full_tracker"):
        if not getattr(getattr(FailSafeTrackerStore, name), "advisor_raises", False):
            setattr(FailSafeTrackerStore, name, _failing_read(name))
