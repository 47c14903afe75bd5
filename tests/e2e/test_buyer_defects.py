"""The conversation defects found when real buyers tried the advisor, each replayed over REST.

Issue "Understand what real buyers write", part 4: every defect has its end-to-end
test here, against a real action server and Rasa server (the session `stack`).
"""

from __future__ import annotations

from tests.support.buyer import slots as _slots
from tests.support.buyer import texts as _texts
from tests.support.stack import Stack


def _until_asked(stack: Stack, sender: str, slot: str, answers: dict[str, str]) -> None:
    """Answer the form until it asks for `slot`."""
    for _ in range(8):
        requested = _slots(stack, sender).get("requested_slot")
        if requested == slot:
            return
        assert requested in answers, f"unexpected question {requested!r}"
        stack.say(sender, answers[requested])
    raise AssertionError(f"the form never asked for {slot}")


PAYROLL = {
    "tasks": "We want to outsource payroll and data entry.",
    "budget_level": "Tight, about 2,000 EUR a month; saving money comes first.",
    "goals": "Lower costs.",
}


def test_asking_for_a_specialist_mid_form_is_not_a_yes_to_the_pending_question(stack: Stack, sender: str) -> None:
    stack.say(sender, PAYROLL["tasks"])
    _until_asked(stack, sender, "in_house_expertise", PAYROLL)
    replies = stack.say(sender, "yes, please connect me with a specialist")
    slots = _slots(stack, sender)
    assert slots.get("in_house_expertise") is None, "the request was taken as 'yes, we have the know-how'"
    assert slots.get("recommendation") is None, "the form ended with advice"
    assert "specialist" in _texts(replies).lower()


def test_asking_for_a_specialist_right_after_the_offer_starts_the_contact_questions(stack: Stack, sender: str) -> None:
    stack.say(sender, "I need help with my customer support, we get too many calls")
    for _ in range(8):
        slots = _slots(stack, sender)
        if slots.get("recommendation"):
            break
        stack.say(
            sender,
            {
                "budget_level": "Moderate.",
                "in_house_expertise": "Yes, we know how.",
                "goals": "Happier customers.",
                "coverage": "Business hours.",
                "tasks": "Customer support.",
            }.get(slots.get("requested_slot"), "ok"),
        )
    assert _slots(stack, sender).get("recommendation") == "bpo"
    replies = stack.say(sender, "yes, please connect me with a specialist")
    assert _slots(stack, sender).get("requested_slot") == "lead_full_name", _texts(replies)
    assert "name" in _texts(replies).lower()


def test_we_need_outside_experts_answers_the_know_how_question(stack: Stack, sender: str) -> None:
    stack.say(sender, "We need a market study for our new product line.")
    _until_asked(stack, sender, "in_house_expertise", {"budget_level": "Moderate.", "goals": "Growth."})
    stack.say(sender, "We need outside experts")
    slots = _slots(stack, sender)
    assert slots.get("in_house_expertise") == "no"
    assert slots.get("requested_slot") != "in_house_expertise", "the same question was asked again"
    assert slots.get("tasks") == ["market_research"], "the answer invented work"


def test_hr_we_know_we_need_strategy_expertise(stack: Stack, sender: str) -> None:
    stack.say(sender, "We want to outsource HR admin.")
    _until_asked(stack, sender, "in_house_expertise", {"budget_level": "Moderate.", "goals": "Growth."})
    stack.say(sender, "HR we know, we need strategy expertise")
    slots = _slots(stack, sender)
    assert "strategic_consulting" in slots["tasks"]
    assert "hr_payroll" in slots["tasks"], "saying the team knows HR dropped the HR work"
    assert slots.get("in_house_expertise") == "partial"
    assert slots.get("missing_skills") == ["strategy"]


def test_no_in_house_team_invents_no_missing_skills(stack: Stack, sender: str) -> None:
    stack.say(sender, PAYROLL["tasks"])
    _until_asked(stack, sender, "in_house_expertise", PAYROLL)
    replies = stack.say(sender, "We have no in-house team for it")
    for _ in range(4):
        slots = _slots(stack, sender)
        if slots.get("recommendation"):
            break
        replies = stack.say(sender, PAYROLL.get(slots.get("requested_slot"), "ok"))
    slots = _slots(stack, sender)
    assert slots.get("recommendation") == "bpo"
    assert not slots.get("missing_skills")
    details = slots.get("recommendation_details") or {}
    assert not details.get("conflicts"), details.get("conflicts")
    assert (slots.get("recommendation_confidence") or 0) >= 0.7
    advice = _texts(replies).lower()
    assert "data science" not in advice and "hr skills" not in advice


