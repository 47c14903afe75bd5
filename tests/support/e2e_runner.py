"""Drive scripted conversations against the running advisor over REST and judge the trackers.

The schema of `conversations.yml` is documented at the top of that file. This module turns
one conversation into messages: it reads the tracker after every turn, detects which question
the bot asked (the `utter_action` metadata of bot events, else `slots.requested_slot`) and
answers it from the conversation's `answers`, interleaving the fixed `turns` where they belong.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests
import yaml

CONVERSATIONS_FILE = Path(__file__).resolve().parents[1] / "e2e" / "conversations.yml"
# Every tests/e2e/conversations*.yml is played; conversations_<name>.yml ids start with <name>_.
CONVERSATIONS_GLOB = "conversations*.yml"

# Topic names used in conversations.yml -> slot the form fills for that topic.
TOPIC_SLOTS: dict[str, str] = {
    "tasks": "tasks",
    "budget": "budget_level",
    "expertise": "in_house_expertise",
    "goals": "goals",
    "coverage": "coverage",
}
SLOT_TOPICS: dict[str, str] = {slot: topic for topic, slot in TOPIC_SLOTS.items()}
ASK_ACTIONS: dict[str, str] = {f"utter_ask_{slot}": slot for slot in TOPIC_SLOTS.values()}
RECOMMENDATIONS = ("bpo", "kpo", "hybrid")
MAX_TURNS = 12
UNSCRIPTED_ANSWER = "I don't know."


class ScriptError(ValueError):
    """conversations.yml (or a conversation built in code) does not follow the schema."""


@dataclass(frozen=True)
class Button:
    """Click the button of the bot's last reply whose title contains `title`."""

    title: str


Answer = str | Button


@dataclass(frozen=True)
class Turn:
    """A message sent regardless of the answers: at a position, on a question, or after one."""

    say: str
    at: int | None = None
    on_ask: str | None = None
    after: str | None = None


@dataclass(frozen=True)
class Conversation:
    """One scripted conversation and the recommendation it must end with."""

    id: str
    description: str
    recommendation: str
    turns: tuple[Turn, ...] = ()
    answers: dict[str, tuple[Answer, ...]] = field(default_factory=dict)
    source: str = CONVERSATIONS_FILE.name


PLAIN_BPO_ANSWERS: dict[str, tuple[Answer, ...]] = {
    "tasks": ("We'd like to outsource payroll and customer support.",),
    "budget": ("It's tight, about 3,000 euros a month, and cutting costs is our priority.",),
    "expertise": ("Yes, we know these processes well, we just lack people.",),
    "goals": ("Reduce costs and let our team focus on the core business.",),
    "coverage": ("Business hours are enough.",),
}
"""Answers that take a payroll-and-support conversation to BPO advice (robustness and odd-sender tests)."""


def _parse_answer(raw: Any, where: str) -> Answer:
    if isinstance(raw, str):
        return raw
    if isinstance(raw, dict) and set(raw) == {"button"} and isinstance(raw["button"], str):
        return Button(raw["button"])
    raise ScriptError(f"{where}: an answer is a string or {{button: TITLE}}, got {raw!r}")


def _parse_turn(raw: Any, index: int, where: str) -> Turn:
    if isinstance(raw, str):
        return Turn(say=raw, at=index)
    if not isinstance(raw, dict) or not isinstance(raw.get("say"), str):
        raise ScriptError(f"{where}: turn {index} needs a string or a mapping with `say`")
    triggers = [key for key in ("at", "on_ask", "after") if key in raw]
    unknown = set(raw) - {"say", "at", "on_ask", "after"}
    if len(triggers) != 1 or unknown:
        raise ScriptError(f"{where}: turn {index} needs exactly one of at/on_ask/after, got {sorted(raw)}")
    for key in ("on_ask", "after"):
        if key in raw and raw[key] not in TOPIC_SLOTS:
            raise ScriptError(f"{where}: turn {index}: unknown topic {raw[key]!r}")
    if "at" in raw and not (isinstance(raw["at"], int) and 0 <= raw["at"] < MAX_TURNS):
        raise ScriptError(f"{where}: turn {index}: `at` must be an integer in 0..{MAX_TURNS - 1}")
    return Turn(
        say=raw["say"],
        at=raw.get("at"),
        on_ask=raw.get("on_ask"),
        after=raw.get("after"),
    )


