"""Work described without any taxonomy phrase is still recognised from its cue words."""

from __future__ import annotations

import pytest

from advisor import cues
from advisor.extraction import extract


@pytest.mark.parametrize(
    "text, expected",
    [
        ("people to reply to shoppers' questions at the weekend", {"customer_support"}),
        ("someone to type our handwritten delivery notes into excel", {"data_entry"}),
        ("sort out our unpaid supplier bills and receipts", {"accounting"}),
        ("find us a dozen applicants and run the first interviews", {"recruitment"}),
        ("keep the office laptops patched and reset forgotten passwords", {"it_support"}),
        ("schedule demos with prospects from our trade-show list", {"sales"}),
        ("run our instagram and linkedin posts", {"marketing"}),
        ("process insurance claims from policyholders", {"industry_bpo"}),
        ("predict which subscribers will cancel next month", {"data_analytics"}),
        ("learn what our rivals charge and how buyers compare us", {"market_research"}),
        ("tell us what the startup we want to acquire is worth", {"financial_analysis"}),
        ("make sure our lease and supplier terms are legally sound", {"legal_services"}),
        ("code a mobile booking app with a chatbot", {"software_development"}),
        ("lab experiments on a new coating material", {"research_development"}),
        ("work out a plan to reorganise the company after the merger", {"strategic_consulting"}),
        ("answer the phones overnight, and build a model to predict churn", {"customer_support", "data_analytics"}),
    ],
)
def test_work_described_in_plain_words_maps_to_the_right_task(text, expected):
    assert set(extract(text).tasks) == expected


@pytest.mark.parametrize("text", ["hello there", "we are a bank", "we sell shoes online", "thanks a lot"])
def test_small_talk_and_company_descriptions_name_no_work(text):
    assert extract(text).tasks == []


def test_cues_need_a_clear_winner():
    assert cues.best_task(["data"]) is None  # too weak on its own
    assert cues.best_task(["churn", "prediction", "model"]) == "data_analytics"


def test_phrases_win_over_cues_in_the_same_stretch():
    assert extract("payroll for our warehouse staff").tasks == ["hr_payroll"]


def test_cues_are_not_read_from_answers_about_the_team():
    assert extract("our receptionists know the booking system", "in_house_expertise").tasks == []


@pytest.mark.parametrize(
    "text, expected",
    [
        (
            "We're a SaaS company (booking software for salons). We need someone for the support inbox.",
            {"customer_support"},
        ),
        ("we sell analytics software and need people to chase late payments", {"accounting"}),
    ],
)
def test_describing_the_company_is_not_work_to_hand_off(text, expected):
    assert set(extract(text).tasks) == expected


def test_a_spacy_split_negation_still_negates():
    facts = extract("we need people to answer customer emails. we dont need any strategy stuff")
    assert facts.tasks == ["customer_support"]
    assert "strategic_consulting" in facts.negated_tasks
