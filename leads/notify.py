"""Hand-off to the sales team: CRM webhook for every captured lead, Slack for hot ones.

* ``LEADS_WEBHOOK_URL``: each lead with consent is POSTed as JSON with an
  ``Idempotency-Key`` header, stable per conversation + lead version
  (:func:`leads.model.idempotency_key`).
* ``SALES_SLACK_WEBHOOK_URL``: hot leads with consent are announced with a short summary;
  everything the visitor typed is escaped for Slack (:func:`slack_escape`).

Nothing lost, nothing blocked. Every delivery is first written to a queue file
(``LEADS_DELIVERIES_PATH``, JSON lines, rewritten atomically): key, target, hashed
conversation, state and, until it is sent, the payload. Then it is sent:

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
file as soon as it is sent, or cancelled. :func:`withdraw_lead` (consent withdrawn, data
erased) cancels what is not sent yet and tells the CRM (``lead.withdrawn``) and, if it had
announced the lead, the Slack channel.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
import uuid
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from .config import LeadsConfig, load_config
from .files import file_lock, replace_atomically
from .model import (
    as_utc,
    conversation_digest,
    idempotency_key,
    lead_version,
    to_jsonable,
    utcnow,
)

log = logging.getLogger(__name__)

MAX_BACKOFF_SECONDS = 30.0
RETRY_STATUSES = frozenset({408, 425, 429}) | frozenset(range(500, 600))
TARGETS = ("webhook", "slack")
CAPTURED = "lead.captured"
DeliveryItem = tuple[str, str, str, str, Mapping[str, Any]]
"""One delivery to queue: (event, target, idempotency key, conversation ref, payload)."""
# Unfinished states: a delivery in one of these may still go out.
OPEN_STATES = ("pending", "sending", "failed")
DELIVERY_THREADS = 2


def conversation_ref(conversation_id: str) -> str:
    """How the queue, logs and the sales channel refer to a conversation: ``conv-<hash>``."""
    return "conv-" + conversation_digest(str(conversation_id))


def _iso(value: datetime) -> str:
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


@dataclass(frozen=True)
class NotifyResult:
    """Per target: ``sent``, ``already_sent``, ``in_flight`` (another thread or process is
    sending it), ``queued`` (waits behind an earlier delivery of the conversation),
    ``failed`` (this try failed; an outage is retried later), ``cancelled``, ``skipped``
    or ``disabled``."""

    idempotency_key: str
    webhook: str
    slack: str


@dataclass
class DeliveryRound:
    """What one :func:`deliver` call did, by delivery id."""

    outcomes: dict[str, str] = field(default_factory=dict)

    def count(self, outcome: str) -> int:
        return sum(1 for value in self.outcomes.values() if value == outcome)


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
    need = ", ".join(map(str, tasks)) if isinstance(tasks, (list, tuple)) else str(tasks or "?")
    if answers.get("expertise_gap"):
        need += " (no in-house expertise)"
    size = f" ({lead['company_size']})" if lead.get("company_size") else ""
    contact = " · ".join(str(lead[key]) for key in ("full_name", "role", "email") if lead.get(key))
    esc = slack_escape
    return (
        f":fire: *{esc(str(lead.get('tier') or '?').upper())} lead* (score {esc(lead.get('score'))})\n"
        f"*Company:* {esc(lead.get('company') or '?')}{esc(size)}\n"
        f"*Need:* {esc(need)}\n"
        f"*Recommendation:* {esc(str(lead.get('recommendation') or '?').upper())}\n"
        f"*Timeline:* {esc(lead.get('timeline') or '?')}\n"
        f"*Contact:* {esc(contact or '?')}\n"
        f"_Ref: {conversation_ref(lead['conversation_id'])}_"
    )


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
    return _iso(now + timedelta(seconds=min(wait, config.delivery_retry_max_seconds)))


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
                state="sending", lease_owner=_owner(), lease_until=_iso(now + timedelta(seconds=_lease_seconds(config)))
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
            record.update(state="sent", at=_iso(now), last_error=None)
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


# --- queueing -----------------------------------------------------------------------------


def _queue(
    deliveries: DeliveryLog,
    items: Sequence[DeliveryItem],
) -> list[dict[str, Any]]:
    """Append (event, target, key, conversation ref, payload) deliveries, unless already queued.

    Returns the records (new, or the existing one for the same key and target).
    """
    now = _iso(utcnow())
    out: list[dict[str, Any]] = []
    with deliveries.lock():
        records = deliveries.load()
        added = False
        for event, target, key, conversation, payload in items:
            existing = next(
                (r for r in records if r["key"] == key and r["target"] == target and r["state"] != "cancelled"),
                None,
            )
            if existing is not None:
                out.append(dict(existing))
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
            out.append(dict(record))
            added = True
        if added:
            deliveries.save(records)
    return out


def queue_lead(
    lead: Mapping[str, Any],
    *,
    config: LeadsConfig | None = None,
    deliveries: DeliveryLog | None = None,
) -> list[str]:
    """Durably queue the lead's deliveries (CRM; Slack when hot); returns their ids.

    Quick (file I/O only): safe to call before answering the visitor. Nothing is queued
    without consent or for a channel that is not configured.
    """
    config = config or load_config()
    deliveries = deliveries or DeliveryLog(config.deliveries_path)
    return [record["id"] for record in _queue(deliveries, _lead_items(lead, config))]


def _lead_items(lead: Mapping[str, Any], config: LeadsConfig) -> list[DeliveryItem]:
    if not lead.get("consent"):
        return []
    key = idempotency_key(lead)
    conversation = conversation_ref(lead["conversation_id"])
    items: list[DeliveryItem] = []
    if config.webhook_url:
        payload = {
            "event": CAPTURED,
            "idempotency_key": key,
            "lead_version": lead_version(lead),
            "lead": to_jsonable(dict(lead)),
        }
        items.append((CAPTURED, "webhook", key, conversation, payload))
    if config.slack_webhook_url and lead.get("tier") == "hot":
        items.append((CAPTURED, "slack", key, conversation, {"text": slack_summary(lead)}))
    return items


def notify_lead(
    lead: Mapping[str, Any],
    *,
    config: LeadsConfig | None = None,
    deliveries: DeliveryLog | None = None,
    session: requests.Session | None = None,
) -> NotifyResult:
    """Queue a captured lead (``SaveResult.lead``) for the sales channels and send it now.

    Blocking (HTTP with retries). What fails on an outage stays queued and is retried
    by the background delivery; see the module docstring.
    """
    config = config or load_config()
    deliveries = deliveries or DeliveryLog(config.deliveries_path)
    key = idempotency_key(lead)
    if not lead.get("consent"):
        return NotifyResult(key, "skipped", "skipped")
    records = _queue(deliveries, _lead_items(lead, config))
    before = {record["id"]: record["state"] for record in records}
    sent = deliver(config=config, deliveries=deliveries, ids=list(before), force=True, session=session)
    by_target = {
        "webhook": "disabled" if not config.webhook_url else "skipped",
        "slack": "disabled" if not config.slack_webhook_url else "skipped",
    }
    now = {record["id"]: record["state"] for record in deliveries.load()} if records else {}
    for record in records:
        state = before[record["id"]] if before[record["id"]] == "sent" else now.get(record["id"], "gone")
        outcome = sent.outcomes.get(record["id"])
        if outcome is None:
            outcome = {
                "sent": "already_sent",
                "sending": "in_flight",
                "cancelled": "cancelled",
                "pending": "queued",
            }.get(state, "failed")
        elif outcome in ("retry", "pending"):
            outcome = "failed"
        by_target[record["target"]] = outcome
    return NotifyResult(key, by_target["webhook"], by_target["slack"])


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


# --- withdrawal ---------------------------------------------------------------------------

WITHDRAWN = "lead.withdrawn"


@dataclass
class WithdrawResult:
    """What :func:`withdraw_lead` did: deliveries cancelled, notices queued (and being sent)."""

    cancelled: int = 0
    queued: list[str] = field(default_factory=list)
    sending: Future | None = None


def slack_withdrawal_notice(conversation_id: str) -> str:
    """The sales channel's notice: which announcement it was (its ref), nothing about the person."""
    return (
        f":no_entry_sign: The lead announced here as _Ref: {conversation_ref(conversation_id)}_ "
        "withdrew consent; their details have been erased. Please do not contact them and "
        "delete any copies you made."
    )


