"""Nothing lost: leads and funnel events go to the database, or to an outbox file.

:func:`save_lead` and :func:`record_event` first :func:`flush_outbox`, then write to the
database. When it is unreachable, the write is appended to a JSON-lines outbox (one
entry per line, each with a unique ``id``, fsync'ed) and the call returns normally.
While entries are pending, new writes queue behind them so order is kept.

Exactly once: each entry is written with its ``id`` recorded in ``leads_outbox_applied``
(events: as ``funnel_events.event_id``) in the same transaction, then removed from the
file by an atomic rewrite. A crash between the two leaves the entry in the file; the next
flush sees its id and only removes it. An ``fcntl`` lock serialises processes.
Entries the database refuses (not an outage) move to ``<outbox>.rejected``.

The file itself (whole lines, partial-line recovery, ``.rejected``) is :mod:`leads.outbox_file`.
"""

from __future__ import annotations

import json
import logging
import threading
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import exc

from .config import load_config
from .files import replace_atomically
from .model import check_conversation_id, clean_changes, conversation_digest, merge_lead, utcnow
from .outbox_file import Outbox, redacted_line
from .redact import describe_error
from .store import LeadStore, check_event, is_unavailable

log = logging.getLogger(__name__)


@dataclass
class SaveResult:
    """``stored`` in the database now, or ``queued`` in the outbox; ``lead`` as merged."""

    stored: bool
    queued: bool
    lead: dict[str, Any]
    entry_id: str


@dataclass
class FlushResult:
    """What one :func:`flush_outbox` did."""

    applied: int = 0
    already_applied: int = 0
    remaining: int = 0
    rejected: int = 0
    errors: list[str] = field(default_factory=list)


_defaults: dict[tuple[str, str], tuple[LeadStore, Outbox]] = {}
_defaults_lock = threading.Lock()


def default_store_and_outbox() -> tuple[LeadStore, Outbox]:
    """Process-wide store and outbox built from :func:`leads.config.load_config`."""
    config = load_config()
    key = (config.db_url or config.db_path, config.outbox_path)
    with _defaults_lock:
        if key not in _defaults:
            store = LeadStore(
                config.db_url,
                path=config.db_path,
                connect_timeout=config.db_connect_timeout,
            )
            _defaults[key] = (store, Outbox(config.outbox_path))
        return _defaults[key]


def _resolve(store: LeadStore | None, outbox: Outbox | None) -> tuple[LeadStore, Outbox]:
    if store is None or outbox is None:
        default_store, default_outbox = default_store_and_outbox()
        return store or default_store, outbox or default_outbox
    return store, outbox


def _apply(store: LeadStore, entry: Mapping[str, Any]) -> Any:
    """Write one entry: the merged lead / True, or None / False when applied before."""
    if entry["type"] == "lead":
        return store.upsert_lead(
            entry["conversation_id"],
            entry["changes"],
            at=entry["at"],
            entry_id=entry["id"],
        )
    return store.record_event(
        entry["conversation_id"],
        entry["kind"],
        entry.get("detail"),
        event_id=entry["id"],
        at=entry["at"],
    )


def _flush_locked(store: LeadStore, outbox: Outbox) -> FlushResult:
    result = FlushResult()
    if not outbox.has_pending():
        return result
    entries, bad = outbox.read()
    done: set = set()
    rejected: list[str] = list(bad)
    for entry in entries:
        try:
            if _apply(store, entry):
                result.applied += 1
            else:
                result.already_applied += 1
        except Exception as error:
            if is_unavailable(error):
                result.errors.append(describe_error(error))
                break
            if not isinstance(error, (ValueError, KeyError, TypeError, exc.SQLAlchemyError)):
                raise
            log.error(
                "outbox entry %s refused by the database: %s",
                entry["id"],
                describe_error(error),
            )
            rejected.append(json.dumps(entry, ensure_ascii=False) + "\n")
        done.add(entry["id"])
    outbox.reject(rejected)
    remaining = [entry for entry in entries if entry["id"] not in done]
    outbox.rewrite(remaining)
    result.remaining, result.rejected = len(remaining), len(rejected)
    if result.applied or result.rejected:
        log.info(
            "outbox flushed: %d applied, %d rejected, %d remaining",
            result.applied,
            result.rejected,
            len(remaining),
        )
    return result


