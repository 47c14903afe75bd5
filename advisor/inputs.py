"""Classify raw user input that needs special handling: empty, emoji-only, markup, foreign, huge.

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


def classify(text: str | None) -> str:
    """One of: empty, symbols (emoji/punctuation only), markup, foreign, too_long, ok."""
    text = (text or "").strip()
    if not text:
        return "empty"
    letters = [c for c in text if unicodedata.category(c).startswith(("L", "N"))]
    if not letters:
        return "symbols"
    if len(text) > MAX_MESSAGE_CHARS:
        return "too_long"
    if _MARKUP.search(text):
        return "markup"
    non_latin = sum(1 for c in letters if ord(c) > 0x24F)
    if non_latin > len(letters) / 2:
        return "foreign"
    foreign, english = len(_FOREIGN_WORDS.findall(text)), len(_ENGLISH_WORDS.findall(text))
    if foreign >= 2 and foreign > english:
        return "foreign"
    return "ok"


UNREADABLE = ("empty", "symbols", "markup", "foreign", "too_long")
"""The kinds `classify` returns that get a reply of their own (domain/texts/inputs.yml)."""


def reply(kind: str) -> str:
    """The reply to input of an UNREADABLE kind."""
    return say(f"inputs.{kind}", max_chars=f"{MAX_MESSAGE_CHARS:,}")


def strip_markup(text: str) -> str:
    """The text without tags, so "<b>payroll</b>" still reads as payroll."""
    return re.sub(r"\s+", " ", re.sub(r"<[^<>]*>", " ", text)).strip()
