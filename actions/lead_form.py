"""`lead_form`'s answers: reading them (corrections, an email typed with another answer,
"stop", consent) and checking them, and the `validate_lead_form` action that does both.

The offer, storing and the privacy actions are in actions/leads.py.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from rasa_sdk import FormValidationAction, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.slots import latest_intent
from advisor.knowledge import answer as knowledge_answer
from leads import parse_company_size, validate_email, validate_name

FORM = "lead_form"
FIELDS = {
    "lead_full_name": "full_name",
    "lead_email": "email",
    "lead_company": "company",
    "lead_role": "role",
    "lead_company_size": "company_size",
    "lead_timeline": "timeline",
}
LABELS = {
    "lead_full_name": "name",
    "lead_email": "email address",
    "lead_company": "company",
    "lead_role": "role",
    "lead_company_size": "company size",
    "lead_timeline": "timeline",
}
TEXT_MAX_CHARS = 200

# --- reading answers --------------------------------------------------------------------

_FILLER = (
    r"(?:(?:sorry|oops|actually|wait|no|correction|oh|ah|hm+|ok(?:ay)?|also|and|btw|by the way|i meant|i mean)"
    r"[\s,:;.!-]*)*"
)
_SET = r"(?:(?:change|update|correct|set) (?:my|our|the) {field} to)"
_STATEMENTS = {
    "lead_full_name": r"(?:my (?:full )?name(?: is|'s|:)|(?:full )?name:|" + _SET.format(field="(?:full )?name") + ")",
    "lead_email": (
        r"(?:my (?:work )?e-?mail(?: address)?(?: is|'s|:)|(?:work )?e-?mail(?: address)?:|"
        + _SET.format(field="(?:work )?e-?mail(?: address)?")
        + ")"
    ),
    "lead_company": (
        r"(?:(?:my|our|the) company(?: name)?(?: is|'s|:)|company(?: name)?:|i work (?:at|for)|"
        + _SET.format(field="company(?: name)?")
        + ")"
    ),
    "lead_role": (
        r"(?:my (?:role|title|job title|job|position)(?: is|'s|:)|(?:role|title|job title|position):|"
        + _SET.format(field="(?:role|title|job title|position)")
        + ")"
    ),
}
_STATEMENT_RES = {
    slot: re.compile(rf"^\s*{_FILLER}{pattern}\s*(?:actually\s+)?(?P<value>.+?)\s*$", re.IGNORECASE | re.DOTALL)
    for slot, pattern in _STATEMENTS.items()
}
_EMAIL_TOKEN = re.compile(r"[^\s<>()\[\],;:\"'@]+@[^\s<>()\[\],;:\"'@]+")
_EMAIL_WORDS = re.compile(r"\b(?:and\s+)?(?:my\s+)?(?:work\s+)?e-?mail(?:\s+address)?(?:\s+is)?\b", re.IGNORECASE)
_STOP = re.compile(
    r"^\s*(?:no[\s,.!]*)?(?:thanks[\s,.!]*|thank you[\s,.!]*)?"
    r"(?:stop|cancel|quit|never ?mind|forget it|no thanks|no thank you|not interested|"
    r"i(?:'ve| have)? changed my mind|"
    r"i don'?t want (?:to )?(?:be contacted|be called|share (?:this|that|it|my details|my data)|"
    r"give (?:you )?(?:my details|it|that|this)))[\s.!]*$",
    re.IGNORECASE,
)
_BARE_NO = re.compile(r"^\s*(?:no|nope|nah|no,? thanks?)[\s.!]*$", re.IGNORECASE)
_CONSENT_YES = re.compile(
    r"^\s*(?:/affirm|y|yes|yeah|yep|yup|sure|ok|okay|of course|i agree|agreed|i consent|go ahead|"
    r"please do|fine|absolutely|definitely)\b",
    re.IGNORECASE,
)
_CONSENT_NO = re.compile(
    r"^\s*(?:/deny|n|no|nope|nah|never|i don'?t|i do not|don'?t|do not|i disagree|i'?d rather not|rather not)\b",
    re.IGNORECASE,
)
QUESTION_INTENTS = {"ask_knowledge", "ask_what_if", "ask_tradeoffs", "ask_capabilities", "request_human"}


def statement(text: str) -> tuple[str, str] | None:
    """("lead_company", "Globex") for "sorry, my company is actually Globex"; None otherwise."""
    for slot, pattern in _STATEMENT_RES.items():
        match = pattern.match(text or "")
        if match and match.group("value").strip():
            return slot, match.group("value").strip()
    return None


def split_email(text: str) -> tuple[str | None, str]:
    """A valid email address inside `text` (normalised) and the rest of the text."""
    tokens = list(_EMAIL_TOKEN.finditer(text or ""))
    if len(tokens) != 1:
        return None, text
    token = tokens[0]
    check = validate_email(token.group(0).rstrip("."))
    if not check.ok:
        return None, text
    rest = _EMAIL_WORDS.sub(" ", text[: token.start()] + text[token.end() :])
    rest = re.sub(r"\s+(?:and|&)\s*$", "", rest.strip(" \t,;:-–—()<>[]"))
    return check.email, rest.strip(" \t,;:-–—()<>[]")


def volunteered(text: str) -> dict[str, str]:
    """Contact details stated in a message outside the form ("my email is jane@acme.com")."""
    found: dict[str, str] = {}
    said = statement(text)
    if said:
        found[said[0]] = said[1]
    email, _ = split_email(text)
    if email:
        found["lead_email"] = email
    checked = {}
    for slot, value in found.items():
        good, _ = check_field(slot, value)
        if good is not None:
            checked[slot] = good
    return checked


def _text_problem(label: str, value: str) -> str | None:
    if not value:
        return f"Please type your {label}."
    if value.startswith("/"):
        return f"Please type your {label} in words."
    if len(value) > TEXT_MAX_CHARS:
        return f"That's {len(value):,} characters; please keep your {label} to {TEXT_MAX_CHARS} characters or fewer."
    if any(unicodedata.category(ch) in ("Cc", "Cs") for ch in value):
        return f"Please type your {label} on one line, without control characters."
    return None


def check_field(slot: str, raw: Any) -> tuple[str | None, str | None]:
    """(value to keep, None) or (None, what to tell the user) for one lead answer."""
    text = raw.strip() if isinstance(raw, str) else ""
    if slot == "lead_email":
        embedded, _ = split_email(text)  # "it's jane@acme.com, thanks" -> the address
        text = embedded or text
        check = validate_email(text)
        return (check.email, None) if check.ok else (None, check.message)
    if slot == "lead_full_name":
        if text.startswith("/"):
            return None, "Please type your name in words."
        check = validate_name(text)
        if check.ok and any(unicodedata.category(ch) == "Cs" for ch in check.name or ""):
            return None, "Please type your name without unusual control characters."
        return (check.name, None) if check.ok else (None, check.message)
    problem = _text_problem(LABELS[slot], text)
    if not problem and slot == "lead_company_size" and parse_company_size(text) is None and not _NO_SIZE.search(text):
        problem = (
            "I need a head count for that one: a number such as 40, a range such as 10-50, or a word "
            'such as "small". Roughly how many people work at your company?'
        )
    return (None, problem) if problem else (text, None)


_NO_SIZE = re.compile(r"\b(?:rather\s+not|prefer\s+not|not\s+sure|don'?t\s+know|no\s+idea|n/?a)\b", re.IGNORECASE)


def consent_answer(text: str, intent: str | None) -> bool | None:
    """True/False for a clear yes/no to the consent question, else None."""
    if intent == "dont_know":
        return None
    if intent == "affirm" or _CONSENT_YES.match(text or ""):
        return True
    if intent in ("deny", "withdraw_consent") or _CONSENT_NO.match(text or ""):
        return False
    return None


def wants_to_stop(text: str, intent: str | None) -> bool:
    """ "stop", "never mind", "no thanks" while giving details: the user declines the hand-off."""
    return bool(_STOP.match(text or "")) or (intent == "deny" and bool(_BARE_NO.match(text or "")))


# --- the form ---------------------------------------------------------------------------


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
                    dispatcher.utter_message(text="Thanks, I've noted your email address.")
                    return {**changes, slot: None}
        good, problem = check_field(slot, value)
        if problem:
            dispatcher.utter_message(text=problem)
        return {**changes, slot: good}

    @staticmethod
    def _digress(intent: str, text: str, dispatcher: CollectingDispatcher) -> None:
        if intent == "ask_knowledge":
            dispatcher.utter_message(text=knowledge_answer(text).text)
            dispatcher.utter_message(text="Now, back to your details:")
        elif intent == "request_human":
            dispatcher.utter_message(
                text="That's exactly what this is for: with these details a specialist will contact you."
            )
        else:
            dispatcher.utter_message(text="Happy to go into that once we've finished your details.")

    @staticmethod
    def _correct(slot: str, said: tuple[str, str], dispatcher: CollectingDispatcher) -> dict[str, Any]:
        other, value = said
        good, problem = check_field(other, value)
        if problem:
            dispatcher.utter_message(text=problem)
            return {slot: None}
        dispatcher.utter_message(text=f"Thanks, I've updated your {LABELS[other]}.")
        return {other: good, slot: None}

    async def validate_lead_full_name(self, value: Any, dispatcher, tracker, domain) -> dict[str, Any]:
        return await self._answer("lead_full_name", value, dispatcher, tracker)

    async def validate_lead_email(self, value: Any, dispatcher, tracker, domain) -> dict[str, Any]:
        result = await self._answer("lead_email", value, dispatcher, tracker)
        email = result.get("lead_email")
        if email and tracker.get_slot("requested_slot") == "lead_email" and validate_email(email).is_freemail:
            domain_name = email.rsplit("@", 1)[-1]
            dispatcher.utter_message(
                text=f"Thanks. Just so you know, {domain_name} is a personal address; a work address "
                "helps our team reach the right people, but this one works too."
            )
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
            dispatcher.utter_message(text="Please answer yes or no.")
        return {"lead_consent": consent}
