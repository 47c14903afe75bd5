"""Classify raw user input that needs special handling: empty, emoji-only, markup, foreign,
words aimed at the assistant's instructions, huge.

The reply to each kind is in domain/texts/inputs.yml.
"""

from __future__ import annotations

import re
import unicodedata

from advisor.texts import say

MAX_MESSAGE_CHARS = 5000
"""Longer messages are answered, but only their first MAX_MESSAGE_CHARS characters are read."""

# Linear on any text: `\bon\w+` (an event-handler attribute starts a word; without `\b` a long word
# full of "on" was quadratic) and `[^<>]*` (a tag ends before the next "<", so "<a<a<a..." is not).
_MARKUP = re.compile(r"<\s*/?\s*[a-zA-Z][^<>]*>|javascript:|\bon\w+\s*=", re.IGNORECASE)
_FOREIGN_WORDS = re.compile(
    r"\b(el|la|los|las|necesitamos|queremos|nuestra|nuestro|para|quÃ©|qué|hola|gracias|wir|"
    r"brauchen|unsere|unser|und|nicht|bitte|hallo|danke|nous|avons|besoin|notre|bonjour|merci|"
    r"est|une|des|precisamos|nossa|obrigado|olá|ciao|grazie|abbiamo|bisogno)\b",
    re.IGNORECASE,
)
_ENGLISH_WORDS = re.compile(
    r"\b(the|we|our|and|need|want|what|is|are|to|for|with|help|you|i|a|it|do|how|of|in)\b",
    re.IGNORECASE,
)


# Words addressed to the assistant's own instructions, not to the work: "ignore previous
# instructions and ...", "print your system prompt", "you are now ...". Tight on purpose: a tender's
# "instructions to bidders" or "follow our style rules" is not one of them.
_INSTRUCTIONS = re.compile(
    r"\b(?:ignore|disregard|forget|override)\s+(?:all\s+|any\s+)?(?:(?:the|your|my|of\s+the)\s+)?"
    r"(?:previous|prior|above|earlier|preceding|former|system)\s+(?:instructions?|prompts?|rules|guidelines)\b"
    r"|\b(?:ignore|disregard|forget)\s+(?:all\s+)?your\s+(?:instructions|rules|guidelines|programming)\b"
    r"|\bsystem\s+prompt\b|\byou\s+are\s+now\s+(?:an?\s+\w+|in\s+\w+\s+mode|dan)\b|\bjailbreak\b|\bdeveloper\s+mode\b"
    r"|\b(?:reveal|show|print|repeat)\s+(?:me\s+)?(?:your|the)\s+(?:hidden\s+|initial\s+|original\s+|secret\s+)?"
    r"(?:instructions|prompt|configuration)\b",
    re.IGNORECASE,
)


def classify(text: str | None) -> str:
    """One of: empty, symbols (emoji/punctuation only), markup, foreign, instructions (words
    aimed at the assistant's own instructions), too_long, ok."""
    text = (text or "").strip()
    if not text:
        return "empty"
    letters = [c for c in text if unicodedata.category(c).startswith(("L", "N"))]
    if not letters:
        return "symbols"
    if len(text) > MAX_MESSAGE_CHARS:
        return "too_long"
    if _INSTRUCTIONS.search(text):
        return "instructions"
    if _MARKUP.search(text):
        return "markup"
    non_latin = sum(1 for c in letters if ord(c) > 0x24F)
    if non_latin > len(letters) / 2:
        return "foreign"
    foreign, english = len(_FOREIGN_WORDS.findall(text)), len(_ENGLISH_WORDS.findall(text))
    if foreign >= 2 and foreign > english:
        return "foreign"
    return "ok"


UNREADABLE = ("empty", "symbols", "markup", "foreign", "instructions", "too_long")
"""The kinds `classify` returns that get a reply of their own (domain/texts/inputs.yml)."""

NOT_READ = ("empty", "symbols", "foreign", "instructions")
"""The kinds whose words are never read for facts (markup is read once its tags and code are gone)."""


def nothing_to_read(text: str | None) -> str | None:
    """The kind of a message that holds nothing to read, so it gets only its own reply: empty,
    symbols, foreign, instructions, or markup with no words outside its tags and code. None otherwise."""
    kind = classify(text)
    if kind in NOT_READ:
        return kind
    if kind == "markup" and not any(c.isalnum() for c in strip_markup(text or "")):
        return kind
    return None


def reply(kind: str) -> str:
    """The reply to input of an UNREADABLE kind."""
    return say(f"inputs.{kind}", max_chars=f"{MAX_MESSAGE_CHARS:,}")


_CODE_OPEN = re.compile(r"<\s*(script|style)\b[^<>]*>", re.IGNORECASE)
_CODE_CLOSE = {tag: re.compile(rf"<\s*/\s*{tag}\s*>", re.IGNORECASE) for tag in ("script", "style")}


def _without_code(text: str) -> str:
    """The text without <script> and <style> elements, content and all (an unclosed one runs to
    the end). Linear: each search starts where the last element ended."""
    kept, at = [], 0
    while (opened := _CODE_OPEN.search(text, at)) is not None:
        kept.append(text[at : opened.start()])
        close = _CODE_CLOSE[opened.group(1).lower()].search(text, opened.end())
        at = close.end() if close else len(text)
    kept.append(text[at:])
    return " ".join(kept)


def strip_markup(text: str) -> str:
    """The text without tags and code, so "<b>payroll</b>" still reads as payroll and
    "<script>alert(1)</script>" reads as nothing."""
    return re.sub(r"\s+", " ", re.sub(r"<[^<>]*>", " ", _without_code(text))).strip()
