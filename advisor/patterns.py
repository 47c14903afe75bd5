"""One set of question and command patterns, used by the reading, the actions and the NLU router.

Every pattern here is applied to user text, so each is written to run in linear
time: no nested or adjacent unbounded repeats that can overlap.
"""

from __future__ import annotations

import re

QUESTION_START = re.compile(
    r"^\s*(what|whats|what's|how|why|is|are|does|do|can|could|would|should|when|which|who|where|tell\s+me|"
    r"explain|define|difference|diff)\b",
    re.IGNORECASE,
)

# A command in so many words: it is never an answer to the question being asked.
COMMAND = re.compile(
    r"\b(start\s+(?:over|again|afresh)|restart|reset|begin\s+again|from\s+scratch|"
    r"clear\s+(?:my|our|all|the)\s+(?:answers|data|conversation|chat)|clear\s+everything|"
    r"forget\s+(?:everything|it\s+all|all\s+that|what)|new\s+conversation|real\s+person|"
    r"(?:talk|speak|chat)\s+(?:to|with)\s+(?:a\s+|an\s+|some|your\s+)?(?:human|person|one|body|specialist|agent|expert|sales)|"
    r"(?:connect|put)\s+(?:me|us)\s+(?:with|to|in\s+touch)|in\s+touch\s+with\s+(?:a|an|your|the)\b|"
    r"human\s+agent|call\s+me|get\s+a\s+quote|book\s+a\s+(?:call|meeting|demo)|contact\s+me|"
    r"sales\s+rep|what\s+if|suppose|imagine|hypothetically|delete\s+(?:my|our)|withdraw|"
    r"remove\s+my|erase)\b",
    re.IGNORECASE,
)

# Asking for a person: a specialist, an expert, someone from sales.
HUMAN_REQUEST = re.compile(
    r"\b(?:(?:connect|put)\s+(?:me|us)\s+(?:with|to|in\s+touch)|(?:talk|speak|chat)\s+(?:to|with)\s+"
    r"(?:a\s+|an\s+|some|your\s+)?(?:human|person|one|body|specialist|agent|expert|sales)|real\s+person|"
    r"human\s+agent|call\s+me|contact\s+me|sales\s+rep|book\s+a\s+(?:call|meeting|demo))\b",
    re.IGNORECASE,
)


def looks_like_question(text: str) -> bool:
    """A question rather than an answer ("what is KPO?", "why do you ask")."""
    return text.rstrip().endswith("?") or bool(QUESTION_START.match(text))


def statements_only(text: str) -> str:
    """Drop the sentences of `text` that are questions, with or without their question mark
    ("is it ok for an offshore team to access patient records" names no work of the company)."""
    parts = re.split(r"(?<=[.!?])\s+", text)
    return " ".join(p for p in parts if not looks_like_question(p))


# Questions only the knowledge answers cover, whatever the classifier thought: the risks of
# outsourcing and how long it takes to start (advisor/knowledge.py, topics "risks" and "setup").
KNOWLEDGE_ONLY = re.compile(
    r"\b(risks?|risky|downsides?|disadvantages?|drawbacks?|pitfalls?|what\s+can\s+go\s+wrong|"
    r"how\s+long\s+(?:does|will|would|do)\s+(?:it|this|that|they|the\s+\w+(?:\s+\w+)?)\s+take|"
    r"how\s+(?:quickly|fast|soon)\s+(?:can|could|would)\s+(?:we|you|it|they|a\s+provider)\s+(?:start|begin|get\s+started|be\s+up)|"
    r"time\s+to\s+(?:set\s+up|start|get\s+started|onboard))\b",
    re.IGNORECASE,
)


# --- follow-up questions on cost, location, data rules and contracts (advisor/guidance.py) -----------

