"""Answers to questions about BPO and KPO, in the project's own words.

`answer(question)` finds the topic (definition, types, services, benefits,
differences, when to choose, or "is X BPO or KPO?") and the subject (BPO, KPO
or both) with simple rules over the text, and classifies named tasks with the
same taxonomy the recommendation engine uses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from advisor import taxonomy
from advisor.reading import read

TEXTS: dict[tuple[str, str], str] = {
    ("definition", "bpo"): (
        "BPO (business process outsourcing) means handing a defined, repeatable business process "
        "to an outside provider: answering customers, keying in data, running payroll, HR admin. "
        "You pay for dependable execution at a lower cost, and your own people keep their time for "
        "the work that sets your company apart."
    ),
    ("definition", "kpo"): (
        "KPO (knowledge process outsourcing) means bringing in outside specialists for work that "
        "depends on expertise and judgement: research, analysis, financial and legal work, strategy. "
        "It is the more specialised form of outsourcing, and the provider has to understand your "
        "business and what you are trying to achieve, not just follow a procedure."
    ),
    ("types", "bpo"): (
        "BPO comes in three flavours: back office (internal functions such as accounting, data "
        "handling and IT support), front office (customer-facing work such as support, sales and "
        "marketing), and industry-specific BPO, where the provider knows the rules of a sector such as "
        "healthcare, finance or telecoms."
    ),
    ("types", "kpo"): (
        "The main kinds of KPO are research and development (supporting product work and innovation), "
        "strategic consulting (plans, positioning, entering new markets, transformations) and technology "
        "services (advanced software development and data analytics)."
    ),
    ("services", "bpo"): (
        "Typical BPO services: customer support from contact centres (often 24/7 and in several "
        "languages), data entry and processing, and HR work such as recruitment, training and payroll."
    ),
    ("services", "kpo"): (
        "Typical KPO services: market research to inform launches and market entry; financial analysis "
        "such as risk management, investment research and financial modelling; and legal process "
        "outsourcing such as contract review, legal research and compliance."
    ),
    ("benefits", "bpo"): (
        "BPO's benefits: lower costs (less spent on staff, offices and systems for non-core work), "
        "scalability (capacity goes up or down with demand without hiring or layoffs), and focus "
        "(your team spends its time on the core business)."
    ),
    ("benefits", "kpo"): (
        "KPO's benefits: access to specialist expertise you don't have in-house, innovation and better "
        "processes from people who bring new methods, and a sharper strategic focus while complex, "
        "knowledge-heavy work is handled outside."
    ),
    ("differences", "both"): (
        "Three differences matter most. Nature of the work: BPO handles routine, process-driven tasks; "
        "KPO handles complex work that needs analysis and critical thinking. Skill level: BPO mostly "
        "needs basic, trainable skills; KPO needs specialised knowledge. Value added: BPO mainly brings "
        "efficiency and lower cost; KPO brings insight and strategic value."
    ),
    ("when", "bpo"): (
        "Pick BPO when the work is repetitive and time-consuming, when reducing operating cost is the "
        "goal, or when you need customer support around the clock without building a large team."
    ),
    ("when", "kpo"): (
        "Pick KPO when you need specialist knowledge your team doesn't have, when the project is "
        "strategic (research, analysis, decisions that shape the business), or when you want outside "
        "expertise to drive innovation and better processes."
    ),
    ("examples", "both"): (
        "Examples of BPO: a call centre answering customers, invoice and data processing, payroll. "
        "Examples of KPO: a competitor study, a financial model for an investment, a contract review."
    ),
}
TEXTS[("definition", "both")] = TEXTS[("definition", "bpo")] + " " + TEXTS[("definition", "kpo")]
TEXTS[("types", "both")] = TEXTS[("types", "bpo")] + " " + TEXTS[("types", "kpo")]
TEXTS[("services", "both")] = TEXTS[("services", "bpo")] + " " + TEXTS[("services", "kpo")]
TEXTS[("benefits", "both")] = TEXTS[("benefits", "bpo")] + " " + TEXTS[("benefits", "kpo")]
TEXTS[("when", "both")] = TEXTS[("when", "bpo")] + " " + TEXTS[("when", "kpo")]
TEXTS[("differences", "bpo")] = TEXTS[("differences", "both")]
TEXTS[("differences", "kpo")] = TEXTS[("differences", "both")]
TEXTS[("examples", "bpo")] = TEXTS[("services", "bpo")]
TEXTS[("examples", "kpo")] = TEXTS[("services", "kpo")]

_BPO = re.compile(r"\b(bpo|business\s+process(?:\s+outsourcing)?)\b", re.IGNORECASE)
_KPO = re.compile(r"\b(kpo|knowledge\s+process(?:\s+outsourcing)?|lpo)\b", re.IGNORECASE)
_TOPICS: list[tuple[str, re.Pattern]] = [
    (
        "differences",
        re.compile(
            r"\b(strategic\s+value|adds?\s+(?:more\s+)?value|more\s+value|skill\s+level|skills?\s+(?:needed|required)|"
            r"(?:highly\s+)?speciali[sz]ed\s+(?:staff|people|skills)|nature\s+of\s+(?:the\s+)?work)\b",
            re.IGNORECASE,
        ),
    ),
    (
        "types",
        re.compile(r"\b(industry[- ]specific|sector[- ]specific|front[- ]office|back[- ]office)\b", re.IGNORECASE),
    ),
    ("when", re.compile(r"\b(situations?|better\s+choice|right\s+choice|when\s+is)\b", re.IGNORECASE)),
    ("benefits", re.compile(r"\b(help\s+(?:with|us)\s+innovat\w*|what\s+do\s+(?:i|we)\s+gain)\b", re.IGNORECASE)),
    (
        "classify",
        re.compile(
            r"\b(is|are|would|does|do|counts?|falls?|belongs?|classif\w*|categor\w*|which\s+one|under|type\s+of)\b"
            r".*\b(bpo|kpo)\b.*\b(or|vs|versus)\b|\b(bpo|kpo)\s+or\s+(bpo|kpo)\b|\bcounts?\s+as\b|"
            r"\bfalls?\s+under\b|\bbelongs?\s+(?:to|in)\b|\bwhich\s+(?:one|category|kind|type)\b",
            re.IGNORECASE,
        ),
    ),
    (
        "definition",
        re.compile(
            r"\b(stand\s+for|stands\s+for|define|definition|meaning|mean|acronym|abbreviation)\b", re.IGNORECASE
        ),
    ),
    (
        "differences",
        re.compile(
            r"\b(differ\w*|dif+ren\w*|dif+er\w*|vs\.?|versus|compare\w*|comparison|distinguish|distinction|contrast|"
            r"same\s+thing|similar\w*)\b",
            re.IGNORECASE,
        ),
    ),
    (
        "when",
        re.compile(
            r"^\s*when\b|\b(when\s+(?:should|to|would|do|does|is|are|must)|which\s+(?:should|to|is\s+(?:right|better|best))|"
            r"should\s+(?:i|we)\s+(?:choose|pick|go|use|opt)|choose|choosing|pick|opt\s+for|right\s+for|"
            r"better\s+for|best\s+for|suit\w*|fit|make\s+sense|worth\s+it|appropriate|ideal)\b",
            re.IGNORECASE,
        ),
    ),
    (
        "benefits",
        re.compile(
            r"\b(benefit\w*|ben[ie]fit\w*|bene?fi?t\w*|adv\w*nt\w*ge\w*|pros|upside\w*|why\s+(?:use|outsource|would)|gain|value|"
            r"good\s+for|point\s+of|help\s+(?:us|my|a)\s+(?:company|business))\b",
            re.IGNORECASE,
        ),
    ),
    ("types", re.compile(r"\b(types?|kinds?|categor\w*|forms?|flavou?rs?|varieties|sorts?)\b", re.IGNORECASE)),
    (
        "services",
        re.compile(
            r"\b(services?|cover\w*|include\w*|offer\w*|provide\w*|handle\w*|do\s+they\s+do|"
            r"what\s+(?:can|do|does)\s+(?:a\s+)?(?:bpo|kpo)|work\s+(?:can|do)|tasks?|solutions?|examples?|"
            r"such\s+as|like\s+what|typical|common)\b",
            re.IGNORECASE,
        ),
    ),
    (
        "definition",
        re.compile(
            r"\b(what\s+(?:is|are|'s|does)|what's|whats|define|definition|mean\w*|stand\s+for|"
            r"explain|tell\s+me\s+about|describe|acronym|abbreviation|heard\s+of|never\s+heard)\b",
            re.IGNORECASE,
        ),
    ),
]


@dataclass
class Answer:
    """A knowledge answer and how it was chosen."""

    topic: str
    subject: str
    text: str
    tasks: list[str]


def subject_of(question: str) -> str:
    """`bpo`, `kpo` or `both`, from what the question names."""
    bpo, kpo = bool(_BPO.search(question)), bool(_KPO.search(question))
    if bpo and not kpo:
        return "bpo"
    if kpo and not bpo:
        return "kpo"
    return "both"


def classify_tasks(question: str) -> list[str]:
    """Task keys named in the question (not negated), via the shared taxonomy."""
    keys = [t.key for t in read(question).tasks if not t.negated and t.source != "cue"]
    return list(dict.fromkeys(keys))


def classification_text(keys: list[str]) -> str:
    parts = []
    for key in keys:
        t = taxonomy.TASKS[key]
        category = taxonomy.CATEGORIES[t.category]
        if t.model == taxonomy.BPO:
            why = "it is routine, process-driven work that a provider runs to a set procedure"
        else:
            why = "it depends on specialist knowledge, analysis and judgement"
        parts.append(f"{taxonomy.sentence_case(t.label)} is {t.model.upper()} ({category.label}): {why}.")
    return " ".join(parts)


def topic_of(question: str, tasks: list[str] | None = None) -> str:
    """The question's topic by the first matching rule; tasks + BPO/KPO named -> classify."""
    tasks = tasks if tasks is not None else classify_tasks(question)
    names_model = bool(_BPO.search(question) or _KPO.search(question))
    if names_model and _TOPICS[0][1].search(question):
        return "differences"  # "which adds more strategic value?" is about the models, not a task
    if tasks and (names_model or re.search(r"\b(outsourc\w*|which|what\s+kind|category)\b", question, re.IGNORECASE)):
        return "classify"
    for topic, pattern in _TOPICS:
        if topic == "classify":
            continue
        if pattern.search(question):
            return topic
    if tasks:
        return "classify"
    return "definition" if names_model else "overview"


def answer(question: str) -> Answer:
    """Answer a question about BPO and KPO in plain language."""
    question = (question or "")[:2000]
    tasks = classify_tasks(question)
    topic = topic_of(question, tasks)
    subject = subject_of(question)
    if topic == "classify":
        if tasks:
            return Answer(topic, subject, classification_text(tasks), tasks)
        return Answer(
            topic,
            subject,
            (
                "Tell me the task and I'll place it: routine process work (support, data entry, payroll) is "
                "BPO; work that needs expert analysis (research, financial or legal analysis, strategy) is KPO."
            ),
            [],
        )
    if topic == "overview":
        text = (
            TEXTS[("definition", "both")]
            + " I can also go through their types, typical services, benefits, key differences, or when "
            "to choose each, or place a specific task for you."
        )
        return Answer(topic, "both", text, [])
    return Answer(topic, subject, TEXTS[(topic, subject)], tasks)
