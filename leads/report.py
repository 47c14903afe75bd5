"""Funnel report and lead export rows, computed from the store.

Funnel numbers count *distinct conversations* with an event of each kind in the window
``[since, until)``: started, advice given (split by the latest outcome bpo/kpo/hybrid),
lead offered, captured, declined; captured leads are split by their current tier
(``unknown`` when the lead row is gone, e.g. erased).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from .model import to_jsonable
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


def funnel(store: LeadStore, since: datetime | None = None, until: datetime | None = None) -> dict[str, Any]:
    """Funnel numbers for events in ``[since, until)``."""
    seen: dict[str, set] = {kind: set() for kind in FUNNEL_KINDS}
    outcome: dict[str, str] = {}
    for event in store.list_events(since=since, until=until):
        seen[event["kind"]].add(event["conversation_id"])
        if event["kind"] == "advice_given":
            outcome[event["conversation_id"]] = event["detail"]
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


def export_row(lead: Mapping[str, Any], *, for_csv: bool) -> dict[str, Any]:
    """One lead as export columns; CSV cells are text, formula-like text is neutralised."""
    row = {column: to_jsonable(lead.get(column)) for column in EXPORT_COLUMNS}
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