def withdraw_lead(
    conversation_id: str,
    *,
    config: LeadsConfig | None = None,
    deliveries: DeliveryLog | None = None,
    send: bool = True,
) -> WithdrawResult:
    """The visitor withdrew consent or asked for erasure: stop and undo the hand-off.

    * every delivery of the conversation not sent yet is cancelled and its payload (the
      personal data) dropped from the queue; one being sent right now is checked again
      just before its request and dropped (one whose request is already on the wire can't
      be recalled: the notices below follow it, in order);
    * the CRM webhook gets a ``lead.withdrawn`` event (``Idempotency-Key``: the captured
      lead's key + ``-withdrawn``; body: event, key, conversation id, lead key, time) when
      a lead of the conversation was ever queued for it;
    * the sales Slack channel gets a short notice, only if it had been told of the lead.

    Quick: file I/O only; the notices are sent on the delivery pool (``send``) and retried
    like every delivery. Safe to call for a conversation without any lead.
    """
    config = config or load_config()
    deliveries = deliveries or DeliveryLog(config.deliveries_path)
    ref = conversation_ref(conversation_id)
    result = WithdrawResult()
    if not deliveries.path.exists():
        return result  # nothing was ever queued on this host
    now = _iso(utcnow())
    with deliveries.lock():
        records = deliveries.load()
        captured: dict[str, str] = {}  # target -> key of the latest captured lead queued for it
        told_slack = False
        changed = False
        for record in records:
            if record.get("conversation") != ref:
                continue
            if record.get("event") == CAPTURED:
                captured[record["target"]] = record["key"]
                told_slack |= record["target"] == "slack" and record["state"] in ("sent", "sending")
            if record["state"] in ("pending", "failed"):
                record.update(state="cancelled", last_error="withdrawn", lease_until=None)
                result.cancelled += 1
            elif record["state"] == "sending":
                record["withdrawn"] = True  # the sender checks this right before its request
            changed |= record.pop("payload", None) is not None or record["state"] == "cancelled"
        items: list[DeliveryItem] = []
        if config.webhook_url and "webhook" in captured:
            key = captured["webhook"] + "-withdrawn"
            payload = {
                "event": WITHDRAWN,
                "idempotency_key": key,
                "conversation_id": conversation_id,
                "lead_idempotency_key": captured["webhook"],
                "withdrawn_at": now,
            }
            items.append((WITHDRAWN, "webhook", key, ref, payload))
        if config.slack_webhook_url and told_slack:
            items.append(
                (
                    WITHDRAWN,
                    "slack",
                    captured["slack"] + "-withdrawn",
                    ref,
                    {"text": slack_withdrawal_notice(conversation_id)},
                )
            )
        for event, target, key, conversation, body in items:
            if any(r["key"] == key and r["target"] == target and r["state"] != "cancelled" for r in records):
                continue  # withdrawn before: told already (or being told)
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
                "payload": body,
            }
            if target == "slack":
                record["only_if_told"] = True  # checked again when it is sent
            records.append(record)
            result.queued.append(record["id"])
            changed = True
        if changed:
            deliveries.save(records)
    if result.cancelled or result.queued:
        log.info(
            "lead %s withdrawn: %d deliveries cancelled, %d notices queued", ref, result.cancelled, len(result.queued)
        )
    if send and result.queued:
        result.sending = send_in_background(result.queued, config)
    return result