def test_repeating_the_description_is_not_taken_as_routine_work(stack: Stack, sender: str) -> None:
    description = "We want someone to handle the blockchain stuff for our supply chain."
    stack.say(sender, "Hi, I'd like some advice on outsourcing.")
    _until_asked(stack, sender, "tasks", {})
    stack.say(sender, description)
    assert _slots(stack, sender).get("unclear_task"), "the description should have been unclear"
    replies = stack.say(sender, description)
    slots = _slots(stack, sender)
    assert not slots.get("tasks"), f"the repeat was read as {slots.get('tasks')}"
    assert "same description" in _texts(replies)
    replies = stack.say(sender, '/inform{"nature": "expert"}')
    assert _slots(stack, sender).get("tasks") == ["expert_analysis"]


def test_company_size_needs_a_head_count(stack: Stack, sender: str) -> None:
    stack.say(sender, "I'd like to talk to a person")
    stack.say(sender, "yes")
    answers = {
        "lead_full_name": "Dana Whitfield",
        "lead_email": "dana.whitfield@example.org",
        "lead_company": "Globex Ltd",
        "lead_role": "COO",
    }
    for _ in range(6):
        requested = _slots(stack, sender).get("requested_slot")
        if requested == "lead_company_size":
            break
        stack.say(sender, answers.get(requested, "skip"))
    assert _slots(stack, sender).get("requested_slot") == "lead_company_size"
    replies = stack.say(sender, "Globex Ltd")
    slots = _slots(stack, sender)
    assert slots.get("lead_company_size") is None, "a company name was taken as a head count"
    assert "head count" in _texts(replies)
    stack.say(sender, "about 40 people")
    assert _slots(stack, sender).get("lead_company_size") == "about 40 people"


def test_a_fact_added_after_the_advice_does_not_repeat_the_open_specialist_offer(stack: Stack, sender: str) -> None:
    offer = "Would you like one of our specialists"
    answers = {**PAYROLL, "in_house_expertise": "Yes, we know how."}
    advice = _texts(stack.say(sender, PAYROLL["tasks"]))
    for _ in range(6):
        if _slots(stack, sender).get("recommendation"):
            break
        advice = _texts(stack.say(sender, answers[_slots(stack, sender)["requested_slot"]]))
    assert _slots(stack, sender).get("recommendation") == "bpo" and offer in advice
    updates = (("business hours are fine", "Noted: business hours"), ("we are based in Germany", "you're in the EU"))
    for fact, noted in updates:
        update = _texts(stack.say(sender, fact))
        assert noted in update and offer not in update, update
    # The first offer still works: yes starts the contact questions.
    replies = stack.say(sender, "yes")
    assert _slots(stack, sender).get("requested_slot") == "lead_full_name", _texts(replies)


def _advised_with_the_offer(stack: Stack, sender: str) -> None:
    answers = {**PAYROLL, "in_house_expertise": "Yes, we know how."}
    advice = _texts(stack.say(sender, PAYROLL["tasks"]))
    for _ in range(6):
        if _slots(stack, sender).get("recommendation"):
            break
        advice = _texts(stack.say(sender, answers[_slots(stack, sender)["requested_slot"]]))
    assert _slots(stack, sender).get("recommendation") == "bpo"
    assert "Would you like one of our specialists" in advice


def test_a_yes_after_a_question_about_cost_still_answers_the_specialist_offer(stack: Stack, sender: str) -> None:
    _advised_with_the_offer(stack, sender)
    answer = _texts(stack.say(sender, "How much would a BPO provider cost us?"))
    assert "Anything else" not in answer and answer.strip()
    replies = stack.say(sender, "yes")
    assert _slots(stack, sender).get("requested_slot") == "lead_full_name", _texts(replies)
    assert "anything else" not in _texts(replies).lower()


def test_a_no_after_a_question_still_declines_the_specialist_offer(stack: Stack, sender: str) -> None:
    _advised_with_the_offer(stack, sender)
    stack.say(sender, "Where should the provider be located?")
    replies = stack.say(sender, "no")
    assert _slots(stack, sender).get("lead_status") == "declined", _texts(replies)
    assert _slots(stack, sender).get("requested_slot") is None


def test_a_name_typed_after_the_specialist_offer_is_kept_and_the_next_detail_asked(stack: Stack, sender: str) -> None:
    _advised_with_the_offer(stack, sender)
    replies = _texts(stack.say(sender, "Jane Doe"))
    slots = _slots(stack, sender)
    assert slots.get("lead_full_name") == "Jane Doe", replies
    assert slots.get("requested_slot") == "lead_email", replies
    assert "Would you like one of our specialists" not in replies
