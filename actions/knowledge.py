"""`action_answer_question`: answers questions about BPO and KPO from `advisor.knowledge`."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.slots import latest_text, off_loop
from advisor.inputs import MAX_MESSAGE_CHARS
from advisor.knowledge import answer, answers_each
from advisor.texts import say


class ActionAnswerQuestion(Action):
    """Finds the topic and subject of the question and answers it in plain words."""

    def name(self) -> str:
        return "action_answer_question"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        text = latest_text(tracker)[:MAX_MESSAGE_CHARS]
        each = await off_loop(answers_each, text)
        if len(each) > 1:  # "What is BPO? What is KPO?": every question gets its answer
            dispatcher.utter_message(text="\n".join(a.text for a in each))
        else:
            reply = await off_loop(answer, text)
            dispatcher.utter_message(text=reply.text)
        if tracker.active_loop.get("name"):
            dispatcher.utter_message(text=say("conversation.back_to_questions"))
        return []
