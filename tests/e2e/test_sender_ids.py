"""Any sender id the REST channel accepts gets a whole conversation; the few it cannot keep get a 400.

Reported: an end-to-end conversation whose sender id held spaces (`e2e-business hours-1234`)
never reached the advice, and renamed without spaces it did. The conversation itself ran;
what failed was reading it back. Rasa 3.6's HTTP API did not percent-decode the id in
`/conversations/<id>/tracker`, so `rest:e2e-business%20hours-1234` was read: a conversation
of its own, empty, answered with 200. The same befell every id a URL must encode (other
scripts, quotes, `%`, `?`, `#`, control characters), and with them the sales console's
transcript of a lead and a rep's messages in a live hand-off, which go through that API
(serving/http_api.py now decodes the id). A NUL character or a lone surrogate in the sender
could not be kept at all: with a NUL the lead and brief of the conversation were lost on
SQLite, and on PostgreSQL the request got no answer (tests/ops/test_scale_out.py); a lone
surrogate answered 500. Both are refused with a 400 now (serving/channels.py,
`sender_problem`).

Each odd id here plays test_robustness's conversation to its advice over REST, reading the
tracker after every turn through the HTTP API with the id percent-encoded, as any client
(and web/sales.py) writes it.
"""

from __future__ import annotations

from typing import Any

import pytest
import requests

from leads.briefs import BriefStore
from leads.store import LeadStore
from tests.support.e2e_runner import PLAIN_BPO_ANSWERS, Conversation, Turn, run_conversation
from tests.support.lead_capture import CONTACT, capture, texts
from tests.support.stack import Stack, conversation, conversation_path, rest_headers

ODD_SENDERS = {
    "spaces": "e2e-business hours-1234",
    "other_scripts_and_emoji": "e2e-Zoë-Ünal-日本語-🙂",
    "slashes": "e2e/acme/team-1",
    "dot_dot": "../x",
    "quotes": "e2e-\"quoted\"-'single'",
    "url_delimiters": "e2e?x=1&y=2#top",
    "percent_escapes": "e2e%20not-a-space%2F",
    "backslash": "e2e\\team",
    "control_characters": "e2e\tline\nbreak\x7f\x85",
    "only_spaces": "   ",
    "right_to_left_override": "e2e-\u202eevil",
    "markup": "<script>alert(1)</script>",
    "sql": "x'; DROP TABLE events; --",
    "longest_accepted": "L" * 200,
}

REFUSED_SENDERS = {
    "empty": "",
    "one_too_long": "L" * 201,
    "500_characters": "L" * 500,
    "nul_character": "e2e\x00x",
    "lone_surrogate": "e2e-\ud800-x",
    "number": 1234,
    "null": None,
    "list": ["e2e"],
}

BPO_CONVERSATION = Conversation(
    id="odd_sender",
    description="a plain BPO conversation under an odd sender id",
    recommendation="bpo",
    turns=(Turn(say="We'd like to outsource payroll and customer support.", at=0),),
    answers=PLAIN_BPO_ANSWERS,
)


def post(stack: Stack, body: Any) -> requests.Response:
    return requests.post(
        f"{stack.rasa_url}/webhooks/rest/webhook", json=body, headers=rest_headers(stack.env), timeout=60
    )


@pytest.mark.parametrize("name", list(ODD_SENDERS), ids=list(ODD_SENDERS))
def test_an_odd_sender_id_gets_the_whole_conversation_and_its_tracker(stack: Stack, name: str) -> None:
    sender = ODD_SENDERS[name]
    outcome = run_conversation(stack, BPO_CONVERSATION, sender)
    assert outcome.error is None, outcome.render()
    assert outcome.actual == "bpo", outcome.render()
    for step in outcome.transcript:
        assert step["replies"], f"no reply to {step['user']!r}"
        assert {reply["recipient_id"] for reply in step["replies"]} == {sender}
    # The tracker read back is this conversation's, under the id as stored: every message sent.
    tracker = stack.tracker(sender)
    assert tracker["sender_id"] == conversation(sender)
    said = [event["text"] for event in tracker["events"] if event["event"] == "user"]
    assert said == [step["user"] for step in outcome.transcript]


