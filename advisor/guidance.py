"""Actionable advice after (or before) a recommendation: cost, location, data rules, contract, and the brief.

The conversation calls this facade only. Each answer fits what is known so far (the profile,
the recommendation when there is one, the requirements read, where the company and its
customers are) and says what would sharpen it. The rules live in advisor/costing.py,
advisor/location.py, advisor/data_rules.py and advisor/contracts.py; every sentence lives in
domain/texts/: cost.yml, location.yml, data.yml, contract.yml and brief.yml.
No Rasa imports: this is plain domain logic.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from advisor import contracts, costing, data_rules, knowledge, location, taxonomy
from advisor.engine import Profile, Recommendation
from advisor.texts import say, say_all

TOPICS = ("cost", "location", "data", "contract")
MODELS = (taxonomy.BPO, taxonomy.KPO)


@dataclass
class Situation:
    """What the advice can go on: slot values, the recommendation (None before advice) and the latest message."""

    profile: Profile
    rec: Recommendation | None
    requirements: list[str] = field(default_factory=list)
    company_region: str | None = None
    customer_region: str | None = None
    text: str = ""

    @property
    def tasks(self) -> tuple[list[str], list[str]]:
        """(BPO tasks, KPO tasks): the recommendation's split, else the profile's tasks split by the taxonomy."""
        if self.rec is not None:
            return list(self.rec.bpo_tasks), list(self.rec.kpo_tasks)
        return taxonomy.split_by_model(self.profile.tasks)

    @property
    def models(self) -> list[str]:
        """The options the advice is about: the recommendation's, else those of the tasks named, else none."""
        bpo, kpo = self.tasks
        if self.rec is not None and not (bpo or kpo):
            return list(MODELS) if self.rec.choice == taxonomy.HYBRID else [self.rec.choice]
        return [m for m, tasks in zip(MODELS, (bpo, kpo), strict=True) if tasks]

    @property
    def company(self) -> str | None:
        return self.company_region or location.regions_in(self.text).get("company_region")

    @property
    def customers(self) -> str | None:
        return self.customer_region or location.regions_in(self.text).get("customer_region")


# --- facts the answers share ------------------------------------------------------------------


def regions_in(text: str, expecting: str | None = None) -> dict[str, str]:
    """{"company_region": "uk", "customer_region": "eu"}: the places `text` gives the company and its customers.

    `expecting` ("company" or "customer", from `region_question`) lets a bare answer ("Germany") count."""
    return location.regions_in(text, expecting)


def regimes(situation: Situation) -> list[str]:
    """The data-protection regimes that apply (advisor/data_rules.py), e.g. ["hipaa", "gdpr"]."""
    return data_rules.regimes_for(situation.requirements, situation.text, situation.company, situation.customers)


def needs_region(topic: str, situation: Situation) -> bool:
    """Ask where the company or its customers are? Only when it changes this answer and is unknown.

    Location answers turn on where the company is (time zones, what is near); data answers on
    where the people whose data it is are (GDPR follows them), but only once the work touches
    personal or regulated data. Cost and contract answers do not depend on it."""
    if topic == "location":
        return situation.company is None
    if topic == "data":
        return situation.customers is None and situation.company is None
    return False


def region_question(topic: str, situation: Situation) -> tuple[str, str] | None:
    """(role, question) to ask when `needs_region`: the company's place for location answers, the
    customers' for data answers; None when nothing needs asking. Pass the role to `regions_in`."""
    if not needs_region(topic, situation):
        return None
    role = "company" if topic == "location" else "customer"
    return role, say(f"location.ask.{role}")


def _region_for(situation: Situation, model: str) -> tuple[str, str]:
    bpo, kpo = situation.tasks
    return location.suggest(
        bpo if model == taxonomy.BPO else kpo,
        regimes(situation),
        situation.profile.coverage,
        situation.profile.cost_constrained,
        model,
    )


