"""How the reading's time grows with the length of a pathological message (a figure, not a test).

A regular expression that backtracks turns a 5,000-character message into seconds of work on
the action server. For each message shape below (long runs of spaces, commas, digits, repeated
words, unknown words, markup...) this times every step of the reading path (`extract`, the
knowledge answer, the input classifier, markup stripping) at two lengths, 8x apart, and reports
the growth: linear code gives about 8x, a quadratic pattern about 64x. It compares two runs of
the same code, so the figure does not depend on the machine's speed; `make bench` prints it, and

    PYTHONPATH=. .venv/bin/python -m scripts.bench_reading

prints it alone. The tests do not time anything (docs/performance.md says why).
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

SMALL, FACTOR = 600, 8
PREFIXES = ["", "We need payroll.", "We are a manufacturer", "Hi, ", "budget of ", "HR we know, "]
UNITS = [" ", "\t", ", ", "1,", "$1 000 ", "a ", ".", "x", "yes, ", "we know ", "in-house ", "we need payroll and ",
         "- ", "\n", "qzx abc ", "not ", "!?", "(", "<b>", "<a", "on", "NO", "'", "\"'", "!", "&", "we are a company ",
         "ééé ", "😀", "١٢٣ "]  # fmt: skip


def _steps() -> dict[str, Callable[[str], Any]]:
    from advisor import inputs
    from advisor.extraction import extract
    from advisor.knowledge import answer

    return {
        "extract": lambda t: extract(t, None),
        "extract_in_form": lambda t: extract(t, "in_house_expertise"),
        "knowledge_answer": answer,
        "classify": inputs.classify,
        "strip_markup": inputs.strip_markup,
    }


def _best_time(function: Callable[[str], Any], text: str, runs: int = 3) -> float:
    from advisor.reading import forget

    best = float("inf")
    for _ in range(runs):
        forget()
        started = time.perf_counter()
        function(text)
        best = min(best, time.perf_counter() - started)
    return max(best, 0.0005)  # below half a millisecond the clock, not the pattern, decides


def _message(prefix: str, unit: str, length: int) -> str:
    return (prefix + unit * (length // max(len(unit), 1) + 1))[:length]


def growth() -> dict[str, Any]:
    """Per step: the median and the largest time ratio over all shapes, and the shape of the largest."""
    steps = _steps()
    steps["extract"]("We need payroll.")  # build the pipeline once
    ratios: dict[str, list[tuple[float, str]]] = {name: [] for name in steps}
    for prefix in PREFIXES:
        for unit in UNITS:
            small, large = _message(prefix, unit, SMALL), _message(prefix, unit, SMALL * FACTOR)
            for name, function in steps.items():
                ratio = _best_time(function, large) / _best_time(function, small)
                ratios[name].append((ratio, repr(prefix + unit)))
    out: dict[str, Any] = {"length_factor": FACTOR, "shapes": len(PREFIXES) * len(UNITS)}
    for name, found in ratios.items():
        worst = max(found)
        out[name] = {
            "median_ratio": round(statistics.median(r for r, _ in found), 1),
            "max_ratio": round(worst[0], 1),
            "max_shape": worst[1],
        }
    return out


def main() -> int:
    print(json.dumps(growth(), indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
