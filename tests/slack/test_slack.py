"""Rasa's Slack channel against a fake Slack Web API (see tests/support/fake_slack.py), over real HTTP.

Events are built and signed the way Slack does (v0 HMAC-SHA256 of "v0:<timestamp>:<body>"
with the signing secret) and posted to /webhooks/slack/webhook; the replies the bot posts
with chat.postMessage are read back from the fake.

Knob for other models (e.g. a stock `rasa init` bot during development): SLACK_TEST_OPENING.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import time
import uuid
from typing import Any
from urllib.parse import urlencode

import requests

from advisor.texts import say
from serving.erasure import ERASED
from serving.guard import who
from tests.support import buyer
from tests.support.buyer import KPO_ANSWERS, KPO_OPENING
from tests.support.fake_slack import (
    PROXY_PASSWORD,
    SHARED_CHANNEL,
    SIGNING_SECRET,
    SLACK_TOKEN,
    FakeSlack,
    direct_channel_of,
)
from tests.support.stack import Stack, rest_headers

OPENING = os.environ.get(
    "SLACK_TEST_OPENING", "Hi, we need payroll and bookkeeping handled, budget is tight, about 2k a month"
)
BOT_USER = "UBOT0001"
TEAM = "T0000TEST"

TYPED_ANSWERS = [
    (("budget", "spend", "afford", "cost"), "It's tight, about 2,000 euros a month."),
    (("expertise", "in-house", "know-how", "experience"), "Yes, we know these processes well."),
    (("goal", "priorit", "achieve"), "Cutting costs."),
    (("coverage", "hours", "24/7"), "Business hours are enough."),
    (("task", "work", "process", "outsource"), "Payroll and bookkeeping."),
]


# ----------------------------------------------------------------- helpers


def unique(prefix: str) -> str:
    return prefix + uuid.uuid4().hex[:8].upper()


def sign(body: bytes, timestamp: int, secret: str = SIGNING_SECRET) -> str:
    base = f"v0:{timestamp}:".encode() + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def deliver(
    stack: Stack,
    body: bytes,
    content_type: str,
    timestamp: int | None = None,
    secret: str = SIGNING_SECRET,
    extra_headers: dict[str, str] | None = None,
) -> requests.Response:
    timestamp = int(time.time()) if timestamp is None else timestamp
    headers = {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": str(timestamp),
        "X-Slack-Signature": sign(body, timestamp, secret),
        "User-Agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
    }
    headers.update(extra_headers or {})
    return requests.post(f"{stack.rasa_url}/webhooks/slack/webhook", data=body, headers=headers, timeout=30)


def event_body(user: str, channel: str, text: str, kind: str = "message", channel_type: str = "im") -> bytes:
    ts = f"{time.time():.6f}"
    event: dict[str, Any] = {
        "type": kind,
        "user": user,
        "text": text,
        "ts": ts,
        "event_ts": ts,
        "channel": channel,
        "team": TEAM,
    }
    if kind == "message":
        event["channel_type"] = channel_type
    envelope = {
        "token": "legacy-verification-token-unused",
        "team_id": TEAM,
        "api_app_id": "A0000TEST",
        "event": event,
        "type": "event_callback",
        "event_id": unique("Ev"),
        "event_time": int(time.time()),
        "authorizations": [{"team_id": TEAM, "user_id": BOT_USER, "is_bot": True}],
    }
    return json.dumps(envelope).encode()


def send_event(stack: Stack, user: str, channel: str, text: str, **kwargs: Any) -> requests.Response:
    response = deliver(stack, event_body(user, channel, text, **kwargs), "application/json")
    assert response.status_code == 200, response.text
    return response


def click_button(stack: Stack, user: str, channel: str, message_ts: str, value: str) -> requests.Response:
    payload = {
        "type": "block_actions",
        "user": {"id": user, "team_id": TEAM},
        "team": {"id": TEAM},
        "channel": {"id": channel},
        "message": {"ts": message_ts, "type": "message"},
        "actions": [{"type": "button", "action_id": "a1", "block_id": "b1", "value": value, "action_ts": "1"}],
    }
    body = urlencode({"payload": json.dumps(payload)}).encode()
    response = deliver(stack, body, "application/x-www-form-urlencoded")
    assert response.status_code == 200, response.text
    return response


def button_posts(posts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [p for p in posts if any(block.get("type") == "actions" for block in p.get("blocks") or [])]


def stack_slots(stack: Stack, sender: str, channel: str = "slack") -> dict[str, Any]:
    return stack.tracker(sender, channel)["slots"]


def user_texts(stack: Stack, sender: str, channel: str = "slack") -> list[str]:
    """What `sender` said in their conversation on `channel` (ids are `slack:U...`, `rest:...`)."""
    return [e.get("text") for e in stack.tracker(sender, channel)["events"] if e["event"] == "user"]


def typed_answer(question: str) -> str:
    return buyer.typed_answer(question, TYPED_ANSWERS)


# ------------------------------------------------------------------- tests


def test_url_verification_challenge_is_answered(slack_stack: Stack) -> None:
    body = json.dumps({"token": "x", "challenge": "c-123-abc", "type": "url_verification"}).encode()
    response = deliver(slack_stack, body, "application/json")
    assert response.status_code == 200
    assert "c-123-abc" in response.text


def test_signed_message_gets_reply_with_block_kit_buttons(slack_stack: Stack, fake_slack: FakeSlack) -> None:
    user, channel = unique("U"), unique("D")
    send_event(slack_stack, user, channel, OPENING)
    assert fake_slack.wait_for(lambda: fake_slack.posts(channel)), "no reply posted to Slack"

    # Answer by text until the bot offers buttons (the advisor asks with buttons).
    for _ in range(6):
        if button_posts(fake_slack.posts(channel)):
            break
        seen = len(fake_slack.posts(channel))
        send_event(slack_stack, user, channel, typed_answer(fake_slack.posts(channel)[-1].get("text", "")))
        assert fake_slack.wait_for(lambda seen=seen: len(fake_slack.posts(channel)) > seen)
    with_buttons = button_posts(fake_slack.posts(channel))
    assert with_buttons, f"no reply with buttons: {fake_slack.posts(channel)}"

    post = with_buttons[-1]
    call = next(c for c in fake_slack.calls if c["body"] is post)
    assert call["method"] == "chat.postMessage"
    assert call["headers"].get("Authorization") == f"Bearer {SLACK_TOKEN}"
    assert post["channel"] == channel
    section, actions = post["blocks"][0], post["blocks"][-1]
    assert section["type"] == "section" and section["text"]["text"] == post["text"]
    assert actions["type"] == "actions"
    buttons = actions["elements"]
    assert buttons and all(b["type"] == "button" for b in buttons)
    assert all(b["text"]["type"] == "plain_text" and b["text"]["text"] and b["value"] for b in buttons)

    # Clicking the first button (Slack's interactivity request) moves the conversation on.
    seen = len(fake_slack.posts(channel))
    click_button(slack_stack, user, channel, "1700000000.000100", buttons[0]["value"])
    assert fake_slack.wait_for(lambda: len(fake_slack.posts(channel)) > seen), "button click got no reply"
    assert user_texts(slack_stack, user)[-1] == buttons[0]["value"]
    assert fake_slack.refused == []


def test_forged_signature_is_rejected(slack_stack: Stack, fake_slack: FakeSlack) -> None:
    user, channel = unique("U"), unique("D")
    body = event_body(user, channel, OPENING)
    forged = deliver(slack_stack, body, "application/json", secret="not-the-signing-secret")
    assert forged.status_code == 400
    unsigned = requests.post(
        f"{slack_stack.rasa_url}/webhooks/slack/webhook",
        data=body,
        headers={"Content-Type": "application/json", "X-Slack-Request-Timestamp": str(int(time.time()))},
        timeout=30,
    )
    assert unsigned.status_code == 400
    # A signature for other bytes does not cover this body either.
    tampered = event_body(user, channel, "something else")
    timestamp = int(time.time())
    response = requests.post(
        f"{slack_stack.rasa_url}/webhooks/slack/webhook",
        data=body,
        headers={
            "Content-Type": "application/json",
            "X-Slack-Request-Timestamp": str(timestamp),
            "X-Slack-Signature": sign(tampered, timestamp),
        },
        timeout=30,
    )
    assert response.status_code == 400
    assert_nothing_happened(slack_stack, fake_slack, user, channel)


def assert_nothing_happened(slack_stack: Stack, fake_slack: FakeSlack, user: str, channel: str) -> None:
    """A refused event: after a while still no reply in the channel and no message stored."""
    fake_slack.settle(3)
    assert fake_slack.posts(channel) == []
    assert user_texts(slack_stack, user) == []


def test_stale_timestamp_is_rejected(slack_stack: Stack, fake_slack: FakeSlack) -> None:
    user, channel = unique("U"), unique("D")
    body = event_body(user, channel, OPENING)
    stale = deliver(slack_stack, body, "application/json", timestamp=int(time.time()) - 6 * 60)
    assert stale.status_code == 400
    future = deliver(slack_stack, body, "application/json", timestamp=int(time.time()) + 6 * 60)
    assert future.status_code == 400
    assert_nothing_happened(slack_stack, fake_slack, user, channel)


def test_retry_of_the_same_event_is_not_answered_twice(slack_stack: Stack, fake_slack: FakeSlack) -> None:
    user, channel = unique("U"), unique("D")
    body = event_body(user, channel, OPENING)
    first = deliver(slack_stack, body, "application/json")
    assert first.status_code == 200
    assert fake_slack.wait_for(lambda: fake_slack.posts(channel))
    answered = len(fake_slack.posts(channel))

    # Slack did not see our 200 in time and sends the very same event again.
    retry = deliver(
        slack_stack,
        body,
        "application/json",
        extra_headers={"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"},
    )
    assert retry.status_code in (200, 201)
    assert retry.headers.get("X-Slack-No-Retry") == "1"  # and asks Slack to stop retrying
    fake_slack.settle(3)
    assert len(fake_slack.posts(channel)) == answered
    assert user_texts(slack_stack, user) == [OPENING]


def test_two_users_in_one_channel_have_separate_conversations(slack_stack: Stack, fake_slack: FakeSlack) -> None:
    channel = unique("C")
    alice, bob = unique("UA"), unique("UB")
    alice_text = OPENING
    bob_text = "hello there"
    send_event(slack_stack, alice, channel, f"<@{BOT_USER}> {alice_text}", kind="app_mention")
    assert fake_slack.wait_for(lambda: fake_slack.posts(channel))
    after_alice = len(fake_slack.posts(channel))
    send_event(slack_stack, bob, channel, f"<@{BOT_USER}> {bob_text}", kind="app_mention")
    assert fake_slack.wait_for(lambda: len(fake_slack.posts(channel)) > after_alice)

    # The mention of the bot is stripped, and each user has a conversation of their own.
    assert user_texts(slack_stack, alice) == [alice_text]
    assert user_texts(slack_stack, bob) == [bob_text]
    assert all(p["channel"] == channel for p in fake_slack.posts(channel))
    assert "thread_ts" not in fake_slack.posts(channel)[-1]  # threads are off unless SLACK_USE_THREADS


# ------------------------------------------------------- one conversation per channel


def rest_post(stack: Stack, body: dict[str, Any], headers: dict[str, str] | None = None) -> requests.Response:
    return requests.post(f"{stack.rasa_url}/webhooks/rest/webhook", json=body, headers=headers, timeout=60)


def test_a_rest_client_cannot_act_in_a_slack_users_conversation(slack_stack: Stack, fake_slack: FakeSlack) -> None:
    """A Slack user id is visible to the whole workspace; over REST it names another conversation."""
    user, channel = unique("U"), unique("D")
    send_event(slack_stack, user, channel, OPENING)
    assert fake_slack.wait_for(lambda: fake_slack.posts(channel)), "no reply posted to Slack"
    answered = len(fake_slack.posts(channel))

    for sender in (user, f"slack:{user}"):
        response = rest_post(
            slack_stack, {"sender": sender, "message": "delete my data"}, rest_headers(slack_stack.env)
        )
        assert response.status_code == 200, response.text
        assert all(reply["recipient_id"] == sender for reply in response.json())

    assert user_texts(slack_stack, user) == [OPENING]  # the Slack conversation is untouched (not erased)
    assert stack_slots(slack_stack, user).get("lead_status") != "deleted"
    # Each request acted in its own REST conversation: erased there (serving/erasure.py keeps
    # the intent, not the text).
    for sender in (user, f"slack:{user}"):
        said = [e for e in slack_stack.tracker(sender, "rest")["events"] if e["event"] == "user"]
        assert [(e["text"], e["parse_data"]["intent"]["name"]) for e in said] == [(ERASED, "delete_my_data")]
        assert stack_slots(slack_stack, sender, "rest")["lead_status"] == "deleted"
    fake_slack.settle(2)
    assert len(fake_slack.posts(channel)) == answered  # and nothing was posted to the Slack user


def test_rest_needs_the_token(slack_stack: Stack) -> None:
    body = {"sender": unique("R"), "message": "hello"}
    token = slack_stack.env["REST_TOKEN"]
    for headers in (
        None,
        {"Authorization": "Bearer wrong-token"},
        {"Authorization": token},
        {"Authorization": f"Basic {token}"},
        {"Authorization": f"Bearer {token}x"},
    ):
        response = rest_post(slack_stack, body, headers)
        assert response.status_code == 401, (headers, response.status_code)
        assert response.headers.get("WWW-Authenticate") == "Bearer"
    assert user_texts(slack_stack, body["sender"], "rest") == []
    assert rest_post(slack_stack, body, rest_headers(slack_stack.env)).status_code == 200
    assert user_texts(slack_stack, body["sender"], "rest") == ["hello"]


def test_rest_metadata_keeps_only_small_known_fields(slack_stack: Stack) -> None:
    sender = unique("R")
    slack_stack.say(
        sender,
        "hello",
        metadata={
            "page_url": "https://shop.example/pricing?email=jane%40example.com#top",
            "language": "en",
            "anything": "x" * 500,
        },
    )
    slack_stack.say(sender, "hello again", metadata={"page_url": "https://shop.example/", "big": "x" * 10_000})
    stored = [e.get("metadata") or {} for e in slack_stack.tracker(sender)["events"] if e["event"] == "user"]
    assert [{k: m.get(k) for k in ("page_url", "language", "anything", "big") if k in m} for m in stored] == [
        {"page_url": "https://shop.example/pricing", "language": "en"},
        {},
    ]


def test_no_secret_reaches_the_logs_or_rendered_files(slack_stack: Stack) -> None:
    """Runs after the conversations above: the Rasa and action server logs, and every file
    the stack wrote, hold neither the Slack secrets nor the proxy's password."""
    written = [path for path in slack_stack.workdir.rglob("*") if path.is_file() and path.suffix in (".log", ".yml")]
    assert any(path.name == "rasa.log" for path in written)
    for path in written:
        text = path.read_text(encoding="utf-8", errors="replace")
        for secret in (PROXY_PASSWORD, SIGNING_SECRET, SLACK_TOKEN, slack_stack.env["REST_TOKEN"]):
            assert secret not in text, f"{path.name} holds a secret"