def test_ids_that_differ_only_by_an_escape_are_two_conversations(stack: Stack) -> None:
    """`%20` in an id is three characters, not a space: each id reads back its own conversation."""
    escaped, spaced = "e2e-team%201", "e2e-team 1"
    post(stack, {"sender": escaped, "message": "We need payroll handled."}).raise_for_status()
    post(stack, {"sender": spaced, "message": "We need market research."}).raise_for_status()
    for sender, text in ((escaped, "We need payroll handled."), (spaced, "We need market research.")):
        tracker = stack.tracker(sender)
        assert tracker["sender_id"] == conversation(sender)
        assert [e["text"] for e in tracker["events"] if e["event"] == "user"] == [text]


def test_events_added_through_the_api_reach_the_odd_ids_conversation(stack: Stack) -> None:
    """As the live hand-off adds a rep's message (web/sales_handoff.py): to this conversation, none other."""
    sender = "e2e-hand off/Zoë's"
    post(stack, {"sender": sender, "message": "Hi"}).raise_for_status()
    response = requests.post(
        f"{stack.rasa_url}/conversations/{conversation_path(conversation(sender))}/tracker/events",
        params={"token": stack.token},
        json=[{"event": "bot", "text": "Sam from sales here."}],
        timeout=30,
    )
    assert response.status_code == 200, response.text
    assert response.json()["sender_id"] == conversation(sender)
    bot = [e["text"] for e in stack.tracker(sender)["events"] if e["event"] == "bot"]
    assert bot[-1] == "Sam from sales here."


@pytest.mark.parametrize("name", ["spaces_and_quotes", "slashes_and_scripts"])
def test_a_lead_under_an_odd_sender_id_is_stored_with_its_brief(stack: Stack, name: str) -> None:
    sender = {"spaces_and_quotes": 'acme "legal" team 7', "slashes_and_scripts": "acme/ünal/日本"}[name]
    turns = capture(stack, sender, "/affirm")
    assert f"Thank you, {CONTACT['lead_full_name']}!" in texts(turns[-1])
    store = LeadStore(path=stack.env["LEADS_DB_PATH"])
    try:
        lead = store.get_lead(conversation(sender))
        brief = BriefStore(store).for_conversation(conversation(sender))
    finally:
        store.dispose()
    assert lead is not None and lead["email"] == CONTACT["lead_email"]
    assert lead["recommendation"] == stack.tracker(sender)["slots"]["recommendation"]
    assert brief is not None, "the advice made no brief"


@pytest.mark.parametrize("name", list(REFUSED_SENDERS), ids=list(REFUSED_SENDERS))
def test_a_sender_id_no_store_can_keep_is_refused_with_a_400_that_says_why(stack: Stack, name: str) -> None:
    response = post(stack, {"sender": REFUSED_SENDERS[name], "message": "We need payroll handled."})
    assert response.status_code == 400, response.text
    assert "`sender` must" in response.json()["error"]
    # The server carries on with everyone else.
    assert post(stack, {"sender": f"e2e-after-{name}", "message": "Hi"}).json()


@pytest.mark.parametrize(
    "name, message, kept",
    [
        (
            "lone_surrogate",
            "We need payroll handled \ud83d for 40 staff.",
            "We need payroll handled \ufffd for 40 staff.",
        ),
        ("nul_character", "We need payroll\x00 handled.", "We need payroll\ufffd handled."),
    ],
)
def test_a_message_with_what_no_store_keeps_gets_a_real_answer(
    stack: Stack, name: str, message: str, kept: str
) -> None:
    """A lone surrogate (half an emoji, cut by a client) in the *text* made every turn fail in the
    tracker store: the visitor heard "I'm having trouble right now" each time. The channel now
    keeps the text, with U+FFFD for what no store can hold (serving/channels.py, `storable`)."""
    sender = f"e2e-unstorable-text-{name}"
    replies = post(stack, {"sender": sender, "message": message}).json()
    said = " ".join(reply.get("text", "") for reply in replies)
    assert replies and "having trouble" not in said, said
    tracker = stack.tracker(sender)
    assert "hr_payroll" in (tracker["slots"]["tasks"] or []), said  # read from the rest of the text
    assert [e["text"] for e in tracker["events"] if e["event"] == "user"] == [kept]