def _parts(situation: Situation) -> list[tuple[costing.Part, str | None]]:
    """The starting team per option at its suggested region; when the card has no figure there, at the
    cheapest region it has, with the region that was wanted (so the answer can say so)."""
    out: list[tuple[costing.Part, str | None]] = []
    bpo, kpo = situation.tasks
    for model in situation.models:
        tasks = bpo if model == taxonomy.BPO else kpo
        wanted = _region_for(situation, model)[0]
        found = costing.part(model, tasks, wanted, situation.profile.coverage)
        missing = None
        if found is None and wanted is not None:
            found = costing.part(model, tasks, None, situation.profile.coverage)
            missing = wanted
        if found is not None:
            out.append((found, missing))
    return out


def budget_fit(
    profile: Profile,
    rec: Recommendation | None,
    requirements: list[str] | tuple[str, ...] = (),
    company_region: str | None = None,
    customer_region: str | None = None,
) -> str | None:
    """ "fits", "tight" or "short": the monthly budget against the starting team at the regions the
    estimate suggests for this work, data and place (advisor/costing.py), so the lead score and the
    cost answer state the same fit; None when the amount or the work is unknown."""
    budget = costing.monthly_budget(profile.budget_amount, profile.budget_currency, profile.budget_period)
    situation = Situation(profile, rec, list(requirements), company_region, customer_region)
    return _fit(budget, _parts(situation))


def _fit(budget: float | None, parts: list[tuple[costing.Part, str | None]]) -> str | None:
    """The budget against the summed starting team of `parts` (None without a budget or parts)."""
    if budget is None or not parts:
        return None
    low = sum(p.monthly_usd[0] for p, _ in parts)
    high = sum(p.monthly_usd[1] for p, _ in parts)
    return costing.fit(budget, (low, high))


# --- cost -------------------------------------------------------------------------------------


def _currency(profile: Profile) -> str:
    code = (profile.budget_currency or "USD").upper()
    return code if costing.known_currency(code) else "USD"


def _money(usd: float, currency: str) -> str:
    return costing.money(costing.convert(usd, "USD", currency), currency)


def _money_span(low: float, high: float, currency: str) -> str:
    low_text, high_text = _money(low, currency), _money(high, currency)
    return low_text if low_text == high_text else say("cost.count_range", low=low_text, high=high_text)


def _span(low: float, high: float) -> str:
    return say("cost.count_range", low=_count(low), high=_count(high)) if _count(low) != _count(high) else _count(low)


def _count(value: float) -> str:
    if value >= 3:
        return f"{round(value):d}"
    return f"{round(value * 10) / 10:g}"


def _countries(situation: Situation, region: str) -> str:
    return taxonomy.join_labels(list(location.delivery_for(situation.company)[region][0]))


def _option(situation: Situation, part: costing.Part, missing: str | None) -> dict[str, Any]:
    currency = _currency(situation.profile)
    team_low, team_high = part.monthly_usd
    tasks = taxonomy.join_labels(taxonomy.labels(part.tasks)) or say(f"cost.work_{part.model}")
    fields = {
        "model": say(f"cost.model_{part.model}"),
        "tasks": tasks,
        "region": say(f"location.region_name.{part.region}"),
        "countries": _countries(situation, part.region),
        "per_person": _money_span(*part.per_fte, currency=currency),
        "per_hour": _money_span(
            part.per_fte[0] / costing.HOURS_PER_FTE_MONTH, part.per_fte[1] / costing.HOURS_PER_FTE_MONTH, currency
        ),
        "people": _span(*part.fte),
        "team": _money_span(team_low, team_high, currency=currency),
    }
    team = "cost.team_line_one" if part.fte == (1.0, 1.0) else "cost.team_line"
    line = say("cost.option_line", **fields) + " " + say(team, **fields)
    if missing:
        line += " " + say("cost.no_rate_for_region", wanted=say(f"location.region_name.{missing}"), **fields)
    oldest = min(r.year for r in part.rates)
    if oldest < costing.this_year() - costing.STALE_YEARS:
        line += " " + say("cost.old_figures", year=oldest)
    if not part.exact:
        nearest = taxonomy.join_labels(list(dict.fromkeys(taxonomy.CATEGORIES[r.category].label for r in part.rates)))
        line += " " + say("cost.proxy", nearest=nearest)
    return {
        "model": part.model,
        "region": part.region,
        "low": round(costing.convert(part.per_fte[0], "USD", currency)),
        "high": round(costing.convert(part.per_fte[1], "USD", currency)),
        "currency": currency,
        "unit": "fte_month",
        "period": "month",
        "team": {
            "fte": [round(part.fte[0], 1), round(part.fte[1], 1)],
            "low": round(costing.convert(team_low, "USD", currency)),
            "high": round(costing.convert(team_high, "USD", currency)),
        },
        "summary": say("cost.summary_part", **fields),
        "sources": [{"id": r.id, "title": r.title, "url": r.url, "year": r.year, "note": r.note} for r in part.rates],
        "line": line,
    }


