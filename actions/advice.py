"""Advice actions: the recommendation, why, what-if and the other option's trade-offs."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import funnel
from actions.slots import current_recommendation, latest_text, off_loop, profile
from advisor import messages
from advisor.engine import recommend
from advisor.knowledge import TEXTS


class ActionRecommend(Action):
    """Runs the engine on the collected facts, explains the result and offers a specialist."""

    def name(self) -> str:
        return "action_recommend"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        facts = profile(tracker)
        rec = recommend(facts)
        previous = tracker.get_slot("recommendation_details") or {}
        if tracker.get_slot("recommendation") and previous.get("profile") == asdict(facts):
            dispatcher.utter_message(text=f"Nothing you've told me changes the advice: {messages.NAMES[rec.choice]}.")
            dispatcher.utter_message(response="utter_after_recommendation")
            await funnel.offer_specialist(dispatcher, tracker)
            return []
        if previous.get("choice") and previous.get("choice") != rec.choice:
            dispatcher.utter_message(
                text=f"With that update my advice changes from {messages.NAMES[previous['choice']]} "
                f"to {messages.NAMES[rec.choice]}."
            )
        dispatcher.utter_message(text=messages.recommendation_text(rec, facts))
        dispatcher.utter_message(response="utter_after_recommendation")
        details = rec.to_dict()
        details["profile"] = asdict(facts)
        reasons = [r.text for r in rec.reasons] + rec.conflicts
        events = [
            SlotSet("recommendation", rec.choice),
            SlotSet("recommendation_confidence", rec.confidence),
            SlotSet("recommendation_reasons", reasons),
            SlotSet("recommendation_details", details),
            SlotSet("new_facts", False),
        ]
        async with funnel.funnel_batch(tracker):  # up to three funnel events, written at once
            events += await funnel.advice_given(tracker, rec.choice, reasons)
            events += await funnel.offer_specialist(dispatcher, tracker)
        return events


class ActionExplainWhy(Action):
    """'Why?': why a question is asked, or why the advice is what it is."""

    def name(self) -> str:
        return "action_explain_why"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        requested = tracker.get_slot("requested_slot")
        if tracker.active_loop.get("name") and requested in messages.WHY_ASK:
            dispatcher.utter_message(text=messages.WHY_ASK[requested])
            return []
        rec = current_recommendation(tracker)
        if rec:
            dispatcher.utter_message(text=messages.why_text(rec))
        else:
            dispatcher.utter_message(
                text="I ask about the work, your budget, your in-house know-how and your goals because "
                "those decide between BPO and KPO. Tell me what you'd like to hand off and I'll explain "
                "my reasoning as we go."
            )
        return []


class ActionWhatIf(Action):
    """'What if our budget were bigger?': re-runs the engine on a changed copy of the facts."""

    def name(self) -> str:
        return "action_what_if"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        rec = current_recommendation(tracker)
        if rec is None:
            dispatcher.utter_message(
                text="Let's get your baseline first; once I have a recommendation I can play out "
                "what-ifs like a bigger budget or in-house experts."
            )
            return []
        changed = await off_loop(messages.what_if, profile(tracker), latest_text(tracker))
        dispatcher.utter_message(text=messages.what_if_text(rec, changed))
        return []


class ActionTradeoffs(Action):
    """What the user would gain or lose with the other option."""

    def name(self) -> str:
        return "action_tradeoffs"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        rec = current_recommendation(tracker)
        if rec is None:
            dispatcher.utter_message(text=TEXTS[("differences", "both")])
        else:
            dispatcher.utter_message(text=messages.tradeoffs_text(rec))
        return []
