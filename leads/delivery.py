"""Sending the queued CRM and Slack deliveries (:mod:`leads.delivery_log`): rounds, retries, leases.

Nothing lost, nothing blocked. Every delivery is first written to the queue file
(:mod:`leads.delivery_log`). Then it is sent:

* one *round* is a POST through a ``requests`` session whose adapter retries connection
  errors, timeouts, 408/425/429 and 5xx with urllib3's ``Retry`` (exponential back-off from
  ``LEADS_WEBHOOK_BACKOFF_SECONDS``, ``Retry-After`` honoured up to 30 s, at most
  ``LEADS_WEBHOOK_MAX_ATTEMPTS`` tries); other 4xx answers fail the delivery at once
  (state ``failed``: kept, not retried until someone re-sends it);
* a round that fails on an outage leaves the delivery ``pending`` with the next round due
  after ``LEADS_DELIVERY_RETRY_SECONDS`` (doubling, at most ``LEADS_DELIVERY_RETRY_MAX_SECONDS``);
  :func:`start_background_delivery` (started by the action server, ``serving.actions``)
  sends everything pending at start-up and then whatever is due, periodically;
  ``python -m leads.cli resend`` (``make leads-resend``) sends pending and failed ones now.

Deliveries run on their own small thread pool (:func:`send_in_background`) or the
background thread, never on the pool that lead and funnel writes use. The queue's file lock
is held only to read or rewrite the file, never during network I/O: a delivery is
*claimed* (state ``sending`` with a lease) under the lock, sent without it, and its
outcome recorded under the lock again. A lease that runs out, or whose process on this
host is gone (a restart mid-send), makes the delivery due again; the receiver then sees
the same ``Idempotency-Key``.
Deliveries of one conversation to one target go out in the order they were queued.

Logs and the queue carry only hashed conversation ids; a payload is dropped from the
file as soon as it is sent, or cancelled.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from .config import LeadsConfig, load_config
from .delivery_log import CAPTURED, DeliveryLog, iso
from .model import as_utc, utcnow

log = logging.getLogger(__name__)

MAX_BACKOFF_SECONDS = 30.0
RETRY_STATUSES = frozenset({408, 425, 429}) | frozenset(range(500, 600))
DELIVERY_THREADS = 2


@dataclass
class DeliveryRound:
    """What one :func:`deliver` call did, by delivery id."""

    outcomes: dict[str, str] = field(default_factory=dict)

    def count(self, outcome: str) -> int:
        return sum(1 for value in self.outcomes.values() if value == outcome)


# --- sending -------------------------------------------------------------------------------


def http_session(config: LeadsConfig) -> requests.Session:
    """A session whose adapter retries outages with urllib3's ``Retry`` (one delivery round)."""
    retry = Retry(
        total=config.webhook_max_attempts - 1,
        redirect=0,
        raise_on_redirect=False,
        status_forcelist=sorted(RETRY_STATUSES),
        allowed_methods=None,  # POST too: every request carries an Idempotency-Key
        backoff_factor=config.webhook_backoff_seconds,
        backoff_max=MAX_BACKOFF_SECONDS,
        respect_retry_after_header=True,
        retry_after_max=int(MAX_BACKOFF_SECONDS),
        raise_on_status=False,
    )
    session = requests.Session()
    adapter = HTTPAdapter(max_retries=retry)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


def _post(
    session: requests.Session, url: str, payload: Mapping[str, Any], key: str, config: LeadsConfig
) -> tuple[str, str | None]:
    """("sent", None), ("retry", problem) after an outage, or ("failed", problem) when refused."""
    try:
        response = session.post(
            url,
            json=payload,
            headers={"Idempotency-Key": key, "Content-Type": "application/json"},
            timeout=config.webhook_timeout_seconds,
        )
    except requests.RequestException as error:
        return "retry", type(error).__name__
    if 200 <= response.status_code < 300:
        return "sent", None
    problem = f"HTTP {response.status_code}"
    return ("retry" if response.status_code in RETRY_STATUSES else "failed"), problem


def _url(target: str, config: LeadsConfig) -> str | None:
    return config.webhook_url if target == "webhook" else config.slack_webhook_url


