"""Lead capture actions on real trackers: offer, form validation, storing, privacy.

Every test gets its own SQLite lead store and outbox (LEADS_* variables point into tmp_path).
"""

from __future__ import annotations

import json
import os
import socket
from pathlib import Path

import pytest
from rasa.shared.core.events import ActionExecuted, SlotSet, UserUttered
from rasa_sdk.executor import CollectingDispatcher

import actions.lead_record as lead_record
from actions.advice import ActionRecommend
from actions.conversation import ActionHandoff
from actions.extract import ActionExtractFacts
from actions.lead_form import ValidateLeadForm
from actions.leads import (
    LEAD_SLOTS,
    ActionAskLeadConsent,
    ActionDeclineLead,
    ActionDeleteLeadData,
    ActionSubmitLead,
    ActionWithdrawConsent,
)
from leads import LeadStore, score_from_lead
from leads.answers import FIELDS
from tests.support.actions_testkit import CONTACT_SLOTS, as_dict, user

KPO_FACTS = {
    "tasks": ["legal_services", "market_research"],
    "budget_level": "flexible",
    "in_house_expertise": "no",
    "missing_skills": ["legal"],
    "goals": ["strategic_decisions"],
}
ADVISED = {**KPO_FACTS, "recommendation": "kpo", "recommendation_reasons": ["Legal services is KPO work."]}
CONTACT = CONTACT_SLOTS


