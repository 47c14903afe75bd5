"""Funnel report and lead export rows, computed from the store.

Funnel numbers count *distinct conversations* with an event of each kind in the window
``[since, until)``: started, advice given (split by the latest outcome bpo/kpo/hybrid),
lead offered, captured, declined; captured leads are split by their current tier
(``unknown`` when the lead row is gone, e.g. erased).

The sales console charts the same counts per UTC day or week (:func:`funnel_series`) and
how advice and tiers turn into customers (:func:`conversion`, with the statuses of
:mod:`leads.pipeline`).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import IO, Any

from .delivery_log import DeliveryLog, conversation_ref
from .model import RECOMMENDATIONS, UTC, to_jsonable
from .pipeline import STATUSES
from .store import LeadStore

EXPORT_COLUMNS = (
    "conversation_id",
    "created_at",
    "updated_at",
    "channel",
    "full_name",
    "email",
    "email_is_freemail",
    "company",
    "role",
    "company_size",
    "timeline",
    "consent",
    "consent_at",
    "recommendation",
    "score",
    "tier",
    "answers",
    "recommendation_reasons",
    "score_reasons",
    "delivery",
    "meeting",
    "brief",
)
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
FUNNEL_KINDS = (
    "conversation_started",
    "advice_given",
    "lead_offered",
    "lead_captured",
    "lead_declined",
)


PERIODS = ("day", "week")
MAX_PERIODS = 800
TIERS = ("hot", "warm", "cold")


def _conversations(events: Iterable[Mapping[str, Any]]) -> tuple[dict[str, set], dict[str, str]]:
    """The conversations with an event of each kind, and each one's latest advice outcome."""
    seen: dict[str, set] = {kind: set() for kind in FUNNEL_KINDS}
    outcome: dict[str, str] = {}
    for event in events:
        seen[event["kind"]].add(event["conversation_id"])
        if event["kind"] == "advice_given":
            outcome[event["conversation_id"]] = event["detail"]
    return seen, outcome


def funnel(store: LeadStore, since: datetime | None = None, until: datetime | None = None) -> dict[str, Any]:
    """Funnel numbers for events in ``[since, until)``."""
    seen, outcome = _conversations(store.list_events(since=since, until=until))
    tiers = {lead["conversation_id"]: lead["tier"] for lead in store.list_leads()}
    by_tier = {"hot": 0, "warm": 0, "cold": 0, "unknown": 0}
    for conversation in seen["lead_captured"]:
        by_tier[tiers.get(conversation) or "unknown"] += 1
    by_outcome = {"bpo": 0, "kpo": 0, "hybrid": 0}
    for value in outcome.values():
        by_outcome[value] += 1
    return {
        "since": since.isoformat() if since else None,
        "until": until.isoformat() if until else None,
        "conversations_started": len(seen["conversation_started"]),
        "advice_given": {"total": len(seen["advice_given"]), **by_outcome},
        "leads_offered": len(seen["lead_offered"]),
        "leads_captured": len(seen["lead_captured"]),
        "leads_declined": len(seen["lead_declined"]),
        "captured_by_tier": by_tier,
    }


def period_start(moment: datetime, by: str) -> date:
    """The UTC day of ``moment``, or the Monday of its ISO week."""
    day = moment.astimezone(UTC).date()
    return day - timedelta(days=day.weekday()) if by == "week" else day


