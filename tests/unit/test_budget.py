"""Budget parsing: amounts, currencies, periods, levels, relative changes and cost priority."""

from __future__ import annotations

import pytest

from advisor import costing
from advisor.budget import Budget, level_for, monthly_usd, parse_budget, shift_level
from tests.support import phrases

# (text, expecting_budget, amount, currency, period, level)
AMOUNTS = phrases.table("budget_amounts")


@pytest.mark.parametrize(("text", "expecting", "amount", "currency", "period", "level"), AMOUNTS)
def test_amount_currency_period_and_level_are_read_from_the_sentence(text, expecting, amount, currency, period, level):
    b = parse_budget(text, expecting_budget=expecting)
    assert (b.amount, b.currency, b.period, b.level) == (amount, currency, period, level)


NOT_MONEY = [
    ("24/7", True),
    ("we need 24/7 support", False),
    ("we need 24/7 support", True),
    ("we have 50 employees", False),
    ("50 employees", True),
    ("3 people", True),
    ("we have 20 agents", True),
    ("we spend 40 hours a week on this", False),
    ("budget is about 5 percent of revenue", False),
    ("budget? we have 2 offices in 3 countries", False),
    ("we run a team of 12", True),
    ("we answer 300 calls a day", False),
    ("we operate in 12 languages", True),
]


@pytest.mark.parametrize(("text", "expecting"), NOT_MONEY)
def test_counts_of_people_hours_and_24_7_are_never_read_as_money(text, expecting):
    assert parse_budget(text, expecting_budget=expecting).amount is None


LEVEL_WORDS = [
    ("tight", "tight"),
    ("it's pretty tight", "tight"),
    ("we're a bootstrapped startup", "tight"),
    ("not a lot", "tight"),
    ("not much, we're small", "tight"),
    ("shoestring", "tight"),
    ("we can't afford much", "tight"),
    ("moderate", "moderate"),
    ("reasonable", "moderate"),
    ("mid-range", "moderate"),
    ("flexible", "flexible"),
    ("budget is flexible", "flexible"),
    ("money is not an issue", "flexible"),
    ("cost isn't a concern", "flexible"),
    ("big budget", "flexible"),
    ("deep pockets, whatever it takes", "flexible"),
]


@pytest.mark.parametrize(("text", "level"), LEVEL_WORDS)
def test_budget_level_words_are_understood_when_budget_was_asked(text, level):
    assert parse_budget(text, expecting_budget=True).level == level


def test_a_named_level_wins_over_the_level_derived_from_the_amount():
    b = parse_budget("it's limited, maybe 2k a month", expecting_budget=True)
    assert b.amount == 2_000 and b.level == "tight"
    b = parse_budget("our budget is tight, around 5k a month")
    assert b.amount == 5_000 and b.level == "tight"


def test_level_words_outside_a_budget_context_are_ignored():
    assert parse_budget("we have a big team and a small office").level is None
    assert parse_budget("the project is large").empty


@pytest.mark.parametrize(
    ("text", "relative"),
    [
        ("actually our budget is bigger", "up"),
        ("what if our budget was bigger", "up"),
        ("our budget has increased", "up"),
        ("our budget got cut", "down"),
        ("the budget is lower than I said", "down"),
        ("sorry, the budget is smaller", "down"),
    ],
)
def test_relative_budget_statements_shift_up_or_down(text, relative):
    b = parse_budget(text)
    assert b.relative == relative and b.amount is None


@pytest.mark.parametrize(
    ("text", "priority"),
    [
        ("cost is the main priority", True),
        ("our budget is tight and cost is our top priority", True),
        ("we need to cut costs", True),
        ("cheapest option please", True),
        ("as cheap as possible", True),
        ("cost comes first", True),
        ("saving money is our number one priority", True),
        ("quality over cost", False),
        ("cost is not the main priority", False),
        ("money is not an issue", False),
        ("budget isn't a concern", False),
        ("it's not about saving money", False),
        ("we need payroll", None),
    ],
)
def test_cost_priority_is_detected_and_denials_win(text, priority):
    assert parse_budget(text).cost_priority is priority


@pytest.mark.parametrize(
    ("amount", "currency", "period", "level"),
    [
        (3_000, "USD", "month", "tight"),
        (3_001, "USD", "month", "moderate"),
        (15_000, "USD", "month", "moderate"),
        (15_001, "USD", "month", "flexible"),
        (36_000, "USD", "year", "tight"),
        (36_012, "USD", "year", "moderate"),
        (2_800, "GBP", "month", "moderate"),
        (2_000, "GBP", "month", "tight"),
        (18_000, "USD", "total", "tight"),
        (700, "USD", "week", "moderate"),
        (1_000_000, "INR", "month", "moderate"),
        (5_000, None, None, "moderate"),
    ],
)
def test_level_thresholds_use_the_monthly_us_dollar_equivalent(amount, currency, period, level):
    assert level_for(amount, currency, period) == level


def test_monthly_usd_converts_currency_and_period():
    assert monthly_usd(12_000, "USD", "year") == pytest.approx(1_000)
    assert monthly_usd(1_000, "EUR", "month") == pytest.approx(1_000 * costing.currencies().usd_per_unit["EUR"])
    assert monthly_usd(6_000, "USD", "total") == pytest.approx(1_000)
    assert monthly_usd(3_000, "USD", "quarter") == pytest.approx(1_000)
    assert monthly_usd(1_000, "USD", "week") == pytest.approx(52_000 / 12)
    assert monthly_usd(1_000, "XYZ", None) == pytest.approx(1_000)


@pytest.mark.parametrize(
    ("level", "direction", "expected"),
    [
        ("tight", "up", "moderate"),
        ("moderate", "up", "flexible"),
        ("flexible", "up", "flexible"),
        ("flexible", "down", "moderate"),
        ("moderate", "down", "tight"),
        ("tight", "down", "tight"),
        (None, "up", "flexible"),
        ("unknown", "down", "tight"),
    ],
)
def test_shift_level_moves_one_step_and_stays_within_the_scale(level, direction, expected):
    assert shift_level(level, direction) == expected


def test_empty_budget_reports_empty_and_a_filled_one_does_not():
    assert Budget().empty
    assert parse_budget("we need payroll").empty
    assert not parse_budget("tight", expecting_budget=True).empty
    assert not parse_budget("cost is the main priority").empty


@pytest.mark.parametrize("text", ["", "   ", "💸💸", "<b>5k</b>", "9" * 5000, "$$$ €€€", "1e9", "k k k"])
def test_parse_budget_never_crashes_on_odd_input(text):
    assert isinstance(parse_budget(text, expecting_budget=True), Budget)
