"""Hand-off to the sales team: CRM webhook for every captured lead, Slack for hot ones.

* ``LEADS_WEBHOOK_URL``: each lead with consent is POSTed as JSON with an
  ``Idempotency-Key`` header, stable per conversation + lead version
  (:func:`leads.model.idempotency_key`). Connection errors, timeouts, 429 and 5xx are
  retried with exponential back-off (``LEADS_WEBHOOK_BACKOFF_SECONDS`` doubling, at most
  ``LEADS_WEBHOOK_MAX_ATTEMPTS`` tries); other 4xx fail at once.
* ``SALES_SLACK_WEBHOOK_URL``: hot leads with consent are announced with a short summary.

Successful deliveries are recorded in a JSON-lines file (``LEADS_DELIVERIES_PATH``, no
personal data: key, target, time). Check, send and record happen under an ``fcntl``
lock, so the same lead version is never sent twice by this host; a failed delivery is
not recorded and is tried again on the next :func:`notify_lead` call for that lead.
Logs carry only hashed conversation ids, never names or emails.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

from .config import LeadsConfig, load_config
from .model import (
    conversation_digest,
    idempotency_key,
    lead_version,
    to_jsonable,
    utcnow,
)
from .redact import redact

log = logging.getLogger(__name__)

MAX_BACKOFF_SECONDS = 30.0
RETRY_STATUSES = frozenset({408, 425, 429}) | frozenset(range(500, 600))


class DeliveryLog:
    """Which (idempotency key, target) pairs were delivered; a JSON-lines file."""

    def __init__(self, path: str | os.PathLike) -> None:
        self.path = Path(path)
        self._thread_lock = threading.RLock()

    @contextmanager
    def lock(self) -> Iterator[None]:
        """Exclusive lock across threads and processes."""
        with self._thread_lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with open(self.path.with_name(self.path.name + ".lock"), "a+") as handle:
                fcntl.flock(handle, fcntl.LOCK_EX)
                try:
                    yield
                finally:
                    fcntl.flock(handle, fcntl.LOCK_UN)

    def delivered(self, key: str, target: str) -> bool:
        """True when ``key`` was already delivered to ``target``."""
        if not self.path.exists():
            return False
        with open(self.path, encoding="utf-8") as handle:
            for line in handle:
                try:
                    record = json.loads(line)
                except ValueError:
                    continue
                if record.get("key") == key and record.get("target") == target:
                    return True
        return False

    def record(self, key: str, target: str, conversation: str) -> None:
        """Remember a successful delivery (durably)."""
        line = json.dumps(
            {
                "key": key,
                "target": target,
                "conversation": conversation,
                "at": utcnow().isoformat(),
            }
        )
        with open(self.path, "a", encoding="utf-8") as handle:
            handle.write(line + "\n")
            handle.flush()
            os.fsync(handle.fileno())


@dataclass(frozen=True)
class NotifyResult:
    """Per target: ``sent``, ``already_sent``, ``failed``, ``skipped`` or ``disabled``."""

    idempotency_key: str
    webhook: str
    slack: str


def post_with_retries(
    session: requests.Session,
    url: str,
    payload: Mapping[str, Any],
    headers: Mapping[str, str],
    config: LeadsConfig,
    sleep: Callable[[float], None] = time.sleep,
) -> bool:
    """POST JSON, retrying outages with exponential back-off; True on a 2xx answer."""
    delay = config.webhook_backoff_seconds
    for attempt in range(1, config.webhook_max_attempts + 1):
        retry_after = 0.0
        try:
            response = session.post(
                url,
                json=payload,
                headers=dict(headers),
                timeout=config.webhook_timeout_seconds,
            )
        except requests.RequestException as error:
            problem = type(error).__name__
        else:
            if 200 <= response.status_code < 300:
                return True
            problem = f"HTTP {response.status_code}"
            if response.status_code not in RETRY_STATUSES:
                log.error("delivery refused (%s), not retried", problem)
                return False
            try:
                retry_after = float(response.headers.get("Retry-After", 0))
            except ValueError:
                retry_after = 0.0
        if attempt == config.webhook_max_attempts:
            log.error("delivery failed after %d tries (%s)", attempt, problem)
            return False
        wait = min(max(delay, retry_after), MAX_BACKOFF_SECONDS)
        log.warning(
            "delivery try %d failed (%s), retrying in %.2fs", attempt, problem, wait
        )
        sleep(wait)
        delay *= 2
    return False


def slack_escape(text: Any) -> str:
    """Text safe inside a Slack message: ``&``, ``<`` and ``>`` as Slack's escapes.

    Slack reads ``<...>`` as a control sequence (``<!channel>`` pings everyone,
    ``<http://x|label>`` is a disguised link); escaping these three characters is what
    https://api.slack.com/reference/surfaces/formatting#escaping asks for.
    """
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_summary(lead: Mapping[str, Any]) -> str:
    """One short Slack message: company, need, recommendation, tier, contact.

    Everything that comes from the lead goes through :func:`slack_escape`.
    """
    answers = lead.get("answers") or {}
    tasks = answers.get("tasks")
    need = (
        ", ".join(map(str, tasks))
        if isinstance(tasks, (list, tuple))
        else str(tasks or "?")
    )
    if answers.get("expertise_gap"):
        need += " (no in-house expertise)"
    size = f" ({lead['company_size']})" if lead.get("company_size") else ""
    contact = " · ".join(
        str(lead[key]) for key in ("full_name", "role", "email") if lead.get(key)
    )
    esc = slack_escape
    return (
        f":fire: *{esc(str(lead.get('tier') or '?').upper())} lead* (score {esc(lead.get('score'))})\n"
        f"*Company:* {esc(lead.get('company') or '?')}{esc(size)}\n"
        f"*Need:* {esc(need)}\n"
        f"*Recommendation:* {esc(str(lead.get('recommendation') or '?').upper())}\n"
        f"*Timeline:* {esc(lead.get('timeline') or '?')}\n"
        f"*Contact:* {esc(contact or '?')}"
    )


def _deliver(
    target: str,
    url: str,
    payload: Mapping[str, Any],
    key: str,
    lead: Mapping[str, Any],
    deliveries: DeliveryLog,
    session: requests.Session,
    config: LeadsConfig,
    sleep: Callable[[float], None],
) -> str:
    conversation = "conv-" + conversation_digest(str(lead["conversation_id"]))
    with deliveries.lock():
        if deliveries.delivered(key, target):
            return "already_sent"
        headers = {"Idempotency-Key": key, "Content-Type": "application/json"}
        if post_with_retries(session, url, payload, headers, config, sleep):
            deliveries.record(key, target, conversation)
            log.info("lead %s delivered to %s", conversation, target)
            return "sent"
    log.error(
        "lead %s not delivered to %s; will retry on next notify", conversation, target
    )
    return "failed"


def notify_lead(
    lead: Mapping[str, Any],
    *,
    config: LeadsConfig | None = None,
    deliveries: DeliveryLog | None = None,
    session: requests.Session | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> NotifyResult:
    """Send a captured lead (``SaveResult.lead``) to the configured sales channels.

    Blocking (retries sleep): call it from a worker thread if latency matters.
    """
    config = config or load_config()
    deliveries = deliveries or DeliveryLog(config.deliveries_path)
    key = idempotency_key(lead)
    if not lead.get("consent"):
        return NotifyResult(key, "skipped", "skipped")
    own_session = session is None
    session = session or requests.Session()
    try:
        webhook = "disabled"
        if config.webhook_url:
            payload = {
                "event": "lead.captured",
                "idempotency_key": key,
                "lead_version": lead_version(lead),
                "lead": to_jsonable(dict(lead)),
            }
            webhook = _deliver(
                "webhook",
                config.webhook_url,
                payload,
                key,
                lead,
                deliveries,
                session,
                config,
                sleep,
            )
        slack = "disabled"
        if config.slack_webhook_url:
            slack = "skipped"
            if lead.get("tier") == "hot":
                payload = {"text": slack_summary(lead)}
                slack = _deliver(
                    "slack",
                    config.slack_webhook_url,
                    payload,
                    key,
                    lead,
                    deliveries,
                    session,
                    config,
                    sleep,
                )
    finally:
        if own_session:
            session.close()
    log.debug("notify result for %s: %s/%s", redact(key), webhook, slack)
    return NotifyResult(key, webhook, slack)
