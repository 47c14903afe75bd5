"""BANT-style lead qualification score (Budget, Authority, Need, Timeline).

Formula: ``score = budget + authority + need + timeline`` (0-100), each factor capped.

Budget (max 30)
    When the amount and the work are both known, the base is the budget's fit, the same one the
    cost estimate states (``advisor.guidance.budget_fit``: the monthly budget against a starting
    team at the regions the estimate suggests for the work, its data rules and places):
    ``fits`` 25, ``tight`` 15, ``short`` 5. Otherwise:
    base from the level: ``flexible`` 25, ``moderate`` 17, ``tight`` 7, unknown 10;
    base from a monthly amount in USD-equivalent: >= 20,000 → 25, >= 5,000 → 19,
    >= 1,000 → 12, > 0 → 5. When both are known the higher base counts.
    ``+5`` when cost reduction is the priority (a clear business case to outsource).
Authority (max 25), from the role text
    high (C-level, chief, founder, owner, president, partner, VP, director, head) 25,
    medium (manager, lead, supervisor) 15, low (analyst, assistant, intern, student,
    trainee, junior, coordinator) 5, unknown or unrecognised 8.
    Only the title before "of/to/for/at/in/," counts ("Assistant to the CEO" is low,
    "Head of Interns" is high); the highest level found there wins.
Need (max 25)
    recommended tasks: 0 → 0, 1 → 8, 2 → 12, 3 or more → 16;
    ``+9`` when in-house expertise is missing (``expertise_gap`` true).
Timeline (max 20), from free text
    now 20, within a month 16, this quarter 12, this year 7, just exploring 2, unknown 5.

Tiers: ``hot`` when score >= 70, ``warm`` when 40 <= score < 70, ``cold`` below 40.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from advisor import guidance
from advisor.engine import Profile

HOT_THRESHOLD = 70
WARM_THRESHOLD = 40

BUDGET_LEVEL_POINTS = {"flexible": 25, "moderate": 17, "tight": 7}
BUDGET_FIT_POINTS = {"fits": 25, "tight": 15, "short": 5}
BUDGET_FIT_LABELS = {
    "fits": "budget covers the estimated starting team",
    "tight": "budget covers only the low end of the estimate",
    "short": "budget is below the estimate",
}
BUDGET_UNKNOWN_POINTS = 10
COST_PRIORITY_BONUS = 5
BUDGET_MAX = 30
AUTHORITY_POINTS = {"high": 25, "medium": 15, "low": 5}
AUTHORITY_UNKNOWN_POINTS = 8
TASK_POINTS = (0, 8, 12, 16)
EXPERTISE_GAP_BONUS = 9
NEED_MAX = 25
TIMELINE_POINTS = {"now": 20, "month": 16, "quarter": 12, "year": 7, "exploring": 2}
TIMELINE_UNKNOWN_POINTS = 5
TIMELINE_LABELS = {
    "now": "needs it now",
    "month": "wants to start within a month",
    "quarter": "wants to start this quarter",
    "year": "wants to start this year",
    "exploring": "is just exploring",
}

_BUDGET_SYNONYMS = {
    "tight": "tight",
    "low": "tight",
    "limited": "tight",
    "small": "tight",
    "minimal": "tight",
    "moderate": "moderate",
    "medium": "moderate",
    "average": "moderate",
    "mid": "moderate",
    "flexible": "flexible",
    "high": "flexible",
    "large": "flexible",
    "generous": "flexible",
    "open": "flexible",
    "big": "flexible",
}
_HIGH = (
    r"ceo|cto|cfo|coo|cio|cmo|cpo|cro|chief|founder|co-?founder|owner|president|partner"
    r"|vp|svp|evp|vice[- ]president|director|head|managing director|general manager"
    r"|geschäftsführer|inhaber|directeur|directrice|directora|fundador|fundadora|fondateur"
)
_MEDIUM = r"manager|lead|leader|supervisor|gerente|responsable|leiter|leiterin"
_LOW = r"analyst|assistant|intern|student|trainee|junior|coordinator|apprentice|stagiaire"
_ROLE_PATTERNS = (
    ("high", re.compile(rf"\b(?:{_HIGH})\b")),
    ("medium", re.compile(rf"\b(?:{_MEDIUM})\b")),
    ("low", re.compile(rf"\b(?:{_LOW})\b")),
)
_TITLE_END = re.compile(r"\s(?:of|to|for|at|in|with)\s|[,(@|/]")


@dataclass(frozen=True)
class LeadScore:
    """Result of :func:`score_lead`: ``score`` 0-100, ``tier`` and human-readable reasons."""

    score: int
    tier: str
    reasons: list[str] = field(default_factory=list)
    factors: dict[str, int] = field(default_factory=dict)


def tier_for(score: int) -> str:
    """``hot`` (>= 70), ``warm`` (>= 40) or ``cold``."""
    if score >= HOT_THRESHOLD:
        return "hot"
    if score >= WARM_THRESHOLD:
        return "warm"
    return "cold"


def parse_budget_level(text: str | None) -> str | None:
    """``tight``/``moderate``/``flexible`` from a level word (synonyms accepted), else None."""
    if not text:
        return None
    for word in re.findall(r"[a-z]+", str(text).lower()):
        if word in _BUDGET_SYNONYMS:
            return _BUDGET_SYNONYMS[word]
    return None


def parse_monthly_amount(value: float | str | None) -> float | None:
    """Monthly USD-equivalent amount from a number or text like ``"$5k/month"``, ``"60,000 a year"``."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value) if value >= 0 else None
    text = str(value).lower().replace(",", "")
    match = re.search(r"(\d+(?:\.\d+)?)\s*([km])?\b", text)
    if not match:
        return None
    amount = float(match.group(1)) * {"k": 1e3, "m": 1e6}.get(match.group(2) or "", 1)
    if re.search(r"\b(?:year|yr|annual|annually|p\.?a)\b", text):
        amount /= 12
    return amount


