"""One-page briefs of a conversation's advice, kept in the lead database (plain Python, no Rasa).

After the advice, the visitor gets a link to a brief they can keep, print or forward:
``<WEB_PUBLIC_URL>/brief/<token>``, served by ``web/serve.py`` (``web/brief.py``). The token
is ``secrets.token_urlsafe(32)``: 256 random bits, the only thing that finds a brief, so the
link cannot be guessed from a conversation id or from another brief's link.

Table ``briefs`` (on the lead store's metadata, so ``LeadStore.ensure_schema`` creates it):
one row per conversation, with the brief's content (``advisor.guidance.brief()`` as JSON),
the token and when it was made. New advice in the same conversation updates the row in
place and keeps the token, so a link handed out earlier shows the latest advice.

"Delete my data" deletes the row (:meth:`BriefStore.delete`); the link then answers 404.
Withdrawing consent keeps it: the brief holds the advice, not contact details.

The sales team gets the same content with the lead: :func:`export_brief` is the ``brief``
field of ``make leads`` JSON and of the CRM webhook payload.
"""

from __future__ import annotations

import logging
import os
import re
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import Column, Integer, String, Table, delete, exc, insert, select, update

from .files import truncate_wal
from .model import _check_json, as_utc, check_conversation_id, to_jsonable, utcnow
from .store import LeadStore, UTCDateTime, _json, metadata

log = logging.getLogger(__name__)

"""Where the brief pages are served when ``WEB_PUBLIC_URL`` is unset (``make run``'s web page)."""
TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")
"""The form of a brief token: ``secrets.token_urlsafe(32)``. Anything else is never looked up."""
PATH_PREFIX = "/brief/"

briefs_table = Table(
    "briefs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("conversation_id", String(255), nullable=False, unique=True),
    Column("token", String(64), nullable=False, unique=True),
    Column("content", _json(), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)


@dataclass(frozen=True)
class Brief:
    """A stored brief: its content, the token of its link, and when it was made and last updated."""

    conversation_id: str
    token: str
    content: dict[str, Any]
    created_at: datetime
    updated_at: datetime

    def url(self, base: str | None = None) -> str:
        return brief_url(self.token, base)


def public_base_url(env: Mapping[str, str] | None = None) -> str:
    """``WEB_PUBLIC_URL`` (the web page as visitors reach it), checked, without a trailing slash.

    ValueError, naming the variable, unless it is a plain absolute http(s) URL: it is put
    into links that are shown to visitors and handed to the sales team.
    """
    env = os.environ if env is None else env
    local = f"http://localhost:{(env.get('WEB_PORT') or '').strip() or '8080'}"  # as `make run` serves it
    raw = (env.get("WEB_PUBLIC_URL") or "").strip() or local
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise ValueError(f"WEB_PUBLIC_URL must be an absolute http:// or https:// URL, got {raw!r}")
    if parts.username or parts.password or re.search(r"[\s\"'<>\\]", raw):
        raise ValueError(f"WEB_PUBLIC_URL must hold no user name, password, spaces or quotes, got {raw!r}")
    return raw.rstrip("/")


def brief_url(token: str, base: str | None = None) -> str:
    """The link to the brief with ``token``."""
    return f"{base or public_base_url()}{PATH_PREFIX}{token}"


def new_token() -> str:
    return secrets.token_urlsafe(32)


def is_token(text: str) -> bool:
    return bool(TOKEN.fullmatch(text or ""))


def export_brief(brief: Brief | None, base: str | None = None) -> dict[str, Any] | None:
    """The ``brief`` field sales receives with a lead: link, dates and the content (JSON-ready)."""
    if brief is None:
        return None
    return {
        "url": brief.url(base),
        "created_at": brief.created_at.isoformat(),
        "updated_at": brief.updated_at.isoformat(),
        "content": to_jsonable(brief.content),
    }


def _row_brief(row: Mapping[str, Any]) -> Brief:
    return Brief(
        conversation_id=row["conversation_id"],
        token=row["token"],
        content=dict(row["content"] or {}),
        created_at=as_utc(row["created_at"]),  # type: ignore[arg-type]
        updated_at=as_utc(row["updated_at"]),  # type: ignore[arg-type]
    )


class BriefStore:
    """Briefs in the lead database of ``store`` (default: the process-wide lead store)."""

    def __init__(self, store: LeadStore | None = None) -> None:
        if store is None:
            from .outbox import default_store_and_outbox  # the outbox module owns the shared store

            store, _ = default_store_and_outbox()
        self.store = store

    def save(self, conversation_id: str, content: Mapping[str, Any], *, at: datetime | None = None) -> Brief:
        """Store the conversation's brief (insert, or update keeping the token) and return it."""
        check_conversation_id(conversation_id)
        _check_json("brief content", content)
        at = as_utc(at) or utcnow()
        for attempt in (1, 2):
            try:
                with self.store._begin() as conn:
                    query = select(briefs_table).where(briefs_table.c.conversation_id == conversation_id)
                    row = conn.execute(query.with_for_update()).mappings().first()
                    if row is None:
                        values = {
                            "conversation_id": conversation_id,
                            "token": new_token(),
                            "content": dict(content),
                            "created_at": at,
                            "updated_at": at,
                        }
                        conn.execute(insert(briefs_table).values(**values))
                        return _row_brief(values)
                    conn.execute(
                        update(briefs_table)
                        .where(briefs_table.c.id == row["id"])
                        .values(content=dict(content), updated_at=at)
                    )
                    return _row_brief({**row, "content": dict(content), "updated_at": at})
            except exc.IntegrityError:  # the same conversation saved at the same time elsewhere
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")  # pragma: no cover

    def get(self, token: str) -> Brief | None:
        """The brief behind a link's token; None for anything unknown or malformed."""
        if not is_token(token):
            return None
        with self.store._begin() as conn:
            row = conn.execute(select(briefs_table).where(briefs_table.c.token == token)).mappings().first()
        return _row_brief(row) if row else None

    def for_conversation(self, conversation_id: str) -> Brief | None:
        found = self.for_conversations([conversation_id])
        return found.get(conversation_id)

    def for_conversations(self, conversation_ids: Iterable[str]) -> dict[str, Brief]:
        """The briefs of these conversations, by conversation id (for the lead export)."""
        rows = self.store.rows_by_conversation(briefs_table, conversation_ids)
        return {conversation_id: _row_brief(row) for conversation_id, row in rows.items()}

    def delete(self, conversation_id: str) -> bool:
        """Erase the conversation's brief ("delete my data"); True when there was one."""
        with self.store._begin() as conn:
            deleted = conn.execute(delete(briefs_table).where(briefs_table.c.conversation_id == conversation_id))
        if self.store._sqlite_path is not None:
            truncate_wal(self.store.engine, "brief", log)
        return bool(deleted.rowcount)
