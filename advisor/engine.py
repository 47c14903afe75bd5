"""The recommendation engine: the article's "when to choose" rules applied to a profile.

Decision
    The nature of the work decides. Each task is BPO (routine, process-driven)
    or KPO (expertise-driven) by the taxonomy. Only BPO work -> `bpo`, only KPO
    work -> `kpo`, both -> `hybrid` (naming which task goes where). With no
    known task the supporting signals below are weighed instead.

Supporting signals (the article's "when to opt for" lists)
    BPO: routine tasks; cost constraints (tight budget, cost first, cost-cutting
    goal); customer-service needs (customer-facing work, 24/7 coverage).
    KPO: specialised expertise missing in-house; strategic projects (research,
    analysis, strategy, a strategic-decision goal); innovation goals.

Conflicts
    A signal that points the other way (a tight budget for market research, an
    innovation goal for payroll) never flips the choice, because the kind of
    work a provider is staffed for does not change with the budget. It lowers
    the confidence and is returned in `conflicts` so the assistant can say so.

Confidence
    0.65 for a choice made by the work, +0.08 per agreeing signal, -0.1 per
    conflict, bounded to [0.4, 0.95]; without tasks, 0.45 +/- the signal margin.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

from advisor import taxonomy
from advisor.taxonomy import BPO, HYBRID, KPO
from advisor.texts import say

SPECIALISED_CATEGORIES = {"kpo_technology", "kpo_legal"}
STRATEGIC_CATEGORIES = {"kpo_rnd", "kpo_strategy", "kpo_market_research", "kpo_financial", "kpo_general"}


@dataclass
class Profile:
    """What the company told the assistant (slot values)."""

    tasks: list[str] = field(default_factory=list)
    budget_level: str | None = None
    budget_amount: float | None = None
    budget_currency: str | None = None
    budget_period: str | None = None
    cost_priority: bool | None = None
    in_house_expertise: str | None = None
    missing_skills: list[str] = field(default_factory=list)
    goals: list[str] = field(default_factory=list)
    coverage: str | None = None
    task_evidence: dict[str, list[str]] = field(default_factory=dict, compare=False)

    @classmethod
    def from_slots(cls, slots: dict[str, Any]) -> Profile:
        known: dict[str, Any] = {k: slots.get(k) for k in cls.__dataclass_fields__}
        for list_key in ("tasks", "missing_skills", "goals"):
            known[list_key] = [v for v in (known[list_key] or []) if v and v != "unknown"]
        known["task_evidence"] = dict(known["task_evidence"] or {})
        return cls(**known)

    def named(self, keys: list[str]) -> str:
        """Task labels joined, each with the user's own words for it: 'payroll ("run our payroll")'."""
        parts = []
        for key in keys:
            words = (self.task_evidence.get(key) or [""])[0]
            label = taxonomy.TASKS[key].label
            shown = words and words.lower() not in label.lower() and label.lower() not in words.lower()
            parts.append(f'{label} ("{words}")' if shown else label)
        return taxonomy.join_labels(parts)

    @property
    def round_the_clock(self) -> bool:
        """Customers need cover around the clock: said as the hours of cover, or as a goal ("24/7
        support") unless the hours said since are shorter ("actually business hours are fine")."""
        if self.coverage in ("business_hours", "extended"):
            return False
        return self.coverage == "24/7" or "round_the_clock" in self.goals

    @property
    def cost_constrained(self) -> bool:
        return self.budget_level == "tight" or bool(self.cost_priority) or "cost_reduction" in self.goals

    @property
    def budget_text(self) -> str:
        if self.budget_amount:
            amount = f"{self.budget_amount:,.0f}"
            currency = f" {self.budget_currency}" if self.budget_currency else ""
            period = {
                "month": " a month",
                "year": " a year",
                "week": " a week",
                "quarter": " a quarter",
                "total": " in total",
            }.get(self.budget_period or "", "")
            return f"{amount}{currency}{period}"
        return f"a {self.budget_level} budget" if self.budget_level in ("tight", "moderate", "flexible") else ""


