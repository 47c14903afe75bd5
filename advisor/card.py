"""The recommendation card: what the widget and Slack show next to the advice's plain text.

`card(brief, text, brief_url)` turns `advisor.guidance.brief()` into the `custom` payload
`{"type": "recommendation", ...}` that `action_recommend` sends. The card is short: the
choice, the task split, the reasons with the user's own words, one cost line per option,
the location and data notes, the next steps, the link to the one-page brief and buttons.
Channels without rich messages (REST) use `text`, which the payload carries too, so a
channel can show the card *instead of* that text (web/widget.js, serving/slack_channel.py).

Every label is in domain/texts/card.yml, so the widget and Slack carry no words of their own.
No Rasa imports.
"""

from __future__ import annotations

from typing import Any

from advisor.texts import say

CARD_TYPE = "recommendation"
MAX_REASONS = 3
"""The card shows the first reasons (the engine's strongest first); the brief has them all."""
LABELS = ("bpo", "kpo", "reasons", "weigh", "cost", "location", "data", "next_steps", "more")
"""Section labels the channels draw (domain/texts/card.yml `labels`)."""
TOPIC_PAYLOADS = {"cost": "/ask_cost", "location": "/ask_location", "contract": "/ask_contract"}
"""Card buttons that ask a follow-up question (intents of data/nlu/guidance.yml)."""


def _line(text: Any) -> str:
    """A list item as plain text: the guidance's "- " bullets are the channel's to draw."""
    return str(text).strip().removeprefix("- ").strip()


def _reason(reason: dict[str, Any]) -> dict[str, Any]:
    """A reason and the user's words for it; words the reason already quotes are not repeated."""
    text = _line(reason["text"])
    quotes = [q for q in reason.get("quotes") or [] if isinstance(q, str) and q.lower() not in text.lower()]
    return {"text": text, "quotes": quotes}


def _cost_lines(cost: dict[str, Any]) -> list[str]:
    """One short line per option (the guidance's `summary`), then whether the budget fits."""
    lines = [_line(o["summary"]) for o in cost.get("options") or [] if isinstance(o, dict) and o.get("summary")]
    if cost.get("fit_line"):
        lines.append(_line(cost["fit_line"]))
    return lines


def _data_lines(data: dict[str, Any]) -> list[str]:
    """The rules that apply, in one line, and the "not legal advice" line when there are any."""
    if not data.get("regimes"):
        return []
    return [_line(t) for t in (data.get("summary"), data.get("disclaimer")) if t]


def buttons(brief_url: str | None) -> list[dict[str, str]]:
    """The card's buttons: follow-up questions (payloads) and the brief (a link)."""
    out = [{"title": say(f"card.buttons.{topic}"), "payload": payload} for topic, payload in TOPIC_PAYLOADS.items()]
    if brief_url:
        out.insert(0, {"title": say("card.buttons.brief"), "url": brief_url})
    return out


def card(brief: dict[str, Any], text: str, brief_url: str | None) -> dict[str, Any]:
    """The `custom` payload of the recommendation card, built from `guidance.brief()`."""
    confidence = float(brief.get("confidence") or 0)
    location = brief.get("location") or {}
    return {
        "type": CARD_TYPE,
        "text": text.strip(),
        "choice": brief["choice"],
        "choice_label": brief["choice_label"],
        "headline": say("card.headline", choice=brief["choice_label"]),
        "confidence": confidence,
        "confidence_label": say("card.confidence", percent=round(confidence * 100)),
        "bpo_tasks": list(brief.get("bpo_tasks") or []),
        "kpo_tasks": list(brief.get("kpo_tasks") or []),
        "reasons": [_reason(r) for r in (brief.get("reasons") or [])[:MAX_REASONS]],
        "conflicts": [_line(c) for c in brief.get("conflicts") or []],
        "cost": {
            "lines": _cost_lines(brief.get("cost") or {}),
            "fit": (brief.get("cost") or {}).get("fit"),
            "note": (brief.get("cost") or {}).get("note"),
        },
        "location": [_line(location["summary"])] if location.get("summary") else [],
        "data_rules": _data_lines(brief.get("data") or {}),
        "next_steps": [_line(s) for s in brief.get("next_steps") or []],
        "brief_url": brief_url,
        "buttons": buttons(brief_url),
        "labels": {key: say(f"card.labels.{key}") for key in LABELS},
    }
