"""BANT score: each factor, tier thresholds and free-text parsing, table-driven."""

from __future__ import annotations

from typing import Any

import pytest

from advisor import guidance
from advisor.engine import Profile
from leads.score import (
    HOT_THRESHOLD,
    WARM_THRESHOLD,
    parse_authority,
    parse_monthly_amount,
    parse_timeline,
    score_from_lead,
    score_lead,
    tier_for,
)
from tests.support import phrases


@pytest.mark.parametrize(
    ("kwargs", "points"),
    [
        ({}, 10),
        ({"budget_level": "tight"}, 7),
        ({"budget_level": "moderate"}, 17),
        ({"budget_level": "flexible"}, 25),
        ({"budget_level": "Our budget is LIMITED"}, 7),
        ({"monthly_budget_usd": 500}, 5),
        ({"monthly_budget_usd": 1000}, 12),
        ({"monthly_budget_usd": "$5k/month"}, 19),
        ({"monthly_budget_usd": "300,000 per year"}, 25),
        ({"monthly_budget_usd": 0}, 0),
        ({"budget_level": "tight", "monthly_budget_usd": 25000}, 25),
        ({"budget_level": "tight", "cost_priority": True}, 12),
        ({"budget_level": "flexible", "cost_priority": True}, 30),
        ({"budget_level": "moderate", "cost_priority": False}, 17),
    ],
)
def test_budget_factor(kwargs: dict[str, Any], points: int) -> None:
    assert score_lead(**kwargs).factors["budget"] == points


def assert_read_and_scored(field: str, answer: str | None, parse: Any, reading: str | None, points: int) -> None:
    """The lead's ``field`` answer reads as ``reading`` and scores ``points`` on that factor."""
    factor = {"role": "authority"}.get(field, field)
    assert parse(answer) == reading
    assert score_lead(**{field: answer}).factors[factor] == points


@pytest.mark.parametrize(("role", "level", "points"), phrases.table("authority"))
def test_authority_factor(role: str | None, level: str | None, points: int) -> None:
    assert_read_and_scored("role", role, parse_authority, level, points)


@pytest.mark.parametrize(
    ("tasks", "gap", "points"),
    [
        (0, None, 0),
        (1, None, 8),
        (2, False, 12),
        (3, None, 16),
        (7, None, 16),
        (1, True, 17),
        (3, True, 25),
        (None, True, 9),
    ],
)
def test_need_factor(tasks: int | None, gap: bool | None, points: int) -> None:
    assert score_lead(tasks_count=tasks, expertise_gap=gap).factors["need"] == points


@pytest.mark.parametrize(("text", "bucket", "points"), phrases.table("timelines"))
def test_timeline_factor(text: str | None, bucket: str | None, points: int) -> None:
    assert_read_and_scored("timeline", text, parse_timeline, bucket, points)


@pytest.mark.parametrize(
    ("kwargs", "score", "tier"),
    [
        (
            {
                "budget_level": "flexible",
                "role": "CEO",
                "tasks_count": 3,
                "expertise_gap": True,
                "timeline": "now",
            },
            95,
            "hot",
        ),
        (
            {
                "budget_level": "moderate",
                "role": "Director",
                "tasks_count": 2,
                "expertise_gap": True,
                "timeline": "this quarter",
            },
            75,
            "hot",
        ),
        (
            {
                "budget_level": "moderate",
                "role": "Ops manager",
                "tasks_count": 2,
                "expertise_gap": True,
                "timeline": "quarter",
            },
            65,
            "warm",
        ),
        (
            {
                "budget_level": "tight",
                "role": "Team lead",
                "tasks_count": 1,
                "timeline": "this year",
            },
            37,
            "cold",
        ),
        (
            {
                "budget_level": "tight",
                "role": "Intern",
                "tasks_count": 1,
                "timeline": "just exploring",
            },
            22,
            "cold",
        ),
        ({}, 23, "cold"),
    ],
)
def test_total_and_tier(kwargs: dict[str, Any], score: int, tier: str) -> None:
    result = score_lead(**kwargs)
    assert (result.score, result.tier) == (score, tier)
    assert result.score == sum(result.factors.values())
    assert len(result.reasons) == 4
    assert all(isinstance(reason, str) and reason for reason in result.reasons)


@pytest.mark.parametrize(
    ("score", "tier"),
    [
        (100, "hot"),
        (HOT_THRESHOLD, "hot"),
        (HOT_THRESHOLD - 1, "warm"),
        (WARM_THRESHOLD, "warm"),
        (WARM_THRESHOLD - 1, "cold"),
        (0, "cold"),
    ],
)
def test_tier_thresholds(score: int, tier: str) -> None:
    assert tier_for(score) == tier


def test_reasons_are_human_readable() -> None:
    result = score_lead(
        budget_level="flexible", cost_priority=True, role="VP Sales", tasks_count=2, expertise_gap=True, timeline="asap"
    )
    text = " | ".join(result.reasons)
    for phrase in (
        "budget is flexible",
        "cost reduction is the priority",
        "high authority (VP Sales)",
        "2 tasks to outsource",
        "in-house expertise is missing",
        "needs it now",
    ):
        assert phrase in text


def test_score_from_stored_lead_reads_answers() -> None:
    lead = {
        "role": "Founder",
        "timeline": "within a month",
        "answers": {
            "tasks": ["payroll", "support", "bookkeeping"],
            "budget": "moderate",
            "cost_priority": "yes",
            "expertise_gap": True,
        },
    }
    result = score_from_lead(lead)
    assert result.factors == {"budget": 22, "authority": 25, "need": 25, "timeline": 16}
    assert result.tier == "hot"


def test_monthly_amount_parsing() -> None:
    assert parse_monthly_amount("USD 12,500") == 12500
    assert parse_monthly_amount("2.5k") == 2500
    assert parse_monthly_amount("120k a year") == 10000
    assert parse_monthly_amount("no idea") is None
    assert parse_monthly_amount(True) is None


@pytest.mark.parametrize(("fit", "points"), [("fits", 25), ("tight", 15), ("short", 5), (None, 7)])
def test_budget_fit_sets_the_budget_base(fit: str | None, points: int) -> None:
    # With no fit the level decides (tight -> 7); a known fit replaces level and amount.
    assert score_lead(budget_level="tight", monthly_budget_usd=25_000, budget_fit=fit).factors["budget"] == (
        points if fit else 25
    )


def test_stored_lead_is_scored_with_the_same_fit_as_the_estimate() -> None:
    answers = {
        "tasks": ["customer_support"],
        "budget_amount": 1_500,
        "budget_currency": "USD",
        "budget_period": "month",
        "coverage": "24/7",
        "budget": "tight",
    }
    fit = guidance.budget_fit(Profile(tasks=["customer_support"], budget_amount=1_500, coverage="24/7"), None)
    assert fit == "short"  # one seat around the clock needs 4.2-5 people
    result = score_from_lead({"answers": answers})
    assert result.factors["budget"] == 5
    assert "budget is below the estimate" in result.reasons[0]
    richer = score_from_lead({"answers": {**answers, "budget_amount": 50_000}})
    assert richer.factors["budget"] == 25
