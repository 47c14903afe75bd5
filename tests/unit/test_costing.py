"""Estimate arithmetic: currencies, periods, FTE conversions, the rate card and budget fit."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from advisor import costing

CODES = sorted(costing.currencies().usd_per_unit)
FIT_ORDER = {"short": 0, "tight": 1, "fits": 2}
amounts = st.floats(min_value=0.01, max_value=1e9, allow_nan=False, allow_infinity=False)


# --- currencies -------------------------------------------------------------------------------


def test_currency_table_is_dated_and_uses_the_ecb_rates() -> None:
    table = costing.currencies()
    assert table.date == "2026-08-21"
    assert "European Central Bank" in table.source
    assert costing.convert(1, "EUR", "USD") == pytest.approx(1.1699)
    assert costing.convert(1.1699, "USD", "EUR") == pytest.approx(1.0)
    assert costing.convert(0.8567, "GBP", "EUR") == pytest.approx(1.0)
    assert costing.convert(3.6725, "AED", "USD") == pytest.approx(1.0)  # pegged, not quoted by the ECB


@given(amount=amounts, source=st.sampled_from(CODES), target=st.sampled_from(CODES))
def test_converting_there_and_back_gives_the_amount(amount: float, source: str, target: str) -> None:
    assert costing.convert(costing.convert(amount, source, target), target, source) == pytest.approx(amount)


def test_unknown_currency_is_refused_by_convert_and_counted_as_dollars_in_a_budget() -> None:
    with pytest.raises(KeyError):
        costing.convert(1, "XYZ", "USD")
    assert costing.monthly_budget(1_000, "XYZ", "month") == pytest.approx(1_000)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("date: '2026-01-01'\nsource: x\nper_euro: {GBP: 0.85}\n", "includes USD"),
        ("date: '2026-01-01'\nsource: x\nper_euro: {USD: 1.1, GBP: -1}\n", "per_euro.GBP: the rate must be"),
        ("date: '2026-01-01'\nsource: x\nper_euro: {USD: 1.1, pound: 0.8}\n", "per_euro.pound: not a three-letter"),
        ("source: x\nper_euro: {USD: 1.1}\n", "needs a date"),
        ("date: '2026-01-01'\nsource: x\nper_euro: {USD: 1.1}\nper_usd: {AED: 0}\n", "per_usd.AED"),
    ],
)
def test_currency_table_errors_name_the_file_and_the_entry(text: str, problem: str) -> None:
    with pytest.raises(costing.RateCardError, match=f"cur: .*{problem}"):
        costing.parse_currencies(text, "cur")


# --- periods and FTE --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "source", "target", "expected"),
    [
        (5_000, "month", "year", 60_000),
        (60_000, "year", "month", 5_000),
        (3_000, "quarter", "month", 1_000),
        (1_000, "week", "month", 1_000 * 52 / 12),
        (20, "hour", "month", 20 * 160),
        (100, "day", "month", 100 * 20),
        (6_000, "total", "month", 1_000),
    ],
)
def test_amounts_move_between_periods(amount: float, source: str, target: str, expected: float) -> None:
    assert costing.per_period(amount, source, target) == pytest.approx(expected)


@given(amount=amounts, source=st.sampled_from(costing.PERIODS), target=st.sampled_from(costing.PERIODS))
def test_period_conversion_round_trips(amount: float, source: str, target: str) -> None:
    assert costing.per_period(costing.per_period(amount, source, target), target, source) == pytest.approx(amount)


def test_seat_coverage_needs_the_stated_full_time_people() -> None:
    assert costing.fte_for_coverage("24/7") == pytest.approx((4.2, 5.0))
    assert costing.fte_for_coverage("extended") == pytest.approx((2.1, 2.5))
    assert costing.fte_for_coverage(None) == pytest.approx((1.0, 1.2))
    assert costing.hourly_to_fte_month(10) == 1_600
    assert costing.seats_for(10, "24/7") == pytest.approx(2.0)


def test_starting_team_is_one_person_per_task_and_a_seat_per_customer_facing_task() -> None:
    assert costing.team_fte(["accounting", "data_entry"], "24/7") == (2, 2)
    assert costing.team_fte(["customer_support"], "24/7") == pytest.approx((4.2, 5.0))
    assert costing.team_fte(["customer_support", "accounting"], None) == pytest.approx((2.0, 2.2))
    assert costing.team_fte(["no_such_task"], None) == (0, 0)


def test_monthly_budget_spreads_a_total_over_six_months_and_converts_currency() -> None:
    assert costing.monthly_budget(12_000, "USD", "year") == pytest.approx(1_000)
    assert costing.monthly_budget(6_000, "USD", "total") == pytest.approx(1_000)
    assert costing.monthly_budget(1_000, "EUR", None) == pytest.approx(1_169.9)
    assert costing.monthly_budget(None, "USD", "month") is None
    assert costing.monthly_budget(0, "USD", "month") is None


# --- budget fit -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("budget", "fit"),
    [(None, None), (2_000, "fits"), (5_000, "fits"), (1_999, "tight"), (1_000, "tight"), (999, "short"), (1, "short")],
)
def test_fit_compares_the_budget_with_both_ends_of_the_range(budget: float | None, fit: str | None) -> None:
    assert costing.fit(budget, (1_000, 2_000)) == fit


@given(a=amounts, b=amounts, low=amounts, spread=st.floats(min_value=1, max_value=10))
def test_fit_never_gets_worse_as_the_budget_grows(a: float, b: float, low: float, spread: float) -> None:
    small, large = sorted((a, b))
    cost = (low, low * spread)
    assert FIT_ORDER[costing.fit(small, cost) or ""] <= FIT_ORDER[costing.fit(large, cost) or ""]


def test_what_a_budget_buys() -> None:
    assert costing.people_for(6_000, (1_000, 2_000)) == (3, 6)
    assert costing.days_for(8_000, (4_000, 8_000)) == (20, 40)


# --- the rate card ----------------------------------------------------------------------------


def test_the_shipped_card_is_valid_and_every_figure_is_sourced() -> None:
    card = costing.parse_rate_card(costing.DEFAULT_RATE_CARD.read_text(encoding="utf-8"))
    assert len({r.id for r in card}) == len(card)
    for rate in card:
        assert rate.url.startswith("https://") and rate.title and rate.covers
        if rate.year < 2016:
            assert "old" in rate.note.lower(), rate.id
    assert {r.model for r in card} == {"bpo", "kpo"}
    assert {r.region for r in card} == {"onshore", "nearshore", "offshore"}


def test_rate_card_path_points_the_advisor_at_another_card(small_card: Path) -> None:
    assert costing.rate_card_path() == small_card
    assert {r.id for r in costing.rate_card()} >= {"bpo_any_offshore", "kpo_any_nearshore"}


def test_rates_for_prefers_the_tasks_category_then_the_general_one(small_card: Path) -> None:
    support = costing.rates_for("bpo", "offshore", {"bpo_front_office"})
    assert [r.id for r in support] == ["bpo_support_offshore"]
    back_office = costing.rates_for("bpo", "offshore", {"bpo_back_office"})
    assert [r.id for r in back_office] == ["bpo_any_offshore"]  # the 2003 figure is stale beside a 2025 one
    assert costing.rates_for("bpo", "nearshore") == []


def test_part_turns_hourly_and_euro_figures_into_dollars_per_person_a_month(small_card: Path) -> None:
    support = costing.part("bpo", ["customer_support"], "offshore", "24/7")
    assert support is not None
    assert support.per_fte == pytest.approx((1_600, 2_000))
    assert support.monthly_usd == pytest.approx((4.2 * 1_600, 5.0 * 2_000))
    analysts = costing.part("kpo", ["market_research"], "nearshore")
    assert analysts is not None
    assert analysts.per_fte == pytest.approx((4_000 * 1.1699, 8_000 * 1.1699))
    assert analysts.exact  # kpo_general is the model's general figure, not a proxy
    assert costing.cheapest_region("kpo") == "offshore"
    assert costing.part("bpo", ["accounting"], "nearshore") is None


def _card(entry: str) -> str:
    base = (
        "{id: x, category: bpo_general, model: bpo, region: offshore, countries: [India], unit: hour, low: 1, "
        "high: 2, currency: USD, year: 2024, source: {url: 'https://example.org', title: T}, covers: c"
    )
    return "entries:\n  - " + base + entry + "}\n"


@pytest.mark.parametrize(
    ("extra", "problem"),
    [
        (", low: 5", r"low \(5\) is above high \(2\)"),
        (", category: kpo_legal", "model .bpo. does not match category kpo_legal"),
        (", category: cooking", "category 'cooking' is not one of"),
        (", model: xpo", "model 'xpo' must be bpo or kpo"),
        (", region: moon", "region 'moon' must be one of"),
        (", unit: minute", "unit 'minute' must be one of"),
        (", currency: XYZ", "currency 'XYZ' is not in rates/currencies.yml"),
        (", year: 203", "year must be a year"),
        (", source: {url: 'example.org', title: T}", "source needs a url"),
        (", high: -2", "high must be a positive number"),
        (", colour: red", r"unknown field\(s\) colour"),
        (", covers: ''", "missing covers"),
    ],
)
def test_rate_card_errors_name_the_file_and_the_entry(extra: str, problem: str) -> None:
    with pytest.raises(costing.RateCardError, match=f"^card: x: {problem}"):
        costing.parse_rate_card(_card(extra), "card")


def test_rate_card_structure_errors_are_named() -> None:
    with pytest.raises(costing.RateCardError, match="card: the top level needs `entries:`"):
        costing.parse_rate_card("rates: []", "card")
    with pytest.raises(costing.RateCardError, match="card: x: the id is used twice"):
        costing.parse_rate_card(_card("") + _card("").replace("entries:\n", ""), "card")
    with pytest.raises(costing.RateCardError, match="card: entry 1: missing id"):
        costing.parse_rate_card("entries:\n  - {category: bpo_general}\n", "card")
    with pytest.raises(costing.RateCardError, match="card: not valid YAML"):
        costing.parse_rate_card("entries: [", "card")


def test_a_broken_card_at_rate_card_path_fails_with_its_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "broken.yml"
    path.write_text(_card(", low: 9"), encoding="utf-8")
    monkeypatch.setenv("RATE_CARD_PATH", str(path))
    with pytest.raises(costing.RateCardError, match=f"{path}: x: low"):
        costing.rate_card()


def test_money_is_rounded_and_written_with_its_symbol() -> None:
    assert costing.money(1234, "USD") == "$1,200"
    assert costing.money(987.6, "EUR") == "€990"
    assert costing.money(45, "GBP") == "£45"
    assert costing.money(150_000, "INR") == "₹150,000"
    assert costing.money(1500, "PLN") == "1,500 PLN"


def test_a_missing_card_fails_with_its_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RATE_CARD_PATH", str(tmp_path / "nowhere.yml"))
    with pytest.raises(costing.RateCardError, match=r"nowhere\.yml: cannot be read"):
        costing.rate_card()


def test_the_check_command_lists_a_valid_card_and_names_the_error_in_a_broken_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert costing.main([str(costing.DEFAULT_RATE_CARD)]) == 0
    out = capsys.readouterr().out
    assert "ph_contact_centre_premium: bpo bpo_front_office offshore, 2021: 1,920-2,240 USD per FTE-month" in out
    assert "entries, valid (currency table of 2026-08-21)" in out
    broken = tmp_path / "broken.yml"
    broken.write_text(_card(", region: moon"), encoding="utf-8")
    assert costing.main([str(broken)]) == 1
    assert "x: region 'moon' must be one of" in capsys.readouterr().err