# ------------------------------------------------- contact details and shared channels

ADVISOR_ANSWERS = KPO_ANSWERS
CONTACT = {
    "lead_full_name": "Ingrid Halvorsen-Quist",
    "lead_email": "ingrid.hq@fjordlegal.example",
    "lead_company": "Fjord Legal Research",
    "lead_role": "Head of Strategy",
    "lead_company_size": "51-200",
    "lead_timeline": "Right away",
}


def turn_done(stack: Stack, user: str, turns: int) -> bool:
    events = stack.tracker(user, "slack")["events"]
    said = [e for e in events if e["event"] == "user"]
    return len(said) >= turns and events[-1]["event"] == "action" and events[-1]["name"] == "action_listen"


def take_turn(stack: Stack, fake: FakeSlack, user: str, channel: str, text: str, **kwargs: Any) -> dict[str, Any]:
    """Send `text` as `user` in `channel`, wait until the bot has answered; the slots after."""
    turns = len(user_texts(stack, user)) + 1
    if text.startswith("/"):
        click_button(stack, user, channel, "1700000000.000200", text)
    else:
        send_event(stack, user, channel, text, **kwargs)
    assert fake.wait_for(lambda: turn_done(stack, user, turns), settle=0.5), f"no answer to {text!r}"
    return stack.tracker(user, "slack")["slots"]


