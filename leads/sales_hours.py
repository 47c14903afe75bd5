"""The sales team's working hours: when a person can join a chat, and which call times to propose.

Plain Python (``zoneinfo``), no Rasa imports. Settings, read by :func:`hours_from_env`:

| variable          | default        | meaning                                                            |
| ----------------- | -------------- | ------------------------------------------------------------------ |
| ``SALES_HOURS``   | ``09:00-17:30`` | opening and closing time, local to ``SALES_TIMEZONE``; ``24:00``  |
|                   |                | may close the day; the window never crosses midnight              |
| ``SALES_DAYS``    | ``mon-fri``    | working days: ranges and lists of day names (``mon-thu,sat``,     |
|                   |                | ``sat-mon``; three letters or in full, any case)                  |
| ``SALES_TIMEZONE``| ``UTC``        | an IANA time zone name, e.g. ``Europe/London``                    |

Everything is computed in the team's time zone and handed out as timezone-aware UTC
datetimes, so daylight-saving changes move the UTC times, never the local ones. A proposed
call time that does not exist locally (skipped by a clock change) is never proposed.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .model import UTC, as_utc

DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
DEFAULT_HOURS = "09:00-17:30"
DEFAULT_DAYS = "mon-fri"
DEFAULT_TIMEZONE = "UTC"
_CLOCK = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*$")
END_OF_DAY = 24 * 60


def _minutes(text: str, what: str) -> int:
    match = _CLOCK.match(text)
    if not match:
        raise ValueError(f"SALES_HOURS: {what} time {text.strip()!r} is not HH:MM")
    hours, minutes = int(match.group(1)), int(match.group(2))
    if minutes > 59 or hours > 24 or (hours == 24 and minutes):
        raise ValueError(f"SALES_HOURS: {what} time {text.strip()!r} is not a time of day")
    return hours * 60 + minutes


def _day(name: str) -> int:
    key = name.strip().lower()
    for index, day in enumerate(DAY_NAMES):
        if key in (day, day[:3]):
            return index
    raise ValueError(f"SALES_DAYS: {name.strip()!r} is not a day name (mon, tue, ... or monday, tuesday, ...)")


def parse_days(text: str) -> frozenset[int]:
    """Weekday numbers (Monday 0) of ``mon-fri``, ``mon,wed,fri``, ``sat-mon`` (a range may wrap)."""
    days: set[int] = set()
    for part in text.split(","):
        if not part.strip():
            continue
        first, dash, last = part.partition("-")
        start = _day(first)
        end = _day(last) if dash else start
        length = (end - start) % 7
        days.update((start + step) % 7 for step in range(length + 1))
    if not days:
        raise ValueError("SALES_DAYS names no day")
    return frozenset(days)


@dataclass(frozen=True)
class Slot:
    """A proposed call: start and end in UTC, and the team's time zone to show it in."""

    start: datetime
    end: datetime
    zone: str

    @property
    def local_start(self) -> datetime:
        return self.start.astimezone(ZoneInfo(self.zone))

    @property
    def local_end(self) -> datetime:
        return self.end.astimezone(ZoneInfo(self.zone))

    def key(self) -> str:
        """The slot's start as compact UTC text (``20260512T090000Z``), for button payloads."""
        return self.start.strftime("%Y%m%dT%H%M%SZ")