def _lease_seconds(config: LeadsConfig) -> float:
    """How long a claimed delivery stays ours: every try timing out, every back-off, plus slack."""
    tries = config.webhook_max_attempts
    return tries * (config.webhook_timeout_seconds + MAX_BACKOFF_SECONDS) + 60.0


def _next_round(config: LeadsConfig, attempts: int, now: datetime) -> str:
    wait = config.delivery_retry_seconds * 2 ** max(attempts - 1, 0)
    return iso(now + timedelta(seconds=min(wait, config.delivery_retry_max_seconds)))


def _owner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _owner_gone(owner: Any) -> bool:
    """True when the lease holder was a process on this host that no longer runs (a restart)."""
    host, _, pid = str(owner or "").rpartition(":")
    if host != socket.gethostname() or not pid.isdigit() or int(pid) == os.getpid():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except OSError:
        return False
    return False


def _find(records: list[dict[str, Any]], record_id: str) -> dict[str, Any] | None:
    return next((r for r in records if r["id"] == record_id), None)


def _slack_was_told(records: Sequence[Mapping[str, Any]], notice: Mapping[str, Any]) -> bool:
    """A withdrawal notice goes to Slack only if a lead of that conversation was announced there."""
    return any(
        r.get("conversation") == notice.get("conversation")
        and r["target"] == "slack"
        and r.get("event") == CAPTURED
        and r["state"] == "sent"
        for r in records
    )


def _claim(
    deliveries: DeliveryLog,
    config: LeadsConfig,
    ids: set[str] | None,
    force: bool,
    include_failed: bool,
) -> list[dict[str, Any]]:
    """Mark the deliveries to send now as ``sending`` (with a lease) and return copies."""
    now = utcnow()
    claimed: list[dict[str, Any]] = []
    with deliveries.lock():
        records = deliveries.load()
        blocked: set[tuple[str, str]] = set()
        changed = False
        for record in records:
            pair = (record.get("conversation", ""), record["target"])
            state = record["state"]
            if state == "sending":
                lease = as_utc(record.get("lease_until"))
                if lease is not None and lease > now and not _owner_gone(record.get("lease_owner")):
                    blocked.add(pair)  # another thread or process is sending it
                    continue
                state = "pending"  # the sender died: due again
            if state not in ("pending", "failed"):
                continue
            wanted = ids is None or record["id"] in ids
            if state == "failed" and not (include_failed or (ids is not None and wanted)):
                continue
            if pair in blocked:
                continue
            due = force or (as_utc(record.get("next_at")) or now) <= now
            if not (wanted and due):
                blocked.add(pair)  # keep the order of one conversation's deliveries
                continue
            if not record.get("payload") or (record.get("only_if_told") and not _slack_was_told(records, record)):
                record.update(state="cancelled", lease_until=None, lease_owner=None)
                record.pop("payload", None)
                changed = True
                continue
            record.update(
                state="sending", lease_owner=_owner(), lease_until=iso(now + timedelta(seconds=_lease_seconds(config)))
            )
            claimed.append(dict(record))
            changed = True
        if changed:
            deliveries.save(records)
    return claimed


def _still_ours(deliveries: DeliveryLog, claimed: Mapping[str, Any]) -> bool:
    """Right before sending: not withdrawn or cancelled meanwhile, and still our lease."""
    with deliveries.lock():
        record = _find(deliveries.load(), claimed["id"])
    return bool(
        record
        and record["state"] == "sending"
        and record.get("lease_until") == claimed["lease_until"]
        and not record.get("withdrawn")
        and record.get("payload")
    )


def _finish(
    deliveries: DeliveryLog, config: LeadsConfig, claimed: Mapping[str, Any], outcome: str, problem: str | None
) -> str:
    """Record the outcome of one send; returns the delivery's new state."""
    now = utcnow()
    with deliveries.lock():
        records = deliveries.load()
        record = _find(records, claimed["id"])
        if record is None:
            return "gone"
        attempts = int(record.get("attempts") or 0) + (1 if outcome in ("sent", "retry", "failed") else 0)
        record.update(attempts=attempts, lease_until=None, lease_owner=None)
        if outcome == "sent":
            record.update(state="sent", at=iso(now), last_error=None)
            record.pop("payload", None)
        elif outcome == "release":
            record["state"] = "pending"
        elif record.get("withdrawn") or outcome == "cancelled":
            record.update(state="cancelled", last_error=problem)
            record.pop("payload", None)
        elif outcome == "retry":
            record.update(state="pending", last_error=problem, next_at=_next_round(config, attempts, now))
        else:
            record.update(state="failed", last_error=problem)
        if record.get("withdrawn"):
            record.pop("payload", None)
        deliveries.save(records)
        return record["state"]


