"""Budget parsing: amounts with currency and period, levels, and cost priority.

"about 8k dollars a month" -> 8000 USD per month -> moderate.
Amounts are converted to a rough US-dollar monthly figure only to pick a level (with the
dated exchange rates of rates/currencies.yml, the same the estimates use);
the amount, currency and period as the user gave them are kept as well.

Levels (USD-equivalent per month): up to 3,000 is tight, up to 15,000 moderate,
above that flexible. A one-off project budget is spread over six months.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from advisor import costing

LEVELS = ("tight", "moderate", "flexible")

TIGHT_MONTHLY_USD = 3_000
FLEXIBLE_MONTHLY_USD = 15_000

_CURRENCY_WORDS = {
    "$": "USD",
    "us$": "USD",
    "usd": "USD",
    "dollar": "USD",
    "dollars": "USD",
    "bucks": "USD",
    "€": "EUR",
    "eur": "EUR",
    "euro": "EUR",
    "euros": "EUR",
    "£": "GBP",
    "gbp": "GBP",
    "pound": "GBP",
    "pounds": "GBP",
    "quid": "GBP",
    "chf": "CHF",
    "francs": "CHF",
    "cad": "CAD",
    "c$": "CAD",
    "aud": "AUD",
    "a$": "AUD",
    "nzd": "NZD",
    "inr": "INR",
    "₹": "INR",
    "rupees": "INR",
    "rs": "INR",
    "jpy": "JPY",
    "¥": "JPY",
    "yen": "JPY",
    "cny": "CNY",
    "rmb": "CNY",
    "yuan": "CNY",
    "sgd": "SGD",
    "aed": "AED",
    "dirham": "AED",
    "zar": "ZAR",
    "rand": "ZAR",
    "sek": "SEK",
    "nok": "NOK",
    "dkk": "DKK",
    "pln": "PLN",
    "zloty": "PLN",
    "brl": "BRL",
    "reais": "BRL",
    "mxn": "MXN",
    "php": "PHP",
    "pesos": "MXN",
}
_CUR = (
    r"(?:us\$|c\$|a\$|[$€£₹¥]|usd|eur|euros?|gbp|pounds?|quid|dollars?|bucks|chf|francs|cad|aud|nzd|inr|rupees|rs|"
    r"jpy|yen|cny|rmb|yuan|sgd|aed|dirham|zar|rand|sek|nok|dkk|pln|zloty|brl|reais|mxn|php|pesos)"
)
_NUM = r"(\d{1,3}(?:[,.\s]\d{3})+|\d+(?:\.\d+)?)"
_MULT = r"(k|K|thousand|grand|m|M|mn|million|mil|bn|billion|lakh|lakhs)?"
_MONEY = re.compile(
    rf"(?<![\w/])(?:(?P<cur1>{_CUR})\s?)?{_NUM}\s?{_MULT}(?!\w)\s*(?:(?P<cur2>{_CUR})(?!\w))?",
    re.IGNORECASE,
)
_PERIOD = re.compile(
    r"(?<!\w)(?P<month>per\s+month|a\s+month|each\s+month|every\s+month|monthly|/\s?mo(?:nth)?|"
    r"p\.?m\.?|pcm|month)\b|(?P<year>per\s+(?:year|annum)|a\s+year|each\s+year|every\s+year|"
    r"annually|annual|yearly|/\s?y(?:ea)?r|p\.?a\.?|per\s+yr|year|annum)\b|"
    r"(?P<week>per\s+week|a\s+week|weekly|/\s?wk)\b|(?P<quarter>per\s+quarter|a\s+quarter|quarterly)\b|"
    r"(?P<total>in\s+total|total|one[- ]off|for\s+the\s+(?:whole\s+)?project|overall|all\s+in)\b",
    re.IGNORECASE,
)
_NOT_MONEY_AFTER = re.compile(
    r"^\s*(?:people|persons?|employees|staff|seats?|agents?|hours?|hrs?|days?|years?\s+old|"
    r"clients|customers|users|calls|tickets|languages|countries|offices|%|percent|x|/7|/5)\b",
    re.IGNORECASE,
)
_WORD_NUMBERS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "fifteen": 15,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
    "a hundred": 100,
    "hundred": 100,
    "a few": 3,
    "several": 5,
    "a couple": 2,
}
_WORD_MONEY = re.compile(
    r"\b(?P<n>" + "|".join(sorted(_WORD_NUMBERS, key=len, reverse=True)) + r")\s+"
    r"(?P<mult>thousand|grand|k|million)\b",
    re.IGNORECASE,
)

_LEVEL_PATTERNS = (
    (
        "tight",
        re.compile(
            r"\b(tight|limited|small|low|lean|modest|shoestring|minimal|not\s+(?:a\s+)?(?:lot|much|big)|"
            r"very\s+little|little\s+money|no\s+money|no\s+budget|cheap|(?:close|next)\s+to\s+nothing|"
            r"as\s+little\s+as\s+possible|every\s+(?:dollar|penny|cent|euro|pound)\s+counts|"
            r"bootstrapp?ed|"
            r"can'?t\s+afford|cannot\s+afford|cash[- ]strapped|constrained|restricted|strict|stretched|"
            r"as\s+cheap\s+as\s+possible)\b",
            re.IGNORECASE,
        ),
    ),
    (
        "flexible",
        re.compile(
            r"\b(flexible|generous|large|big|healthy|significant|substantial|plenty|deep\s+pockets|"
            r"(?:money|cost|price|budget)\s+(?:is|isn'?t)\s+(?:not\s+)?(?:an?\s+)?(?:issue|problem|concern|constraint)|"
            r"not\s+(?:an?\s+)?(?:issue|problem|concern|constraint)|no\s+(?:real\s+)?(?:limit|constraint|cap)|"
            r"(?:money|cost|price|budget)\s+(?:is\s+not|isn'?t)\s+really\s+(?:the\s+|an?\s+)?(?:issue|problem|concern)|"
            r"pay\s+for\s+quality|quality\s+(?:first|over\s+(?:cost|price))|"
            r"unlimited|whatever\s+it\s+takes|open|well[- ]funded|sizeable|sizable|high|ample)\b",
            re.IGNORECASE,
        ),
    ),
    (
        "moderate",
        re.compile(
            r"\b(moderate|medium|reasonable|average|mid(?:dle)?[- ]?(?:range|sized?)?|decent|ok(?:ay)?|"
            r"fair|some\s+budget|normal|standard)\b",
            re.IGNORECASE,
        ),
    ),
)
_BIGGER = re.compile(r"\b(bigger|larger|higher|more|increase[ds]?|raised?|grew|double[ds]?|greater)\b", re.IGNORECASE)
_SMALLER = re.compile(r"\b(smaller|lower|less|decrease[ds]?|cut|reduced|shrunk|halved|tighter)\b", re.IGNORECASE)
_BUDGET_WORD = re.compile(r"\b(budget|spend|money|afford|funds|funding|pay|price|cost)\b", re.IGNORECASE)
_COST_PRIORITY = re.compile(
    r"\b(cost\s+(?:reduction|cutting|saving|savings?)\s+(?:is|are)\s+(?:the\s+|our\s+)?(?:main\s+|top\s+|key\s+|first\s+)?"
    r"(?:priority|goal|focus|concern)|(?:cutting|reducing|saving|lower(?:ing)?)\s+costs?\s+(?:is|comes)\s+"
    r"(?:the\s+|our\s+)?(?:main\s+|top\s+|first\s+)?(?:priority|goal|first)|cost\s+(?:is|comes)\s+first|"
    r"price\s+(?:is|matters)\s+(?:most|first|key)|(?:cost|price|saving\s+money|money)\s+is\s+(?:the\s+|our\s+)?"
    r"(?:main\s+|top\s+|biggest\s+|number\s+one\s+|#1\s+|first\s+)?(?:priority|concern|driver)|cost\s+is\s+(?:key|king|everything|critical)|"
    r"as\s+cheap\s+as\s+possible|cheapest|priority\s+is\s+(?:to\s+)?(?:cut|reduce|lower|save)|"
    r"(?:need|want|have)\s+to\s+(?:cut|reduce|lower)\s+costs?|main(?:ly)?\s+(?:about|to)\s+(?:cut|sav|reduc)|"
    r"(?:cost|costs|price|prices|money)\s+(?:really\s+|does\s+|do\s+)?matters?\b)",
    re.IGNORECASE,
)
_NOT_COST_PRIORITY = re.compile(
    r"\b(quality\s+(?:over|before|matters\s+more\s+than)\s+(?:cost|price)|cost\s+(?:is\s+not|isn'?t)\s+"
    r"(?:the\s+|a\s+|our\s+)?(?:main\s+|top\s+)?(?:priority|issue|concern)|not\s+about\s+(?:saving|cost|money)|"
    r"(?:money|cost|budget)\s+is\s+not\s+(?:an?\s+)?(?:issue|problem|concern|priority)|"
    r"(?:money|cost|budget)\s+isn'?t\s+(?:an?\s+)?(?:issue|problem|concern|priority)|"
    r"(?:cost|costs|price|prices|money)\s+(?:doesn'?t|does\s+not|don'?t|do\s+not)\s+matter|"
    r"(?:cost|costs|price|prices|money)\s+matters?\s+(?:less|little|least))",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Budget:
    """What a message said about money."""

    amount: float | None = None
    currency: str | None = None
    period: str | None = None
    level: str | None = None
    relative: str | None = None  # "up" or "down" ("our budget is bigger")
    cost_priority: bool | None = None

    @property
    def empty(self) -> bool:
        return all(v is None for v in (self.amount, self.level, self.relative, self.cost_priority))


def _to_number(raw: str, mult: str | None) -> float:
    digits = raw.replace(" ", "")
    if re.fullmatch(r"\d{1,3}(?:[,.]\d{3})+", digits):
        digits = re.sub(r"[,.]", "", digits)
    value = float(digits.replace(",", ""))
    m = (mult or "").lower()
    if m in ("k", "thousand", "grand"):
        value *= 1_000
    elif m in ("m", "mn", "million", "mil"):
        value *= 1_000_000
    elif m in ("bn", "billion"):
        value *= 1_000_000_000
    elif m in ("lakh", "lakhs"):
        value *= 100_000
    return value


def monthly_usd(amount: float, currency: str | None, period: str | None) -> float:
    """Rough monthly US-dollar equivalent of a budget, to choose a level (the dated table of
    rates/currencies.yml; an unknown currency counts as dollars)."""
    return costing.monthly_budget(amount, currency, period) or 0.0


def level_for(amount: float, currency: str | None, period: str | None) -> str:
    """tight / moderate / flexible for an amount, by the thresholds in the module docstring."""
    monthly = monthly_usd(amount, currency, period)
    if monthly <= TIGHT_MONTHLY_USD:
        return "tight"
    if monthly <= FLEXIBLE_MONTHLY_USD:
        return "moderate"
    return "flexible"


def shift_level(level: str | None, direction: str) -> str:
    """One step up or down the level scale ("actually our budget is bigger")."""
    index = LEVELS.index(level) if level in LEVELS else 1
    index = min(index + 1, 2) if direction == "up" else max(index - 1, 0)
    return LEVELS[index]


def parse_budget(text: str, expecting_budget: bool = False) -> Budget:
    """Everything `text` says about budget; `expecting_budget` accepts bare numbers."""
    amount = currency = period = None
    for match in _MONEY.finditer(text):
        cur = match.group("cur1") or match.group("cur2")
        raw, mult = match.group(2), match.group(3)
        after = text[match.end() :]
        if _NOT_MONEY_AFTER.match(after) or _NOT_MONEY_AFTER.match(text[match.end(2) + len(mult or "") :]):
            continue
        if re.match(r"^\s*/\s*7", text[match.end(2) :]) or (raw in ("24",) and "7" in after[:3]):
            continue
        period_match = _PERIOD.search(text[match.end() : match.end() + 30])
        if period_match and text[match.end() : match.end() + period_match.start()].strip():
            period_match = None  # "300 orders a week": the period belongs to something else
        nearby_budget = _BUDGET_WORD.search(text[max(0, match.start() - 40) : match.end() + 40])
        if not (cur or mult or period_match or nearby_budget or expecting_budget):
            continue
        adjacent_period = period_match is not None and period_match.start() < 3
        if (
            not (cur or mult or adjacent_period)
            and re.fullmatch(r"(?:19|20)\d\d", raw)
            and re.search(r"\b(?:in|for|by|since|until|from|before|after)\s+$", text[: match.start()], re.IGNORECASE)
        ):
            continue  # "our budget for 2025 is 50k": a year, not an amount
        value = _to_number(raw, mult)
        if value < 50 and not mult:  # "2 people", "3 tasks": not money
            continue
        amount = value
        currency = _CURRENCY_WORDS.get((cur or "").lower().strip()) if cur else None
        if period_match:
            period = next(k for k, v in period_match.groupdict().items() if v)
        break
    if amount is None:
        word = _WORD_MONEY.search(text)
        if word:
            amount = _WORD_NUMBERS[word.group("n").lower()] * (
                1_000_000 if word.group("mult").lower() == "million" else 1_000
            )
            tail = text[word.end() : word.end() + 30]
            cur_match = re.search(_CUR, tail, re.IGNORECASE)
            currency = _CURRENCY_WORDS.get(cur_match.group(0).lower()) if cur_match else None
            period_match = _PERIOD.search(tail)
            if period_match:
                period = next(k for k, v in period_match.groupdict().items() if v)
    level = None
    # A level word counts when the budget was asked for, or next to a money word
    # ("budget medium", not "small winery").
    scope = (
        text
        if expecting_budget
        else " ".join(text[max(0, m.start() - 15) : m.end() + 30] for m in _BUDGET_WORD.finditer(text))
    )
    if scope:
        # A level the user names ("tight, around 3k") wins over one derived from the amount.
        for name, pattern in _LEVEL_PATTERNS:
            if pattern.search(scope):
                level = name
                break
    if level is None and amount is not None:
        level = level_for(amount, currency, period)
    relative = None
    if amount is None and re.search(r"\bbudget\b", text, re.IGNORECASE):
        if _BIGGER.search(text):
            relative = "up"
        elif _SMALLER.search(text):
            relative = "down"
        if relative and level and not re.search(r"\b(is|was|are)\s+(?:now\s+)?" + level, text, re.IGNORECASE):
            level = None  # "bigger" wins over a stray level word in a relative statement
    cost_priority: bool | None = None
    if _NOT_COST_PRIORITY.search(text):
        cost_priority = False
    elif _COST_PRIORITY.search(text):
        cost_priority = True
    if (
        level == "flexible"
        and cost_priority is None
        and re.search(r"(money|cost|budget|price)\s+(is|isn'?t)", text, re.IGNORECASE)
    ):
        cost_priority = False
    return Budget(amount, currency, period, level, relative, cost_priority)
