"""Redaction for logs: emails and names never reach a log line.

Use :func:`redact` on any free text before logging it, :func:`redact_lead` for a whole
lead, and :class:`RedactingFilter` on a handler as a last line of defence.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import Any

from .model import PERSONAL_FIELDS, conversation_digest

EMAIL_RE = re.compile(r"[^\s@<>()\"',;:]+@[^\s@<>()\"',;:]+")


def redact_email(email: Any) -> str:
    """``"***@domain"`` (the domain helps debugging; the person stays unknown)."""
    if not email or "@" not in str(email):
        return "***"
    return "***@" + str(email).rsplit("@", 1)[-1]


def redact(text: Any) -> str:
    """Text with every email address replaced by ``***@domain``."""
    return EMAIL_RE.sub(lambda m: redact_email(m.group(0)), str(text))


def redact_lead(lead: Mapping[str, Any]) -> dict[str, Any]:
    """Lead safe to log: personal fields masked, conversation id hashed."""
    safe = {key: value for key, value in lead.items() if key not in PERSONAL_FIELDS}
    for key in PERSONAL_FIELDS:
        if lead.get(key):
            safe[key] = redact_email(lead[key]) if key == "email" else "<redacted>"
    if lead.get("conversation_id"):
        safe["conversation_id"] = "conv-" + conversation_digest(
            str(lead["conversation_id"])
        )
    return safe


def describe_error(error: BaseException) -> str:
    """Short, redacted description of an exception (no SQL parameters, no emails)."""
    origin = getattr(error, "orig", None) or error
    first_line = (str(origin).strip().splitlines() or [""])[0][:200]
    return f"{type(error).__name__}: {redact(first_line)}"


class RedactingFilter(logging.Filter):
    """Logging filter that rewrites emails in messages to ``***@domain``."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True
