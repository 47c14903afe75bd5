"""`action_answer_guidance`: questions on cost, location, data rules and contracts, before or after the advice.

Thin: the answer is `advisor.guidance.answer(topic, situation)`, where the situation is built
from the slots (the profile, the advice when given, the requirements read, where the company
and its customers are) and the latest message. Inside the questions (`advisor_form`) the
form asks its question again after the answer, as after a knowledge question. Outside it,
an answer that asked where the company or its customers are (`guidance.needs_region`)
leaves its topic in `guidance_topic`, so a reply naming the place ("we're in the UK")
is answered again with it (data/rules/guidance.yml).
"""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.conversation import ANSWER_SLOTS
from actions.slots import current_recommendation, latest_intent, latest_text, off_loop, profile, slots_set_this_turn
from advisor import guidance, knowledge
from advisor.engine import Profile, Recommendation
from advisor.inputs import MAX_MESSAGE_CHARS
from advisor.patterns import GUIDANCE_INTENTS, guidance_topic, looks_like_question
from advisor.texts import say

log = logging.getLogger(__name__)

TOPIC_OF_INTENT = {intent: topic for topic, intent in GUIDANCE_INTENTS.items()}


def situation(tracker: Tracker, facts: Profile | None = None, rec: Recommendation | None = None) -> guidance.Situation:
    """What the guidance can go on, from the slots (and the engine's advice when given)."""
    facts = facts or profile(tracker)
    requirements = [r for r in tracker.get_slot("requirements") or [] if isinstance(r, str)]
    return guidance.Situation(
        profile=facts,
        rec=rec if rec is not None else current_recommendation(tracker),
        requirements=requirements,
        company_region=tracker.get_slot("company_region"),
        customer_region=tracker.get_slot("customer_region"),
        text=latest_text(tracker)[:MAX_MESSAGE_CHARS],
    )


def _is_guidance(sentence: str) -> bool:
    return guidance_topic(sentence) is not None


def topic_of(tracker: Tracker) -> str:
    """The intent's topic; for a reply naming a place, the topic that asked for it."""
    intent = latest_intent(tracker)
    if intent in TOPIC_OF_INTENT:
        return TOPIC_OF_INTENT[intent]
    return tracker.get_slot("guidance_topic") or guidance_topic(latest_text(tracker)) or "cost"


class ActionAnswerGuidance(Action):
    """Answers a cost, location, data-rules or contract question from what is known so far."""

    def name(self) -> str:
        return "action_answer_guidance"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        form = tracker.active_loop.get("name")
        answered = set(slots_set_this_turn(tracker)) & ANSWER_SLOTS
        if form and answered and not looks_like_question(latest_text(tracker)):
            # "Cost isn't really an issue for us" answers the budget question; it asks nothing.
            return [FollowupAction(form)]
        text = latest_text(tracker)
        if not tracker.get_slot("guidance_topic") and guidance_topic(text) is None and looks_like_question(text):
            # The classifier said cost, place, data or contract, but the words are of none of them:
            # "what about financial modelling?" after "is bookkeeping BPO or KPO?" asks to classify.
            known = await off_loop(knowledge.answer, text[:MAX_MESSAGE_CHARS])
            if known.topic in knowledge.ANSWERS_THE_QUESTION and (known.tasks or known.topic != "classify"):
                dispatcher.utter_message(text=known.text)
                if form:
                    dispatcher.utter_message(text=say("conversation.back_to_questions"))
                return [SlotSet("guidance_topic", None)]
        # "What is BPO? Which one for payroll? And how much?": the other questions first.
        for other in await off_loop(knowledge.answers_each, text[:MAX_MESSAGE_CHARS], _is_guidance):
            dispatcher.utter_message(text=other.text)
        topic = topic_of(tracker)
        try:
            known = situation(tracker)
            reply = await off_loop(guidance.answer, topic, known)
            asks_place = guidance.needs_region(topic, known)
        except Exception:  # a rate card or text error must not end the conversation (logged)
            log.exception("follow-up answer on %s failed", topic)
            dispatcher.utter_message(text=say("conversation.followup_unavailable"))
            return [SlotSet("guidance_topic", None)]
        dispatcher.utter_message(text=reply)
        if form:
            dispatcher.utter_message(text=say("conversation.back_to_questions"))
            asks_place = False  # the form's question comes next; a place can still be said any time
        return [SlotSet("guidance_topic", topic if asks_place else None)]