@pytest.fixture(autouse=True)
def lead_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private lead store per test; nothing reaches the real var/ or a real webhook."""
    for name in list(os.environ):
        if name.startswith("LEADS_") or name == "SALES_SLACK_WEBHOOK_URL":
            monkeypatch.delenv(name)
    monkeypatch.setenv("LEADS_DB_PATH", str(tmp_path / "leads.db"))
    monkeypatch.setenv("LEADS_OUTBOX_PATH", str(tmp_path / "outbox.jsonl"))
    monkeypatch.setenv("LEADS_DELIVERIES_PATH", str(tmp_path / "deliveries.jsonl"))
    return tmp_path


@pytest.fixture
def store(lead_env: Path):
    lead_store = LeadStore(path=lead_env / "leads.db")
    yield lead_store
    lead_store.dispose()


@pytest.fixture
def notified(monkeypatch: pytest.MonkeyPatch) -> list[dict]:
    """Leads queued for sales (`queue_lead` replaced by a recorder that queues nothing)."""
    sent: list[dict] = []
    monkeypatch.setattr(lead_record, "queue_lead", lambda lead: sent.append(lead) or [])
    return sent


async def run(action, dispatcher, tracker, domain):
    return await action.run(dispatcher, tracker, domain.as_dict())


def kinds(store: LeadStore) -> list[tuple[str, str | None]]:
    return [(e["kind"], e["detail"]) for e in store.list_events()]


def texts(dispatcher: CollectingDispatcher) -> str:
    return "\n".join(m.get("text") or m.get("response") or "" for m in dispatcher.messages)


# --- the offer ---------------------------------------------------------------------------


async def test_advice_offers_a_specialist_and_records_the_funnel(make_tracker, dispatcher, domain, store):
    events = await run(ActionRecommend(), dispatcher, make_tracker([], slots=KPO_FACTS), domain)
    assert as_dict(events)["recommendation"] == "kpo"
    assert as_dict(events)["funnel_started"] is True
    offer = dispatcher.messages[-1]
    assert offer["response"] == "utter_offer_specialist"
    assert [b["payload"] for b in domain.responses["utter_offer_specialist"][0]["buttons"]] == ["/affirm", "/deny"]
    assert kinds(store) == [("conversation_started", None), ("advice_given", "kpo"), ("lead_offered", None)]
    assert store.list_leads() == []


async def test_changed_advice_updates_a_captured_lead_instead_of_offering_again(
    make_tracker, dispatcher, domain, store
):
    store.upsert_lead("test-user", {"full_name": "Zoë", "consent": True, "recommendation": "kpo"})
    slots = {
        **KPO_FACTS,
        "tasks": ["legal_services", "hr_payroll"],
        **CONTACT,
        "lead_consent": True,
        "lead_status": "captured",
        "funnel_started": True,
    }
    await run(ActionRecommend(), dispatcher, make_tracker([], slots=slots), domain)
    assert dispatcher.messages[-1]["response"] == "utter_lead_already_captured"
    lead = store.get_lead("test-user")
    assert lead["recommendation"] == "hybrid"
    assert lead["answers"]["tasks"] == ["legal_services", "hr_payroll"]
    assert ("lead_offered", None) not in kinds(store)


async def test_asking_for_a_person_offers_the_specialist_and_keeps_a_volunteered_email(
    make_tracker, dispatcher, domain, store
):
    tracker = make_tracker([user("my email is zoe@acme-legal.com, please get in touch", intent="share_contact")])
    events = await run(ActionHandoff(), dispatcher, tracker, domain)
    assert as_dict(events)["lead_email"] == "zoe@acme-legal.com"
    assert [m.get("response") for m in dispatcher.messages] == ["utter_offer_specialist"]
    assert ("lead_offered", None) in kinds(store)
    assert store.list_leads() == []  # nothing is stored before consent


async def test_asking_for_a_person_after_giving_details_updates_them(make_tracker, dispatcher, domain, store):
    store.upsert_lead("test-user", {"role": "CEO", "consent": True})
    tracker = make_tracker(
        [user("actually my role is COO", intent="share_contact")],
        slots={**ADVISED, **CONTACT, "lead_consent": True, "lead_status": "captured"},
    )
    events = await run(ActionHandoff(), dispatcher, tracker, domain)
    assert as_dict(events)["lead_role"] == "COO"
    assert store.get_lead("test-user")["role"] == "COO"
    assert [m.get("text") for m in dispatcher.messages] == ["Thanks, I've updated your role for the specialist."]


async def test_declining_the_offer_stores_nothing(make_tracker, dispatcher, domain, store):
    tracker = make_tracker([user("no thanks", intent="deny")], slots=ADVISED)
    events = await run(ActionDeclineLead(), dispatcher, tracker, domain)
    assert as_dict(events) == {**dict.fromkeys(LEAD_SLOTS), "lead_status": "declined"}
    assert dispatcher.messages[0]["response"] == "utter_lead_offer_declined"
    assert kinds(store) == [("lead_declined", None)]
    assert store.list_leads() == []


async def test_declining_after_volunteering_details_drops_them(make_tracker, dispatcher, domain, store):
    """ "I haven't taken any contact details" is true: an email given before the offer is dropped."""
    tracker = make_tracker(
        [user("no thanks", intent="deny")],
        slots={**ADVISED, "lead_email": "zoe@acme-legal.com", "lead_full_name": "Zoë"},
    )
    events = as_dict(await run(ActionDeclineLead(), dispatcher, tracker, domain))
    assert events["lead_email"] is None and events["lead_full_name"] is None
    assert events["lead_status"] == "declined"  # the tracker store erases them from the stored events
    assert dispatcher.messages[0]["response"] == "utter_lead_offer_declined"


def test_the_tracker_store_erases_what_these_actions_ask_for(domain):
    """serving/erasure.py names the same contact slots and reads the statuses these actions set."""
    from serving import erasure

    assert set(erasure.CONTACT_SLOTS) == set(FIELDS)
    statuses = next(slot for slot in domain.slots if slot.name == erasure.STATUS_SLOT).values
    assert set(erasure.SCOPES) == {value for value in statuses if value != "captured" and not value.startswith("__")}
    assert erasure.SCOPES[ActionDeleteLeadData.status] == erasure.EVERYTHING
    assert erasure.SCOPES[ActionWithdrawConsent.status] == erasure.CONTACT_DETAILS


# --- the form ----------------------------------------------------------------------------


async def test_fact_extraction_is_off_while_contact_details_are_given(make_tracker, dispatcher, domain):
    tracker = make_tracker(
        [user("Head of HR and payroll at Acme", intent="share_contact")],
        slots={**ADVISED, "requested_slot": "lead_role"},
        form="lead_form",
    )
    assert await run(ActionExtractFacts(), dispatcher, tracker, domain) == []


async def validate(make_tracker, dispatcher, domain, slot, text, intent="share_contact", slots=None):
    """Run validate_lead_form as Rasa does: the from_text candidate follows the user message."""
    tracker = make_tracker(
        [user(text, intent=intent), ActionExecuted("lead_form"), SlotSet(slot, text)],
        slots={**ADVISED, **(slots or {}), "requested_slot": slot},
        form="lead_form",
    )
    return as_dict(await run(ValidateLeadForm(), dispatcher, tracker, domain))


@pytest.mark.parametrize(
    "slot, text",
    [
        ("lead_full_name", "山田 太郎"),
        ("lead_full_name", "Zoë 🦄 O'Brien"),
        ("lead_full_name", "Robert'); DROP TABLE leads;--"),
        ("lead_full_name", "Мария Иванова"),
        ("lead_company", "<script>alert('x')</script> & Co"),
        ("lead_company", '=HYPERLINK("http://evil")'),
        ("lead_role", "<b>Head</b> of Ops"),
        ("lead_company_size", "about 2k people 👥"),
        ("lead_timeline", "'; DELETE FROM leads; --"),
    ],
)
async def test_odd_answers_are_kept_exactly_as_typed(make_tracker, dispatcher, domain, slot, text):
    assert await validate(make_tracker, dispatcher, domain, slot, text) == {slot: text}
    assert dispatcher.messages == []


@pytest.mark.parametrize(
    "slot, text, message",
    [
        ("lead_full_name", "x" * 10_000, "10,000 characters long"),
        ("lead_full_name", "   ", "Please tell me your name"),
        ("lead_full_name", "/affirm", "in words"),
        ("lead_company", "A" * 500, "500 characters"),
        ("lead_role", "CEO\x00", "on one line"),
        ("lead_email", "jane at acme", "has no @"),
        ("lead_email", "jane@acme", "incomplete"),
        ("lead_email", "jane@@acme.com", "more than one @"),
    ],
)
async def test_unusable_answers_are_explained_and_asked_again(make_tracker, dispatcher, domain, slot, text, message):
    assert await validate(make_tracker, dispatcher, domain, slot, text, intent="nlu_fallback") == {slot: None}
    assert message in dispatcher.messages[0]["text"]


async def test_a_free_mail_address_is_accepted_but_noted(make_tracker, dispatcher, domain):
    slots = await validate(make_tracker, dispatcher, domain, "lead_email", "zoe.obrien@GMail.com")
    assert slots == {"lead_email": "zoe.obrien@gmail.com"}
    assert "personal address" in dispatcher.messages[0]["text"]


async def test_an_email_in_a_sentence_is_picked_out(make_tracker, dispatcher, domain):
    slots = await validate(make_tracker, dispatcher, domain, "lead_email", "sure, it's zoe@acme-legal.com thanks")
    assert slots == {"lead_email": "zoe@acme-legal.com"}
    assert dispatcher.messages == []


async def test_an_email_given_with_the_name_fills_both(make_tracker, dispatcher, domain):
    slots = await validate(make_tracker, dispatcher, domain, "lead_full_name", "Zoë O'Brien, zoe@acme-legal.com")
    assert slots == {"lead_full_name": "Zoë O'Brien", "lead_email": "zoe@acme-legal.com"}


async def test_a_correction_of_an_earlier_answer_changes_it_and_asks_the_question_again(
    make_tracker, dispatcher, domain
):
    slots = await validate(
        make_tracker,
        dispatcher,
        domain,
        "lead_role",
        "sorry, my company is actually Globex",
        intent="inform",
        slots={"lead_company": "Acme Legal"},
    )
    assert slots == {"lead_company": "Globex", "lead_role": None}
    assert dispatcher.messages[0]["text"] == "Thanks, I've updated your company."


async def test_a_correction_before_consent_updates_the_summary(make_tracker, dispatcher, domain):
    slots = await validate(
        make_tracker,
        dispatcher,
        domain,
        "lead_consent",
        "change my email to zoe@globex.com",
        intent="share_contact",
        slots=CONTACT,
    )
    assert slots == {"lead_email": "zoe@globex.com", "lead_consent": None}


async def test_stop_in_the_middle_ends_the_form_without_consent(make_tracker, dispatcher, domain):
    slots = await validate(make_tracker, dispatcher, domain, "lead_company", "no thanks", intent="deny")
    assert slots == {"lead_company": None, "lead_consent": False, "requested_slot": None}


async def test_a_question_is_answered_and_not_taken_as_the_answer(make_tracker, dispatcher, domain):
    slots = await validate(make_tracker, dispatcher, domain, "lead_company", "what is KPO?", intent="ask_knowledge")
    assert slots == {"lead_company": None}
    assert "KPO" in dispatcher.messages[0]["text"]


@pytest.mark.parametrize(
    "text, intent, expected",
    [
        ("/affirm", "affirm", True),
        ("yes, I agree", "affirm", True),
        ("ok", "nlu_fallback", True),
        ("/deny", "deny", False),
        ("no", "deny", False),
        ("maybe later", "nlu_fallback", None),
        ("I don't know", "dont_know", None),
    ],
)
async def test_consent_needs_a_clear_yes_or_no(make_tracker, dispatcher, domain, text, intent, expected):
    slots = await validate(make_tracker, dispatcher, domain, "lead_consent", text, intent=intent, slots=CONTACT)
    assert slots == {"lead_consent": expected}
    assert (dispatcher.messages != []) is (expected is None)


async def test_details_known_before_the_form_asked_are_checked_quietly(make_tracker, dispatcher, domain):
    tracker = make_tracker(
        [user("yes", intent="affirm"), SlotSet("lead_email", "zoe@acme-legal.com")],
        slots={**ADVISED, "lead_email": "zoe@acme-legal.com"},
        form="lead_form",
    )
    events = await run(ValidateLeadForm(), dispatcher, tracker, domain)
    assert as_dict(events) == {"lead_email": "zoe@acme-legal.com"}
    assert dispatcher.messages == []


async def test_the_consent_question_shows_the_details_exactly_as_typed(make_tracker, dispatcher, domain):
    odd = {**CONTACT, "lead_company": "<b>Acme</b> {lead_email}", "lead_full_name": "山田 太郎"}
    await run(ActionAskLeadConsent(), dispatcher, make_tracker([], slots={**ADVISED, **odd}), domain)
    text = dispatcher.messages[0]["text"]
    assert "• Company: <b>Acme</b> {lead_email}" in text
    assert "• Name: 山田 太郎" in text
    assert "my advice: KPO" in text
    assert [b["payload"] for b in dispatcher.messages[0]["buttons"]] == ["/affirm", "/deny"]


# --- storing ----------------------------------------------------------------------------


async def test_with_consent_the_lead_is_scored_stored_and_handed_to_sales(
    make_tracker, dispatcher, domain, store, notified
):
    tracker = make_tracker([], slots={**ADVISED, **CONTACT, "lead_consent": True})
    events = as_dict(await run(ActionSubmitLead(), dispatcher, tracker, domain))
    await lead_record.wait_for_notifications()
    lead = store.get_lead("test-user")
    assert (lead["full_name"], lead["email"], lead["company"]) == (
        "Zoë O'Brien-Ünal",
        "zoe@acme-legal.com",
        "Acme Legal",
    )
    assert lead["consent"] is True and lead["consent_at"] is not None
    assert lead["recommendation"] == "kpo"
    assert lead["recommendation_reasons"] == ["Legal services is KPO work."]
    assert lead["answers"]["tasks"] == ["legal_services", "market_research"]
    assert lead["answers"]["expertise_gap"] is True
    assert lead["answers"]["company_size_band"] == "51-200"
    expected = score_from_lead(lead)
    assert (events["lead_tier"], events["lead_score"]) == (expected.tier, expected.score) == ("hot", 91)
    assert events["lead_status"] == "captured"
    assert ("lead_captured", None) in kinds(store)
    assert [n["email"] for n in notified] == ["zoe@acme-legal.com"]
    said = texts(dispatcher)
    assert "Zoë O'Brien-Ünal" in said and "zoe@acme-legal.com" in said
    assert "91" not in said and "hot" not in said.lower() and "score" not in said.lower()


async def test_without_consent_nothing_personal_is_stored(make_tracker, dispatcher, domain, store, notified, lead_env):
    tracker = make_tracker([], slots={**ADVISED, **CONTACT, "lead_consent": False})
    events = as_dict(await run(ActionSubmitLead(), dispatcher, tracker, domain))
    assert store.list_leads() == []
    assert kinds(store) == [("lead_declined", None)]
    assert all(events[slot] is None for slot in CONTACT)
    assert events["lead_status"] == "declined"
    assert dispatcher.messages[0]["response"] == "utter_lead_not_stored"
    assert notified == []
    stored = b"".join(p.read_bytes() for p in lead_env.iterdir() if p.is_file())
    assert b"acme-legal" not in stored and b"O'Brien" not in stored


async def test_database_down_the_lead_waits_in_the_outbox_and_the_user_gets_a_normal_answer(
    make_tracker, dispatcher, domain, notified, lead_env, monkeypatch
):
    with socket.socket() as sock:  # a loopback port nothing listens on: connection refused
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setenv("LEADS_DB_URL", f"postgresql+psycopg2://nobody@127.0.0.1:{port}/leads")
    monkeypatch.setenv("LEADS_DB_CONNECT_TIMEOUT", "1")
    tracker = make_tracker([], slots={**ADVISED, **CONTACT, "lead_consent": True})
    events = as_dict(await run(ActionSubmitLead(), dispatcher, tracker, domain))
    await lead_record.wait_for_notifications()
    assert events["lead_status"] == "captured"
    assert dispatcher.messages[0]["text"].startswith("Thank you, Zoë O'Brien-Ünal!")
    entries = [json.loads(line) for line in (lead_env / "outbox.jsonl").read_text().splitlines()]
    assert [e.get("kind") or e["type"] for e in entries] == ["lead", "lead_captured"]
    assert entries[0]["changes"]["email"] == "zoe@acme-legal.com"
    assert len(notified) == 1  # sales still hears about it


# --- privacy ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "action, status, response",
    [
        (ActionWithdrawConsent(), "withdrawn", "utter_consent_withdrawn"),
        (ActionDeleteLeadData(), "deleted", "utter_lead_data_deleted"),
    ],
)
async def test_withdrawing_consent_or_deleting_erases_the_lead(
    make_tracker, dispatcher, domain, store, notified, action, status, response
):
    captured = make_tracker([], slots={**ADVISED, **CONTACT, "lead_consent": True})
    await run(ActionSubmitLead(), CollectingDispatcher(), captured, domain)
    assert store.get_lead("test-user") is not None
    tracker = make_tracker(
        [user("I withdraw my consent", intent="withdraw_consent")],
        slots={**ADVISED, **CONTACT, "lead_consent": True, "lead_status": "captured"},
    )
    events = as_dict(await run(action, dispatcher, tracker, domain))
    assert store.get_lead("test-user") is None
    assert all(events[slot] is None for slot in (*CONTACT, "lead_consent", "lead_tier", "lead_score"))
    assert events["lead_status"] == status
    assert dispatcher.messages[0]["response"] == response
    # the funnel keeps its counts, not the link to the person
    assert {e["conversation_id"] for e in store.list_events()} != {"test-user"}


@pytest.mark.parametrize("channel, forgets", [("socketio", True), ("rest", False), ("slack", False)])
async def test_the_web_widget_is_told_to_forget_the_transcript(
    make_tracker, dispatcher, domain, store, channel, forgets
):
    message = UserUttered("delete my data", intent={"name": "delete_my_data", "confidence": 1.0}, input_channel=channel)
    tracker = make_tracker([message], slots={**ADVISED, **CONTACT})
    await run(ActionDeleteLeadData(), dispatcher, tracker, domain)
    assert dispatcher.messages[0]["response"] == "utter_lead_data_deleted"
    custom = [m["custom"] for m in dispatcher.messages if m.get("custom")]
    assert custom == ([{"data": {"forget_history": True}}] if forgets else [])


async def test_withdrawing_in_the_middle_of_the_form_stops_it(make_tracker, dispatcher, domain, store):
    tracker = make_tracker(
        [user("stop contacting me", intent="withdraw_consent")],
        slots={**ADVISED, "lead_full_name": "Zoë", "requested_slot": "lead_email"},
        form="lead_form",
    )
    events = await run(ActionWithdrawConsent(), dispatcher, tracker, domain)
    assert {"event": "active_loop", "timestamp": None, "name": None} in events
    assert as_dict(events)["lead_full_name"] is None
    assert [k for k, _ in kinds(store)] == ["lead_declined"]
    assert store.list_leads() == []


async def test_a_lead_the_store_refuses_is_reported_not_crashed(make_tracker, dispatcher, domain, store, monkeypatch):
    def refuse(**_: object) -> None:
        raise ValueError("full_name contains a NUL character, which cannot be stored")

    monkeypatch.setattr(lead_record, "save_lead", refuse)
    tracker = make_tracker([], slots={**ADVISED, **CONTACT, "lead_consent": True})
    assert await run(ActionSubmitLead(), dispatcher, tracker, domain) == []
    assert dispatcher.messages[0]["response"] == "utter_lead_store_failed"
    assert ("lead_captured", None) not in kinds(store)
