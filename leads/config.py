"""All configuration of the ``leads`` package, read from environment variables in one place.

| variable                             | default                        | meaning                                     |
| ------------------------------------ | ------------------------------ | ------------------------------------------- |
| ``LEADS_DB_URL``                     | (unset)                        | SQLAlchemy URL, e.g.                        |
|                                      |                                | ``postgresql://user@host/db``; when set it  |
|                                      |                                | wins over ``LEADS_DB_PATH``                 |
| ``LEADS_DB_PATH``                    | ``var/leads.db``               | SQLite file used when no URL is set         |
| ``LEADS_DB_CONNECT_TIMEOUT``         | ``3``                          | seconds to wait for the database before     |
|                                      |                                | queueing                                    |
| ``LEADS_OUTBOX_PATH``                | ``var/leads_outbox.jsonl``     | JSON-lines outbox used while the database   |
|                                      |                                | is down                                     |
| ``LEADS_DELIVERIES_PATH``            | ``var/leads_deliveries.jsonl`` | queue of webhook/Slack deliveries and their |
|                                      |                                | states                                      |
| ``LEADS_WEBHOOK_URL``                | (unset)                        | CRM/sales webhook; every captured lead is   |
|                                      |                                | POSTed                                      |
| ``SALES_SLACK_WEBHOOK_URL``          | (unset)                        | Slack incoming webhook; hot leads are       |
|                                      |                                | announced                                   |
| ``LEADS_WEBHOOK_MAX_ATTEMPTS``       | ``5``                          | tries per delivery (first try included)     |
| ``LEADS_WEBHOOK_BACKOFF_SECONDS``    | ``0.5``                        | first back-off; doubles after every failed  |
|                                      |                                | try                                         |
| ``LEADS_WEBHOOK_TIMEOUT_SECONDS``    | ``5``                          | HTTP timeout of one try                     |
| ``LEADS_DELIVERY_RETRY_SECONDS``     | ``60``                         | a delivery that failed on an outage is      |
|                                      |                                | tried again after this long (doubling per   |
|                                      |                                | round); also how often the action server    |
|                                      |                                | looks for due deliveries                    |
| ``LEADS_DELIVERY_RETRY_MAX_SECONDS`` | ``3600``                       | longest wait between two rounds of one      |
|                                      |                                | delivery                                    |

Relative paths are resolved against the current working directory (the repository root
when the action server is started with ``rasa run actions`` from there).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

DEFAULT_DB_PATH = "var/leads.db"
DEFAULT_OUTBOX_PATH = "var/leads_outbox.jsonl"
DEFAULT_DELIVERIES_PATH = "var/leads_deliveries.jsonl"


@dataclass(frozen=True)
class LeadsConfig:
    """Settings of the lead capture, storage and hand-off."""

    db_url: str | None = None
    db_path: str = DEFAULT_DB_PATH
    db_connect_timeout: float = 3.0
    outbox_path: str = DEFAULT_OUTBOX_PATH
    deliveries_path: str = DEFAULT_DELIVERIES_PATH
    webhook_url: str | None = None
    slack_webhook_url: str | None = None
    webhook_max_attempts: int = 5
    webhook_backoff_seconds: float = 0.5
    webhook_timeout_seconds: float = 5.0
    delivery_retry_seconds: float = 60.0
    delivery_retry_max_seconds: float = 3600.0


def _text(env: Mapping[str, str], name: str) -> str | None:
    value = env.get(name, "").strip()
    return value or None


def _number(env: Mapping[str, str], name: str, default: float, minimum: float) -> float:
    raw = _text(env, name)
    if raw is None:
        return default
    try:
        value = float(raw)
    except ValueError as exc:
        raise ValueError(f"{name} must be a number, got {raw!r}") from exc
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {raw!r}")
    return value


def load_config(env: Mapping[str, str] | None = None) -> LeadsConfig:
    """Read :class:`LeadsConfig` from ``env`` (default: ``os.environ``)."""
    env = os.environ if env is None else env
    return LeadsConfig(
        db_url=_text(env, "LEADS_DB_URL"),
        db_path=_text(env, "LEADS_DB_PATH") or DEFAULT_DB_PATH,
        db_connect_timeout=_number(env, "LEADS_DB_CONNECT_TIMEOUT", 3.0, 0.1),
        outbox_path=_text(env, "LEADS_OUTBOX_PATH") or DEFAULT_OUTBOX_PATH,
        deliveries_path=_text(env, "LEADS_DELIVERIES_PATH") or DEFAULT_DELIVERIES_PATH,
        webhook_url=_text(env, "LEADS_WEBHOOK_URL"),
        slack_webhook_url=_text(env, "SALES_SLACK_WEBHOOK_URL"),
        webhook_max_attempts=int(_number(env, "LEADS_WEBHOOK_MAX_ATTEMPTS", 5, 1)),
        webhook_backoff_seconds=_number(env, "LEADS_WEBHOOK_BACKOFF_SECONDS", 0.5, 0.0),
        webhook_timeout_seconds=_number(env, "LEADS_WEBHOOK_TIMEOUT_SECONDS", 5.0, 0.1),
        delivery_retry_seconds=_number(env, "LEADS_DELIVERY_RETRY_SECONDS", 60.0, 0.1),
        delivery_retry_max_seconds=_number(env, "LEADS_DELIVERY_RETRY_MAX_SECONDS", 3600.0, 0.1),
    )
