"""How to contract the work: which contract models fit BPO and KPO, and the provider checklist."""

from __future__ import annotations

import pytest

from advisor import contracts, guidance, texts
from advisor.engine import Profile, recommend


@pytest.mark.parametrize(
    ("choice", "expected"),
    [
        ("bpo", ["managed_service", "dedicated_team"]),
        ("kpo", ["fixed_price", "time_materials"]),
        ("hybrid", ["managed_service", "dedicated_team", "fixed_price", "time_materials"]),
        (None, []),
    ],
)
def test_suggested_models_follow_the_kind_of_work(choice: str | None, expected: list[str]) -> None:
    assert contracts.suggested(choice) == expected


def test_which_models_fit_bpo_and_which_kpo() -> None:
    assert set(contracts.models_for("bpo")) == {"dedicated_team", "managed_service", "outcome_based"}
    assert set(contracts.models_for("kpo")) == {"dedicated_team", "fixed_price", "time_materials"}
    for model, keys in contracts.SUGGESTED.items():
        assert set(keys) <= set(contracts.models_for(model))


def test_every_model_and_checklist_item_has_words() -> None:
    for model in contracts.MODELS:
        for part in ("name", "short", "why"):
            assert texts.say(f"contract.model.{model.key}.{part}")
    for item in contracts.CHECKLIST:
        assert texts.say(f"contract.checklist.{item}")


def test_contract_answer_after_hybrid_advice_contracts_each_part_its_own_way() -> None:
    profile = Profile(tasks=["customer_support", "market_research"])
    answer = guidance.answer("contract", guidance.Situation(profile, recommend(profile)))
    for model in contracts.MODELS:
        assert texts.say(f"contract.model.{model.key}.name") in answer
    assert "customer support" in answer and "a managed service with SLAs" in answer
    assert "market research" in answer and "a fixed-price project" in answer
    for needle in ("SLA", "ISO 27001", "intellectual property", "Exit", "pilot"):
        assert needle in answer


def test_contract_answer_before_advice_uses_the_work_already_named() -> None:
    answer = guidance.answer("contract", guidance.Situation(Profile(tasks=["data_entry", "market_research"]), None))
    assert texts.say("contract.sharpen_advice") not in answer
    assert "data entry" in answer and "a managed service with SLAs" in answer
    assert "market research" in answer and "a fixed-price project" in answer


def test_contract_answer_before_advice_lists_the_models_and_says_what_would_sharpen_it() -> None:
    answer = guidance.answer("contract", guidance.Situation(Profile(), None))
    assert texts.say("contract.sharpen_advice") in answer
    assert texts.say("contract.model.time_materials.name") in answer