def texts_in(fake: FakeSlack, channel: str) -> str:
    return "\n".join(str(post.get("text") or "") for post in fake.posts(channel))


def test_contact_details_are_asked_in_a_direct_message_not_the_shared_channel(
    slack_stack: Stack, fake_slack: FakeSlack
) -> None:
    user = unique("U")
    dm = direct_channel_of(user)
    in_channel = {"channel_type": "channel"}
    slots = take_turn(slack_stack, fake_slack, user, SHARED_CHANNEL, KPO_OPENING, **in_channel)
    for _ in range(6):
        if slots.get("recommendation"):
            break
        slots = take_turn(
            slack_stack,
            fake_slack,
            user,
            SHARED_CHANNEL,
            ADVISOR_ANSWERS.get(slots.get("requested_slot"), "I don't know."),
            **in_channel,
        )
    assert slots.get("recommendation"), texts_in(fake_slack, SHARED_CHANNEL)
    assert "specialist" in texts_in(fake_slack, SHARED_CHANNEL)  # the advice and offer are public

    # "Yes, connect me" in the channel: the questions move to a direct message.
    slots = take_turn(slack_stack, fake_slack, user, SHARED_CHANNEL, "/affirm")
    assert slots["requested_slot"] == "lead_full_name"
    assert "full name" in texts_in(fake_slack, dm)
    assert say("channels.slack.dm_sent") in texts_in(fake_slack, SHARED_CHANNEL)
    for _ in range(len(CONTACT) + 2):
        requested = slots["requested_slot"]
        if requested == "lead_consent":
            break
        # One answer typed in the shared channel by mistake: the reply still goes to the DM.
        where = (SHARED_CHANNEL, in_channel) if requested == "lead_company" else (dm, {"channel_type": "im"})
        slots = take_turn(slack_stack, fake_slack, user, where[0], CONTACT[requested], **where[1])
    assert slots["requested_slot"] == "lead_consent"
    slots = take_turn(slack_stack, fake_slack, user, dm, "/affirm", channel_type="im")
    assert slots["lead_status"] == "captured"

    private = texts_in(fake_slack, dm)
    assert CONTACT["lead_email"] in private  # the summary before consent, and the thanks
    assert f"Thank you, {CONTACT['lead_full_name']}!" in private
    shared = texts_in(fake_slack, SHARED_CHANNEL)
    for value in CONTACT.values():
        if value not in ("51-200", "Right away"):
            assert value not in shared, f"{value!r} was echoed into the shared channel"
    assert "email" not in shared.lower() and "full name" not in shared.lower()
    assert all("thread_ts" not in post for post in fake_slack.posts(dm))


