"""A scripted buyer who reaches advice and becomes a lead over REST (real Rasa and action servers).

Used by the lead capture end-to-end tests and the sales console tests, which need a lead
captured through a real conversation.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.support import buyer
from tests.support.buyer import KPO_ANSWERS, KPO_OPENING, slots, texts
from tests.support.stack import Stack

OPENING = KPO_OPENING
ADVISOR_ANSWERS = KPO_ANSWERS  # answers to any advisor question the opening did not settle
CONTACT = {
    "lead_full_name": "Zoë O'Brien-Ünal",
    "lead_email": "zoe.obrien@acme-legal.com",
    "lead_company": "Acme Legal & Research <GmbH>",
    "lead_role": "CEO",
    "lead_company_size": "51-200",
    "lead_timeline": "Right away",
}


def reach_advice(stack: Stack, sender: str, opening: str = OPENING) -> list[dict[str, Any]]:
    """Describe the company and answer whatever is still asked until the advice comes."""
    return buyer.reach_advice(stack, sender, opening, ADVISOR_ANSWERS)


def give_details(stack: Stack, sender: str, contact: dict[str, str]) -> list[list[dict[str, Any]]]:
    """Answer the contact questions in the order they are asked, up to the consent question."""
    transcript = []
    for _ in range(len(contact) + 2):
        requested = slots(stack, sender).get("requested_slot")
        if requested == "lead_consent":
            return transcript
        assert requested in contact, f"unexpected question {requested!r}"
        transcript.append(stack.say(sender, contact[requested]))
    pytest.fail("the consent question was never asked")


def capture(
    stack: Stack, sender: str, consent: str, contact: dict[str, str] = CONTACT, opening: str = OPENING
) -> list[list[dict[str, Any]]]:
    """Advice, yes to the offer, contact details, then `consent` ("/affirm" or "/deny")."""
    transcript = [reach_advice(stack, sender, opening)]
    assert "specialist" in texts(transcript[0]).lower()
    transcript.append(stack.say(sender, "yes please"))
    assert slots(stack, sender)["requested_slot"] == "lead_full_name", texts(transcript[-1])
    transcript += give_details(stack, sender, contact)
    summary = texts(transcript[-1])
    for value in contact.values():
        assert value in summary, f"{value!r} not shown as typed before consent"
    transcript.append(stack.say(sender, consent))
    return transcript
