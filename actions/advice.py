"""Advice actions: the recommendation, why, what-if and the other option's trade-offs."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import funnel
from actions.brief import refresh_brief, send_advice
from actions.slots import current_recommendation, latest_text, off_loop, profile, slots_set_this_turn
from advisor import messages
from advisor.engine import Profile, Recommendation, recommend
from advisor.knowledge import topic_text
from advisor.texts import say


class ActionRecommend(Action):
    """Runs the engine on the collected facts, explains the result (text, card, brief) and offers a specialist."""

    def name(self) -> str:
        return "action_recommend"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        facts = profile(tracker)
        rec = recommend(facts)
        previous = tracker.get_slot("recommendation_details") or {}
        if tracker.get_slot("recommendation") and previous.get("profile") == asdict(facts):
            noted = messages.place_noted(slots_set_this_turn(tracker), rec)  # "we're based in Germany"
            unchanged = say("advice.recommendation.unchanged", name=messages.name(rec.choice))
            dispatcher.utter_message(text=noted or unchanged)
            dispatcher.utter_message(response="utter_after_recommendation")
            await funnel.offer_specialist(dispatcher, tracker)
            return []
        if tracker.get_slot("recommendation") and rec.same_as(previous):
            # New facts that leave the advice exactly as it was ("business hours" typed after
            # the advice): say what was noted and what it means, not the same advice again.
            return await self._noted(dispatcher, tracker, rec, facts, previous)
        if previous.get("choice") and previous.get("choice") != rec.choice:
            before, after = messages.name(previous["choice"]), messages.name(rec.choice)
            dispatcher.utter_message(text=say("advice.recommendation.changed", before=before, after=after))
        advice_events = await send_advice(dispatcher, tracker, rec, facts)  # text, card and brief link
        dispatcher.utter_message(response="utter_after_recommendation")
        details = rec.to_dict()
        details["profile"] = asdict(facts)
        reasons = rec.said
        events = [
            SlotSet("recommendation", rec.choice),
            SlotSet("recommendation_confidence", rec.confidence),
            SlotSet("recommendation_reasons", reasons),
            SlotSet("recommendation_details", details),
            SlotSet("new_facts", False),
            *advice_events,
        ]
        async with funnel.funnel_batch(tracker):  # up to three funnel events, written at once
            events += await funnel.advice_given(tracker, rec.choice, reasons)
            events += await funnel.offer_specialist(dispatcher, tracker)
        return events

    @staticmethod
    async def _noted(
        dispatcher: CollectingDispatcher, tracker: Tracker, rec: Recommendation, facts: Profile, previous: dict
    ) -> list[EventType]:
        before = Profile.from_slots(previous.get("profile") or {})
        dispatcher.utter_message(text=messages.update_text(before, facts, rec))
        dispatcher.utter_message(response="utter_after_recommendation")
        events: list[EventType] = [
            SlotSet("recommendation_details", {**previous, "profile": asdict(facts)}),
            SlotSet("new_facts", False),
            *await refresh_brief(tracker, rec, facts),  # costs may assume the new hours
        ]
        await funnel.update_captured_lead(tracker, rec.choice, rec.said)  # the lead's answers gain the fact
        return events + await funnel.offer_specialist(dispatcher, tracker)


class ActionExplainWhy(Action):
    """'Why?': why a question is asked, or why the advice is what it is."""

    def name(self) -> str:
        return "action_explain_why"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        why_asked = messages.why_ask(tracker.get_slot("requested_slot"))
        if tracker.active_loop.get("name") and why_asked:
            dispatcher.utter_message(text=why_asked)
            return []
        rec = current_recommendation(tracker)
        if rec:
            dispatcher.utter_message(text=messages.why_text(rec))
        else:
            dispatcher.utter_message(text=say("advice.why.before_advice"))
        return []


class ActionWhatIf(Action):
    """'What if our budget were bigger?': re-runs the engine on a changed copy of the facts."""

    def name(self) -> str:
        return "action_what_if"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        rec = current_recommendation(tracker)
        if rec is None:
            dispatcher.utter_message(text=say("advice.what_if.before_advice"))
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
            dispatcher.utter_message(text=topic_text("differences", "both"))
        else:
            dispatcher.utter_message(text=messages.tradeoffs_text(rec))
        return []
