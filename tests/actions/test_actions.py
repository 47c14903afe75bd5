"""Custom actions run against real trackers with a CollectingDispatcher."""

from __future__ import annotations

import pytest
from rasa.shared.core.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.advice import ActionExplainWhy, ActionRecommend, ActionTradeoffs, ActionWhatIf
from actions.conversation import ActionClarify, ActionHandoff, ActionStartOver
from actions.extract import ActionExtractFacts
from actions.form import ValidateAdvisorForm
from actions.knowledge import ActionAnswerQuestion
from tests.support.actions_testkit import KPO_SLOTS, as_dict, user

FULL_BPO = {
    "tasks": ["hr_payroll"],
    "budget_level": "tight",
    "in_house_expertise": "yes",
    "goals": ["cost_reduction"],
}


async def run(action, dispatcher, tracker, domain):
    return await action.run(dispatcher, tracker, domain.as_dict())


async def test_extraction_fills_every_fact_from_an_opening_message(make_tracker, dispatcher, domain):
    tracker = make_tracker(
        [
            user(
                "Hi! We need payroll and a competitor analysis, about 8k dollars a month, "
                "we have no market research expertise in-house and want better decisions",
                intent="greet",
            )
        ]
    )
    slots = as_dict(await run(ActionExtractFacts(), dispatcher, tracker, domain))
    assert slots["tasks"] == ["hr_payroll", "market_research"]
    assert (slots["budget_amount"], slots["budget_currency"], slots["budget_period"]) == (8000.0, "USD", "month")
    assert slots["budget_level"] == "moderate"
    assert slots["in_house_expertise"] == "no"
    assert "strategic_decisions" in slots["goals"]
    assert slots["new_facts"] is True


async def test_extraction_ignores_the_words_of_a_knowledge_question(make_tracker, dispatcher, domain):
    tracker = make_tracker(
        [user("is payroll BPO or KPO?", intent="ask_knowledge")],
        slots={"requested_slot": "budget_level"},
        form="advisor_form",
    )
    assert as_dict(await run(ActionExtractFacts(), dispatcher, tracker, domain)) == {}


async def test_extraction_never_changes_facts_for_a_what_if(make_tracker, dispatcher, domain):
    tracker = make_tracker(
        [user("what if our budget were bigger?", intent="ask_what_if")], slots={**FULL_BPO, "recommendation": "bpo"}
    )
    assert as_dict(await run(ActionExtractFacts(), dispatcher, tracker, domain)) == {}


async def test_dont_know_fills_the_requested_slot_with_unknown(make_tracker, dispatcher, domain):
    tracker = make_tracker(
        [user("no idea honestly", intent="dont_know")],
        slots={"tasks": ["data_entry"], "requested_slot": "budget_level"},
        form="advisor_form",
    )
    assert as_dict(await run(ActionExtractFacts(), dispatcher, tracker, domain))["budget_level"] == "unknown"


async def test_button_payload_sets_slots_and_tight_budget_means_cost_first(make_tracker, dispatcher, domain):
    payload = [{"entity": "budget_level", "value": "tight"}]
    tracker = make_tracker(
        [user('/inform{"budget_level": "tight"}', entities=payload)],
        slots={"tasks": ["data_entry"], "requested_slot": "budget_level"},
        form="advisor_form",
    )
    slots = as_dict(await run(ActionExtractFacts(), dispatcher, tracker, domain))
    assert slots["budget_level"] == "tight"
    assert slots["cost_priority"] is True
    assert "cost_reduction" in slots["goals"]


async def test_correction_moves_budget_up_and_negation_removes_a_task(make_tracker, dispatcher, domain):
    tracker = make_tracker(
        [user("actually our budget is bigger, and we don't need payroll after all")],
        slots={"tasks": ["hr_payroll", "legal_services"], "budget_level": "tight"},
    )
    slots = as_dict(await run(ActionExtractFacts(), dispatcher, tracker, domain))
    assert slots["budget_level"] == "moderate"
    assert slots["tasks"] == ["legal_services"]


