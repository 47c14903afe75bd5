"""Booking actions on real trackers and a real SQLite lead database: the link, the times, the pick, the booking."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.booking import ActionAskCallSlot, ActionBookCall, ActionOfferCall, ValidateCallForm
from leads.booking import Meetings, slot_label
from leads.model import utcnow
from leads.sales_hours import hours_from_env, parse_slot_key
from tests.support.actions_testkit import CONTACT_SLOTS, run, sales_settings, user

LONDON = {"SALES_HOURS": "09:00-17:30", "SALES_DAYS": "mon-fri", "SALES_TIMEZONE": "Europe/London"}


@pytest.fixture(autouse=True)
def booking_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """London office hours, no booking page (the lead database: conftest's private_lead_store)."""
    sales_settings(monkeypatch, LONDON)


@pytest.fixture
def meetings(lead_store) -> Meetings:
    return Meetings(lead_store)


async def test_with_a_booking_url_the_visitor_gets_it_prefilled(
    make_tracker, dispatcher, domain, meetings, monkeypatch
):
    monkeypatch.setenv("BOOKING_URL", "https://calendly.com/acme-sales/intro")
    events = await run(ActionOfferCall(), dispatcher, make_tracker([], slots=CONTACT_SLOTS), domain)
    assert events == []
    text = dispatcher.messages[0]["text"]
    link = text.split("here: ", 1)[1]
    assert link.startswith("https://calendly.com/acme-sales/intro?")
    assert parse_qs(urlsplit(link).query) == {"name": ["Zoë O'Brien-Ünal"], "email": ["zoe@acme-legal.com"]}
    noted = meetings.get("test-user")
    assert noted is not None and noted.kind == "link" and noted.booking_page == "https://calendly.com/acme-sales/intro"


async def test_without_one_the_call_form_starts(make_tracker, dispatcher, domain):
    events = await run(ActionOfferCall(), dispatcher, make_tracker([], slots=CONTACT_SLOTS), domain)
    assert events == [{"event": "followup", "timestamp": None, "name": "call_form"}]


async def test_a_bad_booking_setting_means_the_specialist_arranges_it(make_tracker, dispatcher, domain, monkeypatch):
    monkeypatch.setenv("BOOKING_URL", "calendly.com/acme")
    assert await run(ActionOfferCall(), dispatcher, make_tracker([], slots=CONTACT_SLOTS), domain) == []
    assert "get in touch by email" in dispatcher.messages[0]["text"]


async def test_the_times_offered_are_remembered_with_their_buttons(make_tracker, dispatcher, domain):
    events = await run(ActionAskCallSlot(), dispatcher, make_tracker([]), domain)
    keys = events[0]["value"]
    assert events[0]["name"] == "call_slots_offered" and len(keys) == 3
    message = dispatcher.messages[0]
    assert message["text"].endswith('(Europe/London time), or say "no thanks".')
    titles = [b["title"] for b in message["buttons"]]
    hours = hours_from_env(LONDON)
    slots = hours.proposed_slots(utcnow())
    assert titles == [slot_label(slot) for slot in slots] + ["No thanks"]
    assert [parse_slot_key(key) for key in keys] == [slot.start for slot in slots]
    assert message["buttons"][-1]["payload"] == "/deny"


async def validate(make_tracker, domain, text: str, intent: str = "inform"):
    keys = [slot.key() for slot in hours_from_env(LONDON).proposed_slots(utcnow())]
    tracker = make_tracker(
        [user(text, intent=intent)], slots={"requested_slot": "call_slot", "call_slots_offered": keys}, form="call_form"
    )
    dispatcher = CollectingDispatcher()
    result = await ValidateCallForm().validate_call_slot(text, dispatcher, tracker, domain.as_dict())
    return result, dispatcher, keys


async def test_the_pick_is_read_from_the_button_or_words(make_tracker, domain):
    slots = hours_from_env(LONDON).proposed_slots(utcnow())
    result, _, keys = await validate(make_tracker, domain, slot_label(slots[1]))
    assert result == {"call_slot": keys[1]}
    result, _, keys = await validate(make_tracker, domain, "the third one")
    assert result == {"call_slot": keys[2]}
    result, _, _ = await validate(make_tracker, domain, "No thanks", intent="deny")
    assert result == {"call_slot": "declined"}
    result, dispatcher, _ = await validate(make_tracker, domain, "whenever")
    assert result == {"call_slot": None}
    assert dispatcher.messages[0]["text"].startswith("Please pick one of these times")


async def test_a_time_that_has_passed_is_not_booked(make_tracker, domain):
    past = hours_from_env(LONDON).proposed_slots(utcnow().replace(year=2020))
    tracker = make_tracker(
        [user("the first one")],
        slots={"requested_slot": "call_slot", "call_slots_offered": [slot.key() for slot in past]},
        form="call_form",
    )
    dispatcher = CollectingDispatcher()
    result = await ValidateCallForm().validate_call_slot("the first one", dispatcher, tracker, domain.as_dict())
    assert result == {"call_slot": None}
    assert dispatcher.messages[0]["text"].startswith("That time is no longer free")


async def test_the_chosen_time_is_kept_with_the_lead_and_confirmed(make_tracker, dispatcher, domain, meetings):
    slot = hours_from_env(LONDON).proposed_slots(utcnow())[0]
    events = await run(ActionBookCall(), dispatcher, make_tracker([], slots={"call_slot": slot.key()}), domain)
    assert {(e["name"], e["value"]) for e in events} == {("call_slot", None), ("call_slots_offered", None)}
    booked = meetings.get("test-user")
    assert booked is not None
    assert dispatcher.messages[0]["text"] == (
        f"Booked: {slot_label(slot)} (Europe/London time). "
        "Our specialist will send you the details for the call by email. "
        f"Add it to your calendar: http://localhost:8080/call/{booked.token}.ics"
    )
    assert (booked.starts_at, booked.ends_at, booked.timezone) == (
        slot.start,
        slot.end,
        "Europe/London",
    )


async def test_no_thanks_books_nothing(make_tracker, dispatcher, domain, meetings):
    await run(ActionBookCall(), dispatcher, make_tracker([], slots={"call_slot": "declined"}), domain)
    assert "get in touch by email to find a time" in dispatcher.messages[0]["text"]
    assert meetings.get("test-user") is None


async def test_a_booked_call_is_named_and_the_times_then_move_it(make_tracker, dispatcher, domain, meetings):
    first, second = hours_from_env(LONDON).proposed_slots(utcnow(), count=2)
    booked = meetings.book("test-user", first)
    events = await run(ActionOfferCall(), dispatcher, make_tracker([], slots=CONTACT_SLOTS), domain)
    assert events == [{"event": "followup", "timestamp": None, "name": "call_form"}]
    assert dispatcher.messages[0]["text"] == (
        f"You already have a call booked: {slot_label(first)} (Europe/London time). "
        f"Its calendar file: http://localhost:8080/call/{booked.token}.ics"
    )

    asked = CollectingDispatcher()
    await run(ActionAskCallSlot(), asked, make_tracker([]), domain)
    assert asked.messages[0]["text"].startswith("Would you like to move it? Pick another time (Europe/London time)")
    assert asked.messages[0]["buttons"][-1] == {"title": "Keep my time", "payload": "/deny"}

    kept = CollectingDispatcher()
    await run(ActionBookCall(), kept, make_tracker([], slots={"call_slot": "declined"}), domain)
    assert kept.messages[0]["text"] == f"Fine, your call stays on {slot_label(first)} (Europe/London time)."
    assert meetings.get("test-user") == booked

    moved = CollectingDispatcher()
    await run(ActionBookCall(), moved, make_tracker([], slots={"call_slot": second.key()}), domain)
    now = meetings.get("test-user")
    assert (now.starts_at, now.sequence, now.uid, now.token) == (second.start, 1, booked.uid, booked.token)
    assert moved.messages[0]["text"] == (
        f"Moved: your call is now {slot_label(second)} (Europe/London time). "
        f"The same calendar link has the new time: http://localhost:8080/call/{booked.token}.ics"
    )


async def test_keep_it_typed_keeps_the_booked_time(make_tracker, domain):
    result, dispatcher, _ = await validate(make_tracker, domain, "keep it as it is")
    assert result == {"call_slot": "declined"} and dispatcher.messages == []


async def test_a_call_that_is_over_is_not_named(make_tracker, dispatcher, domain, meetings):
    past = hours_from_env(LONDON).proposed_slots(utcnow() - timedelta(days=10))[0]
    meetings.book("test-user", past)
    events = await run(ActionOfferCall(), dispatcher, make_tracker([], slots=CONTACT_SLOTS), domain)
    assert events == [{"event": "followup", "timestamp": None, "name": "call_form"}] and dispatcher.messages == []
