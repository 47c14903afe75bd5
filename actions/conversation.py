"""Conversation repair: clarification, fallback, starting over and asking for a human."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, AllSlotsReset, EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import handoff as live_handoff
from actions import leads as lead_actions
from actions.form import ask
from actions.slots import slots_set_this_turn
from advisor import inputs

ANSWER_SLOTS = {"tasks", "budget_level", "in_house_expertise", "goals", "coverage"}

# What each intent means to a user, for "did you mean ...?" buttons.
INTENT_BUTTONS = {
    "inform": ("Get a recommendation", "/inform"),
    "ask_knowledge": ("Explain BPO vs KPO", "What is the difference between BPO and KPO?"),
    "ask_why": ("Why do you ask?", "/ask_why"),
    "ask_what_if": ("Try a what-if", "/ask_what_if"),
    "ask_tradeoffs": ("Compare the options", "/ask_tradeoffs"),
    "request_human": ("Talk to a specialist", "/request_human"),
    "start_over": ("Start over", "/start_over"),
    "ask_capabilities": ("What can you do?", "/ask_capabilities"),
}


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
        if kind in inputs.REPLIES and kind != "too_long":
            dispatcher.utter_message(text=inputs.REPLIES[kind])
            if requested:
                ask(dispatcher, requested, tracker)
            return done
        if requested:
            dispatcher.utter_message(text="Sorry, I didn't catch that.")
            ask(dispatcher, requested, tracker)
            return done
        ranking = tracker.latest_message.get("intent_ranking") or []
        buttons = []
        for candidate in ranking:
            meaning = INTENT_BUTTONS.get(candidate.get("name"))
            if meaning and len(buttons) < 3:
                buttons.append({"title": meaning[0], "payload": meaning[1]})
        for fallback in ("inform", "ask_knowledge"):
            if len(buttons) < 2 and all(b["title"] != INTENT_BUTTONS[fallback][0] for b in buttons):
                buttons.append({"title": INTENT_BUTTONS[fallback][0], "payload": INTENT_BUTTONS[fallback][1]})
        dispatcher.utter_message(text="Sorry, I'm not sure what you mean. Did you want one of these?", buttons=buttons)
        return done


class ActionStartOver(Action):
    """Forgets the answers (the transcript stays) and asks the first question again."""

    def name(self) -> str:
        return "action_start_over"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        dispatcher.utter_message(
            text="Sure, let's start fresh; I've cleared your answers. What work would you like to hand off?"
        )
        return [ActiveLoop(None), AllSlotsReset()]


class ActionHandoff(Action):
    """The user wants a person: pause the questions; a rep joins live when one can
    (actions/handoff.py), else the user hears why not and is offered a specialist's call-back."""

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
        found, why_not = await live_handoff.situation(tracker)
        if found == "live":
            return [*events, FollowupAction("action_live_handoff")]
        dispatcher.utter_message(
            text="Of course. Everything you've told me so far is saved, so you won't have to repeat it."
        )
        if why_not:
            dispatcher.utter_message(text=why_not)
        return events + await lead_actions.handoff(dispatcher, tracker)
