"""Work described without any taxonomy phrase is still recognised from its cue words."""

from __future__ import annotations

import pytest

from advisor import cues
from advisor.extraction import extract
from tests.support import phrases


@pytest.mark.parametrize(
    "text, expected",
    phrases.task_table("cue_tasks"),
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
