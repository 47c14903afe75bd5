"""Estimate arithmetic: the rate card, periods, full-time equivalents, currencies and budget fit.

Everything here is a range with its assumptions, never a quote. The figures come from
`rates/rate_card.yml` (an operator edits it; `RATE_CARD_PATH` points elsewhere) and the
exchange rates from `rates/currencies.yml` (a dated table: no live rates).

Assumptions (named in every estimate, so a reader can redo the sums)
    - One full-time person works HOURS_PER_FTE_MONTH billable hours a month
      (40 hours a week, 4 weeks of productive time after leave and holidays);
      a working day is HOURS_PER_DAY hours, so a month has 20 working days.
    - One seat staffed around the clock (168 hours a week) needs 168 / 40 = 4.2
      full-time people before leave, sickness and training, and about 5 after
      (SEAT_FTE["24/7"]); extended hours (12 hours, 7 days) need 2.1 to 2.5.
    - A starting team is one full-time person per task; a customer-facing task
      needs one seat for the hours the user asked for.
    - A budget given "in total" is spread over PROJECT_MONTHS months.

Which figures (rates_for): the entries for the model and region whose category is one of the
tasks' categories, else the model's general category, else any of the model's (said to be a
proxy). Several entries give the envelope of their ranges, leaving out any more than
STALE_YEARS older than the newest, so a 2003 figure fills a gap but never widens a 2021 range.

Budget fit, against the starting team at the regions the estimate suggests (advisor/guidance.py):
    the budget covers the top of the range -> "fits"; it covers the bottom only
    -> "tight"; it is below the bottom -> "short"; no amount -> unknown (None).
"""

from __future__ import annotations

import datetime
import functools
import math
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from advisor import taxonomy

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_RATE_CARD = ROOT / "rates" / "rate_card.yml"
CURRENCIES_PATH = ROOT / "rates" / "currencies.yml"

MODELS = ("bpo", "kpo")
REGIONS = ("onshore", "nearshore", "offshore")
UNITS = ("hour", "fte_month", "project")

HOURS_PER_WEEK = 40
HOURS_PER_DAY = 8
HOURS_PER_FTE_MONTH = 160
DAYS_PER_MONTH = HOURS_PER_FTE_MONTH // HOURS_PER_DAY
WEEKS_PER_MONTH = 52 / 12
PROJECT_MONTHS = 6
SHRINKAGE = 5.0 / 4.2  # leave, sickness, training and breaks: 4.2 FTE per 24/7 seat become about 5

COVERAGE_HOURS = {"business": 40, "extended": 84, "24/7": 168}
SEAT_FTE = {
    name: (hours / HOURS_PER_WEEK, round(hours / HOURS_PER_WEEK * SHRINKAGE, 1))
    for name, hours in COVERAGE_HOURS.items()
}

# Months in one of each period. "hour" and "day" are a person's working time (see the assumptions).
MONTHS_PER = {
    "hour": 1 / HOURS_PER_FTE_MONTH,
    "day": 1 / DAYS_PER_MONTH,
    "week": 1 / WEEKS_PER_MONTH,
    "month": 1.0,
    "quarter": 3.0,
    "year": 12.0,
    "total": float(PROJECT_MONTHS),
}
PERIODS = tuple(MONTHS_PER)

FITS = ("fits", "tight", "short")
STALE_YEARS = 10


class RateCardError(ValueError):
    """The rate card or the currency table is malformed; the message names the file and the entry."""


# --- currencies -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Currencies:
    """The dated exchange-rate table."""

    date: str
    source: str
    usd_per_unit: dict[str, float]
    symbols: dict[str, str] = field(default_factory=dict)


def _positive(value: Any) -> bool:
    return not isinstance(value, bool) and isinstance(value, (int, float)) and value > 0