async def test_a_huge_message_is_read_up_to_the_limit(make_tracker, dispatcher, domain):
    text = "We need payroll. " + "blah " * 5000
    events = await run(ActionExtractFacts(), dispatcher, make_tracker([user(text)]), domain)
    assert as_dict(events)["tasks"] == ["hr_payroll"]


async def test_form_asks_for_coverage_only_for_customer_facing_work(make_tracker, dispatcher, domain):
    form = ValidateAdvisorForm()
    slots = ["tasks", "budget_level", "in_house_expertise", "goals"]
    support = make_tracker([], slots={"tasks": ["customer_support"]})
    payroll = make_tracker([], slots={"tasks": ["hr_payroll"]})
    assert "coverage" in await form.required_slots(slots, dispatcher, support, domain.as_dict())
    assert "coverage" not in await form.required_slots(slots, dispatcher, payroll, domain.as_dict())


async def test_unclear_task_answer_gets_the_follow_up_question_with_working_buttons(domain):
    from rasa.core.nlg import TemplatedNaturalLanguageGenerator
    from rasa.shared.core.events import SlotSet
    from rasa.shared.core.trackers import DialogueStateTracker

    nlg = TemplatedNaturalLanguageGenerator(domain.responses)
    plain = DialogueStateTracker.from_events("s", [SlotSet("requested_slot", "tasks")], domain.slots)
    unclear = DialogueStateTracker.from_events(
        "s", [SlotSet("requested_slot", "tasks"), SlotSet("unclear_task", "some blockchain stuff")], domain.slots
    )
    first = await nlg.generate("utter_ask_tasks", plain, "rest")
    follow_up = await nlg.generate("utter_ask_tasks", unclear, "rest")
    assert first["text"].startswith("What work would you like to hand off?") and not first.get("buttons")
    assert follow_up["text"].startswith("I'm not sure how to classify that")
    assert [b["payload"] for b in follow_up["buttons"]] == [
        '/inform{"nature": "routine"}',
        '/inform{"nature": "expert"}',
        '/inform{"nature": "both"}',
    ]


async def test_every_question_has_quick_replies_that_parse_as_facts(domain):
    """The form's questions are domain responses; their payloads must survive Rasa's templating."""
    import json

    from rasa.core.nlg import TemplatedNaturalLanguageGenerator
    from rasa.shared.core.events import SlotSet
    from rasa.shared.core.trackers import DialogueStateTracker

    nlg = TemplatedNaturalLanguageGenerator(domain.responses)
    tracker = DialogueStateTracker.from_events("s", [SlotSet("tasks", ["customer_support"])], domain.slots)
    for slot in ("budget_level", "in_house_expertise", "goals", "coverage"):
        reply = await nlg.generate(f"utter_ask_{slot}", tracker, "rest")
        assert len(reply["buttons"]) >= 3, slot
        for button in reply["buttons"]:
            assert button["payload"].startswith("/inform{")
            assert slot in json.loads(button["payload"][len("/inform") :])


async def test_an_unreadable_answer_is_asked_again_then_marked_unknown(make_tracker, dispatcher, domain):
    base = {"tasks": ["data_entry"], "requested_slot": "budget_level"}
    first = await run(
        ActionExtractFacts(),
        dispatcher,
        make_tracker([user("hmm, purple elephants")], slots=base, form="advisor_form"),
        domain,
    )
    assert as_dict(first) == {"retry_slot": "budget_level:1"}
    second = await run(
        ActionExtractFacts(),
        dispatcher,
        make_tracker(
            [user("purple elephants again")], slots={**base, "retry_slot": "budget_level:1"}, form="advisor_form"
        ),
        domain,
    )
    assert as_dict(second) == {"budget_level": "unknown", "retry_slot": None, "new_facts": True}


async def test_clarify_in_the_form_repeats_the_question(make_tracker, dispatcher, domain):
    tracker = make_tracker(
        [user("🙂", intent="nlu_fallback", confidence=0.2)],
        slots={"tasks": ["data_entry"], "requested_slot": "coverage"},
        form="advisor_form",
    )
    await run(ActionClarify(), dispatcher, tracker, domain)
    assert [m.get("response") for m in dispatcher.messages] == [None, "utter_ask_coverage"]