def funnel_series(
    store: LeadStore, by: str = "day", since: datetime | None = None, until: datetime | None = None
) -> list[dict[str, Any]]:
    """The funnel per UTC day or ISO week (``period``: its first day), every period of the window listed.

    The window runs from ``since`` (else the first event) to ``until`` (else the last event);
    ValueError when it holds more than :data:`MAX_PERIODS` periods.
    """
    if by not in PERIODS:
        raise ValueError(f"by must be one of {', '.join(PERIODS)}")
    buckets: dict[date, list[Mapping[str, Any]]] = {}
    for event in store.list_events(since=since, until=until):
        buckets.setdefault(period_start(event["created_at"], by), []).append(event)
    first = period_start(since, by) if since else min(buckets, default=None)
    last = period_start(until - timedelta(microseconds=1), by) if until else max(buckets, default=None)
    if first is None or last is None or last < first:
        return []
    step = timedelta(days=7 if by == "week" else 1)
    if (last - first) / step >= MAX_PERIODS:
        raise ValueError(f"that is more than {MAX_PERIODS} {by}s: choose a shorter window or a longer period")
    rows = []
    period = first
    while period <= last:
        seen, _ = _conversations(buckets.get(period, ()))
        rows.append(
            {
                "period": period.isoformat(),
                "conversations": len(seen["conversation_started"]),
                "advice_given": len(seen["advice_given"]),
                "leads_offered": len(seen["lead_offered"]),
                "leads_captured": len(seen["lead_captured"]),
                "leads_declined": len(seen["lead_declined"]),
            }
        )
        period += step
    return rows


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def conversion(
    store: LeadStore,
    statuses: Mapping[str, str],
    since: datetime | None = None,
    until: datetime | None = None,
) -> dict[str, list[dict[str, Any]]]:
    """How advice and tiers turn into customers, for the conversations with events in ``[since, until)``.

    ``by_recommendation``: conversations advised BPO, KPO or hybrid (their latest advice),
    how many of them became leads and how many the sales team won. ``by_tier``: captured
    leads per tier (``unknown`` once erased) and where they stand in the pipeline
    (``statuses``: conversation id -> status; a lead without one is ``new``).
    """
    seen, outcome = _conversations(store.list_events(since=since, until=until))
    captured = seen["lead_captured"]
    by_recommendation = []
    for recommendation in RECOMMENDATIONS:
        advised = {c for c, value in outcome.items() if value == recommendation}
        leads = advised & captured
        won = sum(1 for c in leads if statuses.get(c) == "won")
        by_recommendation.append(
            {
                "recommendation": recommendation,
                "advised": len(advised),
                "captured": len(leads),
                "won": won,
                "capture_rate": _rate(len(leads), len(advised)),
                "win_rate": _rate(won, len(leads)),
            }
        )
    tiers = {lead["conversation_id"]: lead["tier"] for lead in store.list_leads()}
    counts: dict[str, dict[str, int]] = {}
    for conversation in captured:
        tier = tiers.get(conversation) or "unknown"
        row = counts.setdefault(tier, dict.fromkeys(("captured", *STATUSES), 0))
        row["captured"] += 1
        row[statuses.get(conversation, "new")] += 1
    by_tier: list[dict[str, Any]] = []
    for tier in (*TIERS, *(["unknown"] if "unknown" in counts else [])):
        row = counts.get(tier, dict.fromkeys(("captured", *STATUSES), 0))
        by_tier.append({"tier": tier, **row, "win_rate": _rate(row["won"], row["captured"])})
    return {"by_recommendation": by_recommendation, "by_tier": by_tier}


def format_funnel(numbers: Mapping[str, Any]) -> str:
    """Plain-text table of :func:`funnel` numbers, with % of conversations started."""
    started = numbers["conversations_started"]

    def row(label: str, count: int, extra: str = "") -> str:
        share = f"{100 * count / started:5.1f}%" if started else "    -"
        return f"{label:<24}{count:>7}  {share}  {extra}".rstrip()

    advice = numbers["advice_given"]
    tiers = numbers["captured_by_tier"]
    window = f"{numbers['since'] or 'beginning'} .. {numbers['until'] or 'now'}"
    return "\n".join(
        [
            f"Lead funnel ({window}, UTC)",
            row("Conversations started", started),
            row(
                "Advice given",
                advice["total"],
                " ".join(f"{k} {advice[k]}" for k in ("bpo", "kpo", "hybrid")),
            ),
            row("Leads offered", numbers["leads_offered"]),
            row(
                "Leads captured",
                numbers["leads_captured"],
                " ".join(f"{k} {v}" for k, v in tiers.items() if v or k != "unknown"),
            ),
            row("Leads declined", numbers["leads_declined"]),
        ]
    )


def add_delivery_states(leads: Iterable[dict[str, Any]], deliveries_path: str) -> None:
    """Set each lead's ``delivery``: its hand-off state per target, e.g. ``webhook:sent slack:retrying(2)``."""
    states = DeliveryLog(deliveries_path).states()
    for lead in leads:
        by_target = states.get(conversation_ref(lead["conversation_id"]), {})
        lead["delivery"] = " ".join(f"{t}:{by_target[t]}" for t in sorted(by_target)) or None


def write_csv(out: IO[str], rows: Iterable[Mapping[str, Any]], columns: Sequence[str] = EXPORT_COLUMNS) -> None:
    """Rows (leads, or a chart's numbers) as CSV with a header; cells made safe by :func:`export_row`."""
    writer = csv.DictWriter(out, fieldnames=list(columns), lineterminator="\n")
    writer.writeheader()
    writer.writerows(export_row(row, for_csv=True, columns=columns) for row in rows)


def export_row(lead: Mapping[str, Any], *, for_csv: bool, columns: Sequence[str] = EXPORT_COLUMNS) -> dict[str, Any]:
    """One lead as export columns; CSV cells are text, formula-like text is neutralised."""
    row = {column: to_jsonable(lead.get(column)) for column in columns}
    if not for_csv:
        return row
    cells: dict[str, Any] = {}
    for column, value in row.items():
        if isinstance(value, bool):
            value = "true" if value else "false"
        elif isinstance(value, (dict, list)):
            value = json.dumps(value, ensure_ascii=False)
        elif value is None:
            value = ""
        elif isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
            value = "'" + value  # spreadsheet formula injection guard
        cells[column] = value
    return cells