def parse_slot_key(text: str) -> datetime | None:
    """The UTC start of a :meth:`Slot.key`, or None when ``text`` is not one."""
    try:
        return datetime.strptime(str(text).strip(), "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    except ValueError:
        return None


@dataclass(frozen=True)
class SalesHours:
    """Opening minutes (from local midnight), working weekdays and the time zone."""

    opens: int
    closes: int
    days: frozenset[int]
    timezone: str

    def __post_init__(self) -> None:
        if not 0 <= self.opens < self.closes <= END_OF_DAY:
            raise ValueError("SALES_HOURS: the opening time must come before the closing time on the same day")
        self.zone  # noqa: B018 - fail early on an unknown zone

    @property
    def zone(self) -> ZoneInfo:
        try:
            return ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"SALES_TIMEZONE: {self.timezone!r} is not a known time zone") from exc

    def is_open(self, when: datetime) -> bool:
        """True when ``when`` (any aware time, or naive UTC) is inside the working hours."""
        local = as_utc(when).astimezone(self.zone)  # type: ignore[union-attr]
        minute = local.hour * 60 + local.minute
        return local.weekday() in self.days and self.opens <= minute < self.closes

    def _local(self, day: date, minute: int) -> datetime | None:
        """``day`` at ``minute`` local time, in UTC; None when a clock change skips that time."""
        naive = datetime.combine(day, time()) + timedelta(minutes=minute)
        local = naive.replace(tzinfo=self.zone)
        back = local.astimezone(UTC).astimezone(self.zone).replace(tzinfo=None)
        return local.astimezone(UTC) if back == naive else None

    def working_days_after(self, when: datetime, count: int) -> list[date]:
        """The next ``count`` working days after the local day of ``when`` (never that day)."""
        day = as_utc(when).astimezone(self.zone).date()  # type: ignore[union-attr]
        found: list[date] = []
        while len(found) < count:
            day += timedelta(days=1)
            if day.weekday() in self.days:
                found.append(day)
        return found

    def proposed_slots(self, now: datetime, count: int = 3, minutes: int = 30) -> list[Slot]:
        """``count`` call times on the next working days (one a day, never today).

        They alternate between the morning (an hour after opening) and the afternoon (two
        hours before closing), each clamped so the whole call fits inside the hours. Days
        whose time a clock change skips are passed over.
        """
        if not 0 < minutes <= self.closes - self.opens:
            raise ValueError(f"a {minutes}-minute call does not fit into SALES_HOURS")
        latest = self.closes - minutes
        morning = min(self.opens + 60, latest)
        afternoon = max(min(self.closes - 120, latest), self.opens)
        slots: list[Slot] = []
        for day in self.working_days_after(now, count * 2):
            start = self._local(day, morning if len(slots) % 2 == 0 else afternoon)
            if start is not None:
                slots.append(Slot(start, start + timedelta(minutes=minutes), self.timezone))
            if len(slots) == count:
                break
        return slots

    def accepts(self, start: datetime, minutes: int, now: datetime) -> bool:
        """A call at ``start`` lasting ``minutes`` is in the future and wholly inside the hours."""
        start = as_utc(start)  # type: ignore[assignment]
        end = start + timedelta(minutes=minutes)
        local_start, local_end = start.astimezone(self.zone), end.astimezone(self.zone)
        return (
            start > as_utc(now)  # type: ignore[operator]
            and self.is_open(start)
            and local_end.date() == local_start.date()
            and local_end.hour * 60 + local_end.minute <= self.closes
        )

    def describe(self) -> dict[str, str]:
        """Parts a sentence about the hours needs: days, opening, closing, time zone."""
        return {
            "days": describe_days(self.days),
            "opens": f"{self.opens // 60:02d}:{self.opens % 60:02d}",
            "closes": f"{self.closes // 60:02d}:{self.closes % 60:02d}",
            "timezone": self.timezone,
        }


def describe_days(days: frozenset[int]) -> str:
    """``Monday to Friday``, ``Monday, Wednesday and Friday``, ``every day``."""
    if len(days) == 7:
        return "every day"
    names = [DAY_NAMES[d].capitalize() for d in sorted(days)]
    ordered = sorted(days)
    # A run of three or more consecutive days (Monday-first) reads as a range.
    if len(ordered) >= 3 and ordered == list(range(ordered[0], ordered[-1] + 1)):
        return f"{names[0]} to {names[-1]}"
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def hours_from_env(env: Mapping[str, str] | None = None) -> SalesHours:
    """:class:`SalesHours` from ``SALES_HOURS``, ``SALES_DAYS`` and ``SALES_TIMEZONE``; ValueError if malformed."""
    env = os.environ if env is None else env
    window = (env.get("SALES_HOURS") or DEFAULT_HOURS).strip()
    opens, dash, closes = window.partition("-")
    if not dash:
        raise ValueError(f"SALES_HOURS must look like 09:00-17:30, got {window!r}")
    return SalesHours(
        opens=_minutes(opens, "opening"),
        closes=_minutes(closes, "closing"),
        days=parse_days(env.get("SALES_DAYS") or DEFAULT_DAYS),
        timezone=(env.get("SALES_TIMEZONE") or DEFAULT_TIMEZONE).strip(),
    )
