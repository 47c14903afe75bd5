"""Validation of what a visitor types: work email, name and company size.

* :func:`validate_email` checks the syntax with the email-validator library (RFC 5321/5322
  and internationalised addresses; no DNS lookup, so no network), plus a real top-level
  domain, and explains what is wrong; free-mail domains (gmail.com, yahoo.*, outlook.*,
  hotmail.*, ...) are accepted but flagged with ``is_freemail``.
* :func:`validate_name` accepts any script and emoji up to :data:`NAME_MAX_CHARS`
  (200) Unicode code points and refuses longer or empty names with a clear message.
* :func:`parse_company_size` reads "50 people", "1-10", "about 2000 employees", "2k",
  "small" into a head-count range and a band.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from email_validator import EmailNotValidError
from email_validator import validate_email as _check_syntax

from advisor.texts import say

NAME_MAX_CHARS = 200
EMAIL_MAX_CHARS = 254

FREEMAIL_DOMAINS = frozenset(
    {
        "gmail.com",
        "googlemail.com",
        "yahoo.com",
        "ymail.com",
        "rocketmail.com",
        "outlook.com",
        "hotmail.com",
        "live.com",
        "msn.com",
        "aol.com",
        "icloud.com",
        "me.com",
        "mac.com",
        "proton.me",
        "protonmail.com",
        "pm.me",
        "gmx.com",
        "gmx.net",
        "gmx.de",
        "web.de",
        "mail.com",
        "mail.ru",
        "yandex.com",
        "yandex.ru",
        "qq.com",
        "163.com",
        "126.com",
        "zohomail.com",
        "fastmail.com",
        "tutanota.com",
        "rediffmail.com",
        "hey.com",
    }
)
# Providers with many country domains (yahoo.co.uk, hotmail.fr, outlook.de, ...).
FREEMAIL_PREFIXES = (
    "yahoo.",
    "hotmail.",
    "outlook.",
    "live.",
    "gmx.",
    "yandex.",
    "aol.",
)

# email-validator accepts any last label that is not all digits ('acme.c0m', 'acme.c'). No
# real top-level domain has a digit or a single letter, and a typo such as '.c0m' is far
# likelier in a typed address than a private TLD, so this rule of ours stays on top.
_TOP_LEVEL_DOMAIN = re.compile(r"[a-z]{2,63}|xn--[a-z0-9-]+")
_GOOD_DOMAIN, _GOOD_LOCAL = "company.com", "jane"
"""Stand-ins for the other side of the @ when telling which side the library refuses."""


@dataclass(frozen=True)
class EmailCheck:
    """``ok`` with the normalised ``email`` (domain lower-cased), or a ``message`` why not."""

    ok: bool
    email: str | None = None
    is_freemail: bool = False
    message: str | None = None


@dataclass(frozen=True)
class NameCheck:
    """``ok`` with the ``name`` (outer whitespace removed), or a ``message`` why not."""

    ok: bool
    name: str | None = None
    message: str | None = None


@dataclass(frozen=True)
class CompanySize:
    """Head-count range (``maximum`` None means open-ended) and its ``band``."""

    minimum: int
    maximum: int | None
    band: str


def is_freemail(domain: str) -> bool:
    """True for consumer mail providers (the address may still be a real buyer's)."""
    domain = domain.lower().rstrip(".")
    return domain in FREEMAIL_DOMAINS or domain.startswith(FREEMAIL_PREFIXES)


def _refused(address: str) -> str | None:
    """The library's reason for refusing `address` (syntax only, no DNS), or None."""
    try:
        _check_syntax(address, check_deliverability=False)
    except EmailNotValidError as error:
        return str(error).rstrip(".")
    return None


def _explain(local: str, domain: str, reason: str) -> str:
    """Our wording for what the library refused: the side of the @ at fault, then its reason."""
    if _refused(f"{local}@{_GOOD_DOMAIN}"):
        return say("leads.email.bad_local_part")
    if "." not in domain:
        return say("leads.email.incomplete_domain", domain=domain)
    reason = _refused(f"{_GOOD_LOCAL}@{domain}") or reason
    return say("leads.email.refused", reason=f"{reason[:1].lower()}{reason[1:]}")


def validate_email(text: str | None) -> EmailCheck:
    """Check a work email address; the message says what to fix."""
    raw = (text or "").strip()
    if not raw:
        return EmailCheck(False, message=say("leads.email.missing"))
    if len(raw) > EMAIL_MAX_CHARS:
        return EmailCheck(False, message=say("leads.email.too_long", max=EMAIL_MAX_CHARS))
    # The usual slips get a message of their own (the library refuses them too, in its own
    # words); the library decides everything else.
    if raw.count("@") != 1:
        return EmailCheck(False, message=say("leads.email.no_at" if "@" not in raw else "leads.email.many_at"))
    local, domain = raw.split("@")
    if re.search(r"\s", raw):
        return EmailCheck(False, message=say("leads.email.spaces"))
    if not local:
        return EmailCheck(False, message=say("leads.email.no_local_part"))
    if not domain:
        return EmailCheck(False, message=say("leads.email.no_domain"))
    try:
        checked = _check_syntax(raw, check_deliverability=False)
    except EmailNotValidError as error:
        return EmailCheck(False, message=_explain(local, domain, str(error).rstrip(".")))
    if not _TOP_LEVEL_DOMAIN.fullmatch(checked.ascii_domain.rsplit(".", 1)[-1].lower()):
        return EmailCheck(False, message=say("leads.email.no_top_level_domain", domain=domain))
    email = f"{local}@{domain.lower()}"
    return EmailCheck(True, email=email, is_freemail=is_freemail(domain))


def validate_name(text: str | None) -> NameCheck:
    """Accept any script or emoji up to :data:`NAME_MAX_CHARS` code points."""
    name = (text or "").strip()
    if not name:
        return NameCheck(False, message=say("leads.problems.name_missing"))
    if len(name) > NAME_MAX_CHARS:
        return NameCheck(
            False, message=say("leads.problems.name_too_long", length=f"{len(name):,}", max=NAME_MAX_CHARS)
        )
    if any(unicodedata.category(ch) == "Cc" for ch in name):
        return NameCheck(
            False, message=say("leads.problems.control_characters", label=say("leads.fields.lead_full_name"))
        )
    return NameCheck(True, name=name)


_BANDS = (
    (10, "1-10"),
    (50, "11-50"),
    (200, "51-200"),
    (1000, "201-1000"),
    (5000, "1001-5000"),
)
_WORDS = {
    "just me": (1, 1),
    "solo": (1, 1),
    "freelancer": (1, 1),
    "self-employed": (1, 1),
    "startup": (1, 50),
    "small": (1, 50),
    "medium": (51, 1000),
    "mid-size": (51, 1000),
    "midsize": (51, 1000),
    "mid-sized": (51, 1000),
    "sme": (1, 250),
    "large": (1001, None),
    "enterprise": (1001, None),
    "big": (1001, None),
    "corporation": (1001, None),
}
_NUMBER = r"(\d+(?:\.\d+)?)\s*(k|thousand)?"


def band_for(count: int) -> str:
    """Size band ("1-10", "11-50", "51-200", "201-1000", "1001-5000", "5000+")."""
    return next((band for limit, band in _BANDS if count <= limit), "5000+")


def _count(number: str, suffix: str | None) -> int:
    return round(float(number) * (1000 if suffix else 1))


def parse_company_size(text: str | None) -> CompanySize | None:
    """Parse a head count or a size word; None when nothing usable is found."""
    if text is None:
        return None
    lowered = str(text).lower().replace(",", "").strip()
    span = re.search(rf"{_NUMBER}\s*(?:-|–|to|and)\s*{_NUMBER}", lowered)
    if span:
        low = _count(span.group(1), span.group(2) or span.group(4))
        high = _count(span.group(3), span.group(4))
        low, high = min(low, high), max(low, high)
        return CompanySize(max(low, 1), high, band_for(high))
    single = re.search(rf"{_NUMBER}\s*(\+)?", lowered)
    if single:
        count = max(_count(single.group(1), single.group(2)), 1)
        if single.group(3) or re.search(r"\b(?:over|more than|above)\b", lowered):
            return CompanySize(count, None, band_for(count))
        if re.search(r"\b(?:under|fewer than|less than|below)\b", lowered):
            return CompanySize(1, count, band_for(count))
        return CompanySize(count, count, band_for(count))
    for word, (least, most) in _WORDS.items():
        if re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", lowered):
            band = "small" if word in {"small", "startup", "sme"} else band_for(most or least)
            if most is None:
                band = f"{least}+"
            elif word in {"medium", "mid-size", "midsize", "mid-sized"}:
                band = "medium"
            return CompanySize(least, most, band)
    return None
