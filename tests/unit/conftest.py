"""Shared fixtures for the domain tests: a small rate card with round figures, so the estimate
arithmetic is checked against sums a reader can redo (the shipped card is checked separately)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

SMALL_CARD = """
entries:
  - {id: bpo_any_offshore, category: bpo_general, model: bpo, region: offshore, countries: [India],
     unit: fte_month, low: 1000, high: 2000, currency: USD, year: 2025,
     source: {url: "https://example.org/a", title: A}, covers: BPO staff}
  - {id: bpo_any_offshore_old, category: bpo_general, model: bpo, region: offshore, countries: [India],
     unit: hour, low: 1, high: 2, currency: USD, year: 2003,
     source: {url: "https://example.org/old", title: Old}, covers: old BPO staff}
  - {id: bpo_support_offshore, category: bpo_front_office, model: bpo, region: offshore, countries: [Philippines],
     unit: hour, low: 10, high: 12.5, currency: USD, year: 2025,
     source: {url: "https://example.org/b", title: B}, covers: contact centre agents}
  - {id: bpo_support_onshore, category: bpo_front_office, model: bpo, region: onshore, countries: [United States],
     unit: hour, low: 30, high: 40, currency: USD, year: 2025,
     source: {url: "https://example.org/c", title: C}, covers: US contact centre agents}
  - {id: kpo_any_offshore, category: kpo_general, model: kpo, region: offshore, countries: [India],
     unit: hour, low: 25, high: 50, currency: USD, year: 2025,
     source: {url: "https://example.org/d", title: D}, covers: analysts}
  - {id: kpo_any_nearshore, category: kpo_general, model: kpo, region: nearshore, countries: [Poland],
     unit: fte_month, low: 4000, high: 8000, currency: EUR, year: 2025,
     source: {url: "https://example.org/e", title: E}, covers: analysts, note: priced in euros}
"""


@pytest.fixture
def small_card(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """RATE_CARD_PATH pointed at SMALL_CARD."""
    path = tmp_path / "rate_card.yml"
    path.write_text(SMALL_CARD, encoding="utf-8")
    monkeypatch.setenv("RATE_CARD_PATH", str(path))
    yield path
