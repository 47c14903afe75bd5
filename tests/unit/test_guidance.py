"""The facade the conversation uses: answers before and after advice, region questions, budget fit, the brief."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from advisor import costing, guidance, location, taxonomy, texts
from advisor.engine import Profile, recommend

FIT_ORDER = {None: -1, "short": 0, "tight": 1, "fits": 2}
FIGURE = re.compile(r"[$€£₹]\d[\d,]*|\d[\d,]* [A-Z]{3}")


def situation(profile: Profile, advised: bool = True, **extra: object) -> guidance.Situation:
    return guidance.Situation(profile, recommend(profile) if advised else None, **extra)  # type: ignore[arg-type]


def support_and_research(**budget: object) -> Profile:
    return Profile(
        tasks=["customer_support", "market_research"],
        coverage="24/7",
        task_evidence={"customer_support": ["answer our customers"], "market_research": ["size the market"]},
        **budget,  # type: ignore[arg-type]
    )


# --- cost -------------------------------------------------------------------------------------


def test_cost_before_advice_gives_published_ranges_and_asks_for_the_work() -> None:
    answer = guidance.answer("cost", situation(Profile(), advised=False))
    assert FIGURE.search(answer) and "per full-time person a month" in answer
    assert texts.say("cost.sharpen_tasks") in answer


def test_cost_after_advice_estimates_each_option_with_assumptions_and_no_quote(small_card: Path) -> None:
    profile = support_and_research(budget_amount=10_000, budget_currency="USD", budget_period="month")
    answer = guidance.answer("cost", situation(profile))
    # Support: offshore contact centre at $10-12.5 an hour -> $1,600-2,000 a person-month; 4.2-5 people.
    assert "BPO for customer support, offshore" in answer
    assert "$1,600 to $2,000 per full-time person a month" in answer
    assert "A starting team of 4 to 5 full-time people comes to about $6,700 to $10,000 a month." in answer
    # Market research is collaborative knowledge work: nearshore, at the card's euro figure in dollars.
    assert "KPO for market research, nearshore" in answer
    assert "$4,700 to $9,400 per full-time person a month" in answer
    assert "What $10,000 a month buys, split between the two" in answer
    assert "analyst-days a month" in answer and "around the clock" in answer
    assert "Assumptions:" in answer and "160 billable hours" in answer and "4.2 to 5" in answer
    assert "not a quote" in answer and costing.currencies().date in answer and "not live rates" in answer


def test_cost_is_given_in_the_users_currency(small_card: Path) -> None:
    profile = Profile(tasks=["accounting"], budget_amount=2_000, budget_currency="GBP", budget_period="month")
    answer = guidance.answer("cost", situation(profile))
    assert "£" in answer and "$" not in answer
    assert "What £2,000 a month buys:" in answer


def test_cost_without_a_budget_asks_for_one() -> None:
    answer = guidance.answer("cost", situation(Profile(tasks=["accounting"])))
    assert texts.say("cost.sharpen_budget") in answer


@pytest.mark.parametrize(
    ("amount", "fit"),
    [(3_000, "fits"), (2_000, "fits"), (1_500, "tight"), (1_000, "tight"), (999, "short"), (None, None)],
)
def test_budget_fit_against_the_starting_team_at_the_suggested_region(
    small_card: Path, amount: float | None, fit: str | None
) -> None:
    # Accounting: one person at the general offshore BPO figure, $1,000-2,000 a month.
    profile = Profile(tasks=["accounting"], budget_amount=amount, budget_currency="USD", budget_period="month")
    assert guidance.budget_fit(profile, recommend(profile)) == fit
    assert guidance.budget_fit(profile, None) == fit


def test_budget_fit_is_unknown_without_work_and_counts_a_total_over_six_months(small_card: Path) -> None:
    assert guidance.budget_fit(Profile(budget_amount=50_000), None) is None
    total = Profile(tasks=["accounting"], budget_amount=12_000, budget_currency="USD", budget_period="total")
    assert guidance.budget_fit(total, None) == "fits"  # 2,000 a month over six months


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    a=st.floats(min_value=1, max_value=1e6),
    b=st.floats(min_value=1, max_value=1e6),
    tasks=st.lists(st.sampled_from(sorted(taxonomy.TASKS)), min_size=1, max_size=3, unique=True),
    currency=st.sampled_from(["USD", "EUR", "GBP", "INR"]),
    period=st.sampled_from(["month", "year", "week", "quarter", "total"]),
    coverage=st.sampled_from([None, "24/7", "extended"]),
)
def test_budget_fit_never_gets_worse_as_the_budget_grows(
    a: float, b: float, tasks: list[str], currency: str, period: str, coverage: str | None
) -> None:
    small, large = sorted((a, b))

    def fit(amount: float) -> str | None:
        profile = Profile(
            tasks=tasks, budget_amount=amount, budget_currency=currency, budget_period=period, coverage=coverage
        )
        return guidance.budget_fit(profile, recommend(profile))

    assert FIT_ORDER[fit(small)] <= FIT_ORDER[fit(large)]


# --- location and regions ---------------------------------------------------------------------


def test_location_compares_three_regions_from_where_the_company_is() -> None:
    answer = guidance.answer("location", situation(Profile(tasks=["accounting"]), company_region="uk"))
    assert "seen from the UK" in answer
    for region in ("onshore", "nearshore", "offshore"):
        assert f"- {region} (" in answer
    assert "about 3 working hours a day shared with you" in answer  # UK and India/Philippines/South Africa
    assert texts.say("location.sharpen_company") not in answer


def test_location_before_advice_asks_where_the_company_is() -> None:
    answer = guidance.answer("location", situation(Profile(), advised=False))
    assert texts.say("location.sharpen_company") in answer
    assert texts.say("location.sharpen_advice") in answer


def test_location_before_advice_places_the_work_already_named() -> None:
    answer = guidance.answer("location", situation(Profile(tasks=["data_entry", "market_research"]), advised=False))
    assert texts.say("location.sharpen_advice") not in answer
    assert "For BPO: " in answer and "For KPO: " in answer


@pytest.mark.parametrize(
    ("question", "said", "unsaid"),
    [
        ("which countries are best for kpo?", "For KPO: ", "For BPO: "),
        ("where should a BPO provider be?", "For BPO: ", "For KPO: "),
        ("where should the provider be located?", "For BPO: ", None),
    ],
)
def test_location_before_any_work_is_named_answers_for_the_model_asked_about(question, said, unsaid) -> None:
    answer = guidance.answer("location", situation(Profile(), advised=False, text=question))
    assert said in answer
    assert unsaid is None or unsaid not in answer
    if unsaid is None:
        assert "For KPO: " in answer  # neither named: both


def test_location_with_patient_data_starts_onshore() -> None:
    profile = Profile(tasks=["customer_support"])
    answer = guidance.answer("location", situation(profile, requirements=["hipaa"], company_region="us"))
    assert (
        texts.say(
            "location.why.restricted_data",
            model="BPO",
            region="onshore",
            countries="United States",
            offshore="India and the Philippines",
        )
        in answer
    )


def test_regions_in_is_the_place_reading() -> None:
    assert guidance.regions_in("we're a UK firm, customers in Germany") == {
        "company_region": "uk",
        "customer_region": "eu",
    }


@pytest.mark.parametrize(
    ("topic", "extra", "needed"),
    [
        ("location", {}, True),
        ("location", {"company_region": "us"}, False),
        ("location", {"text": "we're based in the UK"}, False),
        ("data", {}, True),
        ("data", {"customer_region": "eu"}, False),
        ("cost", {}, False),
        ("contract", {}, False),
    ],
)
def test_asks_for_a_place_only_when_it_matters_and_is_unknown(topic: str, extra: dict, needed: bool) -> None:
    assert guidance.needs_region(topic, situation(Profile(tasks=["accounting"]), **extra)) is needed


def test_regimes_follow_the_requirements_and_the_places() -> None:
    assert guidance.regimes(situation(Profile(), advised=False, requirements=["pci_dss"], customer_region="uk")) == [
        "uk_gdpr",
        "pci_dss",
    ]


def test_unknown_topic_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown topic 'weather'"):
        guidance.answer("weather", situation(Profile(), advised=False))


# --- the brief --------------------------------------------------------------------------------


def test_brief_carries_everything_the_card_and_page_show(small_card: Path) -> None:
    profile = support_and_research(budget_amount=8_000, budget_currency="EUR", budget_period="month")
    brief = guidance.brief(situation(profile, requirements=["hipaa"], company_region="us"))
    json.dumps(brief)  # serialisable as it is
    assert brief["choice"] == "hybrid" and brief["choice_label"] == texts.say("brief.choice.hybrid")
    assert brief["bpo_tasks"] == ["customer support"] and brief["kpo_tasks"] == ["market research"]
    quoted = {q for reason in brief["reasons"] for q in reason["quotes"]}
    assert "answer our customers" in quoted
    options = brief["cost"]["options"]
    assert [o["model"] for o in options] == ["bpo", "kpo"]
    assert all(o["currency"] == "EUR" and o["unit"] == "fte_month" and o["low"] <= o["high"] for o in options)
    assert options[0]["region"] == "onshore"  # HIPAA data: start onshore
    assert brief["cost"]["fit"] in ("fits", "tight", "short") and brief["cost"]["assumptions"]
    assert (
        brief["cost"]["summary"].startswith("BPO onshore: about €") and "KPO offshore" in brief["cost"]["summary"]
    )  # no onshore KPO figure on the small card
    assert brief["location"]["summary"] == "BPO: onshore (United States); KPO: onshore (United States)"
    assert brief["data"]["summary"] == texts.say("data.summary", names=texts.say("data.regime.hipaa.name"))
    assert [row["region"] for row in brief["location"]["compared"]] == list(location.DELIVERY)
    assert [r["key"] for r in brief["data"]["regimes"]] == ["hipaa"]
    assert brief["data"]["disclaimer"] == texts.say("general.not_legal_advice")
    assert {m["key"] for m in brief["contract"]["models"]} == {
        "dedicated_team",
        "managed_service",
        "fixed_price",
        "time_materials",
        "outcome_based",
    }
    assert brief["contract"]["recommended"][:1] == ["managed_service"]
    assert len(brief["checklist"]) >= 5 and brief["next_steps"] == texts.say_all("brief.next_steps.hybrid")


def test_brief_needs_a_recommendation() -> None:
    with pytest.raises(ValueError, match="needs a recommendation"):
        guidance.brief(situation(Profile(), advised=False))


# --- every answer, whatever is known ----------------------------------------------------------

places = st.sampled_from([None, *location.PLACE_KEYS])


@settings(max_examples=60, deadline=None)
@given(
    tasks=st.lists(st.sampled_from(sorted(taxonomy.TASKS)), max_size=3, unique=True),
    amount=st.one_of(st.none(), st.floats(min_value=1, max_value=1e7)),
    currency=st.sampled_from([None, "USD", "EUR", "GBP", "INR", "XYZ"]),
    period=st.sampled_from([None, "month", "year", "week", "quarter", "total"]),
    coverage=st.sampled_from([None, "24/7", "extended", "business"]),
    requirements=st.lists(st.sampled_from(["hipaa", "gdpr", "pci_dss", "government", "sox", "medicare"]), max_size=2),
    company=places,
    customers=places,
    advised=st.booleans(),
)
def test_every_topic_answers_whatever_is_known(
    tasks: list[str],
    amount: float | None,
    currency: str | None,
    period: str | None,
    coverage: str | None,
    requirements: list[str],
    company: str | None,
    customers: str | None,
    advised: bool,
) -> None:
    profile = Profile(
        tasks=tasks, budget_amount=amount, budget_currency=currency, budget_period=period, coverage=coverage
    )
    here = situation(profile, advised, requirements=requirements, company_region=company, customer_region=customers)
    for topic in guidance.TOPICS:
        answer = guidance.answer(topic, here)
        assert answer.strip() and "{" not in answer
    if advised:
        json.dumps(guidance.brief(here))


def test_a_provider_place_in_the_question_is_placed_for_the_company() -> None:
    profile = Profile(tasks=["data_analytics"])
    here = situation(
        profile,
        text="could the analysts be in India, given our customers' data?",
        company_region="uk",
        customer_region="eu",
    )
    answer = guidance.answer("location", here)
    assert "A provider in India would be offshore for you, with about 2.5 working hours a day shared." in answer
    assert texts.say("location.provider_transfer", place="India") in answer
    nearby = situation(profile, text="could the analysts be in Poland?", company_region="uk", customer_region="eu")
    answer = guidance.answer("location", nearby)
    assert "A provider in Poland would be nearshore for you" in answer
    assert texts.say("location.provider_transfer", place="Poland") not in answer  # inside the EU: no transfer


def test_a_budget_without_a_currency_is_read_as_dollars_and_says_so() -> None:
    answer = guidance.answer("cost", situation(Profile(tasks=["accounting"], budget_amount=4_321)))
    assert "What $4,321 a month buys:" in answer  # the user's own figure is not rounded
    assert texts.say("cost.assumption_dollars") in answer


@pytest.mark.parametrize("period", ["year", "total"])
def test_the_assumptions_name_what_applies_and_a_split_budget_says_so(period: str) -> None:
    profile = Profile(tasks=["data_entry", "market_research"], budget_amount=40_000, budget_currency="USD")
    profile.budget_period = period
    answer = guidance.answer("cost", situation(profile))
    total = texts.say("cost.assumption_total", months=costing.PROJECT_MONTHS)
    assert (total in answer) is (period == "total")
    assert texts.say("cost.assumption_dollars") not in answer  # a currency was given
    heading = texts.say("cost.buys_heading_split", budget=f"$40,000 {texts.say(f'cost.period.{period}')}")
    assert heading in answer  # two options share the budget, and the heading says so
    assert ". and" not in answer and "; and" not in answer


def test_region_question_names_the_role_and_a_bare_answer_fills_it() -> None:
    here = situation(Profile(tasks=["accounting"]))
    role, question = guidance.region_question("location", here) or ("", "")
    assert role == "company" and question == texts.say("location.ask.company")
    assert guidance.regions_in("Germany", expecting=role) == {"company_region": "eu"}
    assert guidance.region_question("data", here) == ("customer", texts.say("location.ask.customer"))
    assert guidance.region_question("cost", here) is None
    assert guidance.region_question("location", situation(Profile(), company_region="us")) is None


def test_the_fit_beside_the_figures_is_the_fit_of_those_figures() -> None:
    """Health data keeps the work onshore, where $20,000 a month is tight for support plus research,
    though it would fit offshore; the answer must not say "covers even the top" beside onshore figures."""
    profile = support_and_research(budget_amount=20_000, budget_currency="USD", budget_period="month")
    profile.coverage = None
    answer = guidance.answer("cost", situation(profile, requirements=["hipaa"], text="our patient records"))
    assert "onshore" in answer
    shown = guidance.brief(situation(profile, requirements=["hipaa"], text="our patient records"))["cost"]
    assert answer.count(texts.say(f"cost.fit.{shown['fit']}", budget="$20,000 a month")) == 1
    assert shown["fit"] != "fits"
    # the lead score states the same fit as the answer, given the same data rules
    assert guidance.budget_fit(profile, recommend(profile), ["hipaa"]) == shown["fit"]
    assert guidance.budget_fit(profile, recommend(profile)) == "fits"  # offshore, without those rules


def test_what_the_budget_buys_gives_each_option_a_working_share() -> None:
    profile = support_and_research(budget_amount=20_000, budget_currency="USD", budget_period="month")
    profile.coverage = None
    onshore = situation(profile, requirements=["hipaa"], text="our patient records")
    buys = guidance.brief(onshore)["cost"]["budget_buys"]
    assert len(buys) == 2 and not any("part-time" in line for line in buys)


def test_health_data_where_no_known_rule_applies_is_never_called_no_regulated_data() -> None:
    here = situation(Profile(tasks=["industry_bpo"]), requirements=["hipaa"], customer_region="india")
    answer = guidance.answer("data", here)
    assert texts.say("data.none_found") not in answer
    assert texts.say("data.none_apply") in answer


def test_patient_data_with_the_coders_abroad_reads_hipaa_not_customers_abroad() -> None:
    here = situation(Profile(tasks=["industry_bpo"]), text="is patient data safe if the coders are in India?")
    answer = guidance.answer("data", here)
    assert "HIPAA" in answer and "business associate agreement" in answer


def test_a_standard_alone_is_not_sensitive_data() -> None:
    here = situation(Profile(tasks=["accounting"]), requirements=["iso_27001", "gaap"], customer_region="india")
    assert texts.say("data.none_found") in guidance.answer("data", here)


def test_gdpr_names_the_health_special_category_only_when_health_data_was_named() -> None:
    plain = guidance.answer("data", situation(Profile(tasks=["accounting"]), company_region="eu"))
    assert "GDPR" in plain and texts.say("data.regime.gdpr.health") not in plain
    health = situation(Profile(tasks=["industry_bpo"]), requirements=["hipaa"], company_region="eu")
    assert texts.say("data.regime.gdpr.health") in guidance.answer("data", health)
