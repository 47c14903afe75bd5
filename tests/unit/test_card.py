"""The recommendation card (advisor/card.py), built from a real guidance.brief() of a real engine run."""

from __future__ import annotations

import json

import pytest

from advisor import guidance
from advisor.card import CARD_TYPE, card
from advisor.engine import Profile, recommend
from advisor.extraction import extract

OPENING = "We need someone to run our payroll and a competitor analysis, about 8k euros a month"
URL = "https://advisor.example.com/brief/" + "t" * 43


def hybrid_brief() -> dict:
    facts = extract(OPENING)
    profile = Profile(
        tasks=facts.tasks,
        budget_amount=8000,
        budget_currency="EUR",
        budget_period="month",
        in_house_expertise="no",
        goals=["strategic_decisions"],
        task_evidence=facts.evidence,
    )
    rec = recommend(profile)
    assert rec.choice == "hybrid"
    return guidance.brief(guidance.Situation(profile, rec))


@pytest.fixture(scope="module")
def brief() -> dict:
    return hybrid_brief()


def test_card_carries_the_advice_split_reasons_with_the_users_words_and_the_text(brief: dict) -> None:
    shown = card(brief, "My recommendation: a hybrid of BPO and KPO.\n- BPO for payroll\n", URL)
    assert shown["type"] == CARD_TYPE == "recommendation"
    assert shown["text"] == "My recommendation: a hybrid of BPO and KPO.\n- BPO for payroll"
    assert shown["choice"] == "hybrid" and "hybrid" in shown["headline"].lower()
    assert shown["bpo_tasks"] and shown["kpo_tasks"], "a hybrid has both columns"
    words = " ".join(r["text"] + " " + " ".join(r["quotes"]) for r in shown["reasons"])
    assert "run our payroll" in words and "competitor analysis" in words
    for reason in shown["reasons"]:  # the user's words are never shown twice
        assert not any(q.lower() in reason["text"].lower() for q in reason["quotes"])
    assert shown["next_steps"] and shown["labels"]["next_steps"]
    json.dumps(shown)  # a custom payload must be JSON


def test_cost_lines_name_a_currency_an_amount_and_a_period(brief: dict) -> None:
    lines = card(brief, "text", URL)["cost"]["lines"]
    option_lines = [line for line in lines if line.startswith(("BPO", "KPO"))]
    assert {line[:3] for line in option_lines} == {"BPO", "KPO"}
    for line in option_lines:
        assert "€" in line and "a month" in line, line
        assert any(ch.isdigit() for ch in line)
    assert "€8,000 a month" in lines[-1], "whether the user's own budget fits comes last"


def test_the_brief_link_is_the_first_button_and_only_when_there_is_one(brief: dict) -> None:
    with_link = card(brief, "text", URL)
    assert with_link["brief_url"] == URL
    assert with_link["buttons"][0] == {"title": "Download your brief", "url": URL}
    assert {b.get("payload") for b in with_link["buttons"][1:]} == {"/ask_cost", "/ask_location", "/ask_contract"}
    without = card(brief, "text", None)
    assert without["brief_url"] is None
    assert all("url" not in b for b in without["buttons"])


def test_location_and_data_notes_come_along(brief: dict) -> None:
    shown = card(brief, "t", URL)
    assert shown["location"] and "BPO" in shown["location"][0] and "KPO" in shown["location"][0]
    assert shown["data_rules"] == [], "no regulated data was mentioned"
    regulated = {**brief, "data": {**brief["data"], "regimes": [{"key": "gdpr"}], "summary": "Data rules: GDPR."}}
    shown = card(regulated, "t", URL)
    assert shown["data_rules"][0] == "Data rules: GDPR."
    assert shown["data_rules"][-1].startswith("This is general guidance, not legal advice")
    assert "data" not in shown  # Rasa's socket.io output reads a `data` key as its own
