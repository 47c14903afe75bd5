"""Conversation repair: clarification, fallback, starting over and asking for a human."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, AllSlotsReset, EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import funnel
from actions import handoff as live_handoff
from actions import leads as lead_actions
from actions.form import ask
from actions.slots import slots_set_this_turn
from advisor import inputs
from advisor.texts import say
from leads.booking import asks_for_call

ANSWER_SLOTS = {"tasks", "budget_level", "in_house_expertise", "goals", "coverage"}

# What a "did you mean ...?" button sends, per intent (its title is in domain/texts/conversation.yml).
INTENT_PAYLOADS = {
    "inform": "/inform",
    "ask_knowledge": "What is the difference between BPO and KPO?",
    "ask_why": "/ask_why",
    "ask_what_if": "/ask_what_if",
    "ask_tradeoffs": "/ask_tradeoffs",
    "request_human": "/request_human",
    "start_over": "/start_over",
    "ask_capabilities": "/ask_capabilities",
}


def intent_button(intent: str) -> dict[str, str]:
    return {"title": say(f"conversation.buttons.{intent}"), "payload": INTENT_PAYLOADS[intent]}


class ActionClarify(Action):
    """Low confidence or odd input: say why, and offer the likeliest meanings as buttons."""

    def name(self) -> str:
        return "action_clarify"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        raw = tracker.latest_message.get("text") or ""
        kind = inputs.classify(raw)
        requested = tracker.get_slot("requested_slot") if tracker.active_loop.get("name") else None
        # Always end the turn here: this action is also the policies' fallback,
        # and without a listen it would be predicted again and again.
        done: list[EventType] = [FollowupAction("action_listen")]
        if kind in inputs.UNREADABLE and kind != "too_long":
            dispatcher.utter_message(text=inputs.reply(kind))
            if requested:
                ask(dispatcher, requested, tracker)
            return done
        if requested:
            # "Evenings would be nice" while the goals question is pending: the hours were read and
            # kept, so the reply says so rather than "I didn't catch that".
            learned = slots_set_this_turn(tracker).get("new_facts") is True
            dispatcher.utter_message(text=say("conversation.noted_then_ask" if learned else "conversation.didnt_catch"))
            ask(dispatcher, requested, tracker)
            return done
        ranking = tracker.latest_message.get("intent_ranking") or []
        offered: list[str] = []
        for candidate in ranking:
            if candidate.get("name") in INTENT_PAYLOADS and len(offered) < 3:
                offered.append(candidate["name"])
        for fallback in ("inform", "ask_knowledge"):
            if len(offered) < 2 and fallback not in offered:
                offered.append(fallback)
        buttons = [intent_button(intent) for intent in offered]
        dispatcher.utter_message(text=say("conversation.not_sure"), buttons=buttons)
        return done


class ActionLoneAnswer(Action):
    """A yes or a no with nothing else in it, where no rule knows a question it answers: it is
    meant for the specialist offer when that is still open a few messages on ("how much does
    that cost?" in between), and otherwise there is nothing to say yes or no to."""

    def name(self) -> str:
        return "action_lone_answer"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        if funnel.offer_open(tracker):
            if intent == "affirm":
                return [FollowupAction("lead_form")]
            if intent == "deny":
                return [FollowupAction("action_decline_lead")]
        dispatcher.utter_message(response="utter_anything_else")
        return []


class ActionStartOver(Action):
    """Forgets the answers (the transcript stays) and asks the first question again."""

    def name(self) -> str:
        return "action_start_over"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        dispatcher.utter_message(text=say("conversation.start_over"))
        return [ActiveLoop(None), AllSlotsReset()]


class ActionHandoff(Action):
    """The user wants a person: pause the questions; a rep joins live when one can
    (actions/handoff.py), else the user hears why not and is offered a specialist's call-back.
    Once sales has their details, asking for a call (or for a person nobody can be) offers the
    call's times (actions/booking.py)."""

    def name(self) -> str:
        return "action_handoff"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        answered = set(slots_set_this_turn(tracker)) & ANSWER_SLOTS
        if tracker.active_loop.get("name") and answered:
            # "Specialist stuff, really" answers the question; it is not a request for a person.
            return [FollowupAction(tracker.active_loop["name"])]
        events: list[EventType] = [ActiveLoop(None), SlotSet("requested_slot", None)]
        if (tracker.latest_message.get("intent") or {}).get("name") == "share_contact":
            return events + await lead_actions.handoff(dispatcher, tracker)
        if lead_actions.captured(tracker) and asks_for_call(tracker.latest_message.get("text") or ""):
            return events + await lead_actions.handoff(dispatcher, tracker)  # a call, not a chat: book it
        found, why_not = await live_handoff.situation(tracker)
        if found == "live":
            return [*events, FollowupAction("action_live_handoff")]
        if lead_actions.captured(tracker):  # nobody can join: the call they can book instead
            return events + await lead_actions.handoff(dispatcher, tracker)
        dispatcher.utter_message(text=say("conversation.handoff_answers_kept"))
        if why_not:
            dispatcher.utter_message(text=why_not)
        return events + await lead_actions.handoff(dispatcher, tracker)
