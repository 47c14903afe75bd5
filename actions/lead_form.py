"""`validate_lead_form`: what to do with each answer to the lead form.

Reading and checking the answers (corrections, an email typed with another answer,
"stop", consent, field checks) is plain Python in `leads.answers`; this action decides
what to say and which slots to set. The offer, storing and the privacy actions are in
actions/leads.py.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import FormValidationAction, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.slots import latest_intent
from advisor.knowledge import answer as knowledge_answer
from advisor.texts import say
from leads import validate_email
from leads.answers import check_field, consent_answer, label, split_email, statement, wants_to_stop

FORM = "lead_form"
QUESTION_INTENTS = {"ask_knowledge", "ask_what_if", "ask_tradeoffs", "ask_capabilities", "request_human"}


class ValidateLeadForm(FormValidationAction):
    """Checks each contact answer; explains and asks again when one can't be used.

    * name: any script or emoji up to 200 characters; email: `leads.validate_email`
      (a free-mail address is accepted and noted); other answers: up to 200 characters on
      one line. Values are kept exactly as typed (outer spaces removed).
    * "sorry, my company is Globex" at any question corrects that answer instead;
      an email address typed with another answer is picked out.
    * "stop", "never mind", "no thanks" ends the form without consent (nothing stored).
    * a question ("what is KPO?") is answered, then the same question is asked again.
    """

    def name(self) -> str:
        return "validate_lead_form"

    async def _answer(
        self, slot: str, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> dict[str, Any]:
        if tracker.get_slot("requested_slot") != slot or not isinstance(value, str):
            good, _ = check_field(slot, value)  # pre-filled before the form asked: check quietly
            return {slot: good}
        intent = latest_intent(tracker)
        if wants_to_stop(value, intent):
            return {slot: None, "lead_consent": False, "requested_slot": None}
        if intent in QUESTION_INTENTS and value.rstrip().endswith("?"):
            self._digress(intent, value, dispatcher)
            return {slot: None}
        said = statement(value)
        if said and said[0] != slot:
            return self._correct(slot, said, dispatcher)
        if said:
            value = said[1]
        changes: dict[str, Any] = {}
        if slot in ("lead_full_name", "lead_company", "lead_role"):
            email, rest = split_email(value)
            if email:
                changes["lead_email"] = email
                value = rest
                if not rest:
                    dispatcher.utter_message(text=say("leads.email_noted"))
                    return {**changes, slot: None}
        good, problem = check_field(slot, value)
        if problem:
            dispatcher.utter_message(text=problem)
        return {**changes, slot: good}

    @staticmethod
    def _digress(intent: str, text: str, dispatcher: CollectingDispatcher) -> None:
        if intent == "ask_knowledge":
            dispatcher.utter_message(text=knowledge_answer(text).text)
            dispatcher.utter_message(text=say("leads.digress.back_to_details"))
        elif intent == "request_human":
            dispatcher.utter_message(text=say("leads.digress.request_human"))
        else:
            dispatcher.utter_message(text=say("leads.digress.later"))

    @staticmethod
    def _correct(slot: str, said: tuple[str, str], dispatcher: CollectingDispatcher) -> dict[str, Any]:
        other, value = said
        good, problem = check_field(other, value)
        if problem:
            dispatcher.utter_message(text=problem)
            return {slot: None}
        dispatcher.utter_message(text=say("leads.updated", field=label(other)))
        return {other: good, slot: None}

    async def validate_lead_full_name(self, value: Any, dispatcher, tracker, domain) -> dict[str, Any]:
        return await self._answer("lead_full_name", value, dispatcher, tracker)

    async def validate_lead_email(self, value: Any, dispatcher, tracker, domain) -> dict[str, Any]:
        result = await self._answer("lead_email", value, dispatcher, tracker)
        email = result.get("lead_email")
        if email and tracker.get_slot("requested_slot") == "lead_email" and validate_email(email).is_freemail:
            domain_name = email.rsplit("@", 1)[-1]
            dispatcher.utter_message(text=say("leads.freemail", domain=domain_name))
        return result

    async def validate_lead_company(self, value: Any, dispatcher, tracker, domain) -> dict[str, Any]:
        return await self._answer("lead_company", value, dispatcher, tracker)

    async def validate_lead_role(self, value: Any, dispatcher, tracker, domain) -> dict[str, Any]:
        return await self._answer("lead_role", value, dispatcher, tracker)

    async def validate_lead_company_size(self, value: Any, dispatcher, tracker, domain) -> dict[str, Any]:
        return await self._answer("lead_company_size", value, dispatcher, tracker)

    async def validate_lead_timeline(self, value: Any, dispatcher, tracker, domain) -> dict[str, Any]:
        return await self._answer("lead_timeline", value, dispatcher, tracker)

    async def validate_lead_consent(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if isinstance(value, bool):
            return {"lead_consent": value}
        if tracker.get_slot("requested_slot") != "lead_consent" or not isinstance(value, str):
            return {"lead_consent": None}
        said = statement(value)
        if said:
            return self._correct("lead_consent", said, dispatcher)
        consent = consent_answer(value, latest_intent(tracker))
        if consent is None:
            dispatcher.utter_message(text=say("leads.consent.yes_or_no"))
        return {"lead_consent": consent}