def parse_conversation(raw: dict[str, Any]) -> Conversation:
    """Validate one entry of conversations.yml and build a Conversation."""
    where = f"conversation {raw.get('id', '?')!r}"
    unknown = set(raw) - {"id", "description", "recommendation", "turns", "answers"}
    if unknown:
        raise ScriptError(f"{where}: unknown keys {sorted(unknown)}")
    for key in ("id", "description", "recommendation"):
        if not isinstance(raw.get(key), str) or not raw[key].strip():
            raise ScriptError(f"{where}: `{key}` must be a non-empty string")
    if raw["recommendation"] not in RECOMMENDATIONS:
        raise ScriptError(f"{where}: recommendation must be one of {RECOMMENDATIONS}")
    turns = tuple(_parse_turn(t, i, where) for i, t in enumerate(raw.get("turns") or []))
    answers: dict[str, tuple[Answer, ...]] = {}
    for topic, value in (raw.get("answers") or {}).items():
        if topic not in TOPIC_SLOTS:
            raise ScriptError(f"{where}: unknown answer topic {topic!r}")
        items = value if isinstance(value, list) else [value]
        if not items:
            raise ScriptError(f"{where}: answers for {topic!r} are empty")
        answers[topic] = tuple(_parse_answer(item, where) for item in items)
    if not turns and not answers:
        raise ScriptError(f"{where}: needs turns or answers")
    return Conversation(raw["id"], raw["description"], raw["recommendation"], turns, answers)


def load_conversations(path: Path = CONVERSATIONS_FILE) -> list[Conversation]:
    """Load and validate every conversation; ids must be unique."""
    entries = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(entries, dict) or not isinstance(entries.get("conversations"), list):
        raise ScriptError(f"{path}: expected a top-level `conversations:` list")
    conversations = [
        dataclasses.replace(parse_conversation(entry), source=path.name) for entry in entries["conversations"]
    ]
    ids = [c.id for c in conversations]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise ScriptError(f"{path}: duplicate ids {duplicates}")
    return conversations


def load_all_conversations(directory: Path = CONVERSATIONS_FILE.parent) -> list[Conversation]:
    """Every conversations*.yml in `directory`; ids unique across files, prefixed by the file's suffix."""
    conversations: list[Conversation] = []
    for path in sorted(directory.glob(CONVERSATIONS_GLOB)):
        loaded = load_conversations(path)
        prefix = path.stem.removeprefix("conversations").lstrip("_")
        wrong = [c.id for c in loaded if prefix and not c.id.startswith(f"{prefix}_")]
        if wrong:
            raise ScriptError(f"{path}: ids must start with {prefix + '_'!r}: {wrong}")
        conversations.extend(loaded)
    ids = [c.id for c in conversations]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise ScriptError(f"{directory}: ids used in more than one file {duplicates}")
    return conversations


# --- reading trackers -------------------------------------------------------------------


def is_empty(value: Any) -> bool:
    """A slot counts as unanswered while it is None or an empty list/string."""
    return value is None or value == [] or value == ""


def asked_slot(event: dict[str, Any], previous: dict[str, Any] | None) -> str | None:
    """The slot a bot event asks for, or None.

    The event's `metadata.utter_action` decides; an event without that metadata counts as
    the question for `requested_slot` when it directly follows the form setting that slot.
    """
    if event.get("event") != "bot":
        return None
    utter_action = (event.get("metadata") or {}).get("utter_action")
    if utter_action:
        return ASK_ACTIONS.get(utter_action)
    if (
        previous is not None
        and previous.get("event") == "slot"
        and previous.get("name") == "requested_slot"
        and previous.get("value") in SLOT_TOPICS
    ):
        return previous["value"]
    return None


def events_since_last_user(tracker: dict[str, Any]) -> list[dict[str, Any]]:
    """The tracker's events after the latest user message (with that message first)."""
    events = tracker.get("events") or []
    for index in range(len(events) - 1, -1, -1):
        if events[index].get("event") == "user":
            return events[index:]
    return list(events)


