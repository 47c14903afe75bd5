"""The recommendation engine against the article's rules and differences.

Article ("When to Choose KPO or BPO"):
  BPO: routine tasks, cost constraints, customer service needs (round-the-clock support).
  KPO: specialised expertise not available in-house, strategic projects, innovation goals.
  Nature of work: BPO = routine, process-driven; KPO = complex, expertise-driven.
"""

from __future__ import annotations

import pytest

from advisor import messages, taxonomy
from advisor.engine import Profile, Reason, Recommendation, recommend

# --------------------------------------------------------------------------- taxonomy -> model

# Every task the taxonomy knows, with the model and service category the article gives it.
EXPECTED_MODEL = {
    # Back-office BPO: accounting, data management, IT support; HR: recruitment, training, payroll.
    "accounting": ("bpo", "bpo_back_office"),
    "data_entry": ("bpo", "bpo_back_office"),
    "it_support": ("bpo", "bpo_back_office"),
    "hr_payroll": ("bpo", "bpo_back_office"),
    "recruitment": ("bpo", "bpo_back_office"),
    # Front-office BPO: customer support, sales, marketing.
    "customer_support": ("bpo", "bpo_front_office"),
    "sales": ("bpo", "bpo_front_office"),
    "marketing": ("bpo", "bpo_front_office"),
    # Industry-specific BPO (healthcare, finance, telecoms processing).
    "industry_bpo": ("bpo", "bpo_industry"),
    "routine_process": ("bpo", "bpo_general"),
    # KPO types: R&D, strategic consulting, technology services.
    "research_development": ("kpo", "kpo_rnd"),
    "strategic_consulting": ("kpo", "kpo_strategy"),
    "software_development": ("kpo", "kpo_technology"),
    "data_analytics": ("kpo", "kpo_technology"),
    # Common KPO services: market research, financial analysis, legal services.
    "market_research": ("kpo", "kpo_market_research"),
    "financial_analysis": ("kpo", "kpo_financial"),
    "legal_services": ("kpo", "kpo_legal"),
    "expert_analysis": ("kpo", "kpo_general"),
}
BPO_TASKS = [k for k, (m, _) in EXPECTED_MODEL.items() if m == "bpo"]
KPO_TASKS = [k for k, (m, _) in EXPECTED_MODEL.items() if m == "kpo"]
CUSTOMER_FACING = {"customer_support", "sales"}


def reason(rec: Recommendation, rule: str) -> Reason:
    found = [r for r in rec.reasons if r.rule == rule]
    assert found, f"no {rule!r} reason in {[r.rule for r in rec.reasons]}"
    return found[0]


def rules(rec: Recommendation) -> set[str]:
    return {r.rule for r in rec.reasons}


def test_the_expected_table_covers_every_task_in_the_taxonomy():
    assert set(EXPECTED_MODEL) == set(taxonomy.TASKS)


@pytest.mark.parametrize(("key", "model", "category"), [(k, m, c) for k, (m, c) in EXPECTED_MODEL.items()])
def test_each_task_belongs_to_the_model_and_category_the_article_gives_it(key, model, category):
    assert taxonomy.model_of(key) == model
    assert taxonomy.TASKS[key].category == category
    assert taxonomy.CATEGORIES[category].model == model


def advice_on_one_task(key: str, model: str):
    """The advice for a company that names only ``key``: ``model``, by the nature of the work, no conflict."""
    rec = recommend(Profile(tasks=[key]))
    assert rec.choice == model
    assert rec.decided_by == "nature_of_work"
    assert (rec.bpo_tasks, rec.kpo_tasks) == (([key], []) if model == "bpo" else ([], [key]))
    assert rec.conflicts == []
    return rec


@pytest.mark.parametrize("key", BPO_TASKS)
def test_a_single_bpo_task_is_recommended_bpo_with_a_routine_tasks_reason_naming_it(key):
    rec = advice_on_one_task(key, "bpo")
    assert taxonomy.TASKS[key].label.lower() in reason(rec, "routine_tasks").text.lower()


@pytest.mark.parametrize("key", KPO_TASKS)
def test_a_single_kpo_task_is_recommended_kpo(key):
    rec = advice_on_one_task(key, "kpo")
    assert "routine_tasks" not in rules(rec)