def flush_outbox(store: LeadStore | None = None, outbox: Outbox | None = None) -> FlushResult:
    """Write pending outbox entries to the database, each exactly once."""
    store, outbox = _resolve(store, outbox)
    with outbox.lock():
        return _flush_locked(store, outbox)


def _write_or_queue(
    store: LeadStore,
    outbox: Outbox,
    entry: dict[str, Any],
    *more: dict[str, Any],
    write: Callable[[], Any] | None = None,
) -> tuple[bool, Any]:
    """Flush, then write ``entry`` (and ``more``) to the database, else queue them.

    ``write`` writes them all at once (default: :func:`_apply` of the one entry).
    Returns (stored, what ``write`` returned).
    """
    entries = [entry, *more]
    with outbox.lock():
        _flush_locked(store, outbox)
        if not outbox.has_pending():
            try:
                return True, write() if write else _apply(store, entry)
            except Exception as error:
                if not is_unavailable(error):
                    raise
                what = entry["type"] if not more else f"{len(entries)} {entry['type']}s"
                log.warning(
                    "database unreachable, %s for conv-%s queued in outbox: %s",
                    what,
                    conversation_digest(entry["conversation_id"]),
                    describe_error(error),
                )
        for queued in entries:
            outbox.append(queued)
        return False, None


def save_lead(
    conversation_id: str,
    *,
    channel: str | None = None,
    full_name: str | None = None,
    email: str | None = None,
    company: str | None = None,
    role: str | None = None,
    company_size: str | None = None,
    timeline: str | None = None,
    consent: bool | None = None,
    answers: Mapping[str, Any] | None = None,
    recommendation: str | None = None,
    recommendation_reasons: Sequence[str] | None = None,
    store: LeadStore | None = None,
    outbox: Outbox | None = None,
) -> SaveResult:
    """Upsert what is known about the conversation's lead; never loses it.

    ``None`` arguments keep the stored value; ``answers`` is merged key by key.
    Raises ``ValueError``/``TypeError`` for unstorable input (NUL characters, wrong
    types, an unknown recommendation).
    """
    check_conversation_id(conversation_id)
    changes = clean_changes(
        {
            "channel": channel,
            "full_name": full_name,
            "email": email,
            "company": company,
            "role": role,
            "company_size": company_size,
            "timeline": timeline,
            "consent": consent,
            "answers": answers,
            "recommendation": recommendation,
            "recommendation_reasons": recommendation_reasons,
        }
    )
    at = utcnow()
    entry: dict[str, Any] = {
        "id": uuid.uuid4().hex,
        "type": "lead",
        "conversation_id": conversation_id,
        "at": at.isoformat(),
        "changes": changes,
    }
    store, outbox = _resolve(store, outbox)
    stored, lead = _write_or_queue(store, outbox, entry)
    if lead is None:  # queued (or, rarely, applied before): show what we know now
        lead = merge_lead(None, changes, conversation_id=conversation_id, at=at)
    return SaveResult(stored=stored, queued=not stored, lead=lead, entry_id=entry["id"])


def record_event(
    conversation_id: str,
    kind: str,
    detail: str | None = None,
    *,
    store: LeadStore | None = None,
    outbox: Outbox | None = None,
) -> bool:
    """Append a funnel event (kinds in :data:`leads.store.EVENT_KINDS`).

    Returns True when written to the database now, False when queued in the outbox.
    """
    check_conversation_id(conversation_id)
    kind, detail = check_event(kind, detail)
    entry = {
        "id": uuid.uuid4().hex,
        "type": "event",
        "conversation_id": conversation_id,
        "at": utcnow().isoformat(),
        "kind": kind,
        "detail": detail,
    }
    store, outbox = _resolve(store, outbox)
    stored, _ = _write_or_queue(store, outbox, entry)
    return stored


