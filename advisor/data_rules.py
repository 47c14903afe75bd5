"""Regulated data: which rules apply to the work, and what to require of a provider.

Where the facts come from
    The reading keeps regulations and sensitive data a message names as facts (slot
    `requirements`, keys of `facts:` in advisor/lexicon/reading.yml). The latest message is
    read the same way, and the places of the company and its customers count too (the slots,
    else what the message says: "our customers are in Germany").

The rule
    - Health data (fact kind `health_data`: "patient records", "HIPAA", "Medicaid") is
      HIPAA data when the company or its customers are in the US or their place is not
      known; when they are in the EU or UK it is special-category personal data under the
      GDPR (or UK GDPR) instead.
    - Personal data of people in the EU/EEA -> GDPR; in the UK -> UK GDPR. A company based
      there is bound for its own processing as well, so its place counts too. The fact
      "gdpr" (GDPR named, "customers in Germany") gives GDPR, or UK GDPR when only the UK is
      in play.
    - Card data (fact `pci_dss`: "card payments", "PCI") -> PCI DSS, wherever the company is.
    - Government data (fact `government`: "government data", "FedRAMP", "CJIS") -> government
      rules (residency, screening and clearance).
    - Other named rules (CCPA, GLBA, FERPA, SOX) are kept as they are named.
    Regimes come out in a fixed order (REGIMES) so the answer reads the same way each time.

What to require of any provider that touches such data: domain/texts/data.yml `require`, plus each
regime's own items; the answer ends with the short "not legal advice" line.
"""

from __future__ import annotations

from collections.abc import Iterable

from advisor import lexicon, location

REGIMES = ("hipaa", "gdpr", "uk_gdpr", "pci_dss", "government", "ccpa", "glba", "ferpa", "sox")
HEALTH_FACTS = ("hipaa", "medicare")
PASS_THROUGH = ("pci_dss", "government", "ccpa", "glba", "ferpa", "sox")
HEALTH_KIND = "health_data"


def facts_in(text: str) -> list[str]:
    """Fact keys (reading.yml `facts:`) named in `text`, without the full reading (no spaCy pass)."""
    if not text or not text.strip():
        return []
    from advisor.reading.core import facts as read_facts  # here, not at import: it loads spaCy
    from advisor.reading.text import normalise, words_of

    return [f.key for f in read_facts(words_of(normalise(text)))]


# Fact kinds that are data about people or payments (not a reporting rule or a standard).
SENSITIVE_KINDS = frozenset(
    {
        "health_data",
        "personal_data_eu",
        "personal_data",
        "card_data",
        "financial_data",
        "student_data",
        "public_sector_data",
    }
)


def names_health(facts: Iterable[str]) -> bool:
    """Whether the facts name health data ("patient records", "HIPAA", "Medicaid")."""
    return any(f in HEALTH_FACTS or _kind(f) == HEALTH_KIND for f in facts)


def sensitive(facts: Iterable[str]) -> list[str]:
    """The facts that name sensitive data ("patient data", "card payments"), not rules or standards."""
    return [f for f in facts if _kind(f) in SENSITIVE_KINDS]


def _kind(key: str) -> str | None:
    entry = lexicon.reading("facts").get(key)
    return entry["kind"] if entry else None


def regimes_for(
    requirements: Iterable[str],
    text: str = "",
    company_region: str | None = None,
    customer_region: str | None = None,
) -> list[str]:
    """The regimes that apply, by the rule in the module docstring."""
    facts = list(dict.fromkeys([*requirements, *facts_in(text)]))
    said = location.regions_in(text) if text else {}
    places = {
        p for p in (company_region or said.get("company_region"), customer_region or said.get("customer_region")) if p
    }
    found: set[str] = set()
    eu_or_uk = places & {"eu", "uk"}
    health = names_health(facts)
    if health:
        if not places or "us" in places:
            found.add("hipaa")
        if eu_or_uk:
            found.update(_personal_data_law(eu_or_uk))
    if "eu" in places:
        found.add("gdpr")
    if "uk" in places:
        found.add("uk_gdpr")
    if "gdpr" in facts and not (found & {"gdpr", "uk_gdpr"}):
        found.add("gdpr")
    found.update(f for f in facts if f in PASS_THROUGH)
    return [r for r in REGIMES if r in found]


def _personal_data_law(places: set[str]) -> set[str]:
    return {"gdpr" if p == "eu" else "uk_gdpr" for p in places}


def restricts_offshore(regimes: Iterable[str]) -> bool:
    """True when a regime limits who abroad may see the data (HIPAA in some state programmes, government data)."""
    return any(r in ("hipaa", "government") for r in regimes)


def limits_transfers(regimes: Iterable[str]) -> bool:
    """True when sending the data outside the EU/EEA or UK needs a legal route (GDPR, UK GDPR)."""
    return any(r in ("gdpr", "uk_gdpr") for r in regimes)
