"""Which follow-up topic a question is about (advisor.patterns.guidance_topic): the questions of
issue 11 as buyers asked them, and the questions that must stay what they were."""

from __future__ import annotations

import pytest

from advisor.patterns import guidance_topic


@pytest.mark.parametrize(
    ("question", "topic"),
    [
        ("Roughly what would that cost us?", "cost"),
        ("How much would that cost?", "cost"),
        ("What's the price of KPO?", "cost"),
        ("what are typical rates for offshore support?", "cost"),
        ("Where should the provider be based?", "location"),
        ("Could the analysts be in India?", "location"),
        ("Nearshore or offshore?", "location"),
        ("Is our patient data safe with an offshore provider?", "data"),
        ("GDPR?", "data"),
        ("Could the analysts be in India, given our customers' data?", "data"),
        ("could the analysts be in India, given our customers’ data?", "data"),
        ("Fixed price or hourly?", "contract"),
        ("How do we contract it?", "contract"),
        ("What should we ask a provider?", "contract"),
    ],
)
def test_the_issues_questions_find_their_topic(question: str, topic: str) -> None:
    assert guidance_topic(question) == topic


@pytest.mark.parametrize(
    "question",
    [
        "is data entry bpo or kpo?",  # a task, not data rules
        "should we outsource our data entry?",
        "is contract review KPO?",  # a task, not a contract
        "does BPO cut costs?",  # a benefit, not a price
        "what is kpo",
        "where does customer support belong",
        "can i get a price quote",  # asks for sales, not an estimate
        "is compliance outsourcing KPO",
        "what are the benefits of BPO",
    ],
)
def test_knowledge_questions_tasks_and_requests_keep_no_topic(question: str) -> None:
    assert guidance_topic(question) is None