def parse_currencies(text: str, where: str = "currencies.yml") -> Currencies:
    """Validate and parse a currency table: ECB rates per euro (which must include USD), plus
    currencies pegged to the dollar; errors name `where` and the entry."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise RateCardError(f"{where}: not valid YAML: {exc}") from exc
    if not isinstance(data, dict) or not data.get("date") or not data.get("source"):
        raise RateCardError(f"{where}: needs a date, a source and per_euro rates")
    per_euro = data.get("per_euro")
    if not isinstance(per_euro, dict) or not _positive(per_euro.get("USD")):
        raise RateCardError(f"{where}: per_euro must be a mapping of currency codes to rates that includes USD")
    per_usd = data.get("per_usd") or {}
    if not isinstance(per_usd, dict):
        raise RateCardError(f"{where}: per_usd must be a mapping of currency codes to rates")
    for table, rates in (("per_euro", per_euro), ("per_usd", per_usd)):
        for code, value in rates.items():
            if not re.fullmatch(r"[A-Z]{3}", str(code)):
                raise RateCardError(f"{where}: {table}.{code}: not a three-letter currency code")
            if not _positive(value):
                raise RateCardError(f"{where}: {table}.{code}: the rate must be a positive number")
    usd_per_euro = float(per_euro["USD"])
    usd_per_unit = {code: usd_per_euro / float(rate) for code, rate in per_euro.items()}
    usd_per_unit.setdefault("EUR", usd_per_euro)
    usd_per_unit.update({code: 1 / float(rate) for code, rate in per_usd.items()})
    usd_per_unit["USD"] = 1.0
    symbols = data.get("symbols") or {}
    return Currencies(
        str(data["date"]), str(data["source"]), usd_per_unit, {str(k): str(v) for k, v in symbols.items()}
    )


def _read(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise RateCardError(f"{path}: cannot be read: {exc}") from exc


@functools.lru_cache(maxsize=4)
def _currencies(path: str) -> Currencies:
    return parse_currencies(_read(path), path)


def currencies() -> Currencies:
    """The currency table of rates/currencies.yml."""
    return _currencies(str(CURRENCIES_PATH))


def convert(amount: float, source: str, target: str) -> float:
    """`amount` in currency `source` expressed in `target`, at the table's rates (KeyError if unknown)."""
    table = currencies().usd_per_unit
    return amount * table[source.upper()] / table[target.upper()]


def known_currency(code: str | None) -> bool:
    return bool(code) and str(code).upper() in currencies().usd_per_unit


# --- periods and FTE --------------------------------------------------------------------------


def per_period(amount: float, source: str, target: str) -> float:
    """An amount per `source` period expressed per `target` period ("5,000 a month" -> 60,000 a year)."""
    return amount / MONTHS_PER[source] * MONTHS_PER[target]


def fte_for_coverage(coverage: str | None) -> tuple[float, float]:
    """Full-time people needed for one seat over the coverage asked for (business hours by default)."""
    return SEAT_FTE.get(coverage or "business", SEAT_FTE["business"])


def hourly_to_fte_month(rate: float) -> float:
    return rate * HOURS_PER_FTE_MONTH


# --- the rate card ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Rate:
    """One entry of the rate card."""

    id: str
    category: str
    model: str
    region: str
    countries: tuple[str, ...]
    unit: str
    low: float
    high: float
    currency: str
    year: int
    url: str
    title: str
    covers: str
    note: str = ""

    def monthly_usd(self) -> tuple[float, float] | None:
        """(low, high) US dollars per full-time person a month; None for project prices."""
        if self.unit == "project":
            return None
        factor = HOURS_PER_FTE_MONTH if self.unit == "hour" else 1.0
        return convert(self.low * factor, self.currency, "USD"), convert(self.high * factor, self.currency, "USD")


_REQUIRED = (
    "id",
    "category",
    "model",
    "region",
    "countries",
    "unit",
    "low",
    "high",
    "currency",
    "year",
    "source",
    "covers",
)