def _size(count: float) -> str:
    """'part' under one, 'one' when it rounds to one, else 'many': which wording a count takes."""
    if count < 1:
        return "part"
    return "one" if _count(count) == "1" else "many"


def _buys(situation: Situation, parts: list[tuple[costing.Part, str | None]], budget: float) -> list[str]:
    """What a monthly budget (USD) buys, split over the options in proportion to the low end of their
    starting teams (the mid-points would hand a wide KPO range nearly all of it)."""
    lows = [p.monthly_usd[0] for p, _ in parts]
    total = sum(lows) or 1.0
    out = []
    for (part, _), low_cost in zip(parts, lows, strict=True):
        share = budget * low_cost / total
        region = say(f"location.region_name.{part.region}")
        if part.model == taxonomy.KPO:
            low, high = costing.days_for(share, part.per_fte)
            out.append(say("cost.buys.days", days=_span(low, high), region=region))
            continue
        low, high = costing.people_for(share, part.per_fte)
        people = _span(low, high)
        coverage = situation.profile.coverage
        if coverage in ("24/7", "extended") and any(taxonomy.TASKS[t].customer_facing for t in part.tasks):
            seats = costing.seats_for(high, coverage)
            key = f"cost.buys.seats_{coverage.replace('/', '_')}.{_size(seats)}"
            out.append(say(key, people=people, region=region, seats=_count(seats)))
        else:
            out.append(say(f"cost.buys.people.{'part' if high < 1 else 'many'}", people=people, region=region))
    return out


def _budget_words(profile: Profile) -> str:
    """The budget as the estimate reads it: '$5,000 a month', '60,000 GBP a year'."""
    amount = profile.budget_amount or 0.0
    period = profile.budget_period if profile.budget_period in costing.MONTHS_PER else "month"
    amount_text = costing.money(amount, _currency(profile), rounded=False)
    return say("cost.budget", amount=amount_text, period=say(f"cost.period.{period}"))


def _cost(situation: Situation) -> dict[str, Any]:
    profile = situation.profile
    parts = _parts(situation)
    options = [_option(situation, p, missing) for p, missing in parts]
    table = costing.currencies()
    assumptions = say_all(
        "cost.assumptions",
        hours=costing.HOURS_PER_FTE_MONTH,
        seat_low=f"{costing.SEAT_FTE['24/7'][0]:g}",
        seat_high=f"{costing.SEAT_FTE['24/7'][1]:g}",
        date=table.date,
    )
    if profile.budget_amount and profile.budget_period == "total":
        assumptions.append(say("cost.assumption_total", months=costing.PROJECT_MONTHS))
    if profile.budget_amount and not costing.known_currency(profile.budget_currency):
        assumptions.append(say("cost.assumption_dollars"))
    budget = costing.monthly_budget(profile.budget_amount, profile.budget_currency, profile.budget_period)
    fit = _fit(budget, parts)  # the fit of the figures shown, as budget_fit() gives the lead score
    buys = _buys(situation, parts, budget) if budget is not None and parts else []
    return {
        "options": options,
        "summary": "; ".join(o["summary"] for o in options),
        "budget": _budget_words(profile) if profile.budget_amount else (profile.budget_text or None),
        "budget_buys": buys,
        "fit": fit or "unknown",
        "fit_line": say(f"cost.fit.{fit}", budget=_budget_words(profile)) if fit else "",
        "assumptions": assumptions,
        "note": say("cost.not_a_quote", date=table.date),
    }


