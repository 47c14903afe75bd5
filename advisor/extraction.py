"""Turn one user message into facts, and merge facts into the conversation's slots.

`extract(text, requested)` reads a message (tasks with negation, budget, in-house
expertise, goals, coverage, "I don't know", yes/no) with `advisor.nlp` and
`advisor.budget`. `merge(facts, slots, requested)` decides what changes: new
tasks are added, negated ones removed, a correction replaces, a short answer
fills the slot that was just asked for. Both are pure functions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any

from advisor import budget as budget_parser
from advisor import cues, lexicon, taxonomy
from advisor.reading import read

FACT_SLOTS = (
    "tasks",
    "budget_level",
    "budget_amount",
    "budget_currency",
    "budget_period",
    "cost_priority",
    "in_house_expertise",
    "missing_skills",
    "goals",
    "coverage",
    "unclear_task",
    "task_evidence",
    "requirements",
)
UNKNOWN = "unknown"

_DONT_KNOW = re.compile(
    r"\b(i\s+)?(don'?t|do\s+not|dont)\s+know\b|\bnot\s+sure\b|\bno\s+idea\b|\bunsure\b|\bdunno\b|"
    r"\bidk\b|\bhard\s+to\s+say\b|\bno\s+clue\b|\bcan'?t\s+say\b|\bnot\s+decided\b|"
    r"\bhaven'?t\s+decided\b|\bundecided\b|\bno\s+preference\b|\bwhatever\b|\bskip\b|\bpass\b",
    re.IGNORECASE,
)
_YES = re.compile(
    r"^\W*(yes|yeah|yep|yup|sure|correct|right|absolutely|definitely|of\s+course|indeed|"
    r"we\s+do|we\s+have|affirmative|ok|okay|y)\b",
    re.IGNORECASE,
)
_NO = re.compile(r"^\W*(no|nope|nah|not\s+really|negative|n|we\s+don'?t|we\s+do\s+not|none)\b", re.IGNORECASE)
# Yes and no as words of their own: "we have a budget of 300k" answers the budget half of the
# budget question, and its "we have" says nothing about whether cost comes first.
_ANSWER_WORD = re.compile(
    r"^\W*(yes|yeah|yep|yup|sure|absolutely|definitely|of\s+course|indeed|correct|no|nope|nah|not\s+really)\b",
    re.IGNORECASE,
)
_PARTIAL = re.compile(
    r"\b(partial|partly|partially|somewhat|some\s+of\s+it|a\s+bit|a\s+little|kind\s+of|sort\s+of|"
    r"to\s+some\s+extent|some\s+(?:skills|expertise|know-?how|people|experience)|limited|junior|"
    r"one\s+person|mixed|half)\b",
    re.IGNORECASE,
)
_EXPERTISE_TOPIC = re.compile(
    r"\b(expertise|expert|experts|know-?how|knowhow|skills?|skilled|specialists?|in[- ]?house|"
    r"internally|internal|experience|experienced|knowledge|capabilit(?:y|ies)|talent|lawyers?|"
    r"analysts?|engineers?|developers?|data\s+scientists?|accountants?|researchers?|consultants?|"
    r"nobody|no\s+one|anyone|team\s+(?:knows|can)|qualified|"
    r"(?:we|i|our\s+(?:team|staff|people))\s+(?:already\s+|do\s+not\s+|don'?t\s+)?knows?\s+how)\b",
    re.IGNORECASE,
)
_LACK = re.compile(
    r"\b(no|not|lack|lacks|lacking|missing|without|don'?t|doesn'?t|do\s+not|nobody|no\s+one|"
    r"none|zero|short\s+on|gap|can'?t|cannot|(?:need|want|require)\s+(?:\w+\s+){0,2}(?:expertise|skills|experts?|specialists?|know-?how)|"
    r"(?:outside|external|outsourced)\s+(?:experts?|specialists?|expertise|know-?how))\b",
    re.IGNORECASE,
)
# Lacking hands or time is not lacking know-how ("we know how, we just lack people").
_CAPACITY_GAP = re.compile(
    r"\b(?:lack|lacking|short\s+on|don'?t\s+have|do\s+not\s+have|not\s+enough|no)\s+(?:the\s+|enough\s+)?"
    r"(?:people|peple|hands|staff|headcount|time|capacity|bandwidth|manpower|resources)\b|"
    r"too\s+much\s+on\s+(?:her|his|their|our|my)\s+plate|(?:too\s+)?busy|overloaded|stretched\s+thin",
    re.IGNORECASE,
)
_HAVE = re.compile(
    r"\b(we\s+know|know\s+how\s+(?:it|to|these|this)|knows\s+how|we\s+(?:wrote|built|run|ran|did)|"
    r"we\s+have|we'?ve\s+got|we\s+got|our\s+team\s+(?:has|knows|can)|in[- ]house\s+team|"
    r"have\s+(?:the\s+)?(?:skills|expertise|know-?how|knowledge|people|experts)|we\s+can\s+do|"
    r"we\s+know\s+how|experienced|capable|strong\s+team|skilled)\b",
    re.IGNORECASE,
)
_MIXED = re.compile(
    r"\b(?:yes|yeah|yep|fine|ok|we\s+know|we\s+can|we\s+could|could\s+do|know\s+(?:the|our|it|how))\b.{0,60}?"
    r"(?:,|;|\bbut\b|\bnot\b|\bno\b|\bnothing\b|\bcan'?t\b|\bdon'?t\b)\s*.{0,40}?\b(?:no|not|nothing|can'?t|cannot|don'?t)\b|"
    r"\b(?:yes|yeah|ok)\b\s*,\s*[^,]{1,40}\b(?:no|not)\b|\b\w+\s+yes\s*,\s*\w+\s+no\b",
    re.IGNORECASE,
)
# A one-person business answering the know-how question ("I do everything myself"): the owner
# knows the running of it, not every specialism, so partly.
_SOLO = re.compile(
    r"\b(i\s+do\s+(?:it\s+)?(?:everything|it\s+all|all\s+of\s+it)(?:\s+(?:myself|alone|on\s+my\s+own))?|"
    r"(?:it'?s|it\s+is)\s+(?:just|only)\s+me|one[- ](?:person|man|woman)\s+(?:business|shop|company|operation|show)|"
    r"solo\s+(?:founder|owner|business|operation)|i\s+(?:work|run\s+it)\s+alone)\b",
    re.IGNORECASE,
)
# "We have no research people": a "we have" that owns nothing is no yes.
_HAVE_NONE = re.compile(
    r"\b(?:we\s+have|we'?ve\s+got|we\s+got|there\s+(?:is|are)|our\s+team\s+has)\s+(?:no|nobody|no\s+one|none|zero)\b",
    re.IGNORECASE,
)
# "we hav the knowhow inhouse": know-how named without a negation right before it.
_KNOWHOW_OWNED = re.compile(
    r"(?<!no\s)(?<!not\s)(?<!lack\s)(?<!without\s)\b(?:the|our|enough)\s+(?:know-?how|expertise|skills|knowledge)\b"
    r"(?!\s+(?:is|are)\s+missing)",
    re.IGNORECASE,
)
_EXTENDED_HOURS = re.compile(
    r"\b(extended\s+hours|(?:7|seven)\s+days(?:\s+a\s+week)?|evenings?|late\s+(?:nights?|hours)|"
    r"(?:until|till|to)\s+(?:midnight|10\s*pm|11\s*pm|late)|early\s+mornings?|weekends?\s+too|"
    r"\d{1,2}\s*(?:am)?\s*(?:-|to|–)\s*(?:midnight|1[0-2]\s*pm|[89]\s*pm))\b",
    re.IGNORECASE,
)
_BUSINESS_HOURS = re.compile(
    r"\b(business\s+hours|office\s+hours|working\s+hours|work(?:ing)?\s+days?|weekdays?|"
    r"9\s*(?:am)?\s*(?:-|to|–)\s*5|nine\s+to\s+five|9-5|daytime|during\s+the\s+day|"
    r"normal\s+hours|regular\s+hours|standard\s+hours|mon(?:day)?\s*(?:-|to|–)\s*fri(?:day)?|"
    r"not\s+24/?7|no\s+need\s+for\s+24/?7|daytime\s+only)\b",
    re.IGNORECASE,
)
_ROUTINE = re.compile(
    r"\b(enter|entering|typ(?:e|ing)|answer(?:ing)?|handl(?:e|ing)|fil(?:e|ing)|sort(?:ing)?|copy(?:ing)?|"
    r"updat(?:e|ing)|schedul(?:e|ing)|book(?:ing)?|chas(?:e|ing)|routine|repetitive|process(?:-driven)?|admin(?:istrative)?|manual|standard|simple|"
    r"rule[- ]based|transactional|operational|clerical|volume|basic|the\s+first)\b",
    re.IGNORECASE,
)
_EXPERT = re.compile(
    r"\b(work\s+out|figure\s+out|find\s+out|decide|advise|advice|recommend|model(?:l?ing)?|predict\w*|"
    r"why|tell\s+us\s+(?:which|whether|what|how)|analy\w+|specialist|specialised|specialized|expert(?:ise)?|analytical|analysis|judg(?:e)?ment|"
    r"strategic|complex|knowledge|research|insight|advanced|highly\s+skilled|the\s+second)\b",
    re.IGNORECASE,
)
_CORRECTION = re.compile(
    r"(?:^|[.,;!?]\s*)(?:actually|sorry|oops)\b|\b(i\s+meant|meant|correction|instead|rather|scratch\s+that|"
    r"scratch|it'?s\s+only|only\s+the|mixed\s+(?:that|it|things)\s+up|got\s+(?:that|it)\s+wrong|change\s+(?:that|it)|"
    r"only\s+(?:need|want)|we\s+only)\b",
    re.IGNORECASE,
)
_ADDITIVE = re.compile(
    r"\b(also|too|as\s+well|plus|another|additionally|in\s+addition|and\s+also|oh\s+and)\b", re.IGNORECASE
)


OTHER_QUESTIONS = {"budget_level", "in_house_expertise", "goals", "coverage"}
_TASK_REQUEST = re.compile(
    r"\b(need|needs|want|wants|outsourc\w*|hand\s+(?:off|over)|also|too|as\s+well|help\s+with|"
    r"looking\s+for|add|plus|another|instead|forgot|one\s+more|in\s+addition)\b",
    re.IGNORECASE,
)


_DROP_REQUEST = re.compile(
    r"\b(need|needed|needs|want|wanted|require[ds]?|outsourc\w*|drop|remove|skip|forget|anymore|scratch|"
    r"no\s+longer|after\s+all)\b",
    re.IGNORECASE,
)


# Work taken back, in words that need not name a task: "drop the pricing review", "we'll do it
# ourselves", "we'll keep the pricing work in-house".
_TAKE_BACK = re.compile(
    r"\b(drop|remove|skip|forget|scratch|leave\s+out|take\s+out|cross\s+off|cancel|"
    r"(?:do|handle)\s+(?:it|that|this|them|those)\s+ourselves|"
    r"keep\s+(?:it|that|this|them|those|the\s+[\w\s-]{1,40}?)\s+in[- ]?house)\b",
    re.IGNORECASE,
)
# "We don't need the pricing review": taking back too, except in an answer to another question,
# where "we don't need outside experts for support" describes the team.
_NO_LONGER_NEED = re.compile(r"\b(no\s+longer\s+need|(?:don'?t|do\s+not|won'?t|will\s+not)\s+need)\b", re.IGNORECASE)
_WORD = re.compile(r"[a-z][a-z-]{3,}")
_NOT_A_TOPIC = lexicon.words("take_back_fillers")


def taken_back(
    text: str, evidence: dict[str, list[str]] | None, tasks: list[str], answering_other: bool = False
) -> list[str]:
    """The tasks a message takes back by the user's own words for them: "drop the pricing review"
    drops the task first read from "pricing strategy". The tasks whose quoted words share the most
    words with the message, none when it shares none or names no taking back."""
    if not tasks or not (_TAKE_BACK.search(text) or (not answering_other and _NO_LONGER_NEED.search(text))):
        return []
    said = {w for w in _WORD.findall(text.lower()) if w not in _NOT_A_TOPIC}
    shared = {}
    for task in tasks:
        words = set(_WORD.findall(" ".join((evidence or {}).get(task, [])).lower()))
        words |= set(_WORD.findall(taxonomy.TASKS[task].label.lower())) if task in taxonomy.TASKS else set()
        shared[task] = len(said & (words - _NOT_A_TOPIC))
    best = max(shared.values())
    return [t for t, n in shared.items() if n == best] if best else []


@dataclass
class Facts:
    """What one message said, before it is merged into the slots."""

    tasks: list[str] = field(default_factory=list)
    negated_tasks: list[str] = field(default_factory=list)
    task_mentions: list[dict[str, Any]] = field(default_factory=list)
    budget: budget_parser.Budget = field(default_factory=budget_parser.Budget)
    in_house_expertise: str | None = None
    missing_skills: list[str] = field(default_factory=list)
    goals: list[str] = field(default_factory=list)
    coverage: str | None = None
    dont_know: bool = False
    yes_no: str | None = None
    nature: str | None = None
    correction: bool = False
    additive: bool = False
    evidence: dict[str, list[str]] = field(default_factory=dict)  # task -> the user's words for it
    requirements: list[str] = field(default_factory=list)  # regulations and sensitive data named


_CLAUSE_BREAK = re.compile(r"[,;.!?]|\bbut\b|\bhowever\b|\bthough\b", re.IGNORECASE)

QUOTE_CHARS = 80


def clipped(text: str, limit: int = QUOTE_CHARS) -> str:
    """A quote short enough for a reason: cut at the last whole word, with an ellipsis."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0] if " " in text[: limit - 1] else text[: limit - 1]
    return cut.rstrip(" ,;:-–—") + "…"