KPO_TASK_REASON = {
    "research_development": "strategic_projects",
    "strategic_consulting": "strategic_projects",
    "market_research": "strategic_projects",
    "financial_analysis": "strategic_projects",
    "expert_analysis": "strategic_projects",
    "software_development": "specialised_work",
    "data_analytics": "specialised_work",
    "legal_services": "specialised_work",
}


@pytest.mark.parametrize(
    ("key", "rule"),
    list(KPO_TASK_REASON.items()),
)
def test_a_single_kpo_task_gets_a_kpo_reason_naming_the_task(key, rule):
    rec = recommend(Profile(tasks=[key]))
    r = reason(rec, rule)
    assert r.model == "kpo"
    assert taxonomy.TASKS[key].label.lower() in r.text.lower()


def test_kpo_reason_table_covers_every_kpo_task():
    assert set(KPO_TASK_REASON) == set(KPO_TASKS)


# --------------------------------------------------------------------------- the "when to opt for" rules

# (rule id, profile, expected choice, words the reason text must contain: what the user said)
RULES = [
    # BPO: routine tasks
    ("routine_tasks", Profile(tasks=["data_entry"]), "bpo", ["data entry"]),
    ("routine_tasks", Profile(tasks=["hr_payroll", "accounting"]), "bpo", ["hr and payroll", "accounting"]),
    # BPO: cost constraints (tight budget, cost first, cost-cutting goal)
    ("cost_constraints", Profile(budget_level="tight"), "bpo", ["tight"]),
    (
        "cost_constraints",
        Profile(budget_level="tight", budget_amount=2_000.0, budget_currency="USD", budget_period="month"),
        "bpo",
        ["tight", "2,000", "usd", "a month"],
    ),
    ("cost_constraints", Profile(cost_priority=True), "bpo", ["cutting costs"]),
    ("cost_constraints", Profile(goals=["cost_reduction"]), "bpo", ["lower costs or more efficiency"]),
    ("cost_constraints", Profile(tasks=["data_entry"], budget_level="tight"), "bpo", ["tight"]),
    # BPO: customer service needs, round-the-clock support
    ("customer_service", Profile(coverage="24/7"), "bpo", ["around the clock"]),
    ("customer_service", Profile(goals=["round_the_clock"]), "bpo", ["around the clock"]),
    ("customer_service", Profile(tasks=["customer_support"], coverage="24/7"), "bpo", ["around the clock"]),
    # KPO: specialised expertise not available in-house
    ("missing_expertise", Profile(in_house_expertise="no"), "kpo", ["lacks"]),
    ("missing_expertise", Profile(in_house_expertise="no", missing_skills=["legal"]), "kpo", ["legal"]),
    (
        "missing_expertise",
        Profile(in_house_expertise="partial", missing_skills=["data science"]),
        "kpo",
        ["partly", "data science"],
    ),
    (
        "missing_expertise",
        Profile(tasks=["financial_analysis"], in_house_expertise="no", missing_skills=["finance"]),
        "kpo",
        ["finance"],
    ),
    # KPO: strategic projects (research, analysis, strategic decision-making)
    ("strategic_projects", Profile(tasks=["market_research"]), "kpo", ["market research"]),
    ("strategic_projects", Profile(tasks=["strategic_consulting"]), "kpo", ["strategic consulting"]),
    ("strategic_projects", Profile(tasks=["financial_analysis"]), "kpo", ["financial analysis"]),
    ("strategic_projects", Profile(goals=["strategic_decisions"]), "kpo", ["strategic decisions"]),
    # KPO: innovation goals
    ("innovation_goals", Profile(goals=["innovation"]), "kpo", ["innovate"]),
    ("innovation_goals", Profile(tasks=["software_development"], goals=["innovation"]), "kpo", ["innovate"]),
    # KPO technology services: advanced software development and data analytics
    ("specialised_work", Profile(tasks=["software_development"]), "kpo", ["advanced software development"]),
    ("specialised_work", Profile(tasks=["data_analytics"]), "kpo", ["data analytics"]),
]


@pytest.mark.parametrize(("rule", "profile", "choice", "said"), RULES)
def test_each_article_rule_produces_its_reason_and_the_right_choice(rule, profile, choice, said):
    rec = recommend(profile)
    assert rec.choice == choice
    r = reason(rec, rule)
    assert r.model == choice
    for words in said:
        assert words in r.text.lower(), f"{words!r} not in {r.text!r}"