def _entry(raw: Any, index: int, where: str) -> Rate:
    name = raw.get("id") if isinstance(raw, dict) and raw.get("id") else f"entry {index + 1}"

    def fail(problem: str) -> RateCardError:
        return RateCardError(f"{where}: {name}: {problem}")

    if not isinstance(raw, dict):
        raise fail("must be a mapping of fields")
    missing = [key for key in _REQUIRED if raw.get(key) in (None, "", [])]
    if missing:
        raise fail(f"missing {', '.join(missing)}")
    unknown = set(raw) - set(_REQUIRED) - {"note"}
    if unknown:
        raise fail(f"unknown field(s) {', '.join(sorted(unknown))}")
    if not re.fullmatch(r"[a-z0-9_]+", str(raw["id"])):
        raise fail("id must be lower case letters, digits and underscores")
    category = taxonomy.CATEGORIES.get(raw["category"])
    if category is None:
        raise fail(f"category {raw['category']!r} is not one of {', '.join(taxonomy.CATEGORIES)}")
    if raw["model"] not in MODELS:
        raise fail(f"model {raw['model']!r} must be bpo or kpo")
    if raw["model"] != category.model:
        raise fail(f"model {raw['model']!r} does not match category {raw['category']} ({category.model})")
    if raw["region"] not in REGIONS:
        raise fail(f"region {raw['region']!r} must be one of {', '.join(REGIONS)}")
    if raw["unit"] not in UNITS:
        raise fail(f"unit {raw['unit']!r} must be one of {', '.join(UNITS)}")
    countries = raw["countries"]
    if not isinstance(countries, list) or not all(isinstance(c, str) and c for c in countries):
        raise fail("countries must be a list of country names")
    for bound in ("low", "high"):
        if isinstance(raw[bound], bool) or not isinstance(raw[bound], (int, float)) or raw[bound] <= 0:
            raise fail(f"{bound} must be a positive number")
    if raw["low"] > raw["high"]:
        raise fail(f"low ({raw['low']}) is above high ({raw['high']})")
    if not known_currency(str(raw["currency"])):
        raise fail(f"currency {raw['currency']!r} is not in rates/currencies.yml")
    if isinstance(raw["year"], bool) or not isinstance(raw["year"], int) or not 1990 <= raw["year"] <= 2100:
        raise fail("year must be a year such as 2024")
    source = raw["source"]
    if not isinstance(source, dict) or not str(source.get("url", "")).startswith(("http://", "https://")):
        raise fail("source needs a url (http or https) and a title")
    if not source.get("title"):
        raise fail("source needs a title")
    return Rate(
        id=str(raw["id"]),
        category=str(raw["category"]),
        model=str(raw["model"]),
        region=str(raw["region"]),
        countries=tuple(countries),
        unit=str(raw["unit"]),
        low=float(raw["low"]),
        high=float(raw["high"]),
        currency=str(raw["currency"]).upper(),
        year=int(raw["year"]),
        url=str(source["url"]),
        title=str(source["title"]),
        covers=str(raw["covers"]),
        note=str(raw.get("note") or ""),
    )


def parse_rate_card(text: str, where: str = "rate_card.yml") -> tuple[Rate, ...]:
    """Validate and parse the text of a rate card (errors name `where` and the entry)."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise RateCardError(f"{where}: not valid YAML: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("entries"), list) or not data["entries"]:
        raise RateCardError(f"{where}: the top level needs `entries:`, a non-empty list")
    rates = tuple(_entry(raw, i, where) for i, raw in enumerate(data["entries"]))
    seen: set[str] = set()
    for rate in rates:
        if rate.id in seen:
            raise RateCardError(f"{where}: {rate.id}: the id is used twice")
        seen.add(rate.id)
    return rates


@functools.lru_cache(maxsize=4)
def _load_card(path: str) -> tuple[Rate, ...]:
    return parse_rate_card(_read(path), path)


def rate_card_path() -> Path:
    return Path(os.environ.get("RATE_CARD_PATH") or DEFAULT_RATE_CARD)


def rate_card() -> tuple[Rate, ...]:
    """The validated entries of the rate card in use."""
    return _load_card(str(rate_card_path()))


def rates_for(model: str, region: str, categories: Iterable[str] = ()) -> list[Rate]:
    """The card's entries for `model` at `region`: those of the tasks' own categories, else of the
    model's general category, else any entry of the model (a proxy); old figures only fill gaps."""
    card = [r for r in rate_card() if r.model == model and r.region == region and r.unit != "project"]
    wanted = [c for c in categories if c in taxonomy.CATEGORIES]
    for group in (wanted, [f"{model}_general"]):
        found = [r for r in card if r.category in group]
        if found:
            return _recent(found)
    return _recent(card)


def _recent(rates: list[Rate]) -> list[Rate]:
    """Drop figures more than STALE_YEARS older than the newest of the same cell: an old range only
    fills a gap, it never widens a newer one."""
    if not rates:
        return rates
    newest = max(r.year for r in rates)
    return [r for r in rates if r.year >= newest - STALE_YEARS]


def monthly_range(rates: Iterable[Rate]) -> tuple[float, float] | None:
    """(low, high) USD per full-time person a month over `rates` (the envelope), None if none."""
    pairs = [p for p in (r.monthly_usd() for r in rates) if p]
    if not pairs:
        return None
    return min(p[0] for p in pairs), max(p[1] for p in pairs)


def regions_with_rates(model: str) -> list[str]:
    """The regions the card has monthly figures for, for `model`, in REGIONS order."""
    return [region for region in REGIONS if rates_for(model, region)]


def cheapest_region(model: str) -> str | None:
    """The region with the lowest monthly low for `model`, None if the card has none."""
    best: tuple[float, str] | None = None
    for region in regions_with_rates(model):
        span = monthly_range(rates_for(model, region))
        if span and (best is None or span[0] < best[0]):
            best = (span[0], region)
    return best[1] if best else None


