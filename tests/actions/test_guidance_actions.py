"""Follow-up answers, the advice card and the brief, on real trackers with a real SQLite lead store.

Every test gets its own lead database (LEADS_* variables point into tmp_path).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rasa.shared.core.events import SlotSet, UserUttered
from rasa_sdk.executor import CollectingDispatcher

import actions.lead_record as lead_record
from actions.advice import ActionRecommend
from actions.extract import ActionExtractFacts
from actions.guidance import ActionAnswerGuidance
from actions.lead_record import advisor_answers
from actions.leads import ActionDeleteLeadData, ActionSubmitLead, ActionWithdrawConsent
from leads import BriefStore, LeadStore
from leads.briefs import TOKEN
from tests.support.actions_testkit import CONTACT_SLOTS, as_dict, user

PUBLIC = "https://advisor.example.com"
HYBRID = {
    "tasks": ["hr_payroll", "market_research"],
    "task_evidence": {"hr_payroll": ["run our payroll"], "market_research": ["competitor analysis"]},
    "budget_level": "moderate",
    "budget_amount": 8000.0,
    "budget_currency": "EUR",
    "budget_period": "month",
    "in_house_expertise": "no",
    "goals": ["strategic_decisions"],
}


@pytest.fixture(autouse=True)
def public_url(monkeypatch: pytest.MonkeyPatch) -> None:
    """Brief links point here (the lead store is the test's own: conftest's private_lead_store)."""
    monkeypatch.setenv("WEB_PUBLIC_URL", PUBLIC)


@pytest.fixture
def briefs(tmp_path: Path):
    store = LeadStore(path=tmp_path / "leads.db")
    yield BriefStore(store)
    store.dispose()


async def run(action, dispatcher, tracker, domain):
    return await action.run(dispatcher, tracker, domain.as_dict())


def texts(dispatcher: CollectingDispatcher) -> str:
    return "\n".join(m.get("text") or "" for m in dispatcher.messages)


async def advise(make_tracker, domain, slots=HYBRID) -> tuple[dict, CollectingDispatcher]:
    dispatcher = CollectingDispatcher()
    events = as_dict(await run(ActionRecommend(), dispatcher, make_tracker([], slots=slots), domain))
    return events, dispatcher


# --- the card and the brief ------------------------------------------------------------------


async def test_the_advice_comes_as_text_with_the_brief_link_and_a_card(make_tracker, domain, briefs):
    events, dispatcher = await advise(make_tracker, domain)
    advice = next(m for m in dispatcher.messages if m.get("custom"))
    card = advice["custom"]
    url = events["brief_url"]
    token = url.removeprefix(f"{PUBLIC}/brief/")
    assert TOKEN.fullmatch(token), url
    assert advice["text"].startswith("My recommendation: a hybrid of BPO and KPO")
    assert url in advice["text"] and "\n\n" not in advice["text"]
    assert card["type"] == "recommendation" and card["text"] == advice["text"]
    assert card["choice"] == "hybrid" and card["brief_url"] == url
    assert card["bpo_tasks"] and card["kpo_tasks"]
    stored = briefs.get(token)
    assert stored.conversation_id == "test-user"
    assert stored.content["choice"] == "hybrid"
    assert any("run our payroll" in r["text"] or "run our payroll" in r["quotes"] for r in stored.content["reasons"])


async def test_new_advice_updates_the_same_brief(make_tracker, domain, briefs):
    first, _ = await advise(make_tracker, domain)
    second, _ = await advise(make_tracker, domain, {**HYBRID, "tasks": ["hr_payroll"]})
    assert second["recommendation"] == "bpo"
    assert second["brief_url"] == first["brief_url"]
    assert briefs.get(first["brief_url"].rsplit("/", 1)[1]).content["choice"] == "bpo"


async def test_with_the_lead_database_down_the_advice_still_goes_out_without_a_link(make_tracker, domain, monkeypatch):
    monkeypatch.setenv("LEADS_DB_URL", "postgresql://nobody@127.0.0.1:1/none")
    monkeypatch.setenv("LEADS_DB_CONNECT_TIMEOUT", "1")
    events, dispatcher = await advise(make_tracker, domain)
    assert events["recommendation"] == "hybrid" and events["brief_url"] is None
    card = next(m["custom"] for m in dispatcher.messages if m.get("custom"))
    assert card["brief_url"] is None and all("url" not in b for b in card["buttons"])
    assert "/brief/" not in texts(dispatcher)


async def test_delete_my_data_deletes_the_brief_but_withdrawing_consent_keeps_it(make_tracker, domain, briefs):
    events, _ = await advise(make_tracker, domain)
    token = events["brief_url"].rsplit("/", 1)[1]
    slots = {**HYBRID, "recommendation": "hybrid", "brief_url": events["brief_url"]}
    withdraw = make_tracker([user("withdraw my consent", intent="withdraw_consent")], slots=slots)
    await run(ActionWithdrawConsent(), CollectingDispatcher(), withdraw, domain)
    assert briefs.get(token) is not None
    delete = make_tracker([user("delete my data", intent="delete_my_data")], slots=slots)
    erased = as_dict(await run(ActionDeleteLeadData(), CollectingDispatcher(), delete, domain))
    assert briefs.get(token) is None
    assert erased["brief_url"] is None and erased["lead_status"] == "deleted"


async def test_sales_gets_the_brief_with_the_lead(make_tracker, domain, monkeypatch):
    sent: list[dict] = []
    monkeypatch.setattr(lead_record, "queue_lead", lambda lead: sent.append(lead) or [])
    events, _ = await advise(make_tracker, domain)
    slots = {
        **HYBRID,
        **CONTACT_SLOTS,
        "recommendation": "hybrid",
        "lead_consent": True,
        "requirements": ["hipaa"],
        "company_region": "us",
        "customer_region": "us",
    }
    tracker = make_tracker([], slots=slots)
    await run(ActionSubmitLead(), CollectingDispatcher(), tracker, domain)
    await lead_record.wait_for_notifications()
    assert len(sent) == 1
    assert sent[0]["brief"]["url"] == events["brief_url"]
    assert sent[0]["brief"]["content"]["choice"] == "hybrid"
    answers = advisor_answers(tracker)
    assert answers["requirements"] == ["hipaa"]
    assert answers["company_region"] == "us" and answers["customer_region"] == "us"


# --- follow-up answers ------------------------------------------------------------------------


async def test_a_cost_question_in_the_form_is_answered_then_the_form_goes_on(make_tracker, dispatcher, domain):
    tracker = make_tracker(
        [user("how much would that cost?", intent="ask_cost")],
        slots={"tasks": ["customer_support"], "requested_slot": "budget_level"},
        form="advisor_form",
    )
    events = as_dict(await run(ActionAnswerGuidance(), dispatcher, tracker, domain))
    said = texts(dispatcher)
    assert "a month" in said and "$" in said, said
    assert dispatcher.messages[-1]["text"] == "Now, back to your situation:"
    assert events["guidance_topic"] is None  # the form's question comes next


async def test_a_statement_that_answers_the_form_is_no_question(make_tracker, dispatcher, domain):
    tracker = make_tracker(
        [user("cost isn't really an issue for us", intent="ask_cost"), SlotSet("budget_level", "flexible")],
        slots={"tasks": ["customer_support"], "requested_slot": "budget_level"},
        form="advisor_form",
    )
    events = await run(ActionAnswerGuidance(), dispatcher, tracker, domain)
    assert dispatcher.messages == []
    assert events == [{"event": "followup", "timestamp": None, "name": "advisor_form"}]


async def test_location_after_advice_asks_where_they_are_and_answers_again_with_it(make_tracker, domain):
    advised = {**HYBRID, "recommendation": "hybrid"}
    question = make_tracker([user("where should the provider be based?", intent="ask_location")], slots=advised)
    first = CollectingDispatcher()
    events = as_dict(await run(ActionAnswerGuidance(), first, question, domain))
    assert events["guidance_topic"] == "location"
    assert "Where is your company" in texts(first)

    reply = "We're a UK company and our customers are in Germany."
    answered = {**advised, "guidance_topic": "location"}
    read = as_dict(
        await run(ActionExtractFacts(), CollectingDispatcher(), make_tracker([user(reply)], slots=answered), domain)
    )
    assert read["company_region"] == "uk" and read["customer_region"] == "eu"
    assert read["guidance_followup"] is True

    again = CollectingDispatcher()
    followup = make_tracker(
        [user(reply)], slots={**answered, "company_region": "uk", "customer_region": "eu", "guidance_followup": True}
    )
    events = as_dict(await run(ActionAnswerGuidance(), again, followup, domain))
    said = texts(again)
    assert "UK" in said and "Where is your company" not in said
    assert "onshore" in said and "nearshore" in said and "offshore" in said
    assert events == {"guidance_topic": None}


async def test_an_unrelated_reply_drops_the_pending_place_question(make_tracker, domain):
    tracker = make_tracker([user("thanks", intent="thank")], slots={**HYBRID, "guidance_topic": "location"})
    read = as_dict(await run(ActionExtractFacts(), CollectingDispatcher(), tracker, domain))
    assert read["guidance_topic"] is None and "guidance_followup" not in read


async def test_a_data_question_keeps_the_regulated_data_it_names_and_names_the_rule(make_tracker, domain):
    question = "Is our patient data safe with an offshore provider?"
    tracker = make_tracker([user(question, intent="ask_data_rules")], slots={**HYBRID, "recommendation": "hybrid"})
    read = as_dict(await run(ActionExtractFacts(), CollectingDispatcher(), tracker, domain))
    assert read["requirements"], "patient data is a regulated-data fact"
    dispatcher = CollectingDispatcher()
    answered = make_tracker(
        [user(question, intent="ask_data_rules")],
        slots={**HYBRID, "recommendation": "hybrid", "requirements": read["requirements"]},
    )
    await run(ActionAnswerGuidance(), dispatcher, answered, domain)
    said = texts(dispatcher)
    assert "HIPAA" in said and "business associate agreement" in said
    assert "not legal advice" in said


async def test_a_contract_question_before_any_advice_lists_the_models(make_tracker, dispatcher, domain):
    tracker = make_tracker([UserUttered("fixed price or hourly?", intent={"name": "ask_contract", "confidence": 1})])
    await run(ActionAnswerGuidance(), dispatcher, tracker, domain)
    said = texts(dispatcher)
    for model in ("Fixed-price project", "Time and materials", "Managed service", "Dedicated team", "Outcome-based"):
        assert model in said
    assert "pilot" in said.lower()


@pytest.mark.parametrize(
    ("question", "intent"),
    [
        ("is it ok for an offshore team to access patient records", "ask_data_rules"),  # no question mark
        ("what do providers charge for payroll", "ask_cost"),
        ("is data entry bpo or kpo", "ask_knowledge"),
    ],
)
async def test_a_question_adds_no_work_to_the_company_s_tasks(make_tracker, domain, question, intent):
    tracker = make_tracker([user(question, intent=intent)], slots={"tasks": ["market_research"]})
    read = as_dict(await run(ActionExtractFacts(), CollectingDispatcher(), tracker, domain))
    assert "tasks" not in read, read
