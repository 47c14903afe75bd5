"""`action_extract_facts`: fills every fact slot from every user message (custom slot mapping)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.guidance import situation
from actions.slots import fact_slots, latest_intent, latest_text, off_loop
from advisor import data_rules, inputs
from advisor.extraction import UNKNOWN, extract, merge
from advisor.guidance import region_question, regions_in
from advisor.patterns import (
    COMMAND,
    GUIDANCE_INTENTS,
    HUMAN_REQUEST,
    QUESTION_START,
    looks_like_question,
    statements_only,
)

# Questions and requests: their words are not facts about the company.
QUESTION_INTENTS = {
    "ask_knowledge",
    "ask_why",
    "ask_tradeoffs",
    "ask_capabilities",
    "request_human",
    "goodbye",
    "thank",
    *GUIDANCE_INTENTS.values(),
}
# Hypotheticals, resets and privacy requests must never change what the user told us.
NO_EXTRACTION_INTENTS = {"ask_what_if", "start_over", "delete_my_data", "withdraw_consent"}
# Intents whose message may be an answer we cannot classify yet ("some blockchain stuff").
UNCLEAR_ANSWER_INTENTS = {"inform", "nlu_fallback", "out_of_scope", "dont_know", "affirm", "deny", None}
RETRYABLE = {"budget_level", "in_house_expertise", "goals", "coverage"}
# Goals only support the advice, so one unreadable answer is enough to move on.
MAX_MISSES = {"goals": 1, "budget_level": 2, "in_house_expertise": 2, "coverage": 2}
PAYLOAD_SLOTS = {"budget_level", "cost_priority", "in_house_expertise", "coverage"}
NATURE_TASKS = {
    "routine": ["routine_process"],
    "expert": ["expert_analysis"],
    "both": ["routine_process", "expert_analysis"],
}
TRACKED = {
    "tasks",
    "budget_level",
    "cost_priority",
    "in_house_expertise",
    "missing_skills",
    "goals",
    "coverage",
    "budget_amount",
}


REGION_SLOTS = ("company_region", "customer_region")


def read_places(text: str, expecting: str | None, slots: dict[str, Any]) -> dict[str, Any]:
    """Where the company and its customers are, when `text` says so and it is news.

    Right after a follow-up answer asked where they are, a bare place ("the UK") answers that
    question: `expecting` is the role asked about (`guidance.region_question`).
    """
    places = regions_in(text, expecting)
    return {slot: value for slot, value in places.items() if slot in REGION_SLOTS and slots.get(slot) != value}


def guidance_requirements(text: str, slots: dict[str, Any]) -> dict[str, Any]:
    """Regulations and sensitive data a follow-up question names ("is our patient data safe?"):
    they are facts about the work, kept in `requirements` like those read from statements."""
    named = data_rules.facts_in(text)
    known = list(slots.get("requirements") or [])
    added = [key for key in named if key not in known]
    return {"requirements": known + list(dict.fromkeys(added))} if added else {}


def payload_changes(entities: list[dict[str, Any]], slots: dict[str, Any]) -> dict[str, Any]:
    """Facts from button payloads such as /inform{"budget_level": "tight"}."""
    changes: dict[str, Any] = {}
    for entity in entities or []:
        name, value = entity.get("entity"), entity.get("value")
        if entity.get("extractor") not in (None, "RegexInterpreter", "RegexMessageHandler"):
            continue
        if name in PAYLOAD_SLOTS and value is not None:
            changes[name] = value
        elif name == "goals" and value:
            values = value if isinstance(value, list) else [value]
            goals = [g for g in (slots.get("goals") or []) if g != UNKNOWN]
            changes["goals"] = list(dict.fromkeys(goals + values))
        elif name == "nature" and value in NATURE_TASKS:
            tasks = list(slots.get("tasks") or [])
            changes["tasks"] = list(dict.fromkeys(tasks + NATURE_TASKS[value]))
            changes["unclear_task"] = None
    if changes.get("budget_level") == "tight" and "cost_priority" not in changes:
        changes["cost_priority"] = True
    if changes.get("cost_priority") is True:
        goals = list(changes.get("goals") or slots.get("goals") or [])
        if "cost_reduction" not in goals:
            changes["goals"] = [g for g in goals if g != UNKNOWN] + ["cost_reduction"]
    return {k: v for k, v in changes.items() if slots.get(k) != v}


class ActionExtractFacts(Action):
    """Reads tasks, budget, expertise, goals and coverage from the latest message."""

    @staticmethod
    def _retry(tracker: Tracker, requested: str) -> dict[str, Any]:
        """No answer read for the question just asked: ask once more, then move on as "unknown"."""
        previous = tracker.get_slot("retry_slot") or ""
        misses = int(previous.split(":")[1]) + 1 if previous.startswith(requested + ":") else 1
        if misses >= MAX_MISSES.get(requested, 2):
            return {requested: [UNKNOWN] if requested == "goals" else UNKNOWN, "retry_slot": None}
        return {"retry_slot": f"{requested}:{misses}"}

    def name(self) -> str:
        return "action_extract_facts"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        if tracker.active_loop.get("name") in ("lead_form", "call_form"):
            return []  # contact details and call times are not facts about the work
        if (latest_intent(tracker) or "").startswith("EXTERNAL_"):
            return []  # a reminder or the sales console, not the visitor's words
        events: list[EventType] = []
        raw = tracker.latest_message.get("text") or ""
        intent = latest_intent(tracker)
        requested = tracker.get_slot("requested_slot")
        slots = fact_slots(tracker)
        text = original = latest_text(tracker)

        kind = inputs.classify(text)
        # (Over-long messages: the notice comes from serving/guard.py; Rasa keeps only
        # SlotSet events from a slot-mapping action, so it cannot be said here.)
        text = text[: inputs.MAX_MESSAGE_CHARS]
        # A statement made while a question is pending is an answer, whatever intent
        # NLU gave it ("Convince investors." is not a request to start over), unless
        # it says in so many words that it is a command.
        answering = bool(requested) and not looks_like_question(original) and not COMMAND.search(original)
        if kind in inputs.NOT_READ or (intent in NO_EXTRACTION_INTENTS and not answering):
            text = ""
        elif not answering and (intent in QUESTION_INTENTS or (requested and QUESTION_START.match(original))):
            # "Do you work with small companies?" while the budget is asked is a question, not "small".
            text = statements_only(text)

        # While a question is pending, a statement is an answer whatever intent it got.
        allow_unclear = bool(text) and (intent in UNCLEAR_ANSWER_INTENTS or answering)
        if kind == "markup":
            text = inputs.strip_markup(text)
        # "Yes, please connect me with a specialist" is not a yes to the question being asked.
        reading_for = None if HUMAN_REQUEST.search(original) else requested
        facts = await off_loop(extract, text, reading_for) if text else None
        changes = merge(facts, slots, reading_for, text, allow_unclear) if facts else {}
        if raw.startswith("/"):
            changes.update(payload_changes(tracker.latest_message.get("entities"), {**slots, **changes}))
        learned_something = any(k in TRACKED for k in changes)
        if requested in RETRYABLE and requested not in changes and allow_unclear and not learned_something:
            changes.update(self._retry(tracker, requested))
        elif tracker.get_slot("retry_slot") and (not requested or requested in changes):
            changes["retry_slot"] = None
        learned = any(k in TRACKED for k in changes)
        events.extend(SlotSet(k, v) for k, v in changes.items())
        events += await self._places_and_rules(tracker, intent, original, kind, answering, learned)

        if learned or tracker.get_slot("new_facts"):
            events.append(SlotSet("new_facts", learned))
        return events

    @staticmethod
    async def _places_and_rules(
        tracker: Tracker, intent: str | None, original: str, kind: str, answering: bool, learned: bool
    ) -> list[EventType]:
        """Where the company and customers are, the rules a follow-up question names, and
        whether this message answers the "where are you?" of the last follow-up answer."""
        pending = tracker.get_slot("guidance_topic")
        text = original[: inputs.MAX_MESSAGE_CHARS]
        if kind in inputs.NOT_READ or (intent in NO_EXTRACTION_INTENTS and not answering):
            text = ""
        slots = {name: tracker.get_slot(name) for name in (*REGION_SLOTS, "requirements")}
        expecting = None
        if pending and text:  # the role the pending answer asked about, from what was known before this message
            asked = region_question(pending, replace(situation(tracker), text=""))
            expecting = asked[0] if asked else None
        changes = await off_loop(read_places, text, expecting, slots) if text else {}
        if intent in GUIDANCE_INTENTS.values() and text:
            changes.update(guidance_requirements(text, slots))
        events: list[EventType] = [SlotSet(k, v) for k, v in changes.items()]
        followup = bool(pending) and any(k in REGION_SLOTS for k in changes) and not learned
        if pending and not followup and intent not in GUIDANCE_INTENTS.values():
            events.append(SlotSet("guidance_topic", None))  # the question went unanswered: drop it
        if followup or tracker.get_slot("guidance_followup"):
            events.append(SlotSet("guidance_followup", followup))
        return events
