"""The assistant's advice texts: recommendation, reasons, what-if and trade-offs."""

from __future__ import annotations

import re
from dataclasses import replace

from advisor import taxonomy
from advisor.engine import Profile, Recommendation, recommend
from advisor.extraction import extract

NAMES = {"bpo": "BPO", "kpo": "KPO", "hybrid": "a hybrid of BPO and KPO"}

SERVICES = {
    "bpo": "Look for a BPO provider covering {tasks}; expect lower running costs, capacity that "
    "grows or shrinks with demand, and more of your team's time for core work.",
    "kpo": "Look for a KPO firm with proven specialists in {tasks}; expect expertise you don't have "
    "in-house, fresh methods that push innovation, and analysis that sharpens your strategy.",
}

WHY_ASK: dict[str, str] = {
    "tasks": "The kind of work decides most: routine processes suit BPO, work that needs expert judgement suits KPO.",
    "budget_level": "Cost pressure is one of the main reasons to choose BPO, so your budget and "
    "whether saving money comes first change the advice.",
    "in_house_expertise": "If the know-how is missing in-house, that is the strongest sign for KPO; "
    "if you have it, outsourcing is more about capacity and cost.",
    "goals": "Cost cutting, focus and scaling point to BPO; better strategic decisions and innovation point to KPO.",
    "coverage": "Round-the-clock customer coverage is a classic reason to use a BPO contact centre, "
    "and it changes the kind of provider you need.",
}

TRADEOFFS = {
    "bpo": "BPO trade-offs: it is cheaper and scales easily, but it follows your procedures rather "
    "than improving them, and it won't supply expert analysis or strategic insight.",
    "kpo": "KPO trade-offs: you get specialists and insight, but it costs more per hour, needs more "
    "of your time to brief, and is poor value for simple repetitive work.",
}


def recommendation_text(rec: Recommendation, profile: Profile) -> str:
    """The message that gives and explains the advice."""
    lines: list[str] = []
    pct = round(rec.confidence * 100)
    if rec.choice == "hybrid":
        lines.append(f"My recommendation: a hybrid of BPO and KPO ({pct}% confidence).")
        lines.append(f"- BPO for {taxonomy.join_labels(taxonomy.labels(rec.bpo_tasks))}: routine, process-driven work.")
        lines.append(
            f"- KPO for {taxonomy.join_labels(taxonomy.labels(rec.kpo_tasks))}: work that needs specialist expertise."
        )
    else:
        lines.append(f"My recommendation: {NAMES[rec.choice]} ({pct}% confidence).")
    lines.append("Why:")
    lines.extend(f"- {r.text}" for r in rec.reasons[:4])
    if rec.conflicts:
        lines.append("One thing to weigh:" if len(rec.conflicts) == 1 else "Things to weigh:")
        lines.extend(f"- {c}" for c in rec.conflicts)
    if rec.choice in ("bpo", "hybrid") and rec.bpo_tasks:
        lines.append(SERVICES["bpo"].format(tasks=taxonomy.join_labels(taxonomy.labels(rec.bpo_tasks))))
    if rec.choice in ("kpo", "hybrid") and rec.kpo_tasks:
        lines.append(SERVICES["kpo"].format(tasks=taxonomy.join_labels(taxonomy.labels(rec.kpo_tasks))))
    return "\n".join(lines)


def why_text(rec: Recommendation) -> str:
    """Answer to "why?" after the advice: every reason and the deciding rule."""
    head = (
        "The type of work decides: routine, process-driven work goes to BPO, expertise-driven work to KPO."
        if rec.decided_by == "nature_of_work"
        else "You didn't name specific tasks, so I weighed your budget, know-how and goals."
    )
    parts = [head] + [f"- {r.text}" for r in rec.reasons]
    if rec.conflicts:
        parts += [f"- Note: {c}" for c in rec.conflicts]
    return "\n".join(parts)


