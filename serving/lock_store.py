"""Rasa's Redis lock store, with its ticket updates made atomic.

Rasa 3.6's `RedisLockStore` keeps each conversation's ticket lock as one JSON value and
changes it by read-modify-write: GET the lock, add or remove a ticket in Python, SET it
back. Two Rasa servers that receive a message for the same conversation at the same
moment both read the same lock, both issue themselves the same ticket number, and both
go ahead: the two turns run at once, and because the SQL tracker store appends "the
events beyond those already stored", one turn's events are lost. tests/ops/
test_scale_out.py caught exactly that (two simultaneous messages, one of them gone).
Releasing is racy in the same way (a lock deleted while another server had just queued).

This subclass does every change of a lock inside a Redis transaction (WATCH the key,
read, MULTI/SET or DEL, EXEC; redo when another server changed the key in between), so
ticket numbers are unique and a lock is only deleted when nobody is queued. Reading,
waiting and the stored format are Rasa's, unchanged.

endpoints.yml: `lock_store: type: serving.lock_store.AtomicRedisLockStore` with Rasa's
usual Redis keys (url, port, db, password, key_prefix, use_ssl).

For every lock store (the in-memory one too), `install()` makes the expiry of the ticket a
turn holds known to that turn (`lock_seconds_left`): a ticket lives LOCK_LIFETIME seconds
from the moment it was issued (Rasa's TICKET_LOCK_LIFETIME, 60 s), and once it has expired
the next message of the same conversation goes ahead even while this turn still runs. The
tracker store stops retrying in time for the turn to end before that
(serving/tracker_store.py).
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import AsyncIterator, Callable
from contextvars import ContextVar
from typing import Any

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, LockStore, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

_lock_expires: ContextVar[float | None] = ContextVar("advisor_lock_expires", default=None)


def lock_seconds_left() -> float | None:
    """Seconds until the conversation lock this turn holds expires; None outside a lock."""
    expires = _lock_expires.get()
    return None if expires is None else expires - time.time()


@contextlib.asynccontextmanager
async def _lock_with_known_expiry(
    self: LockStore, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME, wait_time_in_seconds: float = 1
) -> AsyncIterator[TicketLock]:
    """`LockStore.lock` (Rasa 3.6), also noting when the ticket expires for the turn inside."""
    ticket = self.issue_ticket(conversation_id, lock_lifetime)
    try:
        lock = await self._acquire_lock(conversation_id, ticket, wait_time_in_seconds)
        mine = [t.expires for t in lock.tickets if t.number == ticket]
        token = _lock_expires.set(mine[0] if mine else time.time())  # expired while queued: no time left
        try:
            yield lock
        finally:
            _lock_expires.reset(token)
    finally:
        self.cleanup(conversation_id, ticket)


_lock_with_known_expiry.advisor_lock_expiry = True  # type: ignore[attr-defined]


def install() -> None:
    """Make every lock store note its ticket's expiry (idempotent)."""
    if not getattr(LockStore.lock, "advisor_lock_expiry", False):
        LockStore.lock = _lock_with_known_expiry  # type: ignore[method-assign]


_KEEP = object()  # leave the stored lock as it is
_DELETE = object()  # delete the stored lock


class AtomicRedisLockStore(RedisLockStore):
    """`RedisLockStore` whose ticket changes are atomic across processes."""

    def __init__(self, endpoint_config: EndpointConfig | None = None, **kwargs: Any) -> None:
        if endpoint_config is not None:  # how Rasa builds a lock store named by module path
            kwargs = {"host": endpoint_config.url or "localhost", **endpoint_config.kwargs, **kwargs}
        super().__init__(**kwargs)

    def _change(self, conversation_id: str, change: Callable[[TicketLock | None], tuple[Any, Any]]) -> Any:
        """Apply `change(lock) -> (new lock | _KEEP | _DELETE, result)` atomically; return result."""
        key = self.key_prefix + conversation_id

        def transaction(pipe: Any) -> Any:
            raw = pipe.get(key)
            lock = TicketLock.from_dict(json.loads(raw)) if raw else None
            new, result = change(lock)
            pipe.multi()
            if new is _DELETE:
                pipe.delete(key)
            elif new is not _KEEP:
                pipe.set(key, new.dumps())
            return result

        return self.red.transaction(transaction, key, value_from_callable=True)

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        def issue(lock: TicketLock | None) -> tuple[Any, int]:
            lock = lock or TicketLock(conversation_id)
            return lock, lock.issue_ticket(lock_lifetime)

        try:
            return self._change(conversation_id, issue)
        except Exception as error:
            raise LockError(f"Error while acquiring lock. Error:\n{error}") from error

    def _edit(self, conversation_id: str, edit: Callable[[TicketLock], Any]) -> None:
        """Apply ``edit`` to the conversation's lock, if it has one, in one transaction."""

        def change(lock: TicketLock | None) -> tuple[Any, None]:
            if lock is None:
                return _KEEP, None
            edit(lock)
            return lock, None

        self._change(conversation_id, change)

    def update_lock(self, conversation_id: str) -> None:
        self._edit(conversation_id, TicketLock.remove_expired_tickets)

    def finish_serving(self, conversation_id: str, ticket_number: int) -> None:
        self._edit(conversation_id, lambda lock: lock.remove_ticket_for(ticket_number))

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        """Remove the ticket, and the lock when nobody else is queued, in one step."""

        def release(lock: TicketLock | None) -> tuple[Any, bool]:
            if lock is None:
                return _KEEP, False
            lock.remove_ticket_for(ticket_number)
            if lock.is_someone_waiting():
                return lock, False
            return _DELETE, True

        if self._change(conversation_id, release):
            self._log_deletion(conversation_id, deletion_successful=True)