def test_every_rule_of_the_article_is_exercised():
    assert {r for r, *_ in RULES} == {
        "routine_tasks",
        "cost_constraints",
        "customer_service",
        "missing_expertise",
        "strategic_projects",
        "innovation_goals",
        "specialised_work",
    }


@pytest.mark.parametrize("key", sorted(CUSTOMER_FACING))
def test_customer_facing_tasks_trigger_the_customer_service_rule(key):
    assert reason(recommend(Profile(tasks=[key])), "customer_service").model == "bpo"


@pytest.mark.parametrize("key", sorted(set(BPO_TASKS) - CUSTOMER_FACING))
def test_back_office_tasks_do_not_trigger_the_customer_service_rule(key):
    assert "customer_service" not in rules(recommend(Profile(tasks=[key])))


def test_customer_service_reason_names_the_customer_facing_task():
    rec = recommend(Profile(tasks=["sales"]))
    assert "sales" in reason(rec, "customer_service").text.lower()


def test_innovation_reason_from_an_rnd_task_names_the_task_not_an_unstated_goal():
    rec = recommend(Profile(tasks=["research_development"]))
    assert "research and development" in reason(rec, "innovation_goals").text.lower()


def test_reasons_are_ordered_with_the_chosen_model_first():
    rec = recommend(Profile(tasks=["market_research"], budget_level="tight", in_house_expertise="no"))
    assert rec.choice == "kpo"
    models = [r.model for r in rec.reasons]
    assert models == sorted(models, key=lambda m: m != "kpo")


def test_every_reason_text_is_tied_to_something_the_user_said():
    profile = Profile(
        tasks=["customer_support", "data_entry", "market_research", "software_development"],
        budget_level="tight",
        budget_amount=2_500.0,
        budget_currency="EUR",
        budget_period="month",
        in_house_expertise="no",
        missing_skills=["research"],
        goals=["innovation"],
        coverage="24/7",
    )
    rec = recommend(profile)
    evidence = {
        "routine_tasks": ["customer support", "data entry and processing"],
        "cost_constraints": ["2,500 eur a month"],
        "customer_service": ["around the clock"],
        "missing_expertise": ["research"],
        "strategic_projects": ["market research"],
        "innovation_goals": ["innovate"],
    }
    assert rules(rec) >= set(evidence)
    for r in rec.reasons:
        for words in evidence.get(r.rule, []):
            assert words in r.text.lower(), (r.rule, r.text)


# --------------------------------------------------------------------------- hybrids

HYBRIDS = [
    (["hr_payroll", "market_research"], ["hr_payroll"], ["market_research"]),
    (["customer_support", "data_analytics"], ["customer_support"], ["data_analytics"]),
    (
        ["accounting", "legal_services", "recruitment", "financial_analysis"],
        ["accounting", "recruitment"],
        ["legal_services", "financial_analysis"],
    ),
    (["software_development", "it_support"], ["it_support"], ["software_development"]),
    (["research_development", "data_entry", "sales"], ["data_entry", "sales"], ["research_development"]),
]


@pytest.mark.parametrize(("tasks", "bpo", "kpo"), HYBRIDS)
def test_mixed_work_is_a_hybrid_that_says_which_tasks_go_where(tasks, bpo, kpo):
    rec = recommend(Profile(tasks=tasks))
    assert rec.choice == "hybrid"
    assert rec.decided_by == "nature_of_work"
    assert rec.bpo_tasks == bpo and rec.kpo_tasks == kpo
    text = messages.recommendation_text(rec, Profile(tasks=tasks))
    bpo_line = next(line for line in text.splitlines() if line.startswith("- BPO for"))
    kpo_line = next(line for line in text.splitlines() if line.startswith("- KPO for"))
    for key in bpo:
        assert taxonomy.TASKS[key].label in bpo_line
        assert taxonomy.TASKS[key].label not in kpo_line
    for key in kpo:
        assert taxonomy.TASKS[key].label in kpo_line
        assert taxonomy.TASKS[key].label not in bpo_line


def test_a_hybrid_has_reasons_for_both_sides():
    rec = recommend(Profile(tasks=["hr_payroll", "market_research"]))
    assert {r.model for r in rec.reasons} == {"bpo", "kpo"}