# --- estimates --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Part:
    """One option's share of the work: its model, the tasks, the starting team and its monthly cost."""

    model: str
    region: str
    tasks: tuple[str, ...]
    fte: tuple[float, float]
    per_fte: tuple[float, float]  # USD a month per full-time person
    rates: tuple[Rate, ...]

    @property
    def exact(self) -> bool:
        """True when the figures are for the tasks' own categories (or the model's general one), not a proxy."""
        wanted = {taxonomy.TASKS[t].category for t in self.tasks} | {f"{self.model}_general"}
        return all(r.category in wanted for r in self.rates)

    @property
    def monthly_usd(self) -> tuple[float, float]:
        return self.fte[0] * self.per_fte[0], self.fte[1] * self.per_fte[1]


def team_fte(tasks: Iterable[str], coverage: str | None) -> tuple[float, float]:
    """The starting team for `tasks`: one person per task, one seat per customer-facing task over `coverage`."""
    low = high = 0.0
    for key in tasks:
        task = taxonomy.TASKS.get(key)
        if task is None:
            continue
        if task.customer_facing:
            seat = fte_for_coverage(coverage)
            low, high = low + seat[0], high + seat[1]
        else:
            low, high = low + 1, high + 1
    return low, high


def part(model: str, tasks: Iterable[str], region: str | None, coverage: str | None = None) -> Part | None:
    """The starting team for `model`'s tasks at `region` (the cheapest region when None)."""
    tasks = tuple(t for t in tasks if taxonomy.model_of(t) == model)
    region = region or cheapest_region(model)
    if region is None:
        return None
    rates = rates_for(model, region, {taxonomy.TASKS[t].category for t in tasks})
    span = monthly_range(rates)
    if span is None:
        return None
    fte = team_fte(tasks, coverage) if tasks else (1.0, 1.0)
    return Part(model, region, tasks, fte, span, tuple(rates))


def monthly_budget(amount: float | None, currency: str | None, period: str | None) -> float | None:
    """A budget as US dollars a month (a total is spread over PROJECT_MONTHS), None without an amount."""
    if not amount or amount <= 0:
        return None
    code = (currency or "USD").upper()
    usd = convert(amount, code if known_currency(code) else "USD", "USD")
    return per_period(usd, period if period in MONTHS_PER else "month", "month")


def fit(budget_usd_month: float | None, cost_usd_month: tuple[float, float] | None) -> str | None:
    """fits / tight / short for a monthly budget against a monthly cost range (rule in the module docstring)."""
    if budget_usd_month is None or cost_usd_month is None:
        return None
    low, high = cost_usd_month
    if budget_usd_month >= high:
        return "fits"
    if budget_usd_month >= low:
        return "tight"
    return "short"


def people_for(budget_usd_month: float, per_fte: tuple[float, float]) -> tuple[float, float]:
    """Full-time people a monthly budget pays for at a per-person range: (at the high rate, at the low rate)."""
    return budget_usd_month / per_fte[1], budget_usd_month / per_fte[0]


def days_for(budget_usd_month: float, per_fte: tuple[float, float]) -> tuple[float, float]:
    """Working days of one person a month that a monthly budget pays for."""
    low, high = people_for(budget_usd_month, per_fte)
    return low * DAYS_PER_MONTH, high * DAYS_PER_MONTH


def seats_for(people: float, coverage: str | None) -> float:
    """Seats staffed over `coverage` that `people` full-time people fill (taking the cautious FTE figure)."""
    return people / fte_for_coverage(coverage)[1]


def this_year() -> int:
    return datetime.datetime.now(tz=datetime.timezone.utc).year


def money(amount: float, currency: str = "USD", rounded: bool = True) -> str:
    """'$1,200', '€950', '12,000 INR': estimates rounded to two significant figures above 100
    (`rounded=False` for the user's own figures)."""
    if rounded and amount >= 100:
        digits = math.floor(math.log10(amount)) - 1
        amount = round(amount, -digits)
    shown = f"{amount:,.0f}"
    symbol = currencies().symbols.get(currency.upper())
    return f"{symbol}{shown}" if symbol else f"{shown} {currency.upper()}"


def main(argv: list[str] | None = None) -> int:
    """`python -m advisor.costing [card.yml]`: check a rate card (default: the one in use) and list it."""
    import sys

    args = sys.argv[1:] if argv is None else argv
    path = args[0] if args else str(rate_card_path())
    try:
        card = parse_rate_card(_read(path), path)
    except RateCardError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for rate in card:
        span = monthly_range([rate])
        monthly = f"{span[0]:,.0f}-{span[1]:,.0f} USD per FTE-month" if span else "project price"
        print(f"{rate.id}: {rate.model} {rate.category} {rate.region}, {rate.year}: {monthly}")
    print(f"{path}: {len(card)} entries, valid (currency table of {currencies().date})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
