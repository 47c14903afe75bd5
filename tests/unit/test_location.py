"""Where the provider should be: reading places and their roles, time-zone overlap, the region rule."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from advisor import lexicon, location


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("We're a UK firm", {"company_region": "uk"}),
        ("our customers are in Germany", {"customer_region": "eu"}),
        (
            "we're a UK firm and our customers are in Germany and France",
            {"company_region": "uk", "customer_region": "eu"},
        ),
        ("We are based in the US and sell to Europe", {"company_region": "us", "customer_region": "eu"}),
        ("most of our German customers call us", {"customer_region": "eu"}),
        ("I'm in London; our clients are mostly in Canada", {"company_region": "uk", "customer_region": "canada"}),
        ("a Manila-based clinic", {"company_region": "philippines"}),
        ("our patients are in California", {"customer_region": "us"}),
        ("let us know what it costs", {}),
        ("could the analysts be in India, given our customers' data?", {}),
        ("we need help with payroll", {}),
    ],
)
def test_places_are_read_with_the_role_they_play(text: str, expected: dict[str, str]) -> None:
    assert location.regions_in(text) == expected


def test_a_place_named_for_the_provider_is_not_the_company() -> None:
    text = "could the analysts be in India, given our customers' data?"
    assert location.provider_place_in(text) == "india"
    assert location.regions_in(text) == {}


def test_a_bare_place_answers_the_question_asked() -> None:
    assert location.regions_in("Germany") == {}
    assert location.regions_in("Germany", expecting="company") == {"company_region": "eu"}
    assert location.regions_in("the Philippines", expecting="customer") == {"customer_region": "philippines"}


def test_region_lexicon_has_three_delivery_regions_for_every_place() -> None:
    data = lexicon.regions()
    for key, place in data["places"].items():
        assert set(place["delivery"]) == set(location.DELIVERY), key
        assert place["words"], key


offsets = st.floats(min_value=-12, max_value=14, allow_nan=False)


@given(a=offsets, b=offsets)
def test_overlap_is_symmetric_and_within_a_working_day(a: float, b: float) -> None:
    hours = location.overlap_hours(a, b)
    assert hours == location.overlap_hours(b, a)
    assert 0 <= hours <= 8
    assert location.overlap_hours(a, a) == 8


@pytest.mark.parametrize(
    ("company", "region", "hours"),
    [
        ("uk", "offshore", 3),
        ("us", "offshore", 0),
        ("us", "nearshore", 8),
        ("eu", "nearshore", 7.5),
        ("uk", "onshore", 8),
    ],
)
def test_overlap_seen_from_the_company(company: str, region: str, hours: float) -> None:
    assert location.overlap(company, region) == hours


def test_nearshore_never_shares_fewer_hours_than_offshore() -> None:
    for key in location.places():
        assert location.overlap(key, "nearshore") >= location.overlap(key, "offshore"), key


@pytest.mark.parametrize(
    ("tasks", "regimes", "coverage", "cost_first", "model", "expected"),
    [
        (["customer_support"], ["hipaa"], None, True, "bpo", ("onshore", "restricted_data")),
        (["data_entry"], ["government"], None, False, "bpo", ("onshore", "restricted_data")),
        (["customer_support"], ["gdpr"], "24/7", False, "bpo", ("nearshore", "personal_data")),
        (["customer_support"], [], "24/7", False, "bpo", ("offshore", "round_the_clock")),
        (["market_research"], [], None, False, "kpo", ("nearshore", "collaboration")),
        (["data_analytics"], [], None, False, "kpo", ("offshore", "defined_knowledge_work")),
        (["accounting"], [], None, True, "bpo", ("offshore", "cost_first")),
        (["accounting"], ["pci_dss"], None, False, "bpo", ("offshore", "routine_work")),
    ],
)
def test_region_rule(
    tasks: list[str], regimes: list[str], coverage: str | None, cost_first: bool, model: str, expected: tuple
) -> None:
    assert location.suggest(tasks, regimes, coverage, cost_first, model) == expected


@pytest.mark.parametrize(
    ("place", "company", "region"),
    [("india", "uk", "offshore"), ("eu", "uk", "nearshore"), ("uk", "uk", "onshore"), ("latam", None, "nearshore")],
)
def test_a_providers_place_is_onshore_nearshore_or_offshore_for_the_company(
    place: str, company: str | None, region: str
) -> None:
    assert location.region_of(place, company) == region