def _clause_at(text: str, pos: int) -> str:
    """The clause of `text` around character `pos` (split at punctuation and 'but')."""
    start = max([m.end() for m in _CLAUSE_BREAK.finditer(text, 0, pos)], default=0)
    end = next((m.start() for m in _CLAUSE_BREAK.finditer(text, pos)), len(text))
    return text[start:end]


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


def _expertise(text: str, skills_mentioned: list[str], requested: str | None) -> str | None:
    capacity_gap = bool(_CAPACITY_GAP.search(text))
    text = _CAPACITY_GAP.sub(" ", text)
    # Judge each clause on its own: "we know the books, but nobody knows the market" is partial.
    clauses = [c for c in re.split(r"[,;.!?]|\bbut\b|\bhowever\b|\bthough\b", text) if c.strip()]
    lack_clauses = [c for c in clauses if _LACK.search(c) and _EXPERTISE_TOPIC.search(c)]
    have = any((_HAVE.search(c) or _KNOWHOW_OWNED.search(c)) and not _LACK.search(c) for c in clauses)
    topical = bool(_EXPERTISE_TOPIC.search(text)) or (requested == "in_house_expertise" and have)
    if requested == "in_house_expertise" and _SOLO.search(text):
        return "partial"
    if requested == "in_house_expertise" and _MIXED.search(text):
        return "partial"  # "payroll yes, materials no", "we know the books but nothing about export"
    if requested == "in_house_expertise" or topical:
        if _PARTIAL.search(text):
            return "partial"
        lack = bool(lack_clauses)
        if have and lack:
            return "partial"
        if lack:
            return "no"
        if have and topical:
            return "yes"
        if capacity_gap and requested == "in_house_expertise":
            return "yes"
        if requested == "in_house_expertise":
            if _NO.search(text) or (_LACK.search(text) and skills_mentioned) or _HAVE_NONE.search(text):
                return "no"
            if _YES.search(text):
                return "yes"
    return None


