"""Where the provider should be: onshore, nearshore or offshore, seen from where the company is.

Trade-offs per delivery region
    cost: the rate card's range for the work (offshore cheapest, onshore dearest);
    time-zone overlap: hours of a 9-to-5 day the company and the provider share,
    from the places' typical UTC offsets (advisor/lexicon/regions.yml);
    language and culture, and the work each suits: words in domain/texts/location.yml.

Which region to suggest (first rule that applies)
    1. Regulated data whose rules restrict access from abroad (HIPAA health data,
       government data) -> onshore, unless the company says offshore is acceptable.
    2. Personal data of people in the EU or UK -> nearshore inside the EU/EEA or the
       UK (no transfer outside), or onshore.
    3. Round-the-clock customer work, or cost first with routine work -> offshore.
    4. Knowledge work that needs close, frequent collaboration (strategy, research
       and development, market research) -> nearshore; other knowledge work -> offshore.
    5. Routine work -> offshore.

Reading places ("we're a UK firm", "our customers are in Germany"): a place word takes the
role (company, customer, provider) of the nearest role word before it in its clause, or of the
word right after it; a place with no role word continues the list before it ("Germany and
France"). A place named for the provider ("could the analysts be in India") is not the company's.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from advisor import lexicon, taxonomy

if TYPE_CHECKING:
    from advisor.reading.text import PhraseSet, Word

# advisor.reading is imported where it is used: importing it loads spaCy, which budget_fit (and so
# the lead score) never needs.

DELIVERY = ("onshore", "nearshore", "offshore")
ROLES = ("company", "customer", "provider")
WORKDAY = (9, 17)
CLAUSE_ENDS = {".", ";", "!", "?", ":", "but", "while", "whereas", "although", "though", "because", "since"}
LIST_JOINS = {"and", "or", ",", "&", "/"}
LOOK_BACK = 8
NEAR_HOURS = 3
BASED = re.compile(r"(?<=\w)-(?=(?:based|headquartered|registered)\b)", re.IGNORECASE)
COLLABORATIVE = {"kpo_strategy", "kpo_rnd", "kpo_market_research"}
RESTRICTED_REGIMES = ("hipaa", "government")
TRANSFER_REGIMES = ("gdpr", "uk_gdpr")


@dataclass(frozen=True)
class Place:
    key: str
    label: str
    utc: float
    law: str | None
    delivery: dict[str, tuple[tuple[str, ...], float]]  # region -> (example countries, utc)


@functools.lru_cache(maxsize=1)
def places() -> dict[str, Place]:
    out = {}
    for key, raw in lexicon.regions()["places"].items():
        delivery = {r: (tuple(raw["delivery"][r]["countries"]), float(raw["delivery"][r]["utc"])) for r in DELIVERY}
        out[key] = Place(key, raw["label"], float(raw["utc"]), raw.get("law"), delivery)
    return out


PLACE_KEYS = tuple(lexicon.regions()["places"])


@functools.lru_cache(maxsize=1)
def _phrases() -> tuple[PhraseSet, dict[tuple[str, ...], str], dict[str, PhraseSet]]:
    from advisor.reading.text import PhraseSet, words_of

    index: dict[tuple[str, ...], str] = {}
    for key, raw in lexicon.regions()["places"].items():
        for phrase in raw["words"]:
            index[tuple(w.text for w in words_of(phrase))] = key
    roles = {role: PhraseSet(lexicon.regions()["roles"][role]) for role in ROLES}
    return PhraseSet(p for raw in lexicon.regions()["places"].values() for p in raw["words"]), index, roles


@dataclass(frozen=True)
class Mention:
    place: str
    role: str | None
    start: int  # word index
    end: int
    said: str = ""  # the words as the user wrote them ("Poland")


def _role_at(words: list[Word], i: int, roles: dict[str, PhraseSet]) -> str | None:
    for role in ROLES:
        if roles[role].length_at(words, i):
            return role
    return None


def mentions(text: str) -> list[Mention]:
    """Places named in `text`, each with the role it plays (rules in the module docstring)."""
    from advisor.reading.text import words_of

    text = BASED.sub(" ", text or "")  # "UK-based" reads as "UK based" (same length: offsets hold)
    words = words_of(text)
    vocab, index, roles = _phrases()
    capitals = set(lexicon.regions()["capitals_only"])
    found: list[Mention] = []
    i = 0
    while i < len(words):
        length = vocab.length_at(words, i)
        if not length:
            i += 1
            continue
        key = tuple(w.text for w in words[i : i + length])
        original = text[words[i].start : words[i + length - 1].end]
        if " ".join(key).replace(".", "") in capitals and not original.replace(".", "").isupper():
            i += 1
            continue  # "let us know" is not the US
        found.append(Mention(index[key], None, i, i + length, original))
        i += length
    out: list[Mention] = []
    for n, m in enumerate(found):
        role = None
        j = m.start - 1
        while j >= 0 and m.start - j <= LOOK_BACK and words[j].text not in CLAUSE_ENDS:
            role = _role_at(words, j, roles)
            if role:
                break
            j -= 1
        if role is None and m.end < len(words):
            role = _role_at(words, m.end, roles)
        if role is None and n and out:
            between = {w.text for w in words[found[n - 1].end : m.start]}
            if between and between <= LIST_JOINS | {"the"}:
                role = out[-1].role
        out.append(Mention(m.place, role, m.start, m.end, m.said))
    return out


def regions_in(text: str, expecting: str | None = None) -> dict[str, str]:
    """{"company_region": ..., "customer_region": ...} for the places `text` gives those roles.

    `expecting` ("company" or "customer") is the role asked about: a bare place answers it."""
    out: dict[str, str] = {}
    for m in mentions(text):
        role = m.role or expecting
        if role in ("company", "customer"):
            out.setdefault(f"{role}_region", m.place)
    return out


def provider_place_in(text: str) -> str | None:
    """The place `text` names for the provider ("could the analysts be in India" -> "india"), if any."""
    found = provider_mention(text)
    return found.place if found else None


def provider_mention(text: str) -> Mention | None:
    """The first place `text` names for the provider, with the user's words for it."""
    return next((m for m in mentions(text) if m.role == "provider"), None)


