"""Cost, location, data-rule and contract questions over REST against a real Rasa and action server.

Issue 11, item 5: each kind of follow-up is asked before the advice, inside the questions and
after the advice, and the replies are checked for content: a figure with a currency and a unit,
at least two locations compared, the regulation by name, the contract models; inside the
questions the same question is asked again afterwards, and after the advice the conversation
goes on.
"""

from __future__ import annotations

import re

import pytest

from tests.support.buyer import KPO_ANSWERS, reach_advice, slots, texts
from tests.support.stack import Stack

FIGURE_WITH_UNIT = re.compile(
    r"(?:[$€£]\s?\d[\d,.]*|\d[\d,.]*\s?(?:USD|EUR|GBP|INR))[^.\n]{0,80}?"
    r"(?:a month|an hour|per hour|per month|per full-time person|a year)",
)
RANGE = re.compile(r"[$€£]\s?\d[\d,.]*\s+to\s+[$€£]\s?\d")
CONTRACT_MODELS = ("Dedicated team", "Managed service", "Fixed-price project", "Time and materials", "Outcome-based")
OPENING = "We need someone to run our payroll and a competitor analysis."
ANSWERS = {**KPO_ANSWERS, "budget_level": "Moderate, about 9,000 euros a month."}


def assert_cost(reply: str) -> None:
    """A figure with a currency and a unit, given as a range (never one price, never a quote)."""
    assert FIGURE_WITH_UNIT.search(reply), f"no figure with a currency and a unit in:\n{reply}"
    assert RANGE.search(reply), f"no range in:\n{reply}"


def assert_locations(reply: str) -> None:
    named = [region for region in ("onshore", "nearshore", "offshore") if region in reply.lower()]
    assert len(named) >= 2, f"fewer than two locations compared in:\n{reply}"


def assert_contract(reply: str) -> None:
    missing = [model for model in CONTRACT_MODELS if model.lower() not in reply.lower()]
    assert not missing, f"contract models {missing} missing in:\n{reply}"
    assert "pilot" in reply.lower() and "exit" in reply.lower()  # the provider checklist


def test_before_any_advice_each_follow_up_is_answered(stack: Stack, sender: str) -> None:
    assert_cost(texts(stack.say(sender, "How much would that cost?")))
    assert_locations(texts(stack.say(sender, "Nearshore or offshore?")))
    data = texts(stack.say(sender, "Is our patient data safe with an offshore provider?"))
    assert "HIPAA" in data and "business associate agreement" in data and "not legal advice" in data
    assert_contract(texts(stack.say(sender, "Fixed price or hourly?")))
    current = slots(stack, sender)
    assert current.get("recommendation") is None and current.get("active_loop") is None
    assert current["requirements"], "patient data is kept as a regulated-data fact"
    # ... and the advice can still start as usual.
    stack.say(sender, OPENING)
    assert slots(stack, sender)["requested_slot"] == "budget_level"


def test_inside_the_questions_each_answer_returns_to_the_question(stack: Stack, sender: str) -> None:
    first = stack.say(sender, OPENING)
    question = texts(first).splitlines()[-1]
    assert slots(stack, sender)["requested_slot"] == "budget_level", texts(first)
    for ask, check in (
        ("Roughly what would that cost us?", assert_cost),
        ("Where should the provider be based?", assert_locations),
        ("GDPR?", lambda reply: "GDPR" in reply or None),
        ("How do we contract it?", assert_contract),
    ):
        replies = stack.say(sender, ask)
        said = texts(replies)
        assert check(said) is not False, said
        assert "Now, back to your situation:" in said
        assert texts(replies[-1:]) == question, f"the budget question was not asked again after {ask!r}"
        assert slots(stack, sender)["requested_slot"] == "budget_level"
    stack.say(sender, ANSWERS["budget_level"])
    assert slots(stack, sender)["requested_slot"] == "in_house_expertise"


