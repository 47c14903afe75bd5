"""The advice replies: recommendation, "why?", what-if and trade-offs.

These functions decide which sentences to send and in what order; the sentences themselves
are in domain/texts/advice.yml (and the names of the options in domain/texts/general.yml).
"""

from __future__ import annotations

import re
from dataclasses import replace

from advisor import budget as budget_parser
from advisor import location, taxonomy
from advisor.engine import Profile, Recommendation, recommend
from advisor.extraction import extract
from advisor.texts import say

CHOICES = ("bpo", "kpo", "hybrid")
FORM_QUESTIONS = ("tasks", "budget_level", "in_house_expertise", "goals", "coverage")


def name(choice: str) -> str:
    """The recommendation as it reads in a sentence: "BPO", "KPO", "a hybrid of BPO and KPO"."""
    return say(f"general.names.{choice}")


def why_ask(slot: str | None) -> str | None:
    """Why the advisor form asks for `slot`, or None when it is not one of the form's questions."""
    return say(f"advice.why_ask.{slot}") if slot in FORM_QUESTIONS else None


def recommendation_text(rec: Recommendation, profile: Profile) -> str:
    """The message that gives and explains the advice."""
    pct = round(rec.confidence * 100)
    lines = [say("advice.recommendation.headline", name=name(rec.choice), pct=pct)]
    if rec.choice == "hybrid":
        lines.append("- " + say("advice.recommendation.hybrid_bpo", tasks=_labels(rec.bpo_tasks)))
        lines.append("- " + say("advice.recommendation.hybrid_kpo", tasks=_labels(rec.kpo_tasks)))
    lines.append(say("advice.recommendation.why"))
    lines.extend(f"- {r.text}" for r in rec.reasons[:4])
    if rec.conflicts:
        one = len(rec.conflicts) == 1
        lines.append(say("advice.recommendation.one_to_weigh" if one else "advice.recommendation.many_to_weigh"))
        lines.extend(f"- {c}" for c in rec.conflicts)
    if rec.choice in ("bpo", "hybrid") and rec.bpo_tasks:
        lines.append(say("advice.recommendation.look_for.bpo", tasks=_labels(rec.bpo_tasks)))
    if rec.choice in ("kpo", "hybrid") and rec.kpo_tasks:
        lines.append(say("advice.recommendation.look_for.kpo", tasks=_labels(rec.kpo_tasks)))
    return "\n".join(lines)


COVERAGE_NOTED = {"business_hours": "business_hours", "extended": "extended", "24/7": "round_the_clock"}
"""The hours of cover (`coverage` slot values) and the key of the sentence that notes each."""


def update_text(before: Profile, after: Profile, rec: Recommendation) -> str:
    """The reply to facts given after the advice that leave it exactly as it was ("business hours"
    typed after a hybrid for payroll and research): what was noted and what it means for the
    advice, instead of the same advice again."""
    hours = after.coverage if after.coverage != before.coverage else None
    noted = say(f"advice.update.coverage.{COVERAGE_NOTED[hours]}") if hours in COVERAGE_NOTED else None
    customer_facing = any(taxonomy.TASKS[t].customer_facing for t in after.tasks if t in taxonomy.TASKS)
    if noted is None:
        lines = [say("advice.update.noted"), say("advice.update.stands", name=name(rec.choice))]
    elif customer_facing:
        lines = [noted, say("advice.update.stands", name=name(rec.choice)), say("advice.update.costs_follow")]
    else:
        lines = [noted, say("advice.update.hours_do_not_apply", name=name(rec.choice))]
    return " ".join(lines)


def place_noted(places: dict[str, str], rec: Recommendation) -> str | None:
    """The reply to where the company or its customers are, told after the advice and leaving it
    as it was ({"company_region": "eu"}): what was noted and where it matters. None without a place."""
    known = location.places()
    lines = [
        say(f"advice.update.place.{role}", place=known[places[f"{role}_region"]].label)
        for role in ("company", "customer")
        if places.get(f"{role}_region") in known
    ]
    return " ".join([*lines, say("advice.update.place_matters", name=name(rec.choice))]) if lines else None


def _labels(tasks: list[str]) -> str:
    return taxonomy.join_labels(taxonomy.labels(tasks))


