"""The advice card (advisor/card.py) as Slack Block Kit blocks (plain Python, no Rasa imports).

`card_blocks(card)` draws the card with a header, a context line (confidence), one section per
part (two fields side by side for a hybrid's BPO and KPO tasks) and an actions block: the
follow-up questions as buttons whose value is sent back as the user's message, and the brief
as a link button (Slack sends no message for those). Everything that comes from the card is
escaped for Slack's mrkdwn (`leads.notify.slack_escape`: the user's own words are quoted in
the reasons) and cut to Block Kit's limits, so one long reason can never make Slack refuse
the whole message.
"""

from __future__ import annotations

from typing import Any

from leads.notify import slack_escape

HEADER_MAX = 150
SECTION_MAX = 3000
FIELD_MAX = 2000
BUTTON_TEXT_MAX = 75
BUTTON_VALUE_MAX = 2000
URL_MAX = 3000
SECTIONS = ("reasons", "weigh", "cost", "location", "data", "next_steps")
CARD_KEYS = {"data": "data_rules"}
"""Card fields named otherwise than their section (a `data` key means something else to Rasa's socket.io)."""


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _texts(value: Any) -> list[str]:
    return [str(v) for v in value if isinstance(v, str) and v.strip()] if isinstance(value, list) else []


def _label(card: dict[str, Any], key: str) -> str:
    labels = card.get("labels") if isinstance(card.get("labels"), dict) else {}
    return slack_escape(labels.get(key) or key)


def _bullets(label: str, items: list[str], numbered: bool = False) -> str:
    lines = [f"{i}. {item}" if numbered else f"• {item}" for i, item in enumerate(items, 1)]
    return f"*{label}*\n" + "\n".join(lines)


def _section_items(card: dict[str, Any], key: str) -> list[str]:
    if key == "reasons":
        items = []
        for reason in card.get("reasons") or []:
            if not isinstance(reason, dict) or not isinstance(reason.get("text"), str):
                continue
            quotes = "".join(f" _“{slack_escape(q)}”_" for q in _texts(reason.get("quotes")))
            items.append(slack_escape(reason["text"]) + quotes)
        return items
    if key == "weigh":
        return [slack_escape(t) for t in _texts(card.get("conflicts"))]
    if key == "cost":
        cost = card.get("cost") if isinstance(card.get("cost"), dict) else {}
        return [slack_escape(t) for t in _texts(cost.get("lines"))]
    return [slack_escape(t) for t in _texts(card.get(CARD_KEYS.get(key, key)))]


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": _cut(text, SECTION_MAX)}}


def _buttons(card: dict[str, Any]) -> list[dict[str, Any]]:
    elements = []
    for i, button in enumerate(card.get("buttons") or []):
        if not isinstance(button, dict) or not isinstance(button.get("title"), str):
            continue
        element: dict[str, Any] = {
            "type": "button",
            "action_id": f"advisor_card_{i}",
            "text": {"type": "plain_text", "text": _cut(button["title"], BUTTON_TEXT_MAX)},
        }
        url = button.get("url")
        if isinstance(url, str) and url.startswith(("https://", "http://")) and len(url) <= URL_MAX:
            element["url"] = url
            element["style"] = "primary"
        elif isinstance(button.get("payload"), str) and len(button["payload"]) <= BUTTON_VALUE_MAX:
            element["value"] = button["payload"]
        else:
            continue
        elements.append(element)
    return elements[:25]


def card_blocks(card: dict[str, Any]) -> list[dict[str, Any]]:
    """The card as Block Kit blocks."""
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": _cut(str(card.get("headline") or ""), HEADER_MAX)}}
    ]
    if isinstance(card.get("confidence_label"), str):
        meta = {"type": "mrkdwn", "text": slack_escape(card["confidence_label"])}
        blocks.append({"type": "context", "elements": [meta]})
    columns = [
        _cut(_bullets(_label(card, model), [slack_escape(t) for t in _texts(card.get(f"{model}_tasks"))]), FIELD_MAX)
        for model in ("bpo", "kpo")
        if _texts(card.get(f"{model}_tasks"))
    ]
    if columns:
        blocks.append({"type": "section", "fields": [{"type": "mrkdwn", "text": c} for c in columns]})
    for key in SECTIONS:
        items = _section_items(card, key)
        if items:
            blocks.append(_section(_bullets(_label(card, key), items, numbered=key == "next_steps")))
    buttons = _buttons(card)
    if buttons:
        blocks.append({"type": "actions", "elements": buttons})
    return blocks


def card_fallback(card: dict[str, Any]) -> str:
    """The message's `text`: what notifications and clients without blocks show."""
    text = card.get("text") if isinstance(card.get("text"), str) else ""
    return slack_escape(text or str(card.get("headline") or ""))
