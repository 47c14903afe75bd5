"""Defects found by talking to the assistant over REST the way a buyer would (thirteenth
session), each replayed against a real Rasa server and action server (the session `stack`)."""

from __future__ import annotations

from advisor import texts as words
from tests.support.buyer import reach_advice, slots
from tests.support.buyer import texts as said
from tests.support.stack import Stack

SAAS_OPENING = (
    "We're a SaaS startup. We need help with customer onboarding emails and tier-1 support tickets, "
    "plus a pricing strategy review before our Series A."
)
SAAS_ANSWERS = {
    "budget_level": "around 8000 euros a month",
    "in_house_expertise": "we know support but nobody has done pricing",
    "goals": "grow faster",
    "coverage": "business hours is fine",
}


def test_work_taken_back_in_other_words_changes_the_advice(stack: Stack, sender: str) -> None:
    reach_advice(stack, sender, SAAS_OPENING, SAAS_ANSWERS)
    before = slots(stack, sender)
    assert before["recommendation"] == "hybrid"
    assert "hr_payroll" not in before["tasks"], "customer onboarding was read as HR"
    replies = stack.say(sender, "actually drop the pricing review, we'll do it ourselves")
    after = slots(stack, sender)
    assert "strategic_consulting" not in after["tasks"]
    assert after["recommendation"] == "bpo", said(replies)
    assert "Nothing you've told me changes the advice" not in said(replies)


def test_a_what_if_about_half_the_budget_is_understood(stack: Stack, sender: str) -> None:
    reach_advice(stack, sender, SAAS_OPENING, SAAS_ANSWERS)
    replies = stack.say(sender, "what if the budget were half that?")
    assert "Tell me what would change" not in said(replies), said(replies)
    assert slots(stack, sender)["budget_amount"] == 8000  # a what-if changes no fact


def test_a_budget_figure_opening_with_we_have_does_not_make_cost_the_priority(stack: Stack, sender: str) -> None:
    stack.say(sender, "We need someone to scan and index 40,000 member files and do the data entry.")
    assert slots(stack, sender)["requested_slot"] == "budget_level"
    stack.say(sender, "we have a budget of 300k")
    current = slots(stack, sender)
    assert current["budget_amount"] == 300000
    assert current.get("cost_priority") is not True


def test_place_and_contract_answers_inside_the_questions_use_the_work_already_named(stack: Stack, sender: str) -> None:
    stack.say(sender, "We want someone to handle claims intake calls and data entry, plus a market-entry study.")
    assert slots(stack, sender)["requested_slot"] == "budget_level"
    place = said(stack.say(sender, "where should the provider be located?"))
    assert words.say("location.sharpen_advice") not in place
    assert "For BPO: " in place and "For KPO: " in place
    contract = said(stack.say(sender, "how do we contract this?"))
    assert words.say("contract.sharpen_advice") not in contract
    assert "managed service" in contract.lower() and "fixed-price project" in contract.lower()


def test_questions_about_a_hybrid_and_about_one_model_get_answers_about_them(stack: Stack, sender: str) -> None:
    hybrid = said(stack.say(sender, "what does a hybrid look like in practice?"))
    assert hybrid.startswith(words.say("knowledge.answers.hybrid.both")[:40]), hybrid
    place = said(stack.say(sender, "which countries are best for kpo?"))
    assert "For KPO: " in place and "For BPO: " not in place


def test_a_correction_inside_the_questions_is_said_back_before_the_question_comes_again(
    stack: Stack, sender: str
) -> None:
    first = stack.say(
        sender,
        "We need a research firm to do a customer satisfaction survey and analyse the results, "
        "and someone to handle our inbound sales calls",
    )
    question = said(first).splitlines()[-1]
    replies = stack.say(sender, "Sorry, not sales calls, I meant customer service calls")
    assert "sales" not in slots(stack, sender)["tasks"]
    # customer support was already read from "inbound": the change is the sales work gone
    assert said(replies).startswith("Noted: sales and lead generation taken off the list."), said(replies)
    assert said(replies[-1:]) == question  # then the pending question again
    stack.say(sender, "about £3k a month, cost matters")
    assert slots(stack, sender)["cost_priority"] is True
    stack.say(sender, "we have no research people")
    assert slots(stack, sender)["in_house_expertise"] == "no"


def test_a_solo_owner_answers_the_know_how_question_and_hours_given_early_are_noted(stack: Stack, sender: str) -> None:
    stack.say(
        sender,
        "I own a small e-commerce shop selling handmade jewelry. I'm drowning in customer emails and order "
        "updates. Also thinking about whether to expand into the UK market but have no idea how.",
    )
    stack.say(sender, "maybe 1500 a month, money is tight")
    assert slots(stack, sender)["requested_slot"] == "in_house_expertise"
    replies = stack.say(sender, "I do everything myself")
    assert "couldn't read an answer" not in said(replies), said(replies)
    assert slots(stack, sender)["in_house_expertise"] == "partial"
    assert slots(stack, sender)["requested_slot"] == "goals"
    replies = stack.say(sender, "evenings would be nice")
    assert slots(stack, sender)["coverage"] == "extended"
    assert words.say("conversation.didnt_catch") not in said(replies), said(replies)


def test_questions_in_a_row_get_the_answer_they_ask_for(stack: Stack, sender: str) -> None:
    assert "BPO" in said(stack.say(sender, "is bookkeeping bpo or kpo?"))
    modelling = said(stack.say(sender, "what about financial modelling?"))
    assert "is KPO" in modelling, modelling  # a classification, not the data rules
    risks = said(stack.say(sender, "what are the risks of outsourcing?"))
    assert risks.startswith(words.say("knowledge.answers.risks.both")[:40]), risks
    stack.say(sender, "We need someone to keep our books and run payroll.")
    assert slots(stack, sender)["requested_slot"] == "budget_level"
    setup = said(stack.say(sender, "how long does it take to set up?"))
    assert setup.startswith(words.say("knowledge.answers.setup.both")[:40]), setup
    stack.say(sender, "do you work with small companies?")
    current = slots(stack, sender)
    assert current.get("budget_level") is None, "a question was read as the budget answer"
    assert current["requested_slot"] == "budget_level"


def test_a_message_of_several_questions_gets_an_answer_for_each(stack: Stack, sender: str) -> None:
    replies = said(stack.say(sender, "What is BPO? What is KPO? Which one for payroll? And how much?"))
    assert "BPO (business process outsourcing)" in replies
    assert "KPO (knowledge process outsourcing)" in replies
    assert "payroll is BPO" in replies
    assert "per full-time person a month" in replies  # and the cost
