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
    """Drop the sentences of `text` that are questions."""
    parts = re.split(r"(?<=[.!?])\s+", text)
    return " ".join(p for p in parts if not p.rstrip().endswith("?"))