@pytest.mark.parametrize(
    "slots, expected",
    [
        (FULL_BPO, "bpo"),
        (
            {
                "tasks": ["legal_services"],
                "budget_level": "flexible",
                "in_house_expertise": "no",
                "goals": ["strategic_decisions"],
            },
            "kpo",
        ),
        (
            {
                "tasks": ["customer_support", "financial_analysis"],
                "budget_level": "moderate",
                "in_house_expertise": "partial",
                "goals": ["scalability"],
                "coverage": "24/7",
            },
            "hybrid",
        ),
    ],
)
async def test_recommend_sets_the_recommendation_slot_and_explains(make_tracker, dispatcher, domain, slots, expected):
    events = await run(ActionRecommend(), dispatcher, make_tracker([], slots=slots), domain)
    assert as_dict(events)["recommendation"] == expected
    text = dispatcher.messages[0]["text"]
    assert text.startswith("My recommendation:")
    assert "Why:" in text


async def test_recommend_says_when_nothing_changed(make_tracker, dispatcher, domain):
    first = await run(ActionRecommend(), dispatcher, make_tracker([], slots=FULL_BPO), domain)
    details = as_dict(first)["recommendation_details"]
    tracker = make_tracker([], slots={**FULL_BPO, "recommendation": "bpo", "recommendation_details": details})
    again = CollectingDispatcher()
    assert await run(ActionRecommend(), again, tracker, domain) == []
    assert again.messages[0]["text"] == "Nothing you've told me changes the advice: BPO."


async def test_recommend_notes_a_fact_that_leaves_the_advice_as_it_was(make_tracker, dispatcher, domain):
    hybrid = {"tasks": ["hr_payroll", "market_research"], "budget_level": "moderate", "in_house_expertise": "no"}
    first = as_dict(await run(ActionRecommend(), dispatcher, make_tracker([], slots=hybrid), domain))
    slots = {**hybrid, **first, "coverage": "business_hours"}  # "business hours", typed after the advice
    again = CollectingDispatcher()
    events = as_dict(await run(ActionRecommend(), again, make_tracker([], slots=slots), domain))
    texts = [m.get("text") or m.get("response") for m in again.messages]
    assert texts[0].startswith("Noted: business hours are enough") and "it stays a hybrid" in texts[0]
    assert texts[1:] == ["utter_after_recommendation", "utter_offer_specialist"]
    assert not [m for m in again.messages if m.get("custom")]  # no card: the advice is not sent again
    assert "recommendation" not in events
    assert events["recommendation_details"]["profile"]["coverage"] == "business_hours"


async def test_why_explains_the_question_inside_the_form(make_tracker, dispatcher, domain):
    tracker = make_tracker(
        [user("why do you ask?", intent="ask_why")], slots={"requested_slot": "budget_level"}, form="advisor_form"
    )
    await run(ActionExplainWhy(), dispatcher, tracker, domain)
    assert "budget" in dispatcher.messages[0]["text"].lower()


async def test_why_after_advice_lists_the_reasons(make_tracker, dispatcher, domain):
    tracker = make_tracker([user("why?", intent="ask_why")], slots={**FULL_BPO, "recommendation": "bpo"})
    await run(ActionExplainWhy(), dispatcher, tracker, domain)
    assert "routine" in dispatcher.messages[0]["text"]


async def test_what_if_expertise_changes_nothing_for_routine_work_but_says_so(make_tracker, dispatcher, domain):
    tracker = make_tracker(
        [user("what if our budget were bigger?", intent="ask_what_if")], slots={**FULL_BPO, "recommendation": "bpo"}
    )
    await run(ActionWhatIf(), dispatcher, tracker, domain)
    assert dispatcher.messages[0]["text"].startswith("It would still be BPO")


