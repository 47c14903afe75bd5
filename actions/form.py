"""The advisor form: which questions remain, and how the task question is asked."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from advisor.extraction import needs_coverage


class ValidateAdvisorForm(FormValidationAction):
    """Adds the coverage question for customer-facing work; accepts unclear task answers.

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
        # An answer we could not classify is still an answer: keep the form going
        # so that it asks the follow-up question instead of giving up.
        unclear = tracker.slots_to_validate().get("unclear_task")
        if unclear and tracker.get_slot("requested_slot") == "tasks":
            events.append(SlotSet("unclear_task", unclear))
        return events


class ActionAskTasks(Action):
    """Asks for the tasks, or asks what kind of work an unclassified answer is."""

    def name(self) -> str:
        return "action_ask_tasks"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        if tracker.get_slot("unclear_task"):
            dispatcher.utter_message(response="utter_ask_tasks_unclear")
        else:
            dispatcher.utter_message(response="utter_ask_tasks")
        return []