def test_unknown_task_keys_are_ignored():
    rec = recommend(Profile(tasks=["hr_payroll", "no_such_task"]))
    assert rec.choice == "bpo" and rec.bpo_tasks == ["hr_payroll"]


# --------------------------------------------------------------------------- conflicts


def test_tight_budget_with_market_research_stays_kpo_and_reports_a_cost_conflict():
    rec = recommend(Profile(tasks=["market_research"], budget_level="tight"))
    assert rec.choice == "kpo"
    assert rec.decided_by == "nature_of_work"
    assert len(rec.conflicts) == 1
    assert "cost" in rec.conflicts[0].lower()
    assert "market research" in rec.conflicts[0].lower()
    assert "cost_constraints" in rules(rec)  # the opposing signal is still shown


@pytest.mark.parametrize(
    "profile",
    [
        Profile(tasks=["legal_services"], cost_priority=True),
        Profile(tasks=["financial_analysis"], goals=["cost_reduction"]),
        Profile(tasks=["data_analytics"], budget_level="tight", budget_amount=1_000.0),
    ],
)
def test_any_cost_constraint_on_kpo_work_is_a_conflict_not_a_flip(profile):
    rec = recommend(profile)
    assert rec.choice == "kpo"
    assert any("cost" in c.lower() for c in rec.conflicts)


@pytest.mark.parametrize("goal", ["innovation", "strategic_decisions"])
def test_a_strategic_goal_with_payroll_stays_bpo_and_reports_a_conflict(goal):
    rec = recommend(Profile(tasks=["hr_payroll"], goals=[goal]))
    assert rec.choice == "bpo"
    assert rec.decided_by == "nature_of_work"
    assert len(rec.conflicts) == 1
    assert "routine" in rec.conflicts[0].lower()


def test_missing_skills_with_routine_work_stays_bpo_and_reports_a_conflict():
    rec = recommend(Profile(tasks=["data_entry"], in_house_expertise="no", missing_skills=["legal"]))
    assert rec.choice == "bpo"
    assert any("legal" in c for c in rec.conflicts)


def test_expertise_in_house_with_kpo_work_is_reported():
    rec = recommend(Profile(tasks=["market_research"], in_house_expertise="yes"))
    assert rec.choice == "kpo"
    assert any("in-house" in c for c in rec.conflicts)


def test_a_hybrid_with_a_tight_budget_names_the_kpo_part_in_the_conflict():
    rec = recommend(Profile(tasks=["hr_payroll", "legal_services"], budget_level="tight"))
    assert rec.choice == "hybrid"
    assert len(rec.conflicts) == 1 and "legal services" in rec.conflicts[0]


def test_agreeing_signals_raise_no_conflict():
    assert recommend(Profile(tasks=["customer_support"], budget_level="tight", coverage="24/7")).conflicts == []
    assert recommend(Profile(tasks=["market_research"], in_house_expertise="no", goals=["innovation"])).conflicts == []


# --------------------------------------------------------------------------- confidence


def test_confidence_rises_with_each_agreeing_bpo_signal():
    base = recommend(Profile(tasks=["customer_support"])).confidence  # routine + customer service
    one = recommend(Profile(tasks=["data_entry"])).confidence
    tight = recommend(Profile(tasks=["data_entry"], budget_level="tight")).confidence
    tight_24 = recommend(Profile(tasks=["data_entry"], budget_level="tight", coverage="24/7")).confidence
    assert one < tight < tight_24
    assert one < base


def test_confidence_rises_with_each_agreeing_kpo_signal():
    one = recommend(Profile(tasks=["market_research"])).confidence
    two = recommend(Profile(tasks=["market_research"], in_house_expertise="no")).confidence
    three = recommend(Profile(tasks=["market_research"], in_house_expertise="no", goals=["innovation"])).confidence
    assert one < two < three


def test_confidence_falls_with_conflicts():
    clean = recommend(Profile(tasks=["market_research"])).confidence
    one = recommend(Profile(tasks=["market_research"], budget_level="tight")).confidence
    two = recommend(Profile(tasks=["market_research"], budget_level="tight", in_house_expertise="yes")).confidence
    assert two < one < clean
    assert (
        recommend(Profile(tasks=["hr_payroll"], goals=["innovation"])).confidence
        < recommend(Profile(tasks=["hr_payroll"])).confidence
    )