def _answer_cost(situation: Situation) -> str:
    cost = _cost(situation)
    if not cost["options"]:
        return "\n".join([say("cost.general", **_general_cost_fields(situation)), say("cost.sharpen_tasks")])
    lines = [say("cost.heading")]
    lines += [o["line"] for o in cost["options"]]
    if cost["budget_buys"]:
        heading = "cost.buys_heading_split" if len(cost["budget_buys"]) > 1 else "cost.buys_heading"
        lines.append(say(heading, budget=_budget_words(situation.profile)))
        lines += [f"- {b}" for b in cost["budget_buys"]]
    if cost["fit_line"]:
        lines.append(cost["fit_line"])
    if situation.profile.budget_amount is None:
        lines.append(say("cost.sharpen_budget"))
    if situation.rec is None:
        lines.append(say("cost.sharpen_advice"))
    lines.append(say("cost.assumptions_heading") + " " + " ".join(cost["assumptions"]))
    lines.append(cost["note"])
    return "\n".join(lines)


def _general_cost_fields(situation: Situation) -> dict[str, str]:
    currency = _currency(situation.profile)
    fields = {}
    for model in MODELS:
        part = costing.part(model, [], None)
        span = part.per_fte if part else (0.0, 0.0)
        fields[f"{model}_low"] = _money(span[0], currency)
        fields[f"{model}_high"] = _money(span[1], currency)
        fields[f"{model}_region"] = say(f"location.region_name.{part.region}") if part else ""
    return fields


# --- location ---------------------------------------------------------------------------------


def _compared(situation: Situation, model: str) -> list[dict[str, Any]]:
    currency = _currency(situation.profile)
    bpo, kpo = situation.tasks
    tasks = bpo if model == taxonomy.BPO else kpo
    out = []
    for region in location.DELIVERY:
        part = costing.part(model, tasks, region, situation.profile.coverage)
        cost = (
            say("location.cost_range", per_person=_money_span(*part.per_fte, currency=currency))
            if part
            else say("location.cost_unknown")
        )
        hours = location.overlap(situation.company, region)
        out.append(
            {
                "region": region,
                "name": say(f"location.region_name.{region}"),
                "countries": _countries(situation, region),
                "cost": cost,
                "overlap_hours": hours,
                "overlap": say("location.overlap", hours=f"{hours:g}") if hours else say("location.no_overlap"),
                "language": say(f"location.language.{region}"),
                "suits": say(f"location.suits.{region}"),
            }
        )
    return out


def _provider_notes(situation: Situation) -> list[str]:
    """What a provider in the place the user asks about ("could the analysts be in India") means for them."""
    mention = location.provider_mention(situation.text)
    if mention is None:
        return []
    provider = mention.place
    place = location.places()[provider]
    named = mention.said if mention.said[:1].isupper() else place.label
    home = location.places().get(situation.company or "us", location.places()["us"])
    region = location.region_of(provider, situation.company)
    notes = [
        say(
            "location.provider_place",
            place=named,
            region=say(f"location.region_name.{region}"),
            hours=f"{location.overlap_hours(home.utc, place.utc):g}",
        )
    ]
    found = regimes(situation)
    if data_rules.restricts_offshore(found) and region != "onshore":
        notes.append(say("location.provider_restricted"))
    if data_rules.limits_transfers(found) and place.law not in ("gdpr", "uk_gdpr"):
        notes.append(say("location.provider_transfer", place=named))
    return notes


