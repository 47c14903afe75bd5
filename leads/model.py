"""The lead record: which fields exist, how a partial update is checked and merged.

A lead is a plain ``dict`` with the keys of :data:`LEAD_FIELDS` plus ``conversation_id``,
``consent_at``, ``score``, ``tier``, ``score_reasons``, ``created_at`` and ``updated_at``.
Callers send *changes*: only the keys they know; ``None`` means "unknown, keep what is
stored". ``answers`` is merged key by key (a later value wins). ``email_is_freemail``,
``consent_at`` and the score are derived here, so every path (database or outbox replay)
derives them the same way.

``answers`` keys the score reads: ``tasks`` (list or count), ``budget``
(tight/moderate/flexible), ``monthly_budget_usd`` (number or text like "5k"),
``cost_priority`` (bool), ``expertise_gap`` (bool). ``goals`` and ``coverage`` are kept
for the sales team.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import date, datetime, timedelta, timezone
from typing import Any

from .score import score_from_lead
from .validation import is_freemail

TEXT_FIELDS = (
    "channel",
    "full_name",
    "email",
    "company",
    "role",
    "company_size",
    "timeline",
)
LEAD_FIELDS = (*TEXT_FIELDS, "consent", "answers", "recommendation", "recommendation_reasons")
PERSONAL_FIELDS = ("full_name", "email", "company", "role")
RECOMMENDATIONS = ("bpo", "kpo", "hybrid")
CONVERSATION_ID_MAX = 255
# The UTC singleton (``timezone.utc``); ``datetime.UTC`` needs Python 3.11.
UTC = timezone(timedelta(0))
# Fields that make up a lead "version" for delivery idempotency (timestamps excluded).
VERSION_FIELDS = (*LEAD_FIELDS, "email_is_freemail", "score", "tier")


def utcnow() -> datetime:
    """Current time, timezone-aware UTC."""
    return datetime.now(UTC)


def as_utc(value: Any) -> datetime | None:
    """A datetime (aware or naive-UTC) or ISO text as an aware UTC datetime."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def _check_text(name: str, value: Any) -> None:
    if not isinstance(value, str):
        raise TypeError(f"{name} must be text, got {type(value).__name__}")
    if "\x00" in value:
        raise ValueError(f"{name} contains a NUL character, which cannot be stored")


def _check_json(name: str, value: Any) -> None:
    try:
        text = json.dumps(value, ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be JSON-serialisable: {exc}") from exc
    if "\\u0000" in text:
        raise ValueError(f"{name} contains a NUL character, which cannot be stored")


def check_conversation_id(conversation_id: Any) -> str:
    """Return the id or raise ``ValueError`` when empty, not text or too long."""
    _check_text("conversation_id", conversation_id)
    if not conversation_id or len(conversation_id) > CONVERSATION_ID_MAX:
        raise ValueError(f"conversation_id must be 1-{CONVERSATION_ID_MAX} characters")
    return conversation_id


def clean_changes(changes: Mapping[str, Any]) -> dict[str, Any]:
    """Drop ``None`` values and check types; raise ``ValueError`` for anything unstorable."""
    unknown = set(changes) - set(LEAD_FIELDS)
    if unknown:
        raise ValueError(f"unknown lead fields: {', '.join(sorted(unknown))}")
    clean: dict[str, Any] = {}
    for key, value in changes.items():
        if value is None:
            continue
        if key in TEXT_FIELDS:
            _check_text(key, value)
        elif key == "consent" and not isinstance(value, bool):
            raise ValueError("consent must be True or False")
        elif key == "answers" and not isinstance(value, Mapping):
            raise ValueError("answers must be a mapping")
        elif key == "recommendation_reasons" and not isinstance(value, (list, tuple)):
            raise ValueError("recommendation_reasons must be a list")
        elif key == "recommendation":
            _check_text(key, value)
            value = value.strip().lower()
            if value not in RECOMMENDATIONS:
                raise ValueError(f"recommendation must be one of {', '.join(RECOMMENDATIONS)}")
        if key in ("answers", "recommendation_reasons"):
            _check_json(key, value)
            value = dict(value) if key == "answers" else list(value)
        clean[key] = value
    return clean


def merge_lead(
    existing: Mapping[str, Any] | None,
    changes: Mapping[str, Any],
    *,
    conversation_id: str,
    at: datetime,
) -> dict[str, Any]:
    """Apply cleaned ``changes`` made at time ``at`` on top of ``existing`` (or nothing)."""
    lead: dict[str, Any] = dict.fromkeys(LEAD_FIELDS)
    lead.update({"consent_at": None, "created_at": at})
    if existing:
        lead.update({key: existing.get(key) for key in lead if key in existing})
    for key, value in changes.items():
        if key == "answers":
            merged = dict(lead.get("answers") or {})
            merged.update({k: v for k, v in value.items() if v is not None})
            lead["answers"] = merged
        else:
            lead[key] = value
    lead["conversation_id"] = conversation_id
    email = lead.get("email")
    lead["email_is_freemail"] = is_freemail(email.rsplit("@", 1)[-1]) if email and "@" in email else None
    if lead.get("consent"):
        lead["consent_at"] = as_utc(lead.get("consent_at")) or at
    else:
        lead["consent_at"] = None
    scored = score_from_lead(lead)
    lead.update(score=scored.score, tier=scored.tier, score_reasons=scored.reasons)
    lead["created_at"] = as_utc(lead["created_at"])
    lead["updated_at"] = at
    return lead


def to_jsonable(value: Any) -> Any:
    """Datetimes and dates as ISO text; containers converted recursively."""
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    return value


def lead_version(lead: Mapping[str, Any]) -> str:
    """Stable hash of the lead's content (timestamps excluded): its "version"."""
    content = {key: to_jsonable(lead.get(key)) for key in VERSION_FIELDS}
    text = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def conversation_digest(conversation_id: str) -> str:
    """Short hash of a conversation id, for logs and keys that must not carry the id."""
    return hashlib.sha256(conversation_id.encode("utf-8")).hexdigest()[:16]


def idempotency_key(lead: Mapping[str, Any]) -> str:
    """Stable per conversation + lead version: ``lead-<conversation hash>-<version>``."""
    return f"lead-{conversation_digest(lead['conversation_id'])}-{lead_version(lead)}"