async def test_what_if_only_payroll_switches_a_hybrid_to_bpo(make_tracker, dispatcher, domain):
    hybrid = {"tasks": ["hr_payroll", "market_research"], "goals": ["cost_reduction"], "recommendation": "hybrid"}
    slots = {**KPO_SLOTS, "budget_level": "moderate", **hybrid}
    tracker = make_tracker([user("what if we only needed payroll?", intent="ask_what_if")], slots=slots)
    await run(ActionWhatIf(), dispatcher, tracker, domain)
    assert "to BPO" in dispatcher.messages[0]["text"]


async def test_tradeoffs_of_the_other_option(make_tracker, dispatcher, domain):
    tracker = make_tracker([], slots={**FULL_BPO, "recommendation": "bpo"})
    await run(ActionTradeoffs(), dispatcher, tracker, domain)
    assert dispatcher.messages[0]["text"].startswith("KPO trade-offs")


async def test_knowledge_answer_classifies_a_named_task(make_tracker, dispatcher, domain):
    tracker = make_tracker([user("is legal research bpo or kpo?", intent="ask_knowledge")])
    await run(ActionAnswerQuestion(), dispatcher, tracker, domain)
    assert "Legal services is KPO" in dispatcher.messages[0]["text"]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("", "didn't receive any text"),
        ("🙂🙂🙂", "emoji"),
        ("<script>alert(1)</script>", "plain text"),
        ("Necesitamos externalizar la nómina para nuestra empresa", "English"),
    ],
)
async def test_clarify_answers_odd_input_politely(make_tracker, dispatcher, domain, text, expected):
    tracker = make_tracker([user(text, intent="nlu_fallback", confidence=0.2)])
    events = await run(ActionClarify(), dispatcher, tracker, domain)
    assert events == [{"event": "followup", "timestamp": None, "name": "action_listen"}]
    assert expected in dispatcher.messages[0]["text"]


async def test_clarify_offers_the_likeliest_meanings_as_buttons(make_tracker, dispatcher, domain):
    event = user("hmm maybe", intent="nlu_fallback", confidence=0.3)
    event.parse_data["intent_ranking"] = [
        {"name": "nlu_fallback", "confidence": 0.45},
        {"name": "ask_knowledge", "confidence": 0.3},
        {"name": "request_human", "confidence": 0.2},
    ]
    await run(ActionClarify(), dispatcher, make_tracker([event]), domain)
    titles = [b["title"] for b in dispatcher.messages[0]["buttons"]]
    assert titles[:2] == ["Explain BPO vs KPO", "Talk to a specialist"]


async def test_start_over_clears_answers_and_stops_the_form(make_tracker, dispatcher, domain):
    tracker = make_tracker([], slots=FULL_BPO, form="advisor_form")
    events = await run(ActionStartOver(), dispatcher, tracker, domain)
    assert {"event": "reset_slots", "timestamp": None} in events
    assert any(e.get("event") == "active_loop" and e.get("name") is None for e in events)


async def test_handoff_keeps_the_answers(make_tracker, dispatcher, domain):
    tracker = make_tracker(
        [user("can I talk to a person?", intent="request_human")], slots=FULL_BPO, form="advisor_form"
    )
    events = await run(ActionHandoff(), dispatcher, tracker, domain)
    assert not any(e.get("event") == "reset_slots" for e in events)
    assert "saved" in dispatcher.messages[0]["text"]


async def test_an_answer_that_sounds_like_a_handoff_request_continues_the_form(make_tracker, dispatcher, domain):
    tracker = make_tracker(
        [user("specialist stuff really", intent="request_human"), SlotSet("tasks", ["expert_analysis"])],
        slots={"requested_slot": "tasks", "unclear_task": "blockchain"},
        form="advisor_form",
    )
    events = await run(ActionHandoff(), dispatcher, tracker, domain)
    assert events == [{"event": "followup", "timestamp": None, "name": "advisor_form"}]
    assert dispatcher.messages == []


