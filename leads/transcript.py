"""A conversation as the sales team reads it: who said what, in order, from Rasa's tracker events.

Plain Python over the events as JSON (``GET /conversations/{id}/tracker`` of Rasa's HTTP
API), so it needs no Rasa import. The sales console (web/sales.py) shows it with a lead.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from .model import UTC


def transcript_from_events(events: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """What the visitor, the assistant (and a rep, in a hand-off) said, in order, from Rasa tracker events.

    A bot event whose ``metadata`` names a ``rep`` is that rep's message. A button the
    visitor clicked (a ``/intent`` payload) is shown by the title the visitor saw.
    """
    turns: list[dict[str, Any]] = []
    titles: dict[str, str] = {}
    for event in events:
        kind = event.get("event")
        at = event.get("timestamp")
        when = datetime.fromtimestamp(at, UTC).isoformat() if isinstance(at, (int, float)) else None
        if kind == "user":
            text = event.get("text") or ""
            if not text or (event.get("metadata") or {}).get("is_external"):
                continue  # nothing said, or an intent the server triggered (a reminder, a rep handing back)
            turns.append({"speaker": "visitor", "text": titles.get(text.strip(), text), "at": when})
            titles = {}  # the buttons offered before this message are used up
        elif kind == "bot":
            data = event.get("data") or {}
            buttons = [b for b in data.get("buttons") or [] if isinstance(b, Mapping)]
            if buttons:  # the latest buttons offered, until the visitor answers
                titles = {str(b.get("payload", "")).strip(): str(b.get("title", "")) for b in buttons if b.get("title")}
            text = event.get("text") or ""
            if not text and not buttons:
                continue  # an event for the widget only (e.g. a card's data), nothing said
            rep = (event.get("metadata") or {}).get("rep")
            turn = {"speaker": "rep" if rep else "assistant", "text": text, "at": when}
            if rep:
                turn["name"] = str(rep)
            if buttons:
                turn["buttons"] = [str(b.get("title", "")) for b in buttons]
            turns.append(turn)
    return turns
