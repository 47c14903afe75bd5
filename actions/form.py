"""The advisor form: which questions remain, how each is asked, and re-asking unread answers."""

from __future__ import annotations

import json
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.slots import slots_set_this_turn
from advisor.extraction import needs_coverage


def _payload(**slots: Any) -> str:
    return "/inform" + json.dumps(slots)


# Quick replies per question. They live here rather than in domain.yml because
# Rasa would try to fill `{...}` in a response's payload as slot variables.
BUTTONS: dict[str, list[dict[str, str]]] = {
    "tasks_unclear": [
        {"title": "Routine process work", "payload": _payload(nature="routine")},
        {"title": "Specialist analysis", "payload": _payload(nature="expert")},
        {"title": "Some of both", "payload": _payload(nature="both")},
    ],
    "budget_level": [
        {"title": "Tight, cost comes first", "payload": _payload(budget_level="tight", cost_priority=True)},
        {"title": "Moderate", "payload": _payload(budget_level="moderate")},
        {"title": "Flexible, quality first", "payload": _payload(budget_level="flexible", cost_priority=False)},
    ],
    "in_house_expertise": [
        {"title": "Yes, we have it", "payload": _payload(in_house_expertise="yes")},
        {"title": "Partly", "payload": _payload(in_house_expertise="partial")},
        {"title": "No, we lack it", "payload": _payload(in_house_expertise="no")},
    ],
    "goals": [
        {"title": "Cut costs", "payload": _payload(goals="cost_reduction")},
        {"title": "Focus on core work", "payload": _payload(goals="focus_core")},
        {"title": "Scale quickly", "payload": _payload(goals="scalability")},
        {"title": "Better decisions", "payload": _payload(goals="strategic_decisions")},
        {"title": "Innovation", "payload": _payload(goals="innovation")},
    ],
    "coverage": [
        {"title": "24/7", "payload": _payload(coverage="24/7")},
        {"title": "Evenings and weekends", "payload": _payload(coverage="extended")},
        {"title": "Business hours", "payload": _payload(coverage="business_hours")},
    ],
}


def ask(dispatcher: CollectingDispatcher, slot: str, tracker: Tracker) -> None:
    """Ask the question for `slot`, with its quick replies."""
    if slot == "tasks":
        if tracker.get_slot("unclear_task"):
            dispatcher.utter_message(response="utter_ask_tasks_unclear", buttons=BUTTONS["tasks_unclear"])
        else:
            dispatcher.utter_message(response="utter_ask_tasks")
        return
    dispatcher.utter_message(response=f"utter_ask_{slot}", buttons=BUTTONS.get(slot, []))


class ValidateAdvisorForm(FormValidationAction):
    """Adds the coverage question for customer-facing work and keeps the form going on unread answers.

    Facts are extracted and checked by `action_extract_facts` on every message,
    so nothing is re-validated here.
    """

    def name(self) -> str:
        return "validate_advisor_form"

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        slots = list(domain_slots)
        if needs_coverage(tracker.get_slot("tasks")) and "coverage" not in slots:
            slots.append("coverage")
        return slots

    async def get_validation_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        events = await super().get_validation_events(dispatcher, tracker, domain)
        # An answer we could not read is still an answer: returning its marker keeps
        # the form active, so it asks again (or asks the follow-up) instead of giving up.
        # (Rasa hands the validation action only the form's own slots as candidates,
        # so the bookkeeping slots are read from the turn's events.)
        candidates = slots_set_this_turn(tracker)
        unclear = candidates.get("unclear_task")
        if unclear and tracker.get_slot("requested_slot") == "tasks":
            events.append(SlotSet("unclear_task", unclear))
        retry = candidates.get("retry_slot")
        if retry:
            dispatcher.utter_message(text="Sorry, I couldn't read an answer in that. Let me ask again:")
            events.append(SlotSet("retry_slot", retry))
        return events


class AskAction:
    """Mixin for `action_ask_<slot>` (the form calls it to ask a question).

    Not an `Action` itself, so that the action server does not register it.
    """

    slot = ""

    def name(self) -> str:
        return f"action_ask_{self.slot}"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        ask(dispatcher, self.slot, tracker)
        return []


class ActionAskTasks(AskAction, Action):
    """Asks for the tasks, or what kind of work an unclassified answer is."""

    slot = "tasks"


class ActionAskBudgetLevel(AskAction, Action):
    slot = "budget_level"


class ActionAskInHouseExpertise(AskAction, Action):
    slot = "in_house_expertise"


class ActionAskGoals(AskAction, Action):
    slot = "goals"


class ActionAskCoverage(AskAction, Action):
    slot = "coverage"
