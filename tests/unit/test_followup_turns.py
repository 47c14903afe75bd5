"""Turns after the first reading: work taken back in the user's own words, and what-ifs about a
multiple of the budget given (found by talking to the assistant over REST in the thirteenth session)."""

from __future__ import annotations

import pytest

from advisor.engine import Profile
from advisor.extraction import extract, merge, taken_back
from advisor.messages import what_if

SAAS = {
    "tasks": ["customer_support", "strategic_consulting"],
    "task_evidence": {
        "customer_support": ["customer onboarding", "support tickets"],
        "strategic_consulting": ["pricing strategy"],
    },
}


@pytest.mark.parametrize(
    "text",
    [
        "actually drop the pricing review, we'll do it ourselves",
        "we don't need the pricing review anymore",
        "we'll keep the pricing work in-house",
        "remove the pricing bit",
        "forget the strategic consulting",
    ],
)
def test_work_taken_back_in_other_words_is_dropped(text):
    changes = merge(extract(text), dict(SAAS), None, text)
    assert changes["tasks"] == ["customer_support"]


@pytest.mark.parametrize(
    ("text", "requested"),
    [
        ("we don't need outside experts for the support, we know it", "in_house_expertise"),  # describes the team
        ("drop it", None),  # no words of a task: nothing to match
        ("we don't need a big budget", None),
        ("the pricing review is the urgent part", None),  # no taking back
    ],
)
def test_nothing_is_dropped_without_a_taking_back_and_a_shared_word(text, requested):
    changes = merge(extract(text, requested), dict(SAAS), requested, text)
    assert changes.get("tasks", SAAS["tasks"]) == SAAS["tasks"]


def test_the_task_sharing_the_most_words_is_the_one_dropped():
    evidence = {"customer_support": ["support tickets"], "it_support": ["IT support desk"]}
    assert taken_back("drop the IT support desk", evidence, ["customer_support", "it_support"]) == ["it_support"]
    assert taken_back("drop the IT support desk", evidence, []) == []


def test_customer_onboarding_is_customer_work_and_staff_onboarding_is_hr():
    assert extract("We need help with customer onboarding emails and tier-1 support tickets").tasks == [
        "customer_support"
    ]
    assert "hr_payroll" in extract("we need help with onboarding new hires").tasks


BUDGETED = Profile(
    tasks=["customer_support"],
    budget_amount=8_000,
    budget_currency="EUR",
    budget_period="month",
    budget_level="moderate",
    cost_priority=True,
    goals=["cost_reduction"],
)


@pytest.mark.parametrize(
    ("question", "amount", "level"),
    [
        ("what if the budget were half that?", 4_000, "moderate"),
        ("what if our budget doubled?", 16_000, "flexible"),
        ("what if we had twice the budget", 16_000, "flexible"),
        ("and if we could only spend a quarter of it?", 2_000, "tight"),
    ],
)
def test_a_what_if_about_a_multiple_of_the_budget_scales_the_amount_given(question, amount, level):
    changed = what_if(BUDGETED, question)
    assert changed is not None
    assert changed.budget_amount == pytest.approx(amount)
    assert changed.budget_level == level
    assert changed.budget_currency == "EUR" and changed.budget_period == "month"
    if amount > BUDGETED.budget_amount:
        assert changed.cost_priority is False and "cost_reduction" not in changed.goals


def test_a_multiple_without_an_amount_moves_the_level_one_step():
    changed = what_if(
        Profile(tasks=["customer_support"], budget_level="moderate"), "what if the budget were half that?"
    )
    assert changed is not None and changed.budget_level == "tight"


def test_a_change_of_work_is_said_back_in_plain_words():
    from advisor.messages import tasks_changed_text

    instead = tasks_changed_text(["market_research", "sales"], ["market_research", "customer_support"])
    assert instead == "Noted: customer support instead of sales and lead generation."
    assert tasks_changed_text(["sales"], ["sales", "hr_payroll"]) == "Noted: HR and payroll added to the work."
    assert tasks_changed_text(["sales", "hr_payroll"], ["sales"]) == "Noted: HR and payroll taken off the list."
    assert tasks_changed_text(["sales"], ["sales"]) is None
    assert tasks_changed_text(None, None) is None


@pytest.mark.parametrize(
    ("text", "tasks"),
    [
        (
            "We want to outsource medical coding and claims follow-up, and get an outside firm to benchmark "
            "our nurse staffing levels against peers.",
            {"industry_bpo", "market_research"},  # staffing levels are what is benchmarked, not recruitment
        ),
        ("we need a staffing agency for nurses", {"recruitment"}),
        ("Benchmark contract terms and pricing against best practices", {"market_research"}),
        ("We want to hand off accounts payable and supplier master data maintenance.", {"accounting", "data_entry"}),
    ],
)
def test_benchmarking_is_expert_work_and_staffing_levels_are_its_subject(text, tasks):
    assert set(extract(text).tasks) == tasks