def _location(situation: Situation) -> dict[str, Any]:
    # Nothing named yet: the model the question asks about ("which countries are best for KPO?"), else both.
    asked = knowledge.subject_of(situation.text or "")
    models = situation.models or (list(MODELS) if asked == "both" else [asked])
    recommended = {}
    notes = []
    for model in models:
        region, rule = _region_for(situation, model)
        recommended[model] = region
        notes.append(
            say(
                f"location.why.{rule}",
                model=say(f"cost.model_{model}"),
                region=say(f"location.region_name.{region}"),
                countries=_countries(situation, region),
                offshore=_countries(situation, "offshore"),
            )
        )
    notes += _provider_notes(situation)
    summary = "; ".join(
        say(
            "location.summary_part",
            model=say(f"cost.model_{model}"),
            region=say(f"location.region_name.{region}"),
            countries=_countries(situation, region),
        )
        for model, region in recommended.items()
    )
    return {
        "recommended": recommended,
        "summary": summary,
        "company": location.places()[situation.company].label if situation.company else None,
        "notes": notes,
        "compared": _compared(situation, models[0]),
    }


def _answer_location(situation: Situation) -> str:
    loc = _location(situation)
    lines = [say("location.heading", company=loc["company"] or say("location.company_unknown"))]
    for row in loc["compared"]:
        lines.append(say("location.row", **{k: v for k, v in row.items() if isinstance(v, str)}))
    lines += loc["notes"]
    if situation.company is None:
        lines.append(say("location.sharpen_company"))
    if not situation.models:  # the work named is enough to place each part, advice or not
        lines.append(say("location.sharpen_advice"))
    return "\n".join(lines)


# --- data -------------------------------------------------------------------------------------


def _means(regime: str, health: bool) -> list[str]:
    """What a regime means for the work; GDPR's special category only when health data was named."""
    extra = [say("data.regime.gdpr.health")] if health and regime in ("gdpr", "uk_gdpr") else []
    return say_all(f"data.regime.{regime}.means") + extra


def _named_facts(situation: Situation) -> list[str]:
    """The regulations, standards and sensitive data read so far and named in the latest message."""
    return [*situation.requirements, *data_rules.facts_in(situation.text)]


def _data(situation: Situation, named: list[str] | None = None) -> dict[str, Any]:
    found = regimes(situation)
    health = data_rules.names_health(_named_facts(situation) if named is None else named)
    return {
        "regimes": [
            {"key": key, "name": say(f"data.regime.{key}.name"), "means": _means(key, health)} for key in found
        ],
        "summary": say("data.summary", names=taxonomy.join_labels([say(f"data.regime.{k}.name") for k in found]))
        if found
        else say("data.summary_none"),
        "require": say_all("data.require") + [item for key in found for item in say_all(f"data.regime.{key}.require")],
        "disclaimer": say("general.not_legal_advice"),
    }


def _answer_data(situation: Situation) -> str:
    named = _named_facts(situation)
    data = _data(situation, named)
    sensitive = data_rules.sensitive(named)
    if not data["regimes"]:
        # Sensitive data named, but no rule applies where the user is: never "nothing points to it".
        lines = [say("data.none_apply" if sensitive else "data.none_found")]
    else:
        lines = [say("data.heading")]
        for regime in data["regimes"]:
            lines.append(f"{regime['name']}:")
            lines += [f"- {m}" for m in regime["means"]]
    lines.append(say("data.require_heading"))
    lines += [f"- {r}" for r in dict.fromkeys(data["require"])]
    if needs_region("data", situation):
        lines.append(say("data.sharpen_place"))
    lines.append(data["disclaimer"])
    return "\n".join(lines)


# --- contract ---------------------------------------------------------------------------------


def _contract(situation: Situation) -> dict[str, Any]:
    choice = situation.rec.choice if situation.rec else None
    return {
        "models": [
            {
                "key": m.key,
                "name": say(f"contract.model.{m.key}.name"),
                "fits": list(m.fits),
                "why": say(f"contract.model.{m.key}.why"),
            }
            for m in contracts.MODELS
        ],
        "recommended": contracts.suggested(choice) if choice else [],
    }


def _checklist() -> list[str]:
    return [say(f"contract.checklist.{key}") for key in contracts.CHECKLIST]


