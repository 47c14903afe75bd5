"""Reading and checking a visitor's answers to the lead form (plain Python, no Rasa imports).

The form's questions are the `lead_*` slots (FIELDS maps each to the lead field it fills).
What a visitor types is read here, the form action (actions/lead_form.py) only decides
what to do with the result:

* :func:`statement`: "sorry, my company is actually Globex" names the answer it changes;
* :func:`split_email`: an email address typed with another answer is picked out;
* :func:`volunteered`: contact details said outside the form ("my email is ...");
* :func:`check_field`: the value to keep, or what to tell the visitor;
* :func:`consent_answer` and :func:`wants_to_stop`: yes/no to consent, and "stop" at any question.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from advisor.texts import say

from .validation import parse_company_size, validate_email, validate_name

FIELDS = {
    "lead_full_name": "full_name",
    "lead_email": "email",
    "lead_company": "company",
    "lead_role": "role",
    "lead_company_size": "company_size",
    "lead_timeline": "timeline",
}
TEXT_MAX_CHARS = 200

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
_NO_SIZE = re.compile(r"\b(?:rather\s+not|prefer\s+not|not\s+sure|don'?t\s+know|no\s+idea|n/?a)\b", re.IGNORECASE)


def label(slot: str) -> str:
    """A contact field as named in sentences: "email address" (domain/texts/leads.yml)."""
    return say(f"leads.fields.{slot}")


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


_NAME_WORD = r"[^\W\d_][\w'’.-]*"  # starts with a letter of any script
_BARE_NAME = re.compile(rf"^\s*{_NAME_WORD}(?:\s+{_NAME_WORD}){{1,3}}\s*[.!]?\s*$")


# Words that make a short reply something other than a name: "no thanks", "talk to a human".
_NOT_NAME_WORDS = frozenset(
    """
    yes yeah yep yup no nope nah not ok okay sure fine thanks thank please pls later maybe now
    talk speak chat call connect contact me my i we us you a an the to with for and or of it
    that this human person agent rep representative specialist expert someone somebody sales
    team hello hi hey good great cool perfect sounds go ahead stop cancel never mind help bpo
    kpo hybrid what why how when where who which is are do does can could would
    """.split()  # noqa: SIM905 - a word list reads best as words
)


def bare_name(text: str) -> str | None:
    """ "Jane Doe" typed as the answer to "may a specialist follow up?": two to four words of
    letters, nothing else. None for anything that could be another answer."""
    if not _BARE_NAME.match(text or ""):
        return None
    words = re.findall(_NAME_WORD, text.lower())
    if any(word.strip(".'’") in _NOT_NAME_WORDS for word in words):
        return None
    good, _ = check_field("lead_full_name", text.strip().rstrip(".!"))
    return good


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
        return say("leads.problems.missing", label=label)
    if value.startswith("/"):
        return say("leads.problems.not_in_words", label=label)
    if len(value) > TEXT_MAX_CHARS:
        return say("leads.problems.too_long", length=f"{len(value):,}", label=label, max=TEXT_MAX_CHARS)
    if any(unicodedata.category(ch) in ("Cc", "Cs") for ch in value):
        return say("leads.problems.control_characters", label=label)
    return None


def check_field(slot: str, raw: Any) -> tuple[str | None, str | None]:
    """(value to keep, None) or (None, what to tell the user) for one lead answer."""
    text = raw.strip() if isinstance(raw, str) else ""
    if slot == "lead_email":
        embedded, _ = split_email(text)  # "it's jane@acme.com, thanks" -> the address
        text = embedded or text
        email = validate_email(text)
        return (email.email, None) if email.ok else (None, email.message)
    if slot == "lead_full_name":
        if text.startswith("/"):
            return None, say("leads.problems.not_in_words", label=label(slot))
        check = validate_name(text)
        if check.ok and any(unicodedata.category(ch) == "Cs" for ch in check.name or ""):
            return None, say("leads.problems.name_surrogates")
        return (check.name, None) if check.ok else (None, check.message)
    problem = _text_problem(label(slot), text)
    if not problem and slot == "lead_company_size" and parse_company_size(text) is None and not _NO_SIZE.search(text):
        problem = say("leads.problems.company_size")
    return (None, problem) if problem else (text, None)


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
