"""Task entities from the spaCy rule-based extractor, on utterances the model never saw.

Runs the trained model over the held-out NLU file (utterances not in the
training data) plus typo'd ones, and scores `task` entities against the
annotations with lenient span matching (a prediction counts when it overlaps a
gold span).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
from pathlib import Path

import pytest
from rasa.core.agent import Agent
from rasa.shared.nlu.training_data.loading import load_data

from tests.support.stack import latest_model

ROOT = Path(__file__).resolve().parents[2]
SPACY = "AdvisorEntityExtractor"

# Typo'd and keyword-free requests (not in the training data) and the task keys they name.
HARD_CASES: list[tuple[str, list[str]]] = [
    ("we ned payrol and custmer suport", ["hr_payroll", "customer_support"]),
    ("looking for help with acounting and bookeeping", ["accounting"]),
    ("someone to keep the books in order", ["accounting"]),
    ("people to answer the phones overnight", ["customer_support"]),
    ("a competitor anaylsis for our launch", ["market_research"]),
    ("revew of our supplier contracts", ["legal_services"]),
    ("finacial modelling for a new plant", ["financial_analysis"]),
    ("help with recruiting and onboarding paperwork", ["recruitment", "hr_payroll"]),
    ("we want dashboards and predictive analytics", ["data_analytics"]),
    ("medical biling for our clinics", ["industry_bpo"]),
    ("not data entry, we need a forecast of next year's demand", ["data_analytics"]),
    ("crunching numbers for our investment decisions", ["financial_analysis"]),
]


def _spans(entities: list[dict], extractor: str | None) -> list[tuple[int, int]]:
    return [
        (e["start"], e["end"])
        for e in entities
        if e["entity"] == "task" and (extractor is None or e.get("extractor") in extractor.split("+"))
    ]


def _score(pairs: list[tuple[list[tuple[int, int]], list[tuple[int, int]]]]) -> dict[str, float]:
    def overlaps(a, b):
        return a[0] < b[1] and b[0] < a[1]

    tp_p = fp = tp_g = fn = 0
    for gold, predicted in pairs:
        for p in predicted:
            if any(overlaps(p, g) for g in gold):
                tp_p += 1
            else:
                fp += 1
        for g in gold:
            if any(overlaps(p, g) for p in predicted):
                tp_g += 1
            else:
                fn += 1
    precision = tp_p / (tp_p + fp) if tp_p + fp else 0.0
    recall = tp_g / (tp_g + fn) if tp_g + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1}


@pytest.fixture(scope="module")
def parsed() -> list[tuple[list[tuple[int, int]], list[dict]]]:
    agent = Agent.load(str(latest_model()))
    examples = [(m.get("text"), m.get("entities") or []) for m in load_data(str(ROOT / "tests/nlu/heldout.yml")).nlu_examples]

    async def parse_all():
        held_out = []
        for text, gold in examples:
            result = await agent.parse_message(text)
            held_out.append((_spans(gold, None), result.get("entities", [])))
        hard = [(await agent.parse_message(text)).get("entities", []) for text, _ in HARD_CASES]
        return held_out, hard

    # A thread of its own: other test folders (Playwright's sync API) may leave a loop running here.
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, parse_all()).result()


def test_task_entities_on_held_out_utterances(parsed):
    """Lenient-span F1 of the rule-based `task` entities on utterances not in the training data.

    (DIET's own entity recognition scored F1 0.792 here against these rules' 0.910 when
    it was last in the pipeline; README "Performance" has the comparison.)
    """
    s = _score([(gold, _spans(predicted, SPACY)) for gold, predicted in parsed[0]])
    print(f"task entities, spaCy rules: precision {s['precision']:.3f} recall {s['recall']:.3f} F1 {s['f1']:.3f}")
    assert s["precision"] >= 0.90
    assert s["f1"] >= 0.88


def test_typod_and_keyword_free_requests_name_the_right_task(parsed):
    hard = parsed[1]
    ok = sum(
        {e["value"] for e in entities if e.get("extractor") == SPACY and e["entity"] == "task"} == set(keys)
        for entities, (_, keys) in zip(hard, HARD_CASES)
    )
    print(f"typo'd/paraphrased requests mapped to the right tasks: {ok}/{len(hard)}")
    assert ok >= len(hard) - 1