def test_after_the_advice_answers_fit_what_was_said_and_the_conversation_goes_on(stack: Stack, sender: str) -> None:
    advice = reach_advice(stack, sender, OPENING, ANSWERS)
    current = slots(stack, sender)
    assert current["recommendation"] == "hybrid"
    assert current["brief_url"] and "/brief/" in current["brief_url"]
    card = next(r["custom"] for r in advice if r.get("custom"))
    assert card["type"] == "recommendation" and card["brief_url"] == current["brief_url"]
    assert card["text"] in texts(advice)  # REST clients get the text next to the card

    cost = texts(stack.say(sender, "Roughly what would that cost us?"))
    assert_cost(cost)
    assert "€9,000 a month" in cost  # the user's own budget, in their currency
    assert "not a quote" in cost and "Assumptions" in cost
    assert "payroll" in cost.lower() and "market research" in cost.lower()

    where = texts(stack.say(sender, "Where should the provider be based?"))
    assert_locations(where)
    assert "Where is your company" in where  # asked only because it matters and is unknown
    assert slots(stack, sender)["guidance_topic"] == "location"
    again = texts(stack.say(sender, "We're a UK company and our customers are in Germany."))
    current = slots(stack, sender)
    assert (current["company_region"], current["customer_region"]) == ("uk", "eu")
    assert_locations(again)
    assert "UK" in again and "Where is your company" not in again

    data = texts(stack.say(sender, "Could the analysts be in India, given our customers' data?"))
    assert "GDPR" in data and "standard contractual clauses" in data.lower()
    assert "adequacy" in data and "UK GDPR" in data  # the company is in the UK, its customers in the EU
    assert_contract(texts(stack.say(sender, "Fixed price or hourly?")))

    # The conversation carries on where it was: the advice and its "why" are unchanged.
    why = texts(stack.say(sender, "why?"))
    assert "routine" in why and slots(stack, sender)["recommendation"] == "hybrid"


SUPPORT_OPENING = "We need people to answer our customer support emails."
SUPPORT_ANSWERS = {
    "budget_level": "Tight, cost comes first.",
    "in_house_expertise": "No, we lack it.",
    "goals": "Cut costs.",
    "coverage": "I don't know.",
}


@pytest.mark.parametrize("hours", ["business hours", "weekday business hours are fine"], ids=["short", "sentence"])
def test_hours_typed_after_the_advice_are_noted_not_answered_with_the_advice_again(
    stack: Stack, sender: str, hours: str
) -> None:
    """Defect: after the hybrid advice, "business hours" brought the whole recommendation back."""
    reach_advice(stack, sender, OPENING, ANSWERS)
    before = slots(stack, sender)
    assert (before["recommendation"], before["coverage"]) == ("hybrid", None)

    replies = stack.say(sender, hours)
    said = texts(replies)
    assert "My recommendation:" not in said and not [r for r in replies if r.get("custom")], said
    assert "Noted: business hours are enough" in said, said
    assert "hours of cover don't change the advice: it stays a hybrid of BPO and KPO" in said  # no customer-facing work
    assert "You can ask why" in said  # the next steps
    current = slots(stack, sender)
    assert (current["coverage"], current["recommendation"]) == ("business_hours", "hybrid")
    assert current["brief_url"] == before["brief_url"]

    # Said again, it is not news: still no advice repeated.
    again = stack.say(sender, "business hours are enough for us")
    assert "My recommendation:" not in texts(again) and "changes the advice" in texts(again), texts(again)
    assert "routine" in texts(stack.say(sender, "why?"))  # the conversation goes on


def test_hours_given_after_the_advice_for_customer_work_keep_the_advice_and_move_the_costs(
    stack: Stack, sender: str
) -> None:
    reach_advice(stack, sender, SUPPORT_OPENING, SUPPORT_ANSWERS)
    assert slots(stack, sender)["recommendation"] == "bpo"

    said = texts(stack.say(sender, "business hours"))
    assert "My recommendation:" not in said, said
    assert "Noted: business hours are enough" in said and "it stays BPO" in said
    assert "cost estimates now assume those hours" in said
    assert slots(stack, sender)["coverage"] == "business_hours"


def test_a_shorter_hours_correction_after_the_advice_updates_its_reasons(stack: Stack, sender: str) -> None:
    reach_advice(stack, sender, SUPPORT_OPENING, {**SUPPORT_ANSWERS, "coverage": "24/7"})
    assert "around the clock" in texts(stack.say(sender, "why?"))

    said = texts(stack.say(sender, "actually weekday business hours are fine"))
    assert "My recommendation: BPO" in said and "around the clock" not in said, said  # the advice, updated
    assert slots(stack, sender)["coverage"] == "business_hours"
    assert "around the clock" not in texts(stack.say(sender, "why?"))
