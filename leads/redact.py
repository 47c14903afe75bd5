"""Redaction for logs: emails and names never reach a log line.

Use :func:`redact` on any free text before logging it, :func:`redact_lead` for a whole
lead, and :class:`RedactingFilter` as a last line of defence: :func:`install` applies it
to every log record of the process (the Rasa server and the action server call it first
thing, see serving/), including tracebacks.
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
        safe["conversation_id"] = "conv-" + conversation_digest(str(lead["conversation_id"]))
    return safe


def describe_error(error: BaseException) -> str:
    """Short, redacted description of an exception (no SQL parameters, no emails)."""
    origin = getattr(error, "orig", None) or error
    first_line = (str(origin).strip().splitlines() or [""])[0][:200]
    return f"{type(error).__name__}: {redact(first_line)}"


class RedactingFilter(logging.Filter):
    """Logging filter that rewrites emails in messages and tracebacks to ``***@domain``."""

    _formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a bad format string is logging's to report, later
            return True
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        if record.exc_info and not record.exc_text:
            # Formatters reuse exc_text: the traceback is formatted (and redacted) once, here.
            record.exc_text = redact(self._formatter.formatException(record.exc_info))
        elif record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


_FILTER = RedactingFilter()


def install() -> None:
    """Redact every log record this process makes, whichever handler writes it (idempotent).

    Rasa, the SDK and Sanic set up their handlers after start-up, so besides filtering the
    root logger's handlers that exist now, the filter runs where records are made (the
    log record factory): no handler added later can miss it.
    """
    factory = logging.getLogRecordFactory()
    if not getattr(factory, "redacting", False):

        def make_record(*args: Any, **kwargs: Any) -> logging.LogRecord:
            record = factory(*args, **kwargs)
            _FILTER.filter(record)
            return record

        make_record.redacting = True  # type: ignore[attr-defined]
        logging.setLogRecordFactory(make_record)
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(_FILTER)