def what_if(profile: Profile, question: str) -> Profile | None:
    """The profile a hypothetical describes ("what if our budget were bigger?"), or None."""
    facts = extract(question)
    changed = profile
    b = facts.budget
    if b.level or b.amount:
        changed = replace(
            changed, budget_level=b.level, budget_amount=b.amount, budget_currency=b.currency, budget_period=b.period
        )
    elif re.search(r"\b(budget|money|cost|price|spend)\b", question, re.IGNORECASE) and re.search(
        r"\b(bigger|larger|higher|more|not\s+an?\s+(?:issue|problem)|unlimited|double)\b", question, re.IGNORECASE
    ):
        changed = replace(
            changed,
            budget_level="flexible",
            budget_amount=None,
            cost_priority=False,
            goals=[g for g in changed.goals if g != "cost_reduction"],
        )
    elif re.search(r"\b(budget|money|cost|price|spend)\b", question, re.IGNORECASE) and re.search(
        r"\b(smaller|lower|less|tighter|cut|halved)\b", question, re.IGNORECASE
    ):
        changed = replace(changed, budget_level="tight")
    if b.cost_priority is not None:
        changed = replace(changed, cost_priority=b.cost_priority)
    if facts.in_house_expertise:
        changed = replace(
            changed,
            in_house_expertise=facts.in_house_expertise,
            missing_skills=facts.missing_skills if facts.in_house_expertise != "yes" else [],
        )
    elif re.search(
        r"\b(had|have|hired|with)\b.*\b(experts?|specialists?|know-?how|skills|in[- ]house)\b", question, re.IGNORECASE
    ):
        changed = replace(changed, in_house_expertise="yes", missing_skills=[])
    if facts.tasks:
        only = re.search(r"\b(only|just|instead)\b", question, re.IGNORECASE)
        tasks = facts.tasks if only else list(dict.fromkeys(changed.tasks + facts.tasks))
        changed = replace(changed, tasks=tasks)
    if facts.negated_tasks:
        changed = replace(changed, tasks=[t for t in changed.tasks if t not in facts.negated_tasks])
    if facts.goals:
        changed = replace(changed, goals=list(dict.fromkeys(changed.goals + facts.goals)))
    if facts.coverage:
        changed = replace(changed, coverage=facts.coverage)
    return None if changed == profile else changed


def what_if_text(current: Recommendation, changed: Profile | None) -> str:
    """Compare the current advice with the advice for a hypothetical profile."""
    if changed is None:
        return (
            'Tell me what would change, for example "what if our budget were bigger?", "what if we '
            'had experts in-house?" or "what if we only needed payroll?", and I\'ll re-run the advice.'
        )
    new = recommend(changed)
    if new.choice == current.choice:
        head = f"It would still be {NAMES[new.choice]}."
        if new.conflicts != current.conflicts:
            head += " The trade-offs change, though:" if new.conflicts else " And the earlier concern would go away."
        detail = [f"- {c}" for c in new.conflicts] if new.conflicts else []
        return "\n".join([head, *detail, "The type of work decides the model; budget and skills shape how you buy it."])
    return "\n".join(
        [f"Then I'd switch from {NAMES[current.choice]} to {NAMES[new.choice]}."]
        + [f"- {r.text}" for r in new.reasons[:3]]
        + ["(Your saved answers are unchanged; tell me if this is your real situation.)"]
    )


def tradeoffs_text(rec: Recommendation) -> str:
    """What the user would gain or lose with the other option(s)."""
    if rec.choice == "bpo":
        return (
            TRADEOFFS["kpo"] + " For the routine work you described, that premium buys little; "
            "it would pay off only if you add research, analysis or strategy work."
        )
    if rec.choice == "kpo":
        return (
            TRADEOFFS["bpo"] + " A BPO provider would be cheaper, but it isn't staffed for the "
            "expert work you described, so quality and insight would suffer."
        )
    return (
        "The alternative to a hybrid is one provider for everything. All-BPO would be cheaper but "
        "weak on the expert part; all-KPO would cover both but overpay for the routine part.\n"
        + TRADEOFFS["bpo"]
        + "\n"
        + TRADEOFFS["kpo"]
    )
