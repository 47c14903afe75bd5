"""Regulated data: the rule that names HIPAA, GDPR, UK GDPR, PCI DSS and government rules."""

from __future__ import annotations

import pytest

from advisor import data_rules, guidance, texts
from advisor.engine import Profile, recommend


@pytest.mark.parametrize(
    ("requirements", "text", "company", "customers", "expected"),
    [
        ([], "Is our patient data safe with an offshore provider?", None, None, ["hipaa"]),
        (["hipaa"], "", "us", None, ["hipaa"]),
        (["medicare"], "", None, None, ["hipaa"]),
        # Health data of people in the EU is GDPR special-category data, not HIPAA data.
        (["hipaa"], "", "eu", "eu", ["gdpr"]),
        (["hipaa"], "", "us", "eu", ["hipaa", "gdpr"]),
        ([], "we take card payments over the phone", None, None, ["pci_dss"]),
        ([], "it involves government data", None, None, ["government"]),
        ([], "", None, "uk", ["uk_gdpr"]),
        ([], "", "eu", None, ["gdpr"]),
        (["gdpr"], "", "uk", "uk", ["uk_gdpr"]),
        (["gdpr"], "", None, None, ["gdpr"]),
        ([], "our customers are in Germany", None, None, ["gdpr"]),
        (["pci_dss", "sox"], "", "us", "us", ["pci_dss", "sox"]),
        ([], "we need help with payroll", "us", "us", []),
        # Who handles health claims handles health data, named or not.
        ([], "We are a regional health insurer and want to outsource claims intake", None, None, ["hipaa"]),
        ([], "our clinic needs help with medical billing and coding", "us", None, ["hipaa"]),
        ([], "Is it safe to send our medical claims offshore?", None, None, ["hipaa"]),
        ([], "our health plans for employees are administered in-house", "eu", "eu", ["gdpr"]),
        ([], "we bill our customers monthly", None, None, []),
    ],
)
def test_which_regimes_apply(
    requirements: list[str], text: str, company: str | None, customers: str | None, expected: list[str]
) -> None:
    assert data_rules.regimes_for(requirements, text, company, customers) == expected


def test_facts_are_read_from_the_message_without_the_full_reading() -> None:
    assert data_rules.facts_in("patient records and card payments") == ["hipaa", "pci_dss"]
    assert data_rules.facts_in("") == []


def test_offshore_and_transfer_limits() -> None:
    assert data_rules.restricts_offshore(["hipaa"]) and data_rules.restricts_offshore(["government"])
    assert not data_rules.restricts_offshore(["gdpr", "pci_dss"])
    assert data_rules.limits_transfers(["uk_gdpr"]) and not data_rules.limits_transfers(["hipaa"])


def test_every_regime_has_a_name_what_it_means_and_what_to_require() -> None:
    for key in data_rules.REGIMES:
        assert texts.say(f"data.regime.{key}.name")
        assert texts.say_all(f"data.regime.{key}.means")
        assert texts.say_all(f"data.regime.{key}.require")


def _data_answer(text: str, **regions: str) -> str:
    profile = Profile(tasks=["customer_support"], task_evidence={"customer_support": ["patient calls"]})
    situation = guidance.Situation(profile, recommend(profile), text=text, **regions)
    return guidance.answer("data", situation)


def test_health_data_answer_names_hipaa_and_the_business_associate_agreement() -> None:
    answer = _data_answer("Is our patient data safe with an offshore provider?")
    assert "HIPAA" in answer
    assert "business associate agreement" in answer
    assert "offshore" in answer
    assert "ISO 27001" in answer and "SOC 2" in answer and "audit" in answer
    assert texts.say("general.not_legal_advice") in answer


def test_eu_customers_answer_names_gdpr_transfers_and_the_processing_agreement() -> None:
    answer = _data_answer("what about data protection?", customer_region="eu")
    assert "GDPR" in answer
    assert "standard contractual clauses" in answer
    assert "adequacy" in answer
    assert "data processing agreement" in answer


def test_card_data_answer_names_pci_dss() -> None:
    assert "PCI DSS" in _data_answer("we take card payments")


def test_no_regulated_data_says_so_and_asks_where_the_customers_are() -> None:
    profile = Profile(tasks=["accounting"])
    answer = guidance.answer("data", guidance.Situation(profile, recommend(profile)))
    assert texts.say("data.none_found") in answer
    assert texts.say("data.sharpen_place") in answer