_NOT_DATA_WORK = (
    r"(?!\s+(?:entry|processing|analytics|analysis|science|scientists?|capture|cleansing|cleaning|migration|"
    r"labell?ing|annotation|management|mining|engineering|warehous\w*|conversion|collection|input|visuali[sz]ation))"
)
DATA_QUESTION = re.compile(
    r"\b(?:gdpr|hipaa|pci(?:[\s-]?dss)?|phi|pii|ccpa|glba|ferpa|baa|dpa|privacy|confidentiality|"
    r"data\s+processing\s+agreements?|business\s+associate\s+agreements?|standard\s+contractual\s+clauses|"
    r"adequacy\s+decisions?|"
    r"data\s+(?:protection|privacy|security|residency|sovereignty|transfers?|locali[sz]ation|breach(?:es)?|"
    r"rules?|laws?|regulations?|offshore|abroad|overseas|safe|secure)|"
    r"(?:patient|patients['’]?|personal|customer|customers['’]?|client|clients['’]?|health|medical|card|payment|"
    r"cardholder|sensitive|our|their|user|users['’]?|employee|employees['’]?|government|financial|regulated)\s+"
    r"(?:data" + _NOT_DATA_WORK + r"|records|information)|"
    r"send(?:ing)?\s+(?:our\s+|the\s+)?data" + _NOT_DATA_WORK + r")",
    re.IGNORECASE,
)
CONTRACT_QUESTION = re.compile(
    r"\b(?:contracts?(?!\s+(?:review|reviews|drafting|management|analysis|negotiation\s+support))|contracting|"
    r"contractual|fixed[\s-]?price|fixed[\s-]?fee|hourly|per\s+hour|time\s+and\s+materials?|t\s?&\s?m|slas?|"
    r"service[\s-]levels?|pricing\s+models?|engagement\s+models?|billing\s+models?|outcome[\s-]based|retainer|"
    r"(?:ask|check|look\s+for|require|demand)\s+(?:of\s+|from\s+)?(?:a|an|the|our|any|potential|each)?\s?"
    r"(?:providers?|vendors?|suppliers?|outsourcers?)|provider\s+checklist|rfp|"
    r"(?:choose|pick|select|vet|evaluate)\s+(?:a|the)\s+(?:providers?|vendors?|suppliers?)|negotiat\w+)\b",
    re.IGNORECASE,
)
COST_QUESTION = re.compile(
    r"\b(?:how\s+much|price|prices|pricing|priced|expensive|cheap|cheaper|cheapest|afford|affordable|rates?|"
    r"fees?|ballpark|estimate|cost\s+(?:us|me|of|per|for|to)|costs?\s+(?:us|me)|"
    r"what\s+(?:would|will|does|do|might|could)\s+(?:it|that|this|they|kpo|bpo|each)\s+(?:cost|run)|"
    r"(?:budget|money)\s+(?:buy|get|cover|enough|stretch)|cost(?:s|ing)?[\s?!.]*$)",
    re.IGNORECASE,
)
COST_AS_GOAL = re.compile(
    r"\b(?:cut(?:ting)?|reduc\w*|sav(?:e|es|ing|ings)|lower(?:ing)?|minimi[sz]\w*)\s+(?:the\s+|our\s+)?costs?\b|"
    r"\bcost[\s-](?:cutting|reduction|savings?|efficien\w*)\b",
    re.IGNORECASE,
)
LOCATION_QUESTION = re.compile(
    r"\b(?:on[\s-]?shore|near[\s-]?shore|off[\s-]?shore|offshoring|nearshoring|onshoring|"
    r"where\s+(?:should|could|would|can|might|to)\b|which\s+(?:country|countries|region|regions|location)|"
    r"(?:be\s+)?based\s+(?:in|where)|located|location|time[\s-]?zones?|overseas|abroad|domestic(?:ally)?|"
    r"local\s+(?:provider|team|vendor)|same\s+country|"
    r"in\s+(?:india|the\s+philippines|philippines|poland|mexico|eastern\s+europe|latin\s+america|latam|asia|"
    r"europe|the\s+us|the\s+usa|the\s+uk|colombia|brazil|ukraine|romania|vietnam|egypt|south\s+africa|portugal|"
    r"ireland|canada|china|costa\s+rica|argentina|bulgaria|malaysia|sri\s+lanka))\b",
    re.IGNORECASE,
)
GUIDANCE_INTENTS = {
    "cost": "ask_cost",
    "location": "ask_location",
    "data": "ask_data_rules",
    "contract": "ask_contract",
}
"""The intent of a follow-up question on each topic (data/nlu/guidance.yml, components/question_router.py)."""
_ASKS_PRICE = re.compile(r"\b(?:how\s+much|price|pricing|rates?|afford)\b", re.IGNORECASE)
WANTS_A_QUOTE = re.compile(
    r"\b(?:get|want|need|send|request)\s+(?:me\s+|us\s+)?(?:a\s+|an\s+|your\s+)?(?:price\s+|formal\s+)?"
    r"(?:quote|quotation|proposal|offer)\b",
    re.IGNORECASE,
)
"""Asking for a quote or proposal is asking for the sales team, not for an estimate."""


def guidance_topic(text: str) -> str | None:
    """The follow-up topic a question is about: `data`, `contract`, `cost` or `location`, else None.

    When several match, the first of that order wins: "is our patient data safe offshore?"
    is about data rules, "fixed price or hourly?" about contracts, "how much cheaper is
    offshore?" about cost. Cost words that name a goal ("does BPO cut costs?") are no cost
    question unless the question also asks a price.
    """
    text = text[:2000]
    if WANTS_A_QUOTE.search(text):
        return None
    if DATA_QUESTION.search(text):
        return "data"
    if CONTRACT_QUESTION.search(text):
        return "contract"
    if COST_QUESTION.search(text) and not (COST_AS_GOAL.search(text) and not _ASKS_PRICE.search(text)):
        return "cost"
    if LOCATION_QUESTION.search(text):
        return "location"
    return None