def deliver(
    *,
    config: LeadsConfig | None = None,
    deliveries: DeliveryLog | None = None,
    ids: Sequence[str] | None = None,
    force: bool = False,
    include_failed: bool = False,
    session: requests.Session | None = None,
) -> DeliveryRound:
    """Send queued deliveries: those due (or all pending with ``force``), or only ``ids``.

    Blocking (HTTP with retries): run it on :func:`delivery_executor` or the background
    thread, never on the pool that lead and funnel writes use.
    """
    config = config or load_config()
    deliveries = deliveries or DeliveryLog(config.deliveries_path)
    claimed = _claim(deliveries, config, set(ids) if ids is not None else None, force, include_failed)
    result = DeliveryRound()
    if not claimed:
        return result
    own_session = session is None
    session = session or http_session(config)
    stopped: set[tuple[str, str]] = set()
    try:
        for record in claimed:
            pair = (record.get("conversation", ""), record["target"])
            url = _url(record["target"], config)
            if pair in stopped or not url:
                _finish(deliveries, config, record, "release", None)
                result.outcomes[record["id"]] = "pending"
                continue
            if not _still_ours(deliveries, record):
                _finish(deliveries, config, record, "cancelled", "withdrawn before sending")
                result.outcomes[record["id"]] = "cancelled"
                continue
            outcome, problem = _post(session, url, record["payload"], record["key"], config)
            state = _finish(deliveries, config, record, outcome, problem)
            result.outcomes[record["id"]] = outcome if state != "cancelled" else "cancelled"
            if outcome == "sent":
                log.info("%s for %s delivered to %s", record.get("event"), record.get("conversation"), record["target"])
            else:
                stopped.add(pair)  # later deliveries of this conversation wait their turn
                log.error(
                    "%s for %s not delivered to %s (%s); %s",
                    record.get("event"),
                    record.get("conversation"),
                    record["target"],
                    problem,
                    "will retry" if state == "pending" else f"state {state}",
                )
    finally:
        if own_session:
            session.close()
    return result


# --- running deliveries off the request path ----------------------------------------------

_executor: ThreadPoolExecutor | None = None
_executor_lock = threading.Lock()
_background: threading.Thread | None = None


def delivery_executor() -> ThreadPoolExecutor:
    """The process's delivery pool (its own threads: a slow CRM never holds up a lead write)."""
    global _executor
    with _executor_lock:
        if _executor is None:
            _executor = ThreadPoolExecutor(max_workers=DELIVERY_THREADS, thread_name_prefix="lead-delivery")
        return _executor


def send_in_background(ids: Sequence[str], config: LeadsConfig | None = None) -> Future:
    """Send the queued deliveries ``ids`` on the delivery pool; the future gives a :class:`DeliveryRound`."""
    if not ids:
        done: Future = Future()
        done.set_result(DeliveryRound())
        return done
    return delivery_executor().submit(deliver, config=config, ids=list(ids), force=True)


def _background_loop(stop: threading.Event) -> None:
    first = True
    while True:
        config = load_config()
        try:
            result = deliver(config=config, force=first)  # at start-up: everything pending, now
            if result.outcomes:
                log.info(
                    "delivery round: %d sent, %d to retry, %d failed",
                    result.count("sent"),
                    result.count("retry"),
                    result.count("failed"),
                )
        except Exception as error:  # noqa: BLE001 - the loop must survive a bad round
            log.error("delivery round failed: %s", type(error).__name__)
        first = False
        if stop.wait(config.delivery_retry_seconds):
            return


def start_background_delivery() -> threading.Thread:
    """Start (once per process) the thread that retries queued deliveries: now, then periodically."""
    global _background
    with _executor_lock:
        if _background is None or not _background.is_alive():
            _background = threading.Thread(
                target=_background_loop, args=(threading.Event(),), name="lead-delivery-retry", daemon=True
            )
            _background.start()
        return _background
