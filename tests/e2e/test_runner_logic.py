"""The e2e runner itself, checked against an in-memory fake of the REST stack (no server)."""

from __future__ import annotations

from typing import Any

from tests.support.e2e_runner import (
    Conversation,
    Turn,
    detect_question,
    parse_conversation,
    repeated_questions,
    run_conversation,
)

ORDER = ("tasks", "budget_level", "in_house_expertise", "goals", "coverage")


class FakeStack:
    """A toy form: fills the requested slot with the raw text and asks for the next one.

    `with_metadata=False` asks like a custom `action_ask_*` (no utter_action metadata);
    `reask` names a slot the fake asks for once more after it was filled.
    """

    def __init__(self, with_metadata: bool = True, reask: str | None = None) -> None:
        self.events: list[dict[str, Any]] = []
        self.slots: dict[str, Any] = dict.fromkeys(ORDER)
        self.slots.update(requested_slot=None, recommendation=None)
        self.with_metadata = with_metadata
        self.reask = reask
        self.received: list[str] = []

    def _set(self, name: str, value: Any) -> None:
        self.slots[name] = value
        self.events.append({"event": "slot", "name": name, "value": value})

    def _ask(self, slot: str) -> list[dict[str, Any]]:
        self._set("requested_slot", slot)
        metadata = {"utter_action": f"utter_ask_{slot}"} if self.with_metadata else {}
        text = f"Tell me about {slot}?"
        self.events.append({"event": "bot", "text": text, "metadata": metadata})
        return [{"recipient_id": "x", "text": text}]

    def say(self, sender: str, text: str) -> list[dict[str, Any]]:
        self.received.append(text)
        self.events.append({"event": "user", "text": text})
        if text.startswith("why"):
            self.events.append({"event": "bot", "text": "Because.", "metadata": {}})
            return [{"text": "Because."}, *self._ask(self.slots["requested_slot"])]
        requested = self.slots["requested_slot"]
        if requested:
            self._set(requested, text)
        if self.reask and self.slots[self.reask] is not None:
            reask, self.reask = self.reask, None
            return self._ask(reask)
        for slot in ORDER:
            if self.slots[slot] is None:
                return self._ask(slot)
        self._set("requested_slot", None)
        self._set("recommendation", "bpo")
        self.events.append({"event": "bot", "text": "BPO it is.", "metadata": {}})
        return [{"text": "BPO it is."}]

    def tracker(self, sender: str) -> dict[str, Any]:
        return {"events": list(self.events), "slots": dict(self.slots)}


CONVERSATION = parse_conversation(
    {
        "id": "fake",
        "description": "fake",
        "recommendation": "bpo",
        "turns": ["hello", {"say": "why do you ask?", "on_ask": "budget"}],
        "answers": {
            "tasks": "payroll",
            "budget": ["tight", "never used twice"],
            "expertise": "yes",
            "goals": "cost",
            "coverage": "24/7",
        },
    }
)


def test_runner_answers_each_question_from_the_map_and_digresses_on_cue() -> None:
    stack = FakeStack()
    outcome = run_conversation(stack, CONVERSATION, "s")
    assert stack.received == [
        "hello",
        "payroll",
        "why do you ask?",
        "tight",
        "yes",
        "cost",
        "24/7",
    ]
    assert outcome.actual == "bpo" and outcome.correct
    assert outcome.repeated == [] and outcome.error is None


def test_runner_falls_back_to_requested_slot_without_utter_action_metadata() -> None:
    stack = FakeStack(with_metadata=False)
    outcome = run_conversation(stack, CONVERSATION, "s")
    assert outcome.actual == "bpo"
    assert stack.received[1:3] == ["payroll", "why do you ask?"]
    assert detect_question(stack.tracker("s")) is None


def test_a_question_for_a_filled_slot_is_reported_with_or_without_metadata() -> None:
    for with_metadata in (True, False):
        stack = FakeStack(with_metadata=with_metadata, reask="tasks")
        outcome = run_conversation(stack, CONVERSATION, "s")
        assert [r["slot"] for r in outcome.repeated] == ["tasks"], with_metadata


def test_after_turn_follows_its_answer_and_unused_or_unscripted_turns_are_noted() -> None:
    conversation = Conversation(
        id="c",
        description="c",
        recommendation="bpo",
        turns=(
            Turn(say="open", at=0),
            Turn(say="actually bigger", after="budget"),
            Turn(say="fixed seventh", at=6),
        ),
        answers={
            "tasks": ("t",),
            "budget": ("b",),
            "expertise": ("e",),
            "goals": ("g",),
        },
    )
    stack = FakeStack()
    outcome = run_conversation(stack, conversation, "s")
    assert stack.received == ["open", "t", "b", "actually bigger", "g", "I don't know."]
    assert "bot asked about 'coverage', which this script did not expect" in outcome.notes
    assert "scripted turn never sent: 'fixed seventh'" in outcome.notes


def test_replay_ignores_questions_for_empty_slots_and_after_a_restart() -> None:
    ask = {"event": "bot", "metadata": {"utter_action": "utter_ask_goals"}}
    events = [
        ask,
        {"event": "slot", "name": "goals", "value": ["cost_reduction"]},
        {"event": "restart"},
        ask,
        {"event": "slot", "name": "goals", "value": []},
        ask,
    ]
    assert repeated_questions(events) == []
    assert len(repeated_questions([*events[:2], ask])) == 1


def test_replay_flags_an_offer_made_again_while_the_first_waits_for_an_answer() -> None:
    offer = {"event": "bot", "metadata": {"utter_action": "utter_offer_specialist"}, "text": "Would you like..."}

    def said(intent: str) -> dict:
        return {"event": "user", "parse_data": {"intent": {"name": intent}}}

    assert repeated_questions([offer, said("inform"), offer])[0]["slot"] == "specialist_offer"
    assert repeated_questions([offer, said("ask_cost"), offer]) == []  # another topic came between
    assert repeated_questions([offer, said("deny"), offer]) == []
    assert repeated_questions([offer, {"event": "restart"}, offer]) == []
