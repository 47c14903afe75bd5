"""Live hand-off actions on real trackers and a real SQLite desk: who can join, the wait, the hand-back.

The clock is fixed (a Wednesday noon, or a Saturday) so the sales hours decide the same way
whenever the tests run.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from rasa.shared.core.events import ActionExecuted
from rasa_sdk.executor import CollectingDispatcher

import actions.handoff as handoff_actions
from actions.conversation import ActionHandoff
from actions.handoff import ActionHandoffResume, ActionHandoffTimeout, ActionLiveHandoff, reminder_name
from leads.handoff import SalesDesk
from leads.model import UTC
from tests.support.actions_testkit import KPO_SLOTS, run, sales_settings, user

SALES_HOURS = {"SALES_HOURS": "09:00-17:30", "SALES_DAYS": "mon-fri", "SALES_TIMEZONE": "Europe/London"}
WEDNESDAY_NOON = datetime(2026, 1, 14, 12, 0, tzinfo=UTC)
SATURDAY_NOON = datetime(2026, 1, 17, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def desk_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """London office hours and a two-minute wait (the lead database: conftest's private_lead_store)."""
    sales_settings(monkeypatch, SALES_HOURS, HANDOFF_WAIT_SECONDS="120")


@pytest.fixture
def desk(lead_store) -> SalesDesk:
    return SalesDesk(lead_store)


def at(monkeypatch: pytest.MonkeyPatch, when: datetime) -> None:
    monkeypatch.setattr(handoff_actions, "utcnow", lambda: when)


def asking(make_tracker, channel: str | None = "socketio", **kwargs):
    return make_tracker([user("can I talk to a person?", intent="request_human", input_channel=channel)], **kwargs)


def said(dispatcher) -> list[str]:
    return [m.get("text") or m.get("response") for m in dispatcher.messages]


async def test_a_rep_joins_in_hours_when_one_is_signed_in(make_tracker, dispatcher, domain, desk, monkeypatch):
    at(monkeypatch, WEDNESDAY_NOON)
    desk.heartbeat("Sam", at=datetime.now(UTC))
    events = await run(ActionHandoff(), dispatcher, asking(make_tracker, form="advisor_form"), domain)
    assert events[-1] == {"event": "followup", "timestamp": None, "name": "action_live_handoff"}
    assert {"event": "active_loop", "timestamp": None, "name": None} in events  # the questions pause
    assert dispatcher.messages == []  # action_live_handoff speaks


async def test_outside_hours_the_visitor_hears_the_hours_and_gets_the_offer(
    make_tracker, dispatcher, domain, desk, monkeypatch
):
    at(monkeypatch, SATURDAY_NOON)
    desk.heartbeat("Sam", at=datetime.now(UTC))
    await run(ActionHandoff(), dispatcher, asking(make_tracker), domain)
    messages = said(dispatcher)
    assert messages[1] == (
        "Our sales team is available Monday to Friday, 09:00-17:30 (Europe/London time), so nobody can join the "
        "chat right now. I can take a few details so that a specialist calls you back, and you can pick a time "
        "for the call."
    )
    assert messages[-1] == "utter_offer_specialist"
    assert desk.open_handoffs() == []


async def test_in_hours_with_nobody_signed_in_the_visitor_gets_the_offer(
    make_tracker, dispatcher, domain, desk, monkeypatch
):
    at(monkeypatch, WEDNESDAY_NOON)
    desk.heartbeat("Sam", at=datetime.now(UTC) - timedelta(minutes=5))  # the console was closed
    await run(ActionHandoff(), dispatcher, asking(make_tracker), domain)
    assert said(dispatcher)[1].startswith("Nobody from our sales team can join the chat right now.")
    assert said(dispatcher)[-1] == "utter_offer_specialist"


async def test_other_channels_keep_the_offer_without_live_chat(make_tracker, dispatcher, domain, desk, monkeypatch):
    at(monkeypatch, WEDNESDAY_NOON)
    desk.heartbeat("Sam", at=datetime.now(UTC))
    await run(ActionHandoff(), dispatcher, asking(make_tracker, channel="rest"), domain)
    assert said(dispatcher) == [
        "Of course. Everything you've told me so far is saved, so you won't have to repeat it.",
        "utter_offer_specialist",
    ]


async def test_a_bad_hours_setting_falls_back_to_the_offer(make_tracker, dispatcher, domain, desk, monkeypatch):
    monkeypatch.setenv("SALES_HOURS", "nine to five")
    await run(ActionHandoff(), dispatcher, asking(make_tracker), domain)
    assert said(dispatcher)[-1] == "utter_offer_specialist"


async def test_the_visitor_waits_with_a_reminder_once(make_tracker, domain, desk, monkeypatch):
    tracker = asking(make_tracker)
    first = CollectingDispatcher()
    events = await run(ActionLiveHandoff(), first, tracker, domain)
    reminder = [e for e in events if e["event"] == "reminder"]
    assert len(reminder) == 1
    assert reminder[0]["intent"] == "EXTERNAL_handoff_timeout"
    assert reminder[0]["name"] == reminder_name("test-user") != reminder_name("another-visitor")  # one each
    assert reminder[0]["kill_on_user_msg"] is False
    handoff = desk.get("test-user")
    assert handoff is not None and handoff.state == "waiting"
    due = datetime.fromisoformat(reminder[0]["date_time"])
    assert due - handoff.requested_at == timedelta(seconds=120)
    assert said(first) == [
        "I'm asking someone from our sales team to join this chat; they'll be with you within 2 minutes. "
        "You can keep typing meanwhile, and they'll see what you wrote."
    ]

    again = CollectingDispatcher()
    events = await run(ActionLiveHandoff(), again, tracker, domain)
    assert [e for e in events if e["event"] == "reminder"] == []
    assert said(again) == ["Someone from our sales team has already been asked to join and will be with you shortly."]


async def test_the_wait_runs_out_only_for_a_visitor_nobody_took(make_tracker, dispatcher, domain, desk):
    desk.request("test-user")
    tracker = make_tracker([user("EXTERNAL: EXTERNAL_handoff_timeout", intent="EXTERNAL_handoff_timeout")])
    events = await run(ActionHandoffTimeout(), dispatcher, tracker, domain)
    assert said(dispatcher)[0].startswith("I'm sorry, nobody from our sales team could join just now.")
    assert said(dispatcher)[-1] == "utter_offer_specialist"
    assert {"event": "active_loop", "timestamp": None, "name": None} in events
    assert desk.get("test-user").state == "missed"

    desk.request("test-user")
    desk.take("test-user", "Sam")
    taken = CollectingDispatcher()
    events = await run(ActionHandoffTimeout(), taken, tracker, domain)
    assert events == [{"event": "followup", "timestamp": None, "name": "action_listen"}]
    assert taken.messages == []
    assert desk.get("test-user").state == "active"


@pytest.mark.parametrize(
    ("slots", "form", "expected_messages", "expected_events"),
    [
        (
            {"tasks": ["legal_services"], "requested_slot": "budget_level"},
            "advisor_form",
            ["Let's carry on where we were."],
            [],
        ),
        (KPO_SLOTS, None, ["Let's carry on where we were.", "utter_after_recommendation"], []),
        (
            {"tasks": ["legal_services"]},
            None,
            ["Let's carry on where we were."],
            [{"event": "followup", "timestamp": None, "name": "advisor_form"}],
        ),
    ],
    ids=["mid-questions", "after-advice", "questions-paused-by-the-request"],
)
async def test_the_hand_back_carries_on_where_the_conversation_was(
    make_tracker, dispatcher, domain, slots, form, expected_messages, expected_events
):
    tracker = make_tracker(
        [ActionExecuted("action_listen"), user("EXTERNAL: EXTERNAL_handoff_ended", intent="EXTERNAL_handoff_ended")],
        slots=slots,
        form=form,
    )
    events = await run(ActionHandoffResume(), dispatcher, tracker, domain)
    assert said(dispatcher) == expected_messages
    assert events == expected_events


CAPTURED = {"lead_status": "captured", "lead_consent": True}
FOLLOW_WITH_BOOKING = {"event": "followup", "timestamp": None, "name": "action_offer_call"}


async def test_once_sales_has_the_details_a_call_is_offered_instead_of_the_form(
    make_tracker, dispatcher, domain, desk, monkeypatch
):
    """Nobody can join (Saturday): the call's times, not "the specialist has your details" alone."""
    at(monkeypatch, SATURDAY_NOON)
    events = await run(ActionHandoff(), dispatcher, asking(make_tracker, slots=CAPTURED), domain)
    assert events[-1] == FOLLOW_WITH_BOOKING
    assert said(dispatcher) == ["Our specialist already has your details."]


async def test_asking_for_a_call_books_one_even_when_a_rep_could_join(
    make_tracker, dispatcher, domain, desk, monkeypatch
):
    at(monkeypatch, WEDNESDAY_NOON)
    desk.heartbeat("Sam", at=datetime.now(UTC))
    call_me = [user("can someone call me?", intent="request_human", input_channel="socketio")]
    events = await run(ActionHandoff(), dispatcher, make_tracker(call_me, slots=CAPTURED), domain)
    assert events[-1] == FOLLOW_WITH_BOOKING and desk.open_handoffs() == []
    # A person in the chat is still what "can I talk to a person?" gets when one can join.
    events = await run(ActionHandoff(), CollectingDispatcher(), asking(make_tracker, slots=CAPTURED), domain)
    assert events[-1] == {"event": "followup", "timestamp": None, "name": "action_live_handoff"}