def parse_authority(role: str | None) -> str | None:
    """``high``/``medium``/``low`` from a job title, None when not recognised."""
    if not role or not str(role).strip():
        return None
    text = " " + re.sub(r"\s+", " ", str(role).lower()).strip() + " "
    core = _TITLE_END.split(text, maxsplit=1)[0]
    for part in (core, text):
        for level, pattern in _ROLE_PATTERNS:
            if pattern.search(part):
                return level
    return None


_EXPLORING = re.compile(
    r"explor|just looking|looking around|research|not sure|unsure|no rush|someday|no timeline"
    r"|no plans?|don'?t know|undecided|curious|eventually|not yet|not now|not urgent|whenever"
    r"|no hurry|just browsing|gathering information|learning"
)
_NOW = re.compile(
    r"\b(?:now|asap|immediate(?:ly)?|urgent(?:ly)?|right away|today|tomorrow|this week"
    r"|yesterday|as soon as possible|straight away)\b"
)
_MONTH = re.compile(
    r"\b(?:(?:within|in) (?:a|one|the next) month|next month|this month|few weeks|couple of weeks|\d+ weeks?)\b"
)
_QUARTER = re.compile(r"\b(?:quarter|q[1-4]|next (?:few|couple of) months|(?:two|three|2|3) months)\b")
_YEAR = re.compile(r"\b(?:this year|within (?:a|the) year|next year|(?:six|6|nine|9|twelve|12) months|h[12]|half)\b")
_NUMERIC = re.compile(r"(\d+)\s*(day|week|month|year)s?")
_UNIT_DAYS = {"day": 1, "week": 7, "month": 30, "year": 365}


def parse_timeline(text: str | None) -> str | None:
    """Bucket ``now``/``month``/``quarter``/``year``/``exploring`` from free text, else None."""
    if not text or not str(text).strip():
        return None
    lowered = re.sub(r"\s+", " ", str(text).lower()).strip()
    if lowered in TIMELINE_POINTS:
        return lowered
    if _EXPLORING.search(lowered):
        return "exploring"
    numeric = _NUMERIC.search(lowered)
    if numeric:
        days = int(numeric.group(1)) * _UNIT_DAYS[numeric.group(2)]
        for bucket, limit in (
            ("now", 7),
            ("month", 31),
            ("quarter", 92),
            ("year", 366),
        ):
            if days <= limit:
                return bucket
        return "exploring"
    for bucket, pattern in (
        ("now", _NOW),
        ("month", _MONTH),
        ("quarter", _QUARTER),
        ("year", _YEAR),
    ):
        if pattern.search(lowered):
            return bucket
    return None


def _budget(level: str | None, amount: float | None, cost_priority: bool | None, fit: str | None = None) -> tuple:
    reasons = []
    bases = []
    if fit in BUDGET_FIT_POINTS:
        bases.append(BUDGET_FIT_POINTS[fit])
        reasons.append(BUDGET_FIT_LABELS[fit])
        if amount is not None:
            reasons.append(f"monthly budget about ${amount:,.0f}")
    else:
        if level:
            bases.append(BUDGET_LEVEL_POINTS[level])
            reasons.append(f"budget is {level}")
        if amount is not None:
            tiers = ((20_000, 25), (5_000, 19), (1_000, 12), (0.01, 5))
            bases.append(next((points for floor, points in tiers if amount >= floor), 0))
            reasons.append(f"monthly budget about ${amount:,.0f}")
    points = max(bases) if bases else BUDGET_UNKNOWN_POINTS
    if not bases:
        reasons.append("budget unknown")
    if cost_priority:
        points += COST_PRIORITY_BONUS
        reasons.append("cost reduction is the priority")
    return min(points, BUDGET_MAX), "; ".join(reasons)