@pytest.mark.parametrize(
    "text, intent",
    [("Convince investors.", "start_over"), ("Our clerks could do the invoices if they had time", "ask_what_if")],
)
async def test_a_statement_during_a_question_is_an_answer_whatever_its_intent(
    make_tracker, dispatcher, domain, text, intent
):
    tracker = make_tracker(
        [user(text, intent=intent)],
        slots={"tasks": ["financial_analysis"], "requested_slot": "goals"},
        form="advisor_form",
    )
    slots = as_dict(await run(ActionExtractFacts(), dispatcher, tracker, domain))
    assert slots.get("goals") == ["unknown"] or "retry_slot" in slots


async def test_an_explicit_start_over_during_a_question_is_not_read_as_an_answer(make_tracker, dispatcher, domain):
    tracker = make_tracker(
        [user("let's start over", intent="start_over")],
        slots={"tasks": ["financial_analysis"], "requested_slot": "goals"},
        form="advisor_form",
    )
    assert as_dict(await run(ActionExtractFacts(), dispatcher, tracker, domain)) == {}


def _after_the_offer(*turns: tuple[str, str, str]) -> list:
    """The advice with its specialist offer, then (user text, intent, action answering it) turns."""
    from rasa.shared.core.events import ActionExecuted, BotUttered

    events: list = [
        ActionExecuted("action_recommend"),
        BotUttered("Would you like one of our specialists ...", metadata={"utter_action": "utter_offer_specialist"}),
        ActionExecuted("action_listen"),
    ]
    for text, intent, action in turns:
        events += [user(text, intent=intent), ActionExecuted(action), ActionExecuted("action_listen")]
    return events


@pytest.mark.parametrize(("intent", "follows"), [("affirm", "lead_form"), ("deny", "action_decline_lead")])
async def test_a_lone_yes_or_no_answers_the_offer_still_open_after_a_question(
    make_tracker, dispatcher, domain, intent, follows
):
    from actions.conversation import ActionLoneAnswer

    events = _after_the_offer(("how much does that cost?", "ask_guidance", "action_answer_guidance"))
    tracker = make_tracker([*events, user("yes" if intent == "affirm" else "no", intent=intent)])
    result = await run(ActionLoneAnswer(), dispatcher, tracker, domain)
    assert [(e["event"], e.get("name")) for e in result] == [("followup", follows)]
    assert dispatcher.messages == []


@pytest.mark.parametrize(
    ("turns", "slots"),
    [
        # Too long ago: four messages since the offer.
        ([("how much?", "ask_guidance", "action_answer_guidance")] * 3, {}),
        # Already answered: the user said no, then asked something.
        (
            [
                ("no thanks", "deny", "action_decline_lead"),
                ("where should the provider be?", "ask_guidance", "action_answer_guidance"),
            ],
            {},
        ),
        # The details were given.
        ([("what is KPO?", "ask_knowledge", "action_answer_question")], {"lead_status": "captured"}),
    ],
)
async def test_a_lone_yes_with_no_open_offer_asks_what_else(make_tracker, dispatcher, domain, turns, slots):
    from actions.conversation import ActionLoneAnswer

    tracker = make_tracker([*_after_the_offer(*turns), user("yes", intent="affirm")], slots=slots)
    result = await run(ActionLoneAnswer(), dispatcher, tracker, domain)
    assert result == []
    assert [m.get("response") for m in dispatcher.messages] == ["utter_anything_else"]


@pytest.mark.parametrize(
    ("text", "name"),
    [("Jane Doe", "Jane Doe"), ("my email is jane@acme.com", None), ("talk to a human", None)],
)
async def test_details_typed_while_the_offer_waits_start_the_contact_questions(make_tracker, dispatcher, text, name):
    from actions.leads import handoff

    tracker = make_tracker([*_after_the_offer(), user(text, intent="share_contact")])
    events = as_dict(await handoff(dispatcher, tracker))
    assert events.get("lead_full_name") == name
    assert ("jane@acme.com" in text) == (events.get("lead_email") == "jane@acme.com")
    followups = [e.get("name") for e in await handoff(dispatcher, tracker) if e.get("event") == "followup"]
    assert followups == ["lead_form"]
    assert not any(m.get("response") == "utter_offer_specialist" for m in dispatcher.messages)