def _answer_contract(situation: Situation) -> str:
    contract = _contract(situation)
    lines = [say("contract.heading")]
    lines += [f"- {m['name']}: {m['why']}" for m in contract["models"]]
    bpo, kpo = situation.tasks
    if situation.models:  # the work named is enough to suggest a contract for each part
        for model, tasks in zip(MODELS, (bpo, kpo), strict=True):
            if model in situation.models:
                first, second = (say(f"contract.model.{k}.short") for k in contracts.SUGGESTED[model])
                work = taxonomy.join_labels(taxonomy.labels(tasks)) or say(f"cost.work_{model}")
                lines.append(say(f"contract.suggest.{model}", tasks=work, first=first, second=second))
    else:
        lines.append(say("contract.sharpen_advice"))
    lines.append(say("contract.checklist_heading"))
    lines += [f"- {item}" for item in _checklist()]
    return "\n".join(lines)


_ANSWERS = {"cost": _answer_cost, "location": _answer_location, "data": _answer_data, "contract": _answer_contract}


def answer(topic: str, situation: Situation) -> str:
    """A plain-text answer about `topic` (one of TOPICS) that fits what is known so far."""
    if topic not in _ANSWERS:
        raise ValueError(f"unknown topic {topic!r}: expected one of {', '.join(TOPICS)}")
    return _ANSWERS[topic](situation)


# --- the brief --------------------------------------------------------------------------------


def _quotes(situation: Situation, text: str, model: str) -> list[str]:
    """The user's own words behind a reason: the words for each task the reason names, and the budget it cites."""
    assert situation.rec is not None
    tasks = situation.rec.bpo_tasks if model == taxonomy.BPO else situation.rec.kpo_tasks
    lowered = text.lower()
    quotes = []
    for key in tasks:
        words = (situation.profile.task_evidence.get(key) or [""])[0]
        if words and (words.lower() in lowered or taxonomy.TASKS[key].label.lower() in lowered):
            quotes.append(words)
    budget = situation.profile.budget_text
    if situation.profile.budget_amount and budget and budget.lower() in lowered:
        quotes.append(budget)
    return list(dict.fromkeys(quotes))


def _reasons(situation: Situation) -> list[dict[str, Any]]:
    assert situation.rec is not None
    return [{"text": r.text, "quotes": _quotes(situation, r.text, r.model)} for r in situation.rec.reasons]


def brief(situation: Situation) -> dict[str, Any]:
    """Everything the one-page brief and the recommendation card show, as JSON-serialisable data.

    Needs a recommendation (ValueError without one). Keys:
        choice ("bpo" | "kpo" | "hybrid"), choice_label, confidence (0-1), bpo_tasks, kpo_tasks (labels),
        reasons [{text, quotes: [the user's words]}], conflicts [text],
        cost {options: [{model, region, low, high, currency, unit: "fte_month", period: "month",
              team: {fte: [low, high], low, high}, sources: [{id, title, url, year, note}], summary, line}],
              summary (one short line for a card), budget, budget_buys [text], fit ("fits" | "tight" |
              "short" | "unknown"), fit_line, assumptions [text], note (not a quote, rates' date)},
        location {recommended {model: region}, summary, company (label or None), notes [text],
                  compared [{region, name, countries, cost, overlap_hours, overlap, language, suits}]},
        data {regimes [{key, name, means [text]}], summary, require [text], disclaimer},
        contract {models [{key, name, fits ["bpo", "kpo"], why}], recommended [model keys]},
        checklist [text], next_steps [text].
    """
    rec = situation.rec
    if rec is None:
        raise ValueError("a brief needs a recommendation")
    return {
        "choice": rec.choice,
        "choice_label": say(f"brief.choice.{rec.choice}"),
        "confidence": rec.confidence,
        "bpo_tasks": taxonomy.labels(rec.bpo_tasks),
        "kpo_tasks": taxonomy.labels(rec.kpo_tasks),
        "reasons": _reasons(situation),
        "conflicts": list(rec.conflicts),
        "cost": _cost(situation),
        "location": _location(situation),
        "data": _data(situation),
        "contract": _contract(situation),
        "checklist": _checklist(),
        "next_steps": say_all(f"brief.next_steps.{rec.choice}"),
    }
