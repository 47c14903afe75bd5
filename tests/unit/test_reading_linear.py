"""No message can stall the reading: its time grows about linearly with the length of the text.

A regular expression that backtracks turns a 5,000-character message into seconds
of work on the action server. This property test builds pathological messages
(long runs of spaces, commas, digits, repeated words, unknown words, mixed
units that Hypothesis draws) at two lengths, 8x apart, and checks that the time
of the whole reading path (`extract`, the knowledge answer and the input
classifier) grows by roughly 8x, far from the 64x of a quadratic pattern. It
compares two runs of the same code, so it does not depend on the machine's speed.
"""

from __future__ import annotations

import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from advisor import inputs
from advisor.extraction import extract
from advisor.knowledge import answer
from advisor.reading import read

UNITS = [
    " ",
    "\t",
    ", ",
    "1,",
    "$1 000 ",
    "a ",
    ".",
    "x",
    "yes, ",
    "we know ",
    "in-house ",
    "we need payroll and ",
    "- ",
    "\n",
    "qzx abc ",
    "not ",
    "!?",
    "(",
    "<b>",
    "<a",
    "on",
    "NO",
    "'",
    "\"'",
    "!",
    "&",
    "we are a company ",
]
SMALL, FACTOR = 600, 8
LIMIT = 24.0  # linear growth gives about 8; a quadratic pattern gives about 64


def _best_time(function, text: str, runs: int = 3) -> float:
    best = float("inf")
    for _ in range(runs):
        read.cache_clear()
        started = time.perf_counter()
        function(text)
        best = min(best, time.perf_counter() - started)
    return max(best, 0.0005)  # below half a millisecond the clock, not the pattern, decides


def _message(prefix: str, unit: str, length: int) -> str:
    return (prefix + unit * (length // max(len(unit), 1) + 1))[:length]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    prefix=st.sampled_from(["", "We need payroll.", "We are a manufacturer", "Hi, ", "budget of ", "HR we know, "]),
    unit=st.one_of(st.sampled_from(UNITS), st.text(min_size=1, max_size=6)),
)
def test_reading_time_grows_linearly(prefix, unit):
    small = _message(prefix, unit, SMALL)
    large = _message(prefix, unit, SMALL * FACTOR)
    for function in (
        lambda t: extract(t, None),
        lambda t: extract(t, "in_house_expertise"),
        answer,
        inputs.classify,
        inputs.strip_markup,
    ):
        ratio = _best_time(function, large) / _best_time(function, small)
        if ratio >= LIMIT:  # a busy machine can slow one run down: measure once more, longer, before failing
            ratio = _best_time(function, large, runs=7) / _best_time(function, small, runs=7)
        assert ratio < LIMIT, f"{ratio:.0f}x slower for {FACTOR}x the text: {prefix!r} + {unit!r}"


def test_the_reading_stops_at_the_documented_length():
    text = "We need payroll. " + "x " * 10_000
    assert len(read(text).text) <= inputs.MAX_MESSAGE_CHARS
