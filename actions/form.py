"""The advisor form: which questions remain, and re-asking unread answers (questions: domain/texts/responses.yml)."""

from __future__ import annotations

from rasa_sdk import FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.slots import slot_before_turn, slots_set_this_turn
from advisor.extraction import needs_coverage
from advisor.messages import tasks_changed_text
from advisor.texts import say


def ask(dispatcher: CollectingDispatcher, slot: str, tracker: Tracker) -> None:
    """Ask the question for `slot` again (after a clarification), as the form asks it.

    The questions and their quick replies are the `utter_ask_<slot>` responses in
    domain/texts/responses.yml; the task question's variant (plain, or routine-or-specialist after an
    unclear answer) is chosen by Rasa from the `unclear_task` slot.
    """
    dispatcher.utter_message(response=f"utter_ask_{slot}")


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
        requested = tracker.get_slot("requested_slot")
        if requested and requested != "tasks" and "tasks" in candidates:
            changed = tasks_changed_text(slot_before_turn(tracker, "tasks"), candidates["tasks"])
            if changed:
                dispatcher.utter_message(text=changed)
        unclear = candidates.get("unclear_task")
        if unclear and tracker.get_slot("requested_slot") == "tasks":
            events.append(SlotSet("unclear_task", unclear))
        retry = candidates.get("retry_slot")
        if retry and retry.startswith("tasks:"):
            dispatcher.utter_message(text=say("conversation.repeated_description"))
            events.append(SlotSet("retry_slot", retry))
        elif retry:
            dispatcher.utter_message(text=say("conversation.ask_again"))
            events.append(SlotSet("retry_slot", retry))
        return events
