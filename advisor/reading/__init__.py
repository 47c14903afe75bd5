"""Read a message as work items: what is to be done, what is a rule, what is only context.

Real requests (tender notices, case-study briefs, job posts, forum posts) mix the
work itself with rules the provider must follow ("in compliance with Medicare"),
the company describing itself ("a manufacturer and distributor of ...") and the
purpose of the work ("so our team can focus on user research"). Spotting task
words anywhere in such a text invents work. So a message is read in four steps:

1. **Items.** The text is cut into work items: lines and bullets, sentences, then
   clauses at joins ("plus", "as well as", "also") and at a comma, "and" or "or"
   followed by a work verb ("... an audit and run our help desk").
2. **Roles.** Inside an item, a requirement marker ("in accordance with") starts a
   requirement, a purpose marker ("allowing our team to ...") starts context, and a
   sentence that opens with a self-description is context up to its first need verb.
   Only the rest is work.
3. **Tasks.** Task phrases come from one spaCy pass (`advisor.nlp`). In the work
   part of an item, a routine task that is only the object of an expert deliverable
   ("a study of our complaints process", "payroll audit") gives way to the
   deliverable; expertise asked for ("we need clinical expertise") is knowledge work;
   an item with no task phrase is scored on cue words (`advisor.cues`).
4. **Facts.** Regulations, standards and sensitive data named anywhere ("HIPAA",
   "card payments") are kept as facts.

Every task keeps the words that triggered it. Every step is a scan over words with
bounded look-ahead, so the time grows linearly with the length of the message; the
vocabulary is data in `advisor/lexicon/reading.yml`.
"""

from __future__ import annotations

from advisor.reading.core import forget, read, read_rules, reading_with, warm_up
from advisor.reading.model import Fact, Item, Reading, TaskHit
from advisor.reading.text import MAX_CHARS, Word, normalise, words_of
from advisor.reading.work import known_after

__all__ = [
    "MAX_CHARS",
    "Fact",
    "Item",
    "Reading",
    "TaskHit",
    "Word",
    "forget",
    "known_after",
    "normalise",
    "read",
    "read_rules",
    "reading_with",
    "warm_up",
    "words_of",
]
