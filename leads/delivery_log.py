"""The delivery queue file: every CRM and Slack delivery is written down here before it is sent.

``LEADS_DELIVERIES_PATH``, JSON lines, rewritten atomically under a file lock: one record
per delivery with its key, target, hashed conversation, state and, until it is sent or
cancelled, the payload. :mod:`leads.delivery` sends what is queued; :mod:`leads.notify`
decides what to queue.
"""

from __future__ import annotations

import json
import os
import threading
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from .files import file_lock, replace_atomically
from .model import conversation_digest, to_jsonable, utcnow

TARGETS = ("webhook", "slack")
CAPTURED = "lead.captured"
WITHDRAWN = "lead.withdrawn"
UPDATED = "lead.updated"
CALL_BOOKED = "lead.call_booked"
DeliveryItem = tuple[str, str, str, str, Mapping[str, Any]]
"""One delivery to queue: (event, target, idempotency key, conversation ref, payload)."""
# Unfinished states: a delivery in one of these may still go out.
OPEN_STATES = ("pending", "sending", "failed")


def conversation_ref(conversation_id: str) -> str:
    """How the queue, logs and the sales channel refer to a conversation: ``conv-<hash>``."""
    return "conv-" + conversation_digest(str(conversation_id))


def iso(value: datetime) -> str:
    return value.isoformat()


class DeliveryLog:
    """The delivery queue: one JSON line per delivery, in the order they were queued.

    A line from before the queue existed (``key``, ``target``, ``conversation``, ``at``)
    reads as a sent ``lead.captured`` delivery.
    """

    def __init__(self, path: str | os.PathLike) -> None:
        self.path = Path(path)
        self._thread_lock = threading.RLock()

    @contextmanager
    def lock(self) -> Iterator[None]:
        """Exclusive lock across threads and processes (only ever held for file I/O)."""
        with file_lock(self.path.with_name(self.path.name + ".lock"), self._thread_lock):
            yield

    def load(self) -> list[dict[str, Any]]:
        """Every delivery record (call under :meth:`lock` when you will write them back)."""
        records: list[dict[str, Any]] = []
        if not self.path.exists():
            return records
        with open(self.path, encoding="utf-8") as handle:
            for line in handle:
                try:
                    record = json.loads(line)
                except ValueError:
                    continue  # a line cut by a crash before the queue was rewritten
                if not isinstance(record, dict) or not record.get("key") or not record.get("target"):
                    continue
                record.setdefault("id", f"legacy-{record['key']}-{record['target']}")
                record.setdefault("state", "sent")
                record.setdefault("event", CAPTURED)
                records.append(record)
        return records

    def save(self, records: Sequence[Mapping[str, Any]]) -> None:
        """Atomically replace the file with ``records`` (call under :meth:`lock`)."""
        data = "".join(json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n" for record in records)
        replace_atomically(self.path, data.encode("utf-8"))

    def delivered(self, key: str, target: str) -> bool:
        """True when ``key`` was already delivered to ``target``."""
        return any(r["key"] == key and r["target"] == target and r["state"] == "sent" for r in self.load())

    def states(self) -> dict[str, dict[str, str]]:
        """Latest ``lead.captured`` delivery state per conversation ref and target."""
        latest: dict[str, dict[str, str]] = {}
        for record in self.load():
            if record.get("event") == CAPTURED and record.get("conversation"):
                state = record["state"]
                if state == "pending" and record.get("attempts"):
                    state = f"retrying({record['attempts']})"
                latest.setdefault(record["conversation"], {})[record["target"]] = state
        return latest


# --- queueing -----------------------------------------------------------------------------


def add_records(
    records: list[dict[str, Any]], items: Sequence[DeliveryItem], now: str
) -> list[tuple[dict[str, Any], bool]]:
    """Each item's delivery among ``records`` (loaded under :meth:`DeliveryLog.lock`), and whether it is new.

    An item whose key and target are already queued (and not cancelled) keeps that record;
    any other is appended to ``records`` as a new pending delivery.
    """
    out: list[tuple[dict[str, Any], bool]] = []
    for event, target, key, conversation, payload in items:
        existing = next(
            (r for r in records if r["key"] == key and r["target"] == target and r["state"] != "cancelled"),
            None,
        )
        if existing is not None:
            out.append((existing, False))
            continue
        record = {
            "id": uuid.uuid4().hex,
            "key": key,
            "target": target,
            "event": event,
            "conversation": conversation,
            "state": "pending",
            "attempts": 0,
            "created": now,
            "next_at": now,
            "lease_until": None,
            "last_error": None,
            "payload": to_jsonable(dict(payload)),
        }
        records.append(record)
        out.append((record, True))
    return out


def queue(deliveries: DeliveryLog, items: Sequence[DeliveryItem]) -> list[dict[str, Any]]:
    """Append (event, target, key, conversation ref, payload) deliveries, unless already queued.

    Returns the records (new, or the existing one for the same key and target).
    """
    with deliveries.lock():
        records = deliveries.load()
        added = add_records(records, items, iso(utcnow()))
        if any(new for _, new in added):
            deliveries.save(records)
    return [dict(record) for record, _ in added]