@dataclass
class Reason:
    """One reason for the recommendation, tied to what the user said."""

    rule: str  # e.g. "routine_tasks", "missing_expertise"
    model: str  # "bpo" or "kpo": which option this reason supports
    text: str


@dataclass
class Recommendation:
    """The engine's answer."""

    choice: str
    confidence: float
    reasons: list[Reason]
    bpo_tasks: list[str]
    kpo_tasks: list[str]
    conflicts: list[str]
    decided_by: str  # "nature_of_work" or "signals"

    @property
    def said(self) -> list[str]:
        """The reasons, then the conflicts, as the user reads them: the `recommendation_reasons`
        slot and a lead's reasons."""
        return [r.text for r in self.reasons] + self.conflicts

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def same_as(self, details: dict[str, Any] | None) -> bool:
        """Whether `details` (a stored `to_dict()`, e.g. from a slot, with or without its
        "profile") is this very advice: same choice, confidence, reasons, conflicts and tasks."""
        if not details:
            return False
        stored = {key: value for key, value in details.items() if key != "profile"}
        return stored == json.loads(json.dumps(self.to_dict()))


def _signals(p: Profile, bpo_tasks: list[str], kpo_tasks: list[str]) -> list[Reason]:
    out: list[Reason] = []
    if bpo_tasks:
        out.append(
            Reason(
                "routine_tasks",
                BPO,
                say(
                    counted("advice.reasons.routine_tasks", bpo_tasks), tasks=taxonomy.sentence_case(p.named(bpo_tasks))
                ),
            )
        )
    if p.cost_constrained:
        said = []
        if p.budget_level == "tight":
            said.append(
                say("advice.reasons.budget_tight_amount", budget=p.budget_text)
                if p.budget_amount
                else say("advice.reasons.budget_tight")
            )
        if p.cost_priority:
            said.append(say("advice.reasons.cost_priority"))
        elif "cost_reduction" in p.goals:  # a goal named in other words ("efficiency", "save money")
            said.append(say("advice.reasons.cost_goal"))
        out.append(
            Reason("cost_constraints", BPO, say("advice.reasons.cost_constraints", said=taxonomy.join_labels(said)))
        )
    customer_tasks = [t for t in bpo_tasks if taxonomy.TASKS[t].customer_facing]
    if customer_tasks or p.coverage == "extended" or p.round_the_clock:
        if p.round_the_clock:
            text = say("advice.reasons.coverage_round_the_clock")
        elif p.coverage == "extended":
            text = say("advice.reasons.coverage_extended")
        else:
            text = say(
                counted("advice.reasons.customer_facing", customer_tasks),
                tasks=taxonomy.sentence_case(taxonomy.join_labels(taxonomy.labels(customer_tasks))),
            )
        out.append(Reason("customer_service", BPO, text))
    if bpo_tasks and not kpo_tasks and p.in_house_expertise in ("no", "partial") and not p.missing_skills:
        # Routine work with no team for it: BPO supplies the team (no specialist skill is missing).
        text = (
            say("advice.reasons.no_in_house_team")
            if p.in_house_expertise == "no"
            else say("advice.reasons.in_house_team_short")
        )
        out.append(Reason("no_in_house_team", BPO, text))
    elif p.in_house_expertise in ("no", "partial") or p.missing_skills:
        gap = f" ({taxonomy.join_labels(p.missing_skills)})" if p.missing_skills else ""
        level = (
            say("advice.reasons.level_partial")
            if p.in_house_expertise == "partial"
            else say("advice.reasons.level_missing")
        )
        out.append(Reason("missing_expertise", KPO, say("advice.reasons.missing_expertise", level=level, gap=gap)))
    strategic = [t for t in kpo_tasks if taxonomy.TASKS[t].category in STRATEGIC_CATEGORIES]
    if strategic or "strategic_decisions" in p.goals:
        what = p.named(strategic) if strategic else say("advice.reasons.strategic_goal")
        out.append(
            Reason(
                "strategic_projects",
                KPO,
                say(counted("advice.reasons.strategic_projects", strategic), what=taxonomy.sentence_case(what)),
            )
        )
    if "innovation" in p.goals:
        out.append(Reason("innovation_goals", KPO, say("advice.reasons.innovation_goal")))
    elif "research_development" in kpo_tasks:
        out.append(Reason("innovation_goals", KPO, say("advice.reasons.innovation_rnd")))
    specialised = [t for t in kpo_tasks if taxonomy.TASKS[t].category in SPECIALISED_CATEGORIES]
    if specialised:
        needed = taxonomy.join_labels(
            list(dict.fromkeys(say(f"advice.reasons.skill.{taxonomy.TASKS[t].category}") for t in specialised))
        )
        out.append(
            Reason(
                "specialised_work",
                KPO,
                say(
                    counted("advice.reasons.specialised_work", specialised),
                    tasks=taxonomy.sentence_case(p.named(specialised)),
                    needed=needed,
                ),
            )
        )
    return out


