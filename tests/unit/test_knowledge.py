"""Knowledge answers: topic and subject detection, and "is X BPO or KPO?" consistency."""

from __future__ import annotations

import re

import pytest

from advisor import taxonomy
from advisor.engine import Profile, recommend
from advisor.knowledge import SUBJECTS, TOPICS, answer, subject_of, topic_text

# (question, topic, subject)
QUESTIONS = [
    # definition
    ("What is BPO?", "definition", "bpo"),
    ("what does KPO stand for", "definition", "kpo"),
    ("whats bpo", "definition", "bpo"),
    ("what's KPO", "definition", "kpo"),
    ("define knowledge process outsourcing", "definition", "kpo"),
    ("kpo?", "definition", "kpo"),
    ("KPO = ?", "definition", "kpo"),
    ("explain business process outsourcing to me", "definition", "bpo"),
    ("tell me about KPO", "definition", "kpo"),
    ("BPO meaning", "definition", "bpo"),
    ("waht is kpo", "definition", "kpo"),
    ("wat does bpo mean", "definition", "bpo"),
    ("can you explain what knowledge process outsourcing is", "definition", "kpo"),
    # differences
    ("What is KPO and how does it differ from BPO?", "differences", "both"),
    ("difference between bpo and kpo", "differences", "both"),
    ("KPO vs BPO", "differences", "both"),
    ("kpo vs bpo differnce", "differences", "both"),
    ("how is kpo different from bpo", "differences", "both"),
    ("are BPO and KPO the same thing?", "differences", "both"),
    ("how do they compare", "differences", "both"),
    ("what is the difference", "differences", "both"),
    # types
    ("types of BPO", "types", "bpo"),
    ("bpo types", "types", "bpo"),
    ("types of kpo?", "types", "kpo"),
    ("what kinds of KPO are there", "types", "kpo"),
    ("what are the types of bpo services", "types", "bpo"),
    # services / examples
    ("what services does a KPO provide", "services", "kpo"),
    ("what does a bpo typically handle", "services", "bpo"),
    ("examples of bpo", "services", "bpo"),
    ("bpo examples", "services", "bpo"),
    ("give me some examples of KPO work", "services", "kpo"),
    ("what do kpo firms do", "services", "kpo"),
    ("what are common bpo solutions", "services", "bpo"),
    # benefits
    ("benefits of BPO", "benefits", "bpo"),
    ("kpo benefits", "benefits", "kpo"),
    ("why would I use KPO", "benefits", "kpo"),
    ("what are the advantages of kpo", "benefits", "kpo"),
    ("pros of outsourcing with bpo", "benefits", "bpo"),
    ("what's the point of BPO", "benefits", "bpo"),
    ("what are the upsides of business process outsourcing", "benefits", "bpo"),
    # when to choose
    ("when should I choose BPO?", "when", "bpo"),
    ("when to opt for kpo", "when", "kpo"),
    ("wen should i choose kpo", "when", "kpo"),
    ("should we go with BPO or KPO?", "when", "both"),
    ("which is better for a startup, bpo or kpo", "when", "both"),
    ("is kpo right for us", "when", "kpo"),
    ("when does bpo make sense", "when", "bpo"),
    ("is bpo a good fit for a small company", "when", "bpo"),
    ("is it better to choose kpo for innovation", "when", "kpo"),
    # splitting the work between the two
    ("what does a hybrid look like in practice?", "hybrid", "both"),
    ("can we use both?", "hybrid", "both"),
    ("should we combine BPO and KPO?", "hybrid", "both"),
    ("how would a hybrid model work for us", "hybrid", "both"),
    # risks, and how long it takes to start
    ("what are the risks of outsourcing?", "risks", "both"),
    ("what are the disadvantages of kpo", "risks", "kpo"),
    ("how long does it take to set up?", "setup", "both"),
    ("how quickly can we start with a bpo provider?", "setup", "bpo"),
    # nothing specific
    ("what can you do", "overview", "both"),
    ("hi", "overview", "both"),
]


@pytest.mark.parametrize(("question", "topic", "subject"), QUESTIONS, ids=[q for q, _, _ in QUESTIONS])
def test_question_is_mapped_to_the_expected_topic_and_subject(question, topic, subject):
    a = answer(question)
    assert (a.topic, a.subject) == (topic, subject)
    assert a.text


TYPO_TOPICS = [
    ("diffrence between bpo and kpo", "differences", "both"),
    ("benifits of bpo", "benefits", "bpo"),
    ("advantges of kpo", "benefits", "kpo"),
]


@pytest.mark.parametrize(
    ("question", "topic", "subject"),
    [*TYPO_TOPICS, ("when kpo", "when", "kpo")],
)
def test_typo_or_terse_topic_words_are_still_understood(question, topic, subject):
    a = answer(question)
    assert (a.topic, a.subject) == (topic, subject)


def test_every_topic_and_subject_has_a_text():
    for topic in TOPICS:
        texts = {subject: topic_text(topic, subject) for subject in SUBJECTS}
        assert all(texts.values()), topic


@pytest.mark.parametrize(
    ("question", "subject"),
    [
        ("what is bpo", "bpo"),
        ("what is knowledge process outsourcing", "kpo"),
        ("business process outsourcing benefits", "bpo"),
        ("is LPO a kind of KPO", "kpo"),
        ("bpo vs kpo", "both"),
        ("what is outsourcing", "both"),
    ],
)
def test_subject_is_bpo_kpo_or_both_from_what_the_question_names(question, subject):
    assert subject_of(question) == subject


