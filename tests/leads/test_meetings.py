"""Booked calls kept with the lead (leads/booking.py) on real SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timedelta

from leads.booking import LINK, SLOT, Meetings, calendar_url, export_meeting, slot_of, upcoming
from leads.model import UTC
from leads.sales_hours import hours_from_env
from leads.store import LeadStore

CONVERSATION = "socketio:0123456789abcdef0123456789abcdef"
NOW = datetime(2026, 1, 14, 12, 0, tzinfo=UTC)


def test_a_chosen_slot_is_kept_and_a_new_choice_replaces_it_as_the_same_event(store: LeadStore) -> None:
    meetings = Meetings(store)
    first, second = hours_from_env({"SALES_TIMEZONE": "Europe/London"}).proposed_slots(NOW, count=2)
    booked = meetings.book(CONVERSATION, first, at=NOW)
    assert (booked.kind, booked.starts_at, booked.ends_at, booked.timezone) == (
        SLOT,
        first.start,
        first.end,
        "Europe/London",
    )
    assert booked.sequence == 0 and booked.uid.endswith("@outsourcing-advisor")

    again = meetings.book(CONVERSATION, second, at=NOW)
    assert again.uid == booked.uid and again.sequence == 1 and again.starts_at == second.start
    assert again.token == booked.token and len(booked.token) == 43  # the visitor's calendar link stays valid
    assert meetings.by_token(booked.token) == again
    assert slot_of(again) == second
    assert again.as_json()["starts_at"] == second.start.isoformat()


def test_a_booking_page_is_noted_without_the_visitors_details(store: LeadStore) -> None:
    meetings = Meetings(store)
    noted = meetings.offered_page(CONVERSATION, "https://calendly.com/acme/intro?name=Zo%C3%AB&email=zoe%40acme.com")
    assert noted.kind == LINK and noted.booking_page == "https://calendly.com/acme/intro"
    assert noted.starts_at is None and slot_of(noted) is None


def test_the_meeting_is_erased_with_the_lead(store: LeadStore) -> None:
    meetings = Meetings(store)
    token = meetings.book(CONVERSATION, hours_from_env({}).proposed_slots(NOW)[0]).token
    store.upsert_lead(CONVERSATION, {"full_name": "Zoë", "consent": True})
    store.delete(CONVERSATION)
    assert meetings.get(CONVERSATION) is None and meetings.by_token(token) is None


def test_only_a_token_of_the_right_form_is_looked_up(store: LeadStore) -> None:
    meetings = Meetings(store)
    token = meetings.book(CONVERSATION, hours_from_env({}).proposed_slots(NOW)[0]).token
    for other in ("", token[:-1], token + "x", "' OR 1=1 --" + "x" * 32, CONVERSATION):
        assert meetings.by_token(other) is None
    assert calendar_url(token, {"WEB_PUBLIC_URL": "https://advisor.example.com/"}) == (
        f"https://advisor.example.com/call/{token}.ics"
    )


def test_the_export_field_carries_the_call_and_the_visitors_calendar_link(store: LeadStore) -> None:
    meetings = Meetings(store)
    slot = hours_from_env({"SALES_TIMEZONE": "Europe/London"}).proposed_slots(NOW)[0]
    booked = meetings.book(CONVERSATION, slot, at=NOW)
    meetings.offered_page("socketio:other", "https://cal.com/acme/intro")
    env = {"WEB_PUBLIC_URL": "https://advisor.example.com"}
    assert export_meeting(booked, env) == {
        "kind": SLOT,
        "starts_at": slot.start.isoformat(),
        "ends_at": slot.end.isoformat(),
        "timezone": "Europe/London",
        "booking_page": None,
        "booked_at": NOW.isoformat(),
        "calendar_url": f"https://advisor.example.com/call/{booked.token}.ics",
    }
    found = meetings.for_conversations([CONVERSATION, "socketio:other", "socketio:none", CONVERSATION])
    assert sorted(found) == sorted([CONVERSATION, "socketio:other"])
    page = export_meeting(found["socketio:other"], env)
    assert page is not None and page["kind"] == LINK and page["calendar_url"] is None
    assert page["booking_page"] == "https://cal.com/acme/intro"
    assert export_meeting(None) is None


def test_a_call_is_upcoming_until_it_ends(store: LeadStore) -> None:
    meetings = Meetings(store)
    slot = hours_from_env({}).proposed_slots(NOW)[0]
    booked = meetings.book(CONVERSATION, slot, at=NOW)
    assert upcoming(booked, NOW) == slot
    assert upcoming(booked, slot.end - timedelta(minutes=1)) == slot
    assert upcoming(booked, slot.end) is None  # over: a new call can be booked
    assert upcoming(meetings.offered_page("socketio:page", "https://cal.com/acme"), NOW) is None
    assert upcoming(None, NOW) is None