def tasks_changed_text(before: list[str] | None, after: list[str] | None) -> str | None:
    """What a message changed in the work while another question was pending ("Sorry, not sales
    calls, I meant customer service calls"), said back before the question is asked again, so a
    correction is never taken in silence. None when the work did not change."""
    old, new = list(before or []), list(after or [])
    added = [t for t in new if t not in old]
    removed = [t for t in old if t not in new]
    if added and removed:
        return say("conversation.tasks_changed.instead", added=_labels(added), removed=_labels(removed))
    if added:
        return say("conversation.tasks_changed.added", added=_labels(added))
    if removed:
        return say("conversation.tasks_changed.removed", removed=_labels(removed))
    return None


def why_text(rec: Recommendation) -> str:
    """Answer to "why?" after the advice: every reason and the deciding rule."""
    head = say("advice.why.by_work") if rec.decided_by == "nature_of_work" else say("advice.why.by_signals")
    parts = [head] + [f"- {r.text}" for r in rec.reasons]
    if rec.conflicts:
        parts += ["- " + say("advice.why.note", conflict=c) for c in rec.conflicts]
    return "\n".join(parts)


# "What if the budget were half that?": a multiple of the budget already given.
_BUDGET_WORD = re.compile(r"\b(budget|money|cost|price|spend|that|it)\b", re.IGNORECASE)
_FACTORS = (
    (re.compile(r"\b(half|halved|halve)\b", re.IGNORECASE), 0.5),
    (re.compile(r"\b(a\s+third|one\s+third)\b", re.IGNORECASE), 1 / 3),
    (re.compile(r"\b(a\s+quarter|one\s+quarter)\b", re.IGNORECASE), 0.25),
    (re.compile(r"\b(double|doubled|twice)\b", re.IGNORECASE), 2.0),
    (re.compile(r"\b(triple|tripled|three\s+times)\b", re.IGNORECASE), 3.0),
)


def _budget_factor(question: str) -> float | None:
    if not _BUDGET_WORD.search(question):
        return None
    return next((factor for pattern, factor in _FACTORS if pattern.search(question)), None)


def what_if(profile: Profile, question: str) -> Profile | None:
    """The profile a hypothetical describes ("what if our budget were bigger?"), or None."""
    facts = extract(question)
    changed = profile
    b = facts.budget
    factor = _budget_factor(question) if not (b.level or b.amount) else None
    if factor is not None and profile.budget_amount:
        amount = profile.budget_amount * factor
        level = budget_parser.level_for(amount, profile.budget_currency, profile.budget_period)
        changed = replace(changed, budget_amount=amount, budget_level=level)
        if factor > 1:
            changed = replace(changed, cost_priority=False, goals=[g for g in changed.goals if g != "cost_reduction"])
    elif factor is not None:
        changed = replace(
            changed, budget_level=budget_parser.shift_level(profile.budget_level, "up" if factor > 1 else "down")
        )
    elif b.level or b.amount:
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
        return say("advice.what_if.no_change_named")
    new = recommend(changed)
    if new.choice == current.choice:
        head = say("advice.what_if.same", name=name(new.choice))
        if new.conflicts != current.conflicts:
            head += " " + say("advice.what_if.tradeoffs_change" if new.conflicts else "advice.what_if.concern_gone")
        detail = [f"- {c}" for c in new.conflicts] if new.conflicts else []
        return "\n".join([head, *detail, say("advice.what_if.rule")])
    return "\n".join(
        [say("advice.what_if.switch", before=name(current.choice), after=name(new.choice))]
        + [f"- {r.text}" for r in new.reasons[:3]]
        + [say("advice.what_if.saved_answers_kept")]
    )


def tradeoffs_text(rec: Recommendation) -> str:
    """What the user would gain or lose with the other option(s)."""
    if rec.choice == "bpo":
        return say("advice.tradeoffs.kpo") + " " + say("advice.tradeoffs.premium_buys_little")
    if rec.choice == "kpo":
        return say("advice.tradeoffs.bpo") + " " + say("advice.tradeoffs.not_staffed_for_expert_work")
    return "\n".join([say("advice.tradeoffs.one_provider"), say("advice.tradeoffs.bpo"), say("advice.tradeoffs.kpo")])