def test_answers_stay_on_subject():
    assert "KPO" not in answer("what is BPO?").text.split("(")[0]
    assert "knowledge process outsourcing" in answer("what is KPO?").text.lower()
    assert "back office" in answer("types of bpo").text.lower()
    assert "research and development" in answer("types of kpo").text.lower()
    assert "nature of the work" in answer("kpo vs bpo").text.lower()


# --------------------------------------------------------------------------- "is X BPO or KPO?"

# (question, task key the engine uses). At least 15 tasks, typos included.
CLASSIFY = [
    ("is payroll BPO or KPO?", "hr_payroll"),
    ("is payroll processing kpo or bpo?", "hr_payroll"),
    ("is payrol bpo or kpo", "hr_payroll"),
    ("is HR bpo or kpo", "hr_payroll"),
    ("is market research kpo or bpo", "market_research"),
    ("is competitor anaylsis bpo or kpo", "market_research"),
    ("is a feasibility study bpo or kpo", "market_research"),
    ("is competitive intelligence bpo or kpo", "market_research"),
    ("does data entry count as BPO", "data_entry"),
    ("what kind of outsourcing is legal research", "legal_services"),
    ("contract review - bpo or kpo?", "legal_services"),
    ("where does GDPR compliance belong, bpo or kpo", "legal_services"),
    ("which category does customer support fall under", "customer_support"),
    ("is custmer suport bpo or kpo", "customer_support"),
    ("is financial modelling kpo", "financial_analysis"),
    ("is risk management bpo or kpo", "financial_analysis"),
    ("is valuation kpo or bpo", "financial_analysis"),
    ("is software development bpo or kpo", "software_development"),
    ("is app development bpo or kpo", "software_development"),
    ("is accounting BPO or KPO", "accounting"),
    ("is bookeeping kpo?", "accounting"),
    ("is invoice processing bpo or kpo?", "accounting"),
    ("is tax filing bpo or kpo", "accounting"),
    ("is recruitment bpo or kpo", "recruitment"),
    ("is resume screening bpo or kpo", "recruitment"),
    ("is data analytics BPO or KPO", "data_analytics"),
    ("is demand forecasting bpo or kpo", "data_analytics"),
    ("is strategic consulting bpo or kpo", "strategic_consulting"),
    ("is R&D BPO or KPO", "research_development"),
    ("is product development bpo or kpo", "research_development"),
    ("is IT support BPO or KPO", "it_support"),
    ("is website maintenance BPO or KPO", "it_support"),
    ("is telemarketing bpo or kpo", "sales"),
    ("would telemarketing be bpo or kpo", "sales"),
    ("is lead generation bpo or kpo", "sales"),
    ("is cold calling bpo or kpo", "sales"),
    ("is medical billing bpo or kpo", "industry_bpo"),
    ("is claims processing bpo or kpo", "industry_bpo"),
    ("is social media marketing bpo or kpo", "marketing"),
]


def test_classification_questions_cover_at_least_15_distinct_tasks():
    assert len({key for _, key in CLASSIFY}) >= 15


@pytest.mark.parametrize(("question", "key"), CLASSIFY, ids=[q for q, _ in CLASSIFY])
def test_is_x_bpo_or_kpo_uses_the_same_taxonomy_as_the_engine(question, key):
    a = answer(question)
    assert a.topic == "classify"
    assert a.tasks == [key]
    model = taxonomy.model_of(key)
    # The answer states the taxonomy's model ...
    stated = re.search(r"\bis (BPO|KPO)\b", a.text)
    assert stated and stated.group(1).lower() == model
    # ... which is also what the engine recommends for that task alone.
    assert recommend(Profile(tasks=[key])).choice == model


def test_classifying_two_tasks_places_each_one():
    a = answer("are payroll and market research bpo or kpo?")
    assert a.topic == "classify" and a.tasks == ["hr_payroll", "market_research"]
    assert "HR and payroll is BPO" in a.text
    assert "Market research is KPO" in a.text


def test_a_classify_question_about_an_unknown_task_does_not_invent_a_classification():
    a = answer("is underwater basket weaving bpo or kpo?")
    assert a.tasks == []
    assert not re.search(r"\bis (BPO|KPO) \(", a.text)


@pytest.mark.parametrize("question", ["", "   ", "🤔", "<script>alert(1)</script>", "x" * 20_000])
def test_answer_never_crashes_and_always_returns_text(question):
    a = answer(question)
    assert a.topic and a.subject in ("bpo", "kpo", "both") and a.text


@pytest.mark.parametrize(
    "question, topic",
    [
        ("Which one adds more strategic value, BPO or KPO?", "differences"),
        ("What is industry-specific BPO?", "types"),
        ("Does KPO help with innovation?", "benefits"),
        ("in which situations is KPO the better choice?", "when"),
        ("does BPO need highly specialised staff?", "differences"),
    ],
)
def test_questions_found_in_a_blind_check_get_the_right_topic(question, topic):
    assert answer(question).topic == topic


def test_a_message_of_several_questions_gets_an_answer_for_each():
    from advisor.knowledge import answers_each
    from advisor.patterns import guidance_topic

    each = answers_each(
        "What is BPO? What is KPO? Which one for payroll? And how much?", lambda s: guidance_topic(s) is not None
    )
    assert [(a.topic, a.subject) for a in each] == [("definition", "bpo"), ("definition", "kpo"), ("classify", "both")]
    assert "payroll" in each[2].text.lower()
    assert answers_each("hello there. we need payroll.") == []  # statements ask nothing
    assert len(answers_each("what is kpo? what is kpo?")) == 1  # no repeats