def counted(key: str, tasks: list[str]) -> str:
    """The text key for one task, or its "_many" variant when the sentence names several
    (so the verb agrees: "market research calls for", "market research and legal services call for")."""
    return f"{key}_many" if len(tasks) > 1 else key


def recommend(profile: Profile) -> Recommendation:
    """Apply the rules in the module docstring to `profile`."""
    bpo_tasks, kpo_tasks = taxonomy.split_by_model(profile.tasks)
    reasons = _signals(profile, bpo_tasks, kpo_tasks)
    bpo_votes = sum(r.model == BPO for r in reasons)
    kpo_votes = sum(r.model == KPO for r in reasons)
    conflicts: list[str] = []

    if bpo_tasks or kpo_tasks:
        decided_by = "nature_of_work"
        if bpo_tasks and kpo_tasks:
            choice = HYBRID
        elif bpo_tasks:
            choice = BPO
        else:
            choice = KPO
        if choice in (KPO, HYBRID):
            if profile.cost_constrained:
                conflicts.append(
                    say(
                        counted("advice.conflicts.cost_vs_knowledge_work", kpo_tasks),
                        tasks=taxonomy.join_labels(taxonomy.labels(kpo_tasks)),
                    )
                )
            if profile.in_house_expertise == "yes" and not profile.missing_skills and choice == KPO:
                conflicts.append(say("advice.conflicts.know_how_in_house"))
        if choice == BPO:
            if "innovation" in profile.goals or "strategic_decisions" in profile.goals:
                conflicts.append(say("advice.conflicts.strategic_goals_routine_work"))
            if profile.in_house_expertise in ("no", "partial") and profile.missing_skills:
                conflicts.append(
                    say(
                        "advice.conflicts.missing_skills_routine_work",
                        skills=taxonomy.join_labels(profile.missing_skills),
                    )
                )
        agreeing = bpo_votes if choice == BPO else kpo_votes if choice == KPO else bpo_votes + kpo_votes
        confidence = 0.65 + 0.08 * max(agreeing - 1, 0) - 0.1 * len(conflicts)
        if choice == HYBRID:
            confidence = 0.7 + 0.03 * min(len(bpo_tasks) + len(kpo_tasks), 4) - 0.05 * len(conflicts)
    else:
        decided_by = "signals"
        if bpo_votes > kpo_votes:
            choice = BPO
        elif kpo_votes > bpo_votes:
            choice = KPO
        else:
            choice = HYBRID
        confidence = 0.45 + 0.1 * abs(bpo_votes - kpo_votes)
    confidence = round(min(max(confidence, 0.4), 0.95), 2)
    ordered = sorted(reasons, key=lambda r: choice != HYBRID and r.model != choice)
    return Recommendation(choice, confidence, ordered, bpo_tasks, kpo_tasks, conflicts, decided_by)
