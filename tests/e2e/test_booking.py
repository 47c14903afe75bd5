"""Booking a call after consent, over REST against the real servers (no BOOKING_URL: proposed times).

The times come from the sales hours of the e2e stack (the defaults: Monday to Friday,
09:00-17:30 UTC); the chosen one is stored with the lead (lead_meetings) and confirmed.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import requests

from leads.booking import Meetings, calendar_url
from leads.model import utcnow
from leads.sales_hours import hours_from_env, parse_slot_key
from leads.store import LeadStore
from tests.support.lead_capture import capture, slots, texts
from tests.support.sales_support import bearer, new_token, start_console
from tests.support.stack import Stack, conversation


def meetings(stack: Stack) -> Meetings:
    return Meetings(LeadStore(path=Path(stack.env["LEADS_DB_PATH"])))


def offered_buttons(replies: list[dict]) -> list[dict]:
    return [b for r in replies for b in r.get("buttons") or []]


def test_consent_then_a_proposed_time_is_booked_and_kept_with_the_lead(stack: Stack) -> None:
    sender = f"e2e-booking-{uuid.uuid4().hex[:8]}"
    after_consent = capture(stack, sender, "/affirm")[-1]
    assert "Thank you" in texts(after_consent)
    assert "book a call with our specialist" in texts(after_consent)
    buttons = offered_buttons(after_consent)
    assert [b["title"] for b in buttons][-1] == "No thanks" and len(buttons) == 4

    # The three times lie on the next working days, inside the hours, in the future.
    keys = slots(stack, sender)["call_slots_offered"]
    starts = [parse_slot_key(key) for key in keys]
    hours = hours_from_env(stack.env)
    assert len({start.date() for start in starts}) == 3 and starts == sorted(starts)
    assert all(hours.accepts(start, 30, utcnow()) for start in starts)  # future, working days, inside the hours
    assert [b["title"] for b in buttons[:3]] == [
        f"{s:%A} {s.day} {s:%B}, {s:%H:%M}-{s + timedelta(minutes=30):%H:%M}" for s in starts
    ]

    reply = stack.say(sender, buttons[1]["payload"])
    assert texts(reply).startswith(f"Booked: {buttons[1]['title']} (UTC time).")
    meeting = meetings(stack).get(conversation(sender))
    assert meeting is not None and meeting.starts_at == starts[1]
    assert (meeting.ends_at - meeting.starts_at).total_seconds() == 30 * 60
    assert slots(stack, sender)["call_slot"] is None  # the form is done

    # The conversation goes on as before.
    assert "BPO" in texts(stack.say(sender, "what is BPO?"))


def test_typed_answers_no_thanks_and_an_unreadable_pick(stack: Stack) -> None:
    sender = f"e2e-booking-typed-{uuid.uuid4().hex[:8]}"
    capture(stack, sender, "/affirm")
    keys = slots(stack, sender)["call_slots_offered"]
    unclear = stack.say(sender, "whenever suits you")
    assert "Please pick one of these times" in texts(unclear)
    assert len(offered_buttons(unclear)) == 4  # asked again, with the times
    picked = stack.say(sender, "the last one please")
    assert texts(picked).startswith("Booked: ")
    assert meetings(stack).get(conversation(sender)).starts_at == parse_slot_key(keys[-1])

    other = f"e2e-booking-no-{uuid.uuid4().hex[:8]}"
    capture(stack, other, "/affirm")
    declined = stack.say(other, "no thanks")
    assert "get in touch by email to find a time" in texts(declined)
    assert meetings(stack).get(conversation(other)) is None


def test_no_call_is_offered_without_consent(stack: Stack) -> None:
    sender = f"e2e-booking-none-{uuid.uuid4().hex[:8]}"
    after = capture(stack, sender, "/deny")[-1]
    assert "book a call" not in texts(after) and offered_buttons(after) == []
    assert stack.tracker(sender)["active_loop"] == {} and slots(stack, sender)["call_slots_offered"] is None


def unfold(text: str) -> list[str]:
    return text.replace("\r\n ", "").split("\r\n")


def test_the_console_shows_the_call_and_its_calendar_file(stack: Stack, tmp_path: Path) -> None:
    sender = f"e2e-booking-console-{uuid.uuid4().hex[:8]}"
    capture(stack, sender, "/affirm")
    first = parse_slot_key(slots(stack, sender)["call_slots_offered"][0])
    confirmation = texts(stack.say(sender, "the first one"))
    token = new_token()
    web = start_console(stack, token, tmp_path / "web.log")
    try:
        path = f"{web.url}/sales/api/leads/{quote(conversation(sender), safe='')}/meeting"
        assert requests.get(path, timeout=10).status_code == 401
        assert requests.get(path + ".ics", headers=bearer("wrong-token-xxxxxxxxxxxx"), timeout=10).status_code == 401
        meeting = requests.get(path, headers=bearer(token), timeout=10).json()["meeting"]
        assert meeting["kind"] == "slot" and meeting["starts_at"] == first.isoformat()
        assert meeting["timezone"] == "UTC"

        ics = requests.get(path + ".ics", headers=bearer(token), timeout=10)
        assert ics.status_code == 200
        assert ics.headers["Content-Type"].startswith("text/calendar")
        assert 'filename="call.ics"' in ics.headers["Content-Disposition"]
        lines = unfold(ics.text)
        assert f"DTSTART:{first:%Y%m%dT%H%M%SZ}" in lines
        assert f"DTEND:{first + timedelta(minutes=30):%Y%m%dT%H%M%SZ}" in lines
        # The company as typed ("Acme Legal & Research <GmbH>"), its comma-free text as is.
        assert "SUMMARY:Outsourcing call: Acme Legal & Research <GmbH>" in lines
        assert any(line.startswith("UID:") and line.endswith("@outsourcing-advisor") for line in lines)

        # The visitor's own link (in the confirmation) gives the same call, without signing in.
        call_token = meetings(stack).get(conversation(sender)).token
        assert confirmation.endswith(f"Add it to your calendar: {calendar_url(call_token, stack.env)}")
        own = requests.get(f"{web.url}/call/{call_token}.ics", timeout=10)
        assert own.status_code == 200 and own.headers["Cache-Control"] == "no-store"
        assert own.headers["Referrer-Policy"] == "no-referrer"
        assert f"DTSTART:{first:%Y%m%dT%H%M%SZ}" in unfold(own.text)
        for wrong in ("x" * 43, call_token[:-1], "../leads"):
            assert requests.get(f"{web.url}/call/{wrong}.ics", timeout=10).status_code == 404

        none = f"{web.url}/sales/api/leads/{quote(conversation('nobody'), safe='')}/meeting"
        assert requests.get(none, headers=bearer(token), timeout=10).json() == {"meeting": None}
        assert requests.get(none + ".ics", headers=bearer(token), timeout=10).status_code == 404
    finally:
        web.stop()


def test_asking_for_a_call_after_the_details_offers_the_times_and_moves_a_booked_call(stack: Stack) -> None:
    """Issue 12 item 3 after capture: not only "the specialist has your details", but the call itself."""
    sender = f"e2e-booking-again-{uuid.uuid4().hex[:8]}"
    capture(stack, sender, "/affirm")
    assert "get in touch by email" in texts(stack.say(sender, "no thanks"))  # no call booked then

    again = stack.say(sender, "can someone call me?")
    assert texts(again).startswith("Our specialist already has your details.")
    assert "book a call with our specialist" in texts(again)
    times = offered_buttons(again)
    assert len(times) == 4 and times[-1]["title"] == "No thanks"
    assert texts(stack.say(sender, times[0]["payload"])).startswith(f"Booked: {times[0]['title']} (UTC time).")
    booked = meetings(stack).get(conversation(sender))
    assert booked is not None and booked.sequence == 0

    # Asked again: the booked call is named, and the times move it.
    change = stack.say(sender, "I'd like to book a call")
    assert f"You already have a call booked: {times[0]['title']} (UTC time)." in texts(change)
    assert calendar_url(booked.token, stack.env) in texts(change)
    assert "already has your details and will be in touch" not in texts(change)
    other = offered_buttons(change)
    assert [b["title"] for b in other][-1] == "Keep my time"
    keys = slots(stack, sender)["call_slots_offered"]
    moved = stack.say(sender, other[2]["payload"])
    assert texts(moved).startswith(f"Moved: your call is now {other[2]['title']} (UTC time).")
    now = meetings(stack).get(conversation(sender))
    assert (now.starts_at, now.sequence, now.uid, now.token) == (parse_slot_key(keys[2]), 1, booked.uid, booked.token)

    # "Keep my time" keeps it.
    stack.say(sender, "can someone call me?")
    kept = stack.say(sender, "/deny")
    assert texts(kept) == f"Fine, your call stays on {other[2]['title']} (UTC time)."
    assert meetings(stack).get(conversation(sender)) == now
