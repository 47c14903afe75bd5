"""The .ics invitation (leads/ics.py, RFC 5545) and the prefilled booking link (leads/booking.py)."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import parse_qs, urlsplit

import pytest

from leads.booking import asks_for_call, booking_link, booking_page, booking_settings, keeps_booked_time, slot_label
from leads.ics import escape_text, fold, invitation
from leads.model import UTC
from leads.sales_hours import Slot

START = datetime(2026, 1, 15, 10, 0, tzinfo=UTC)
END = datetime(2026, 1, 15, 10, 30, tzinfo=UTC)
STAMP = datetime(2026, 1, 14, 12, 34, 56, tzinfo=UTC)


def unfold(text: str) -> list[str]:
    """The content lines of an iCalendar text, continuation lines joined back (RFC 5545 3.1)."""
    return text.replace("\r\n ", "").split("\r\n")[:-1]


def test_a_call_is_one_event_with_utc_times_uid_and_stamp() -> None:
    ics = invitation(
        uid="abc@outsourcing-advisor",
        start=START,
        end=END,
        summary="Call: Acme, Inc.; outsourcing",
        description="Line one\nC:\\path, with; all",
        stamp=STAMP,
        sequence=2,
    )
    assert ics.endswith("\r\n") and "\n" not in ics.replace("\r\n", "")
    lines = unfold(ics)
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-1] == "END:VCALENDAR"
    assert "VERSION:2.0" in lines and any(line.startswith("PRODID:") for line in lines)
    assert lines.count("BEGIN:VEVENT") == 1 and lines.count("END:VEVENT") == 1
    assert "UID:abc@outsourcing-advisor" in lines
    assert "DTSTAMP:20260114T123456Z" in lines
    assert "DTSTART:20260115T100000Z" in lines and "DTEND:20260115T103000Z" in lines
    assert "SEQUENCE:2" in lines
    assert "SUMMARY:Call: Acme\\, Inc.\\; outsourcing" in lines
    assert "DESCRIPTION:Line one\\nC:\\\\path\\, with\\; all" in lines


def test_times_in_other_zones_are_written_in_utc() -> None:
    from zoneinfo import ZoneInfo

    london_summer = datetime(2026, 7, 15, 10, 0, tzinfo=ZoneInfo("Europe/London"))
    ics = invitation(uid="u", start=london_summer, end=london_summer, summary="s", description="d", stamp=STAMP)
    assert "DTSTART:20260715T090000Z" in unfold(ics)


@pytest.mark.parametrize("text", ["x" * 200, "é" * 100, "日本語のテキスト" * 20, "a😀" * 60])
def test_long_lines_fold_at_75_octets_without_splitting_a_character(text: str) -> None:
    folded = fold("DESCRIPTION:" + text)
    for line in folded.split("\r\n"):
        assert len(line.encode("utf-8")) <= 75
        line.encode("utf-8").decode("utf-8")  # each physical line is whole UTF-8
    assert folded.replace("\r\n ", "") == "DESCRIPTION:" + text


def test_control_characters_are_dropped_and_carriage_returns_become_newlines() -> None:
    assert escape_text("a\r\nb\rc\x00d\x07e\tf") == "a\\nb\\ncde\tf"


def test_the_booking_link_is_prefilled_url_encoded_and_keeps_the_page_query() -> None:
    link = booking_link(
        "https://calendly.com/acme/intro?month=2026-01&name=old", "Zoë O'Brien & Co", "zoe+sales@acme.com"
    )
    parts = urlsplit(link)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "calendly.com", "/acme/intro")
    query = parse_qs(parts.query)
    assert query == {"month": ["2026-01"], "name": ["Zoë O'Brien & Co"], "email": ["zoe+sales@acme.com"]}
    assert " " not in link and "&Co" not in link and "+sales" not in link  # encoded, not split or read as a space
    assert booking_link("https://cal.com/acme/30min", "Ann", None) == "https://cal.com/acme/30min?name=Ann"
    assert booking_page(link) == "https://calendly.com/acme/intro"


@pytest.mark.parametrize(
    ("env", "problem"),
    [
        ({"BOOKING_URL": "calendly.com/acme"}, "http"),
        ({"BOOKING_URL": "javascript:alert(1)"}, "http"),
        ({"BOOKING_URL": "https://user:pw@calendly.com/acme"}, "http"),
        ({"BOOKING_SLOT_MINUTES": "0"}, "BOOKING_SLOT_MINUTES"),
        ({"BOOKING_SLOTS": "5"}, "BOOKING_SLOTS"),
    ],
)
def test_booking_settings_are_checked(env: dict[str, str], problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        booking_settings(env)


def test_booking_defaults() -> None:
    settings = booking_settings({})
    assert (settings.url, settings.minutes, settings.slots) == (None, 30, 3)
    assert booking_settings({"BOOKING_URL": " https://cal.com/acme "}).url == "https://cal.com/acme"


@pytest.mark.parametrize(
    ("text", "wanted"),
    [
        ("can someone call me?", True),
        ("Book a call", True),
        ("could we schedule a meeting with your team", True),
        ("phone me tomorrow", True),
        ("I'd like to talk to a person", False),
        ("is there a human I can chat with", False),
        ("don't call me", False),
        ("please do not ever phone me", False),
    ],
)
def test_a_request_for_a_call_is_told_from_one_for_a_person_in_the_chat(text: str, wanted: bool) -> None:
    assert asks_for_call(text) is wanted


@pytest.mark.parametrize(
    ("text", "keeps"), [("Keep my time", True), ("leave it as it is", True), ("the second one", False), ("", False)]
)
def test_keeping_a_booked_time(text: str, keeps: bool) -> None:
    assert keeps_booked_time(text) is keeps


def test_a_slot_is_named_in_the_sales_teams_zone_or_in_utc() -> None:
    slot = Slot(datetime(2026, 7, 16, 9, 0, tzinfo=UTC), datetime(2026, 7, 16, 9, 30, tzinfo=UTC), "Europe/London")
    assert slot_label(slot) == "Thursday 16 July, 10:00-10:30"  # British Summer Time
    assert slot_label(slot, "UTC") == "Thursday 16 July, 09:00-09:30"
    late = Slot(datetime(2026, 7, 16, 23, 0, tzinfo=UTC), datetime(2026, 7, 16, 23, 30, tzinfo=UTC), "Asia/Tokyo")
    assert slot_label(late) == "Friday 17 July, 08:00-08:30" and slot_label(late, "UTC").startswith("Thursday 16 July")