def detect_question(tracker: dict[str, Any]) -> str | None:
    """The topic the bot asked about in reply to the latest user message, or None."""
    events = events_since_last_user(tracker)
    asked = None
    # Not strict: with no events the first list still holds its None.
    for previous, event in zip([None, *events[:-1]], events, strict=False):
        slot = asked_slot(event, previous)
        if slot:
            asked = slot
    if asked is None:
        requested = (tracker.get("slots") or {}).get("requested_slot")
        asked = requested if requested in SLOT_TOPICS else None
    return SLOT_TOPICS.get(asked) if asked else None


OFFER = "utter_offer_specialist"


def repeated_questions(events: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Questions asked for a slot that already held a value at that moment (replayed in order),
    and the specialist offer made again while the last one still waits for its yes or no (the
    user has only added facts since: `inform` messages)."""
    slots: dict[str, Any] = {}
    violations = []
    previous = None
    offer_open = False
    for index, event in enumerate(events):
        kind = event.get("event")
        if kind == "slot":
            slots[event.get("name")] = event.get("value")
        elif kind in ("restart", "reset_slots"):
            slots = {}
            offer_open = False
        elif kind == "user" and ((event.get("parse_data") or {}).get("intent") or {}).get("name") != "inform":
            offer_open = False
        elif kind == "bot" and (event.get("metadata") or {}).get("utter_action") == OFFER:
            if offer_open:
                violations.append(
                    {"event_index": index, "slot": "specialist_offer", "value": None, "bot_text": event.get("text")}
                )
            offer_open = True
        slot = asked_slot(event, previous)
        if slot and not is_empty(slots.get(slot)):
            violations.append(
                {
                    "event_index": index,
                    "slot": slot,
                    "value": slots[slot],
                    "bot_text": event.get("text"),
                }
            )
        previous = event
    return violations


def reply_texts(replies: Sequence[dict[str, Any]]) -> list[str]:
    """Readable lines for REST replies: text, plus button titles and payloads."""
    lines = []
    for reply in replies:
        text = reply.get("text")
        if text:
            lines.append(text)
        buttons = reply.get("buttons") or []
        if buttons:
            lines.append("[buttons: " + " | ".join(f"{b.get('title')} -> {b.get('payload')}" for b in buttons) + "]")
        if not text and not buttons:
            lines.append(f"[non-text reply: {sorted(reply)}]")
    return lines


# --- running a conversation -------------------------------------------------------------

WATCHED_SLOTS = (*TOPIC_SLOTS.values(), "requested_slot", "recommendation")


@dataclass
class Outcome:
    """What happened in one conversation, ready for assertions and for results/e2e.json."""

    id: str
    description: str
    expected: str
    source: str = CONVERSATIONS_FILE.name
    actual: str | None = None
    repeated: list[dict[str, Any]] = field(default_factory=list)
    transcript: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    asked_topics: list[str] = field(default_factory=list)
    error: str | None = None

    @property
    def correct(self) -> bool:
        return self.actual == self.expected

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "description": self.description,
            "file": self.source,
            "expected": self.expected,
            "actual": self.actual,
            "correct": self.correct,
            "repeated_questions": self.repeated,
            "asked_topics": self.asked_topics,
            "notes": self.notes,
            "error": self.error,
            "turns": len(self.transcript),
            "transcript": self.transcript,
        }

    def render(self) -> str:
        """The transcript as text, for assertion messages."""
        lines = [f"[{self.id}] {self.description}: expected {self.expected}, got {self.actual}"]
        for number, step in enumerate(self.transcript):
            lines.append(f"  {number:>2} USER ({step['why']}): {step['user'][:300]!r}")
            for text in step["bot"]:
                lines.append(f"     BOT: {text[:300]}")
            lines.append(f"     -> asked: {step['asked']}; slots: {step['slots']}")
        lines.extend(f"  note: {note}" for note in self.notes)
        return "\n".join(lines)


def _resolve(answer: Answer, replies: Sequence[dict[str, Any]], notes: list[str]) -> str:
    if isinstance(answer, str):
        return answer
    wanted = answer.title.strip().lower()
    buttons = [b for reply in replies for b in reply.get("buttons") or [] if b.get("payload")]
    titles = [str(b.get("title", "")).strip().lower() for b in buttons]
    # Exact title first, then a title starting with it, then one containing it ("no" is in "know").
    for matches in (str.__eq__, str.startswith, str.__contains__):
        for button, title in zip(buttons, titles, strict=True):
            if matches(title, wanted):
                return str(button["payload"])
    notes.append(f"no button titled like {answer.title!r} in the last reply; sent the title as text")
    return answer.title


class ConversationRunner:
    """Send one conversation's messages, answering whatever the bot asks from the script."""

    def __init__(
        self,
        stack: Any,
        conversation: Conversation,
        sender: str,
        max_turns: int = MAX_TURNS,
    ):
        self.stack = stack
        self.conversation = conversation
        self.sender = sender
        self.max_turns = max_turns
        self.pending: list[Turn] = list(conversation.turns)
        self.answer_counts: dict[str, int] = {}
        self.outcome = Outcome(
            conversation.id, conversation.description, conversation.recommendation, conversation.source
        )

    def _take(self, predicate) -> Turn | None:
        for turn in self.pending:
            if predicate(turn):
                self.pending.remove(turn)
                return turn
        return None

    def _answer(self, topic: str, replies: Sequence[dict[str, Any]]) -> str:
        queue = self.conversation.answers.get(topic)
        if not queue:
            self.outcome.notes.append(f"bot asked about {topic!r}, which this script did not expect")
            return UNSCRIPTED_ANSWER
        count = self.answer_counts.get(topic, 0)
        self.answer_counts[topic] = count + 1
        return _resolve(queue[min(count, len(queue) - 1)], replies, self.outcome.notes)

    def _next_message(
        self, position: int, asked: str | None, tracker: dict[str, Any] | None, replies
    ) -> tuple[str, str] | None:
        turn = self._take(lambda t: t.at == position)
        if turn:
            return turn.say, "fixed turn"
        turn = self._take(lambda t: t.after is not None and t.after in self.answer_counts)
        if turn:
            return turn.say, f"after answering {turn.after}"
        if asked:
            turn = self._take(lambda t: t.on_ask == asked)
            if turn:
                return turn.say, f"instead of answering {asked}"
            return self._answer(asked, replies), f"answer {asked}"
        slots = (tracker or {}).get("slots") or {}
        for topic, slot in TOPIC_SLOTS.items():
            if is_empty(slots.get(slot)) and topic in self.conversation.answers:
                if tracker is not None:
                    self.outcome.notes.append(f"turn {position}: no question detected; volunteered the {topic} answer")
                return self._answer(topic, replies), f"volunteer {topic}"
        return None

    def run(self) -> Outcome:
        """Play the conversation until a recommendation is set or the turn budget is spent."""
        tracker: dict[str, Any] | None = None
        asked: str | None = None
        replies: list[dict[str, Any]] = []
        try:
            for position in range(self.max_turns):
                chosen = self._next_message(position, asked, tracker, replies)
                if chosen is None:
                    self.outcome.notes.append(f"turn {position}: the script had nothing left to say")
                    break
                message, why = chosen
                replies = self.stack.say(self.sender, message)
                if not replies:
                    self.outcome.notes.append(f"turn {position}: the bot sent no reply")
                tracker = self.stack.tracker(self.sender)
                asked = detect_question(tracker)
                if asked:
                    self.outcome.asked_topics.append(asked)
                slots = tracker.get("slots") or {}
                self.outcome.transcript.append(
                    {
                        "user": message,
                        "why": why,
                        "bot": reply_texts(replies),
                        "replies": replies,
                        "asked": asked,
                        "slots": {name: slots.get(name) for name in WATCHED_SLOTS},
                    }
                )
                if not is_empty(slots.get("recommendation")):
                    break
            else:
                self.outcome.notes.append(f"no recommendation after {self.max_turns} turns")
        except requests.RequestException as exc:  # keep the partial transcript
            self.outcome.error = f"{type(exc).__name__}: {exc}"
        if tracker is not None:
            self.outcome.actual = (tracker.get("slots") or {}).get("recommendation")
            self.outcome.repeated = repeated_questions(tracker.get("events") or [])
        self.outcome.notes.extend(f"scripted turn never sent: {turn.say!r}" for turn in self.pending)
        return self.outcome


def run_conversation(stack: Any, conversation: Conversation, sender: str) -> Outcome:
    """Play one conversation with a fresh sender id and return what happened."""
    return ConversationRunner(stack, conversation, sender).run()