def test_hybrid_confidence_falls_with_a_conflict():
    clean = recommend(Profile(tasks=["hr_payroll", "legal_services"])).confidence
    conflicted = recommend(Profile(tasks=["hr_payroll", "legal_services"], budget_level="tight")).confidence
    assert conflicted < clean


def test_confidence_is_always_between_0_4_and_0_95():
    everything = Profile(
        tasks=["market_research", "financial_analysis", "research_development"],
        in_house_expertise="no",
        missing_skills=["finance"],
        goals=["innovation", "strategic_decisions"],
    )
    assert recommend(everything).confidence <= 0.95
    conflicted = Profile(tasks=["legal_services"], budget_level="tight", cost_priority=True, in_house_expertise="yes")
    assert recommend(conflicted).confidence >= 0.4
    assert 0.4 <= recommend(Profile()).confidence <= 0.95


def test_work_named_by_the_user_decides_with_more_confidence_than_signals_alone():
    by_work = recommend(Profile(tasks=["data_entry"], budget_level="tight"))
    by_signals = recommend(Profile(budget_level="tight"))
    assert by_work.confidence > by_signals.confidence


# --------------------------------------------------------------------------- no tasks

NO_TASKS = [
    (Profile(budget_level="tight"), "bpo"),
    (Profile(budget_level="tight", coverage="24/7"), "bpo"),
    (Profile(cost_priority=True, goals=["round_the_clock"]), "bpo"),
    (Profile(in_house_expertise="no"), "kpo"),
    (Profile(goals=["innovation", "strategic_decisions"]), "kpo"),
    (Profile(in_house_expertise="partial", missing_skills=["legal"], goals=["innovation"]), "kpo"),
    (Profile(budget_level="tight", goals=["innovation", "strategic_decisions"]), "kpo"),
    (Profile(budget_level="tight", in_house_expertise="no"), "hybrid"),
    (Profile(), "hybrid"),
    (Profile(budget_level="moderate", in_house_expertise="yes"), "hybrid"),
]


@pytest.mark.parametrize(("profile", "choice"), NO_TASKS)
def test_without_tasks_the_choice_is_decided_by_the_signals(profile, choice):
    rec = recommend(profile)
    assert rec.decided_by == "signals"
    assert rec.choice == choice
    assert rec.bpo_tasks == [] and rec.kpo_tasks == []


def test_without_tasks_confidence_grows_with_the_signal_margin():
    one = recommend(Profile(budget_level="tight")).confidence
    two = recommend(Profile(budget_level="tight", coverage="24/7")).confidence
    tie = recommend(Profile(budget_level="tight", in_house_expertise="no")).confidence
    assert tie < one < two


# --------------------------------------------------------------------------- profile plumbing


def test_profile_from_slots_drops_unknown_and_empty_values():
    p = Profile.from_slots(
        {
            "tasks": ["hr_payroll", "unknown", None],
            "goals": ["unknown"],
            "missing_skills": None,
            "budget_level": "tight",
            "coverage": "24/7",
            "unrelated_slot": "ignored",
        }
    )
    assert p.tasks == ["hr_payroll"] and p.goals == [] and p.missing_skills == []
    assert p.budget_level == "tight" and p.coverage == "24/7"


def test_budget_text_quotes_the_amount_the_user_gave():
    p = Profile(budget_amount=50_000.0, budget_currency="EUR", budget_period="year")
    assert p.budget_text == "50,000 EUR a year"
    assert Profile(budget_level="tight").budget_text == "a tight budget"
    assert Profile(budget_level="unknown").budget_text == ""


def test_recommendation_serialises_to_a_plain_dict():
    d = recommend(Profile(tasks=["hr_payroll", "market_research"])).to_dict()
    assert d["choice"] == "hybrid"
    assert {r["rule"] for r in d["reasons"]} >= {"routine_tasks", "strategic_projects"}


