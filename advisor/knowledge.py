"""Answers to questions about BPO and KPO, in the project's own words.

`answer(question)` finds the topic (definition, types, services, benefits,
differences, when to choose, or "is X BPO or KPO?") and the subject (BPO, KPO
or both) with simple rules over the text, and classifies named tasks with the
same taxonomy the recommendation engine uses. The answers themselves are in
domain/texts/knowledge.yml.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from advisor import taxonomy
from advisor.patterns import KNOWLEDGE_ONLY, looks_like_question
from advisor.reading import read
from advisor.texts import say

# Questions about both models get the BPO answer, then the KPO one; these topics have one answer
# for both, or share another topic's answer for each model.
ONE_ANSWER_EACH = ("definition", "types", "services", "benefits", "when")
SAME_ANSWER = {
    ("differences", "bpo"): ("differences", "both"),
    ("differences", "kpo"): ("differences", "both"),
    ("examples", "bpo"): ("services", "bpo"),
    ("examples", "kpo"): ("services", "kpo"),
    ("hybrid", "bpo"): ("hybrid", "both"),
    ("hybrid", "kpo"): ("hybrid", "both"),
    ("risks", "bpo"): ("risks", "both"),
    ("risks", "kpo"): ("risks", "both"),
    ("setup", "bpo"): ("setup", "both"),
    ("setup", "kpo"): ("setup", "both"),
}
TOPICS = (*ONE_ANSWER_EACH, "differences", "examples", "hybrid", "risks", "setup")
# Topics that answer the question asked, rather than a general overview: a question the classifier
# took for a cost, place, data or contract question gets one of these instead (actions/guidance.py).
ANSWERS_THE_QUESTION = frozenset({"classify", "hybrid", "risks", "setup", "differences", "types", "benefits"})
_RISKS = re.compile(
    r"\b(risks?|risky|downsides?|disadvantages?|drawbacks?|pitfalls?|what\s+can\s+go\s+wrong)\b", re.IGNORECASE
)
SUBJECTS = ("bpo", "kpo", "both")


def topic_text(topic: str, subject: str) -> str:
    """The answer for a topic (one of TOPICS) about `bpo`, `kpo` or `both` (words in domain/texts/knowledge.yml)."""
    if subject == "both" and topic in ONE_ANSWER_EACH:
        return topic_text(topic, "bpo") + " " + topic_text(topic, "kpo")
    topic, subject = SAME_ANSWER.get((topic, subject), (topic, subject))
    return say(f"knowledge.answers.{topic}.{subject}")


_BPO = re.compile(r"\b(bpo|business\s+process(?:\s+outsourcing)?)\b", re.IGNORECASE)
_KPO = re.compile(r"\b(kpo|knowledge\s+process(?:\s+outsourcing)?|lpo)\b", re.IGNORECASE)
# Splitting the work between the two: a question about the hybrid the advice often gives.
_HYBRID = re.compile(
    r"\b(hybrid|both\s+(?:models|kinds|types|at\s+once|together)|(?:use|need|have|do|combine|mix)\s+both\b|"
    r"combin\w*\s+(?:bpo|kpo|the\s+two|them)|(?:bpo|kpo)\s+(?:and|plus|with)\s+(?:bpo|kpo)\s+together|"
    r"mix\s+of\s+(?:bpo|kpo|the\s+two)|split\s+(?:the\s+)?work\s+between)",
    re.IGNORECASE,
)
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
    """One sentence per task: its model, its category and why."""
    parts = []
    for key in keys:
        t = taxonomy.TASKS[key]
        parts.append(
            say(
                "knowledge.classification.task",
                task=taxonomy.sentence_case(t.label),
                model=say(f"general.names.{t.model}"),
                category=taxonomy.CATEGORIES[t.category].label,
                why=say(f"knowledge.classification.why.{t.model}"),
            )
        )
    return " ".join(parts)


def topic_of(question: str, tasks: list[str] | None = None) -> str:
    """The question's topic by the first matching rule; tasks + BPO/KPO named -> classify."""
    tasks = tasks if tasks is not None else classify_tasks(question)
    names_model = bool(_BPO.search(question) or _KPO.search(question))
    if _HYBRID.search(question):
        return "hybrid"  # "what does a hybrid look like?", "can we use both?"
    if names_model and _TOPICS[0][1].search(question):
        return "differences"  # "which adds more strategic value?" is about the models, not a task
    if tasks and (names_model or re.search(r"\b(outsourc\w*|which|what\s+kind|category)\b", question, re.IGNORECASE)):
        return "classify"
    if _RISKS.search(question):
        return "risks"  # "what are the risks of outsourcing?"
    if KNOWLEDGE_ONLY.search(question):
        return "setup"  # "how long does it take to set up?"
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
        return Answer(topic, subject, say("knowledge.classification.no_task"), [])
    if topic == "overview":
        text = topic_text("definition", "both") + " " + say("knowledge.overview_more")
        return Answer(topic, "both", text, [])
    return Answer(topic, subject, topic_text(topic, subject), tasks)


_SENTENCES = re.compile(r"(?<=[?.!])\s+")


def answers_each(text: str, skip: Callable[[str], bool] | None = None) -> list[Answer]:
    """One answer per question in a message that asks several ("What is BPO? What is KPO? Which
    one for payroll?"), in order and without repeats; a question that `skip` matches (one another
    action answers, such as "and how much?") and one with no specific topic are left out."""
    out: list[Answer] = []
    for sentence in _SENTENCES.split((text or "")[:2000]):
        if not sentence.strip() or not looks_like_question(sentence) or (skip and skip(sentence)):
            continue
        found = answer(sentence)
        if found.topic != "overview" and all(found.text != a.text for a in out):
            out.append(found)
    return out
