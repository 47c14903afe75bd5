"""The advice as a card and a brief: what `action_recommend` sends next to the plain text.

`send_advice` builds `advisor.guidance.brief()` for the advice, stores it as the
conversation's one-page brief (leads/briefs.py, in a worker thread: the link in slot
`brief_url`), and sends one message: the plain-text advice with the link (what REST clients
read) and, as its `custom` payload, the card (advisor/card.py) that the widget and Slack show
instead of that text. If the brief cannot be built or stored (the lead database is down), the
advice still goes out, as text and card without the link; the failure is logged.
"""

from __future__ import annotations

import asyncio
import logging

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.guidance import situation
from actions.slots import off_loop
from advisor import guidance, messages
from advisor.card import card
from advisor.engine import Profile, Recommendation
from advisor.texts import say
from leads.briefs import BriefStore, public_base_url
from leads.model import conversation_digest
from leads.redact import describe_error

log = logging.getLogger(__name__)


def store_brief(conversation_id: str, content: dict) -> str:
    """Store the brief; its link."""
    base = public_base_url()  # checked first: a wrong WEB_PUBLIC_URL stores nothing
    return BriefStore().save(conversation_id, content).url(base)


async def build_brief(tracker: Tracker, rec: Recommendation, facts: Profile) -> tuple[dict | None, str | None]:
    """Build and store the conversation's brief: (its content, its link), None for what failed (logged)."""
    who = "conv-" + conversation_digest(str(tracker.sender_id))
    content = None
    try:
        content = await off_loop(guidance.brief, situation(tracker, facts, rec))
    except Exception:  # the advice itself must still go out (logged)
        log.exception("brief for %s not built", who)
    url = None
    if content is not None:
        try:
            url = await asyncio.to_thread(store_brief, tracker.sender_id, content)
        except Exception as error:  # noqa: BLE001 - database down or WEB_PUBLIC_URL wrong: no link this time
            log.error("brief for %s not stored: %s", who, describe_error(error))
    return content, url


async def send_advice(
    dispatcher: CollectingDispatcher, tracker: Tracker, rec: Recommendation, facts: Profile
) -> list[EventType]:
    """Send the advice (text with the brief's link, and the card); the `brief_url` slot event."""
    text = messages.recommendation_text(rec, facts)
    content, url = await build_brief(tracker, rec, facts)
    if url:
        text += "\n" + say("card.brief_link", url=url)
    text = text.replace("\n\n", "\n").strip()  # one message on every channel (Rasa splits on blank lines)
    if content is None:
        dispatcher.utter_message(text=text)
    else:
        dispatcher.utter_message(text=text, json_message=card(content, text, url))
    return [SlotSet("brief_url", url)]


async def refresh_brief(tracker: Tracker, rec: Recommendation, facts: Profile) -> list[EventType]:
    """Bring the brief up to date with new facts that leave the advice as it was, without sending
    the advice again (its link stays the same); the `brief_url` slot event when it was stored."""
    _, url = await build_brief(tracker, rec, facts)
    return [SlotSet("brief_url", url)] if url else []