@pytest.mark.parametrize(
    "tasks, budget, phrases",
    [
        (["market_research"], "flexible", ["Market research calls for"]),
        (["market_research", "financial_analysis"], "flexible", ["Market research and financial analysis call for"]),
        (["legal_services"], "flexible", ["Legal services needs legal expertise"]),
        (["legal_services", "software_development"], "flexible", [" need legal expertise and advanced technical"]),
        (["customer_support"], "flexible", ["Customer support is customer-facing", "a provider runs it"]),
        (["customer_support", "hr_payroll"], "flexible", ["are routine, process-driven work: a provider runs them"]),
        (
            ["market_research", "legal_services"],
            "tight",
            ["need specialists that a BPO provider does not staff, so they"],
        ),
        (["market_research"], "tight", ["needs specialists that a BPO provider does not staff, so it stays"]),
    ],
)
def test_the_verb_agrees_with_the_number_of_tasks_a_reason_names(tasks, budget, phrases):
    result = recommend(Profile(tasks=tasks, budget_level=budget))
    said = " ".join([r.text for r in result.reasons] + list(result.conflicts))
    for phrase in phrases:
        assert phrase in said


@pytest.mark.parametrize("coverage", ["business_hours", "extended"])
def test_shorter_hours_said_later_outweigh_an_earlier_round_the_clock_goal(coverage):
    said_24_7 = Profile(tasks=["customer_support"], goals=["round_the_clock"], coverage="24/7")
    corrected = Profile(tasks=["customer_support"], goals=["round_the_clock"], coverage=coverage)
    assert "around the clock" in " ".join(r.text for r in recommend(said_24_7).reasons)
    assert "around the clock" not in " ".join(r.text for r in recommend(corrected).reasons)
    assert Profile(goals=["round_the_clock"]).round_the_clock  # no hours said: the goal counts


def test_the_same_advice_is_recognised_from_its_stored_details():
    rec = recommend(Profile(tasks=["hr_payroll", "market_research"], in_house_expertise="no"))
    stored = {**rec.to_dict(), "profile": {"coverage": None}}
    assert rec.same_as(stored) and not rec.same_as({}) and not rec.same_as(None)
    assert not rec.same_as({**stored, "confidence": rec.confidence - 0.1})


def test_an_hours_fact_that_leaves_the_advice_as_it_was_is_noted_with_what_it_means():
    before = Profile(tasks=["hr_payroll", "market_research"])
    rec = recommend(before)
    hours = messages.update_text(before, Profile(tasks=before.tasks, coverage="business_hours"), rec)
    assert hours.startswith("Noted: business hours are enough")
    assert "don't change the advice: it stays a hybrid of BPO and KPO" in hours
    support = Profile(tasks=["customer_support"], coverage="unknown")
    said = messages.update_text(support, Profile(tasks=support.tasks, coverage="business_hours"), recommend(support))
    assert "it stays BPO" in said and "cost estimates now assume those hours" in said
    other = messages.update_text(before, Profile(tasks=before.tasks, budget_level="moderate"), rec)
    assert other == "Noted, thanks. That doesn't change the advice: it stays a hybrid of BPO and KPO."


def test_a_place_told_after_the_advice_is_noted_with_where_it_matters():
    rec = recommend(Profile(tasks=["hr_payroll"], budget_level="tight"))
    said = messages.place_noted({"company_region": "eu", "customer_region": "uk", "tasks": ["x"]}, rec)
    assert said is not None and said.startswith("Noted: you're in the EU. Noted: your customers are in the UK.")
    assert "it stays BPO" in said and "where should the provider be?" in said
    assert messages.place_noted({"company_region": "atlantis"}, rec) is None
    assert messages.place_noted({"budget_level": "tight"}, rec) is None


def test_the_cost_reason_says_what_was_said_a_priority_or_a_goal():
    from advisor.texts import say

    def cost_reason(profile: Profile) -> str:
        return next(r.text for r in recommend(profile).reasons if r.rule == "cost_constraints")

    goal = cost_reason(Profile(tasks=["accounting"], goals=["cost_reduction"]))  # "efficiency"
    assert say("advice.reasons.cost_goal") in goal
    assert say("advice.reasons.cost_priority") not in goal
    priority = cost_reason(Profile(tasks=["accounting"], cost_priority=True, goals=["cost_reduction"]))
    assert say("advice.reasons.cost_priority") in priority


@pytest.mark.parametrize(("level", "key"), [("no", "no_in_house_team"), ("partial", "in_house_team_short")])
def test_routine_work_beyond_the_team_is_said_as_the_user_put_it(level, key):
    from advisor.texts import say

    rec = recommend(Profile(tasks=["industry_bpo"], in_house_expertise=level))
    assert say(f"advice.reasons.{key}") in [r.text for r in rec.reasons]