def extract(text: str, requested: str | None = None) -> Facts:
    """Read one message. `requested` is the slot the assistant just asked for, if any."""
    facts = Facts()
    text = (text or "").strip()
    if not text:
        return facts
    reading = read(text)
    # Cue words (work described without a task phrase) count where tasks are being described.
    explicit_request = bool(_TASK_REQUEST.search(text))
    describing_work = requested in (None, "tasks") or explicit_request
    generic = {"routine_process", "expert_analysis"}
    for hit in reading.tasks:
        if hit.source == "cue" and not describing_work:
            continue
        if hit.source == "model" and requested not in (None, "tasks"):
            continue  # the model names work only in a description of it, never in an answer
        if hit.key in generic and not (
            requested in (None, "tasks") or (explicit_request and hit.source != "expertise")
        ):
            continue  # "we know how these processes work", "we need outside experts" answer another question
        (facts.negated_tasks if hit.negated else facts.tasks).append(hit.key)
        facts.task_mentions.append({"text": hit.text, "task": hit.key, "negated": hit.negated, "source": hit.source})
        if not hit.negated:
            quotes = facts.evidence.setdefault(hit.key, [])
            if hit.text not in quotes and len(quotes) < 3:
                quotes.append(clipped(hit.text))
    facts.goals = [m.key for m in reading.goals if not m.negated]
    facts.requirements = [f.key for f in reading.facts]
    facts.tasks = _unique(facts.tasks)
    facts.negated_tasks = [t for t in _unique(facts.negated_tasks) if t not in facts.tasks]
    facts.goals = _unique(facts.goals)
    facts.budget = budget_parser.parse_budget(text, expecting_budget=requested == "budget_level")
    if facts.budget.cost_priority and "cost_reduction" not in facts.goals:
        facts.goals.append("cost_reduction")
    # Skills count only in sentences about know-how ("we don't have legal expertise").
    expertise_spans = [
        (m.start(), m.end()) for m in re.finditer(r"[^.!?\n]+", text) if _EXPERTISE_TOPIC.search(m.group(0))
    ]
    skills = [
        m.key
        for m in reading.skills
        if requested == "in_house_expertise" or any(a <= m.start_char < b for a, b in expertise_spans)
    ]
    facts.in_house_expertise = _expertise(text, skills, requested)
    if facts.in_house_expertise in ("no", "partial"):
        facts.missing_skills = _unique(skills)
        # "we have marketing people but no strategy expertise": only skills in a lacking clause are missing.
        lacking = [
            m.key for m in reading.skills if m.key in skills and _LACK.search(_clause_at(reading.text, m.start_char))
        ]
        facts.missing_skills = _unique(lacking) or facts.missing_skills
    if "round_the_clock" in facts.goals:
        facts.coverage = "24/7"
    elif _EXTENDED_HOURS.search(text):
        facts.coverage = "extended"
    elif _BUSINESS_HOURS.search(text):
        facts.coverage = "business_hours"
    facts.dont_know = bool(_DONT_KNOW.search(text))
    if _YES.search(text):
        facts.yes_no = "yes"
    elif _NO.search(text):
        facts.yes_no = "no"
    if requested == "tasks" and not facts.tasks:
        expert, routine = _EXPERT.search(text), _ROUTINE.search(text)
        if expert and not routine:
            facts.nature = "expert"
        elif routine and not expert:
            facts.nature = "routine"
        elif routine and expert:
            facts.nature = "both"
        else:
            facts.nature = _leaning(text)
    facts.correction = bool(_CORRECTION.search(text))
    facts.additive = bool(_ADDITIVE.search(text))
    return facts