def overlap_hours(utc_a: float, utc_b: float, day: tuple[int, int] = WORKDAY) -> float:
    """Hours two 9-to-5 working days share, for places at UTC offsets `utc_a` and `utc_b`."""
    length = day[1] - day[0]
    return max(0.0, length - abs(utc_a - utc_b))


def delivery_for(company: str | None) -> dict[str, tuple[tuple[str, ...], float]]:
    """Example provider countries and their UTC offset per delivery region, seen from `company` (US by default)."""
    return places()[company if company in places() else "us"].delivery


def overlap(company: str | None, region: str) -> float:
    """Working hours a company (US by default) shares with a provider in `region`."""
    home = places()[company if company in places() else "us"]
    return overlap_hours(home.utc, home.delivery[region][1])


def region_of(place: str, company: str | None) -> str:
    """Whether a provider in `place` is onshore, nearshore or offshore for a company in `company`
    (US by default): the same place is onshore, up to NEAR_HOURS of time difference nearshore."""
    home = company if company in places() else "us"
    if place == home:
        return "onshore"
    return "nearshore" if abs(places()[place].utc - places()[home].utc) <= NEAR_HOURS else "offshore"


def suggest(
    tasks: list[str],
    regimes: list[str],
    coverage: str | None = None,
    cost_first: bool = False,
    model: str | None = None,
) -> tuple[str, str]:
    """(delivery region, rule key) by the rules in the module docstring."""
    if any(r in regimes for r in RESTRICTED_REGIMES):
        return "onshore", "restricted_data"
    if any(r in regimes for r in TRANSFER_REGIMES):
        return "nearshore", "personal_data"
    bpo, kpo = taxonomy.split_by_model(tasks)
    customer = any(taxonomy.TASKS[t].customer_facing for t in bpo)
    if coverage == "24/7" and (customer or model == taxonomy.BPO):
        return "offshore", "round_the_clock"
    if model == taxonomy.KPO or (kpo and not bpo):
        if any(taxonomy.TASKS[t].category in COLLABORATIVE for t in kpo):
            return "nearshore", "collaboration"
        return "offshore", "defined_knowledge_work"
    if cost_first:
        return "offshore", "cost_first"
    return "offshore", "routine_work"
