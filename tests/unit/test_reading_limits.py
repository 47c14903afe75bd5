"""The reading never takes in more than the documented length of a message.

How its time grows with the length of pathological messages is a figure, not a test: `make bench`
reports it (scripts/bench_reading.py; docs/performance.md).
"""

from __future__ import annotations

from advisor import inputs
from advisor.reading import read


def test_the_reading_stops_at_the_documented_length():
    text = "We need payroll. " + "x " * 10_000
    assert len(read(text).text) <= inputs.MAX_MESSAGE_CHARS