def _leaning(text: str) -> str | None:
    """Which way weak cue words lean ("routine" or "expert"), for a second unclear answer."""
    keys = read(text).keys
    totals = {"bpo": 0.0, "kpo": 0.0}
    for task_key, points in cues.score(keys):
        totals[taxonomy.TASKS[task_key].model] += points
    if max(totals.values()) < 1.0 or abs(totals["bpo"] - totals["kpo"]) < 0.5:
        return None
    return "routine" if totals["bpo"] > totals["kpo"] else "expert"


_CONTENT_WORD = re.compile(r"[a-z0-9]{3,}")


def repeats(text: str, previous: str) -> bool:
    """True when `text` says (almost) only what `previous` already said."""
    said = set(_CONTENT_WORD.findall(text.lower()))
    before = set(_CONTENT_WORD.findall(previous.lower()))
    return len(said) >= 2 and len(said & before) >= 0.7 * len(said)


def _repeat_count(retry_slot: str | None) -> int:
    if retry_slot and retry_slot.startswith("tasks:"):
        return int(retry_slot.split(":")[1])
    return 0


def merge(
    facts: Facts,
    slots: dict[str, Any],
    requested: str | None,
    text: str = "",
    allow_unclear: bool = True,
) -> dict[str, Any]:
    """Slot changes implied by `facts` given the current `slots` (only changed keys).

    `allow_unclear`: an answer to the task question that names no known task is
    kept in `unclear_task` (so the assistant asks a follow-up) only when True.
    """
    changes: dict[str, Any] = {}
    current_tasks: list[str] = list(slots.get("tasks") or [])

    # Tasks: remove negated ones, then add (or, for a correction, replace).
    if requested in OTHER_QUESTIONS and not (facts.correction or _DROP_REQUEST.search(text)):
        # "We have no compliance lawyer" answers the know-how question; it does not drop legal work.
        facts = replace(facts, negated_tasks=[])
    if not (facts.tasks or facts.negated_tasks):
        dropped = taken_back(text, slots.get("task_evidence"), current_tasks, requested in OTHER_QUESTIONS)
        facts = replace(facts, negated_tasks=dropped)
    tasks = [t for t in current_tasks if t not in facts.negated_tasks]
    if requested in OTHER_QUESTIONS and not (_TASK_REQUEST.search(text) or facts.correction):
        # "No, our finance team only does bookkeeping" describes the team, it does not add work.
        facts = replace(facts, tasks=[])
    if facts.tasks:
        replacing = (
            facts.correction
            and not facts.additive
            and not facts.negated_tasks
            and requested != "tasks"
            and bool(current_tasks)
        )
        tasks = list(facts.tasks) if replacing else _unique(tasks + facts.tasks)
    elif requested == "tasks" and not facts.negated_tasks:
        nature = facts.nature
        previous = slots.get("unclear_task")
        if previous and previous != UNKNOWN and repeats(text, previous):
            # The same description again is no new answer: the verbs it happens to use ("handle",
            # "process") count only when its words lean the same way; otherwise the question is
            # explained once, and a third telling follows the words' leaning.
            times = _repeat_count(slots.get("retry_slot")) + 1
            leaning = _leaning(previous)
            if times == 1:
                nature = nature if nature and nature == leaning else None
            else:
                nature = leaning or nature
            if nature is None:
                changes["retry_slot"] = f"tasks:{times}"
                return {k: v for k, v in changes.items() if slots.get(k) != v}
        generic = {
            "routine": ["routine_process"],
            "expert": ["expert_analysis"],
            "both": ["routine_process", "expert_analysis"],
        }.get(nature or "")
        if generic and slots.get("unclear_task"):
            tasks = _unique(tasks + generic)
        elif not allow_unclear:
            pass
        elif text.strip() and not facts.dont_know and not facts.yes_no:
            changes["unclear_task"] = text.strip()[:300]
        elif facts.dont_know or facts.yes_no:
            changes["unclear_task"] = text.strip()[:300] or UNKNOWN
    if tasks != current_tasks or (facts.evidence and tasks):
        evidence = {**(slots.get("task_evidence") or {}), **{k: v for k, v in facts.evidence.items() if k in tasks}}
        evidence = {k: v for k, v in evidence.items() if k in tasks}
        if evidence != (slots.get("task_evidence") or {}):
            changes["task_evidence"] = evidence or None
    if facts.requirements:
        changes["requirements"] = _unique(list(slots.get("requirements") or []) + facts.requirements)
    if tasks != current_tasks:
        changes["tasks"] = tasks or None
        if tasks and slots.get("unclear_task"):
            changes["unclear_task"] = None

    # Budget.
    b = facts.budget
    if b.amount is not None:
        changes.update(budget_amount=b.amount, budget_currency=b.currency, budget_period=b.period, budget_level=b.level)
    elif b.level:
        changes["budget_level"] = b.level
        if slots.get("budget_amount") is not None:
            changes.update(budget_amount=None, budget_currency=None, budget_period=None)
    elif b.relative:
        changes["budget_level"] = budget_parser.shift_level(slots.get("budget_level"), b.relative)
        if slots.get("budget_amount") is not None:
            changes.update(budget_amount=None, budget_currency=None, budget_period=None)
    elif requested == "budget_level":
        if facts.dont_know:
            changes["budget_level"] = UNKNOWN
        elif b.cost_priority is not None or facts.yes_no:
            # "Yes, cost comes first" answers the priority half of the question.
            changes["budget_level"] = "tight" if (b.cost_priority or facts.yes_no == "yes") else UNKNOWN
    if b.cost_priority is not None:
        changes["cost_priority"] = b.cost_priority
    elif (
        requested == "budget_level"
        and facts.yes_no
        and "budget_level" in changes
        and ((b.amount is None and b.level is None) or _ANSWER_WORD.search(text))
    ):
        changes["cost_priority"] = facts.yes_no == "yes"

    # In-house expertise.
    if facts.in_house_expertise:
        changes["in_house_expertise"] = facts.in_house_expertise
        if facts.missing_skills:
            changes["missing_skills"] = _unique(list(slots.get("missing_skills") or []) + facts.missing_skills)
    elif requested == "in_house_expertise" and facts.dont_know:
        changes["in_house_expertise"] = UNKNOWN

    # Goals (cost reduction also follows from "cost comes first").
    goals = [g for g in (slots.get("goals") or []) if g != UNKNOWN]
    new_goals = _unique(goals + facts.goals)
    if facts.goals and new_goals != (slots.get("goals") or []):
        changes["goals"] = new_goals
    elif requested == "goals" and not facts.goals and facts.dont_know:
        changes["goals"] = [UNKNOWN]

    # Hours of coverage.
    if facts.coverage:
        changes["coverage"] = facts.coverage
    elif requested == "coverage" and facts.dont_know:
        changes["coverage"] = UNKNOWN
    elif requested == "coverage" and facts.yes_no:
        changes["coverage"] = "24/7" if facts.yes_no == "yes" else "business_hours"

    return {k: v for k, v in changes.items() if slots.get(k) != v}


def needs_coverage(tasks: list[str] | None) -> bool:
    """Customer-facing work needs the hours-of-coverage question."""
    return any(taxonomy.TASKS[t].customer_facing for t in tasks or [] if t in taxonomy.TASKS)
