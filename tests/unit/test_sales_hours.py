"""The sales team's hours (leads/sales_hours.py): open or closed, and the call times proposed."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from leads.model import UTC
from leads.sales_hours import describe_days, hours_from_env, parse_days, parse_slot_key

LONDON = {"SALES_HOURS": "09:00-17:30", "SALES_DAYS": "mon-fri", "SALES_TIMEZONE": "Europe/London"}


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


@pytest.mark.parametrize(
    ("when", "is_open"),
    [
        (utc(2026, 1, 14, 9, 0), True),  # Wednesday 09:00 GMT: opening minute
        (utc(2026, 1, 14, 8, 59), False),
        (utc(2026, 1, 14, 17, 29), True),
        (utc(2026, 1, 14, 17, 30), False),  # closing minute is closed
        (utc(2026, 7, 15, 8, 0), True),  # 09:00 BST is 08:00 UTC in summer
        (utc(2026, 7, 15, 16, 45), False),  # 17:45 BST
        (utc(2026, 1, 17, 12, 0), False),  # Saturday
        (utc(2026, 1, 18, 12, 0), False),  # Sunday
    ],
)
def test_open_in_the_teams_own_time_zone(when: datetime, is_open: bool) -> None:
    assert hours_from_env(LONDON).is_open(when) is is_open


def test_other_zone_and_naive_times_read_as_utc() -> None:
    tokyo = hours_from_env({"SALES_HOURS": "09:00-18:00", "SALES_DAYS": "mon-fri", "SALES_TIMEZONE": "Asia/Tokyo"})
    assert tokyo.is_open(utc(2026, 1, 14, 0, 30))  # 09:30 in Tokyo
    assert not tokyo.is_open(utc(2026, 1, 14, 9, 30))  # 18:30 in Tokyo
    assert tokyo.is_open(datetime(2026, 1, 14, 0, 30))  # noqa: DTZ001 - a naive time reads as UTC


def test_round_the_clock_and_wrapping_days() -> None:
    always = hours_from_env({"SALES_HOURS": "00:00-24:00", "SALES_DAYS": "mon-sun"})
    assert all(always.is_open(utc(2026, 1, 12) + timedelta(hours=h)) for h in range(0, 7 * 24, 5))
    assert parse_days("sat-mon") == frozenset({5, 6, 0})
    assert parse_days("Monday, wed,FRI") == frozenset({0, 2, 4})
    assert parse_days("mon-thu,sat") == frozenset({0, 1, 2, 3, 5})


@pytest.mark.parametrize(
    ("env", "problem"),
    [
        ({"SALES_HOURS": "9-17"}, "not HH:MM"),
        ({"SALES_HOURS": "0900"}, "must look like"),
        ({"SALES_HOURS": "17:00-09:00"}, "before the closing"),
        ({"SALES_HOURS": "09:00-24:30"}, "not a time of day"),
        ({"SALES_HOURS": "09:61-17:00"}, "not a time of day"),
        ({"SALES_DAYS": "mon-fry"}, "not a day name"),
        ({"SALES_DAYS": " , "}, "names no day"),
        ({"SALES_TIMEZONE": "Mars/Olympus"}, "not a known time zone"),
    ],
)
def test_malformed_settings_are_named(env: dict[str, str], problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        hours_from_env(env)


def test_defaults_are_weekday_office_hours_in_utc() -> None:
    hours = hours_from_env({})
    assert hours.describe() == {"days": "Monday to Friday", "opens": "09:00", "closes": "17:30", "timezone": "UTC"}


def test_days_described_as_people_say_them() -> None:
    assert describe_days(frozenset({0, 1, 2, 3, 4})) == "Monday to Friday"
    assert describe_days(frozenset({0, 2, 4})) == "Monday, Wednesday and Friday"
    assert describe_days(frozenset({5})) == "Saturday"
    assert describe_days(frozenset(range(7))) == "every day"


def test_three_slots_on_the_next_working_days_alternating_morning_and_afternoon() -> None:
    hours = hours_from_env(LONDON)
    friday_noon = utc(2026, 1, 16, 12, 0)
    slots = hours.proposed_slots(friday_noon)
    local = [(s.local_start.strftime("%a %H:%M"), s.local_end.strftime("%H:%M")) for s in slots]
    assert local == [("Mon 10:00", "10:30"), ("Tue 15:30", "16:00"), ("Wed 10:00", "10:30")]
    assert all(s.start.tzinfo is not None and s.start.utcoffset() == timedelta(0) for s in slots)
    assert all(hours.accepts(s.start, 30, friday_noon) for s in slots)


def test_slots_keep_local_times_across_a_clock_change() -> None:
    hours = hours_from_env(LONDON)
    # Clocks go forward on Sunday 29 March 2026: Friday's slot is GMT, Monday's BST.
    slots = hours.proposed_slots(utc(2026, 3, 26, 12, 0), count=2)
    assert [s.local_start.strftime("%a %H:%M") for s in slots] == ["Fri 10:00", "Mon 15:30"]
    assert [s.start.strftime("%H:%M") for s in slots] == ["10:00", "14:30"]


def test_a_time_skipped_by_the_clock_change_is_never_proposed() -> None:
    # Open 01:00-02:00 every day in London: at 01:00 on 29 March 2026 the clock jumps to 02:00,
    # so that day has no such hour at all.
    hours = hours_from_env({"SALES_HOURS": "01:00-02:00", "SALES_DAYS": "mon-sun", "SALES_TIMEZONE": "Europe/London"})
    slots = hours.proposed_slots(utc(2026, 3, 27, 12, 0), count=3, minutes=30)
    days = [s.local_start.date().isoformat() for s in slots]
    assert "2026-03-29" not in days
    assert days == ["2026-03-28", "2026-03-30", "2026-03-31"]


def test_short_hours_still_fit_the_call() -> None:
    hours = hours_from_env({"SALES_HOURS": "12:00-12:45", "SALES_DAYS": "mon-fri"})
    slots = hours.proposed_slots(utc(2026, 1, 14, 8, 0), count=2, minutes=30)
    assert [s.local_start.strftime("%H:%M") for s in slots] == ["12:15", "12:00"]
    with pytest.raises(ValueError, match="does not fit"):
        hours.proposed_slots(utc(2026, 1, 14, 8, 0), minutes=60)


def test_accepts_only_future_calls_inside_the_hours() -> None:
    hours = hours_from_env(LONDON)
    now = utc(2026, 1, 14, 12, 0)
    assert hours.accepts(utc(2026, 1, 15, 10, 0), 30, now)
    assert not hours.accepts(utc(2026, 1, 13, 10, 0), 30, now)  # past
    assert not hours.accepts(utc(2026, 1, 15, 17, 15), 30, now)  # runs past closing
    assert not hours.accepts(utc(2026, 1, 17, 10, 0), 30, now)  # Saturday
    assert not hours.accepts(utc(2026, 1, 15, 7, 0), 30, now)  # before opening


def test_slot_keys_round_trip_and_refuse_anything_else() -> None:
    slot = hours_from_env(LONDON).proposed_slots(utc(2026, 1, 14, 12, 0))[0]
    assert parse_slot_key(slot.key()) == slot.start
    for bad in ("", "tomorrow", "2026-01-15T10:00:00Z", "20261315T100000Z", None):
        assert parse_slot_key(bad) is None  # type: ignore[arg-type]


# --- the visitor's choice among the proposed slots (leads/booking.py) ------------------------


def offered_slots() -> list[tuple]:
    """Mon 10:00, Tue 15:30, Wed 10:00 (London), with the labels the visitor saw."""
    slots = hours_from_env(LONDON).proposed_slots(utc(2026, 1, 16, 12, 0))
    return [(slot, slot.local_start.strftime("%A %d %B, %H:%M-") + slot.local_end.strftime("%H:%M")) for slot in slots]


@pytest.mark.parametrize(
    ("answer", "picked"),
    [
        ("Monday 19 January, 10:00-10:30", 0),  # the button
        ("  monday 19 january 10:00-10:30 ", 0),
        ("the second one please", 1),
        ("Option 3", 2),
        ("2", 1),
        ("the last one", 2),
        ("Tuesday", 1),
        ("tue works", 1),
        ("15:30", 1),
        ("3.30pm is good", 1),
        ("Wednesday at 10am", 2),
        ("Wed 10:00", 2),
        ("Monday 19", 0),
    ],
)
def test_the_visitor_can_pick_a_slot_by_button_ordinal_day_or_time(answer: str, picked: int) -> None:
    from leads.booking import choose_slot

    offered = offered_slots()
    assert choose_slot(answer, offered) == offered[picked][0]


@pytest.mark.parametrize(
    "answer",
    ["10:00", "Friday", "Tuesday at 10am", "the first or the second", "sometime next week", "", "yes", "Sunday"],
)
def test_an_answer_that_fits_no_single_slot_picks_none(answer: str) -> None:
    from leads.booking import choose_slot

    assert choose_slot(answer, offered_slots()) is None