def test_without_a_direct_message_contact_questions_are_withheld_from_the_channel(
    slack_stack: Stack, fake_slack: FakeSlack
) -> None:
    """An app without the im:write scope: the channel is asked to DM the bot instead."""
    user = unique("U")
    fake_slack.refuse_dm.add(user)
    send_event(slack_stack, user, SHARED_CHANNEL, "talk to a specialist", channel_type="channel")
    assert fake_slack.wait_for(lambda: turn_done(slack_stack, user, 1), settle=0.5)
    slots = slack_stack.tracker(user, "slack")["slots"]
    if slots.get("requested_slot") != "lead_full_name":  # the advisor first offers, then asks
        slots = take_turn(slack_stack, fake_slack, user, SHARED_CHANNEL, "/affirm")
    assert slots.get("requested_slot") == "lead_full_name", slots
    shared = texts_in(fake_slack, SHARED_CHANNEL)
    assert say("channels.slack.dm_failed") in shared and "full name" not in shared
    assert fake_slack.posts(direct_channel_of(user)) == []
    # The failed DM is logged with the conversation's hash, never the Slack user id.
    log = (slack_stack.workdir / "rasa.log").read_text(encoding="utf-8", errors="replace")
    assert f"no direct message for {who(f'slack:{user}')}" in log and user not in log