def _need(tasks_count: int | None, expertise_gap: bool | None) -> tuple:
    count = max(0, int(tasks_count or 0))
    points = TASK_POINTS[min(count, len(TASK_POINTS) - 1)]
    reason = f"{count} task{'s' if count != 1 else ''} to outsource"
    if expertise_gap:
        points += EXPERTISE_GAP_BONUS
        reason += "; in-house expertise is missing"
    elif expertise_gap is False:
        reason += "; has in-house expertise"
    return min(points, NEED_MAX), reason


def score_lead(
    *,
    budget_level: str | None = None,
    monthly_budget_usd: float | str | None = None,
    cost_priority: bool | None = None,
    role: str | None = None,
    tasks_count: int | None = None,
    expertise_gap: bool | None = None,
    timeline: str | None = None,
    budget_fit: str | None = None,
) -> LeadScore:
    """Score a lead on the four BANT factors; unknown inputs get the documented defaults.

    ``budget_fit`` ("fits", "tight", "short") is the estimate's fit; when given, it sets the budget base."""
    budget_points, budget_reason = _budget(
        parse_budget_level(budget_level),
        parse_monthly_amount(monthly_budget_usd),
        cost_priority,
        budget_fit,
    )
    authority = parse_authority(role)
    authority_points = AUTHORITY_POINTS.get(authority or "", AUTHORITY_UNKNOWN_POINTS)
    authority_reason = f"{authority} authority" if authority else "authority unknown"
    if role and authority:
        authority_reason += f" ({str(role).strip()[:60]})"
    need_points, need_reason = _need(tasks_count, expertise_gap)
    bucket = parse_timeline(timeline)
    timeline_points = TIMELINE_POINTS.get(bucket or "", TIMELINE_UNKNOWN_POINTS)
    timeline_reason = TIMELINE_LABELS[bucket] if bucket else "timeline unknown"
    factors = {
        "budget": budget_points,
        "authority": authority_points,
        "need": need_points,
        "timeline": timeline_points,
    }
    total = sum(factors.values())
    reasons = [
        f"Budget {budget_points}/{BUDGET_MAX}: {budget_reason}",
        f"Authority {authority_points}/{AUTHORITY_POINTS['high']}: {authority_reason}",
        f"Need {need_points}/{NEED_MAX}: {need_reason}",
        f"Timeline {timeline_points}/{TIMELINE_POINTS['now']}: {timeline_reason}",
    ]
    return LeadScore(score=total, tier=tier_for(total), reasons=reasons, factors=factors)


def _truthy(value: Any) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in {"yes", "true", "y", "1", "missing", "no expertise"}:
        return True
    if text in {"no", "false", "n", "0"}:
        return False
    return None


def score_from_lead(lead: Mapping[str, Any]) -> LeadScore:
    """Score a stored/merged lead: contact fields plus ``answers`` (see :mod:`leads.model`)."""
    answers: Mapping[str, Any] = lead.get("answers") or {}
    tasks: int | Sequence[Any] | None = answers.get("tasks")
    count = tasks if isinstance(tasks, int) and not isinstance(tasks, bool) else None
    if count is None and isinstance(tasks, (list, tuple)):
        count = len(tasks)
    if count is None and isinstance(tasks, str):
        count = len([t for t in re.split(r"[,;\n]", tasks) if t.strip()])
    return score_lead(
        budget_level=answers.get("budget"),
        monthly_budget_usd=answers.get("monthly_budget_usd"),
        cost_priority=_truthy(answers.get("cost_priority")),
        role=lead.get("role"),
        tasks_count=count,
        expertise_gap=_truthy(answers.get("expertise_gap")),
        timeline=lead.get("timeline") or answers.get("timeline"),
        budget_fit=fit_from_answers(answers),
    )


def fit_from_answers(answers: Mapping[str, Any]) -> str | None:
    """The estimate's budget fit from a lead's answers (task keys, amount, currency, period, coverage)."""
    tasks = answers.get("tasks")
    amount = answers.get("budget_amount")
    if not isinstance(tasks, (list, tuple)) or isinstance(amount, bool) or not isinstance(amount, (int, float)):
        return None
    profile = Profile(
        tasks=[t for t in tasks if isinstance(t, str)],
        budget_amount=float(amount),
        budget_currency=answers.get("budget_currency"),
        budget_period=answers.get("budget_period"),
        coverage=answers.get("coverage"),
    )
    requirements = answers.get("requirements")
    return guidance.budget_fit(
        profile,
        None,
        [r for r in requirements if isinstance(r, str)] if isinstance(requirements, (list, tuple)) else [],
        answers.get("company_region") if isinstance(answers.get("company_region"), str) else None,
        answers.get("customer_region") if isinstance(answers.get("customer_region"), str) else None,
    )