def record_events(
    conversation_id: str,
    events: Sequence[tuple[str, str | None]],
    *,
    store: LeadStore | None = None,
    outbox: Outbox | None = None,
) -> bool:
    """Append several funnel events of one conversation, in order, at once.

    One lock and one transaction instead of one each (an answer that gives advice
    records up to three). Returns True when written to the database now, False when
    queued in the outbox (each event as its own entry, applied exactly once later).
    """
    check_conversation_id(conversation_id)
    now = utcnow().isoformat()
    entries = []
    for kind, detail in events:
        kind, detail = check_event(kind, detail)
        entries.append(
            {
                "id": uuid.uuid4().hex,
                "type": "event",
                "conversation_id": conversation_id,
                "at": now,
                "kind": kind,
                "detail": detail,
            }
        )
    if not entries:
        return True
    store, outbox = _resolve(store, outbox)
    stored, _ = _write_or_queue(
        store,
        outbox,
        *entries,
        write=lambda: store.record_events(
            [
                {
                    "conversation_id": e["conversation_id"],
                    "kind": e["kind"],
                    "detail": e["detail"],
                    "event_id": e["id"],
                    "at": e["at"],
                }
                for e in entries
            ]
        ),
    )
    return stored


def _redact_rejected(outbox: Outbox, conversation_id: str) -> int:
    """Rewrite ``<outbox>.rejected`` so no line keeps the conversation's data; returns how many changed.

    Its entries become redacted stubs (id, type, hashed conversation, hash of the line);
    so does any unreadable line that mentions the conversation id.
    """
    try:
        with open(outbox.rejected_path, encoding="utf-8", errors="surrogateescape") as handle:
            lines = handle.readlines()
    except FileNotFoundError:
        return 0
    mentions = {
        conversation_id,
        json.dumps(conversation_id)[1:-1],
        json.dumps(conversation_id, ensure_ascii=False)[1:-1],
    }
    kept: list[str] = []
    changed = 0
    for line in lines:
        try:
            entry = json.loads(line)
        except ValueError:
            entry = None
        if isinstance(entry, dict):
            ours = entry.get("conversation_id") == conversation_id
        else:
            ours = any(text in line for text in mentions)
        if ours:
            kept.append(redacted_line(line.rstrip("\n"), "erased on request"))
            changed += 1
        else:
            kept.append(line if line.endswith("\n") else line + "\n")
    if changed:
        replace_atomically(outbox.rejected_path, "".join(kept).encode("utf-8", "surrogateescape"))
    return changed


def delete_lead(
    conversation_id: str,
    *,
    store: LeadStore | None = None,
    outbox: Outbox | None = None,
) -> bool:
    """Erase a lead: pending outbox writes for it, its lines in ``.rejected``, then the database row.

    Raises when the database is unreachable (the erasure must then be retried).
    """
    store, outbox = _resolve(store, outbox)
    erased = "erased:" + conversation_digest(conversation_id)
    with outbox.lock():
        _redact_rejected(outbox, conversation_id)
        entries, bad = outbox.read()
        keep: list[dict[str, Any]] = []
        for entry in entries:
            if entry["conversation_id"] != conversation_id:
                keep.append(entry)
            elif entry["type"] == "event":  # keep the funnel count, not the link to the person
                detail = entry.get("detail") if entry.get("kind") == "advice_given" else None
                keep.append({**entry, "conversation_id": erased, "detail": detail})
        purged = len(entries) != len(keep) or keep != entries
        if purged:
            outbox.reject(bad)
            outbox.rewrite(keep)
        return store.delete(conversation_id) or len(entries) != len(keep)
