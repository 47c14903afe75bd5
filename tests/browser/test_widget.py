"""The demo page's chat widget in headless chromium, against the real Rasa + action server.

Outcomes checked: a visitor reaches a recommendation by clicking quick replies and typing;
the conversation survives a reload; markup is shown as text and never runs; an unreachable
server says so and the widget reconnects by itself; the page works at 360px; the page
metadata arrives in the tracker; the input length limit holds; "delete my data" clears the
transcript kept in localStorage.

Knobs for running against another model (e.g. a stock `rasa init` bot during development):
WIDGET_TEST_OPENING (first message) and WIDGET_TEST_GOAL (text a bot reply must contain).
"""

from __future__ import annotations

import functools
import json
import os
import re
import threading
import time
import uuid
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from serving.channels import socketio_conversation_id
from tests.support import buyer
from tests.support.browser_support import TcpRelay, WebServer
from tests.support.stack import Stack, free_port
from tests.support.widget_page import (
    ALL_MESSAGES,
    BOT_BUBBLES,
    QUICK_REPLIES,
    STATUS,
    bot_texts,
    click_first_quick_reply,
    conversation_of,
    open_page,
    session_id,
    transcript,
    type_message,
    wait_connected,
    wait_for_bot,
)

OPENING = os.environ.get(
    "WIDGET_TEST_OPENING", "Hi, we need payroll and bookkeeping handled, budget is tight, about 2k a month"
)
GOAL = os.environ.get("WIDGET_TEST_GOAL", "BPO")
MAX_TURNS = 14
MAX_LENGTH = 2000
XSS = "<img src=x onerror=alert(1)>"


# Typed answers when the bot offers no buttons: (words in the question, answer).
TYPED_ANSWERS = [
    (("budget", "spend", "afford", "cost"), "It's tight, about 2,000 euros a month."),
    (
        ("expertise", "in-house", "in house", "know-how", "experience", "skills"),
        "Yes, we know these processes well, we just lack the time.",
    ),
    (("goal", "priorit", "achieve", "hope"), "Cutting costs and focusing on our core business."),
    (("coverage", "hours", "24/7", "time zone", "around the clock"), "Business hours are enough."),
    (("task", "work", "process", "function", "outsource", "hand over"), "Payroll and bookkeeping."),
]


# ----------------------------------------------------------------- helpers


def typed_answer(question: str) -> str:
    return buyer.typed_answer(question, TYPED_ANSWERS)


def goal_reached(page, stack: Stack) -> bool:
    if not any(GOAL.lower() in text.lower() for text in bot_texts(page)):
        return False
    slots = stack.conversation_tracker(conversation_of(page)).get("slots", {})
    # With the advisor's model the recommendation slot must be filled too, so that a
    # question that merely mentions "BPO" does not count as the recommendation.
    return "recommendation" not in slots or slots["recommendation"] is not None


def user_events(stack: Stack, conversation_id: str) -> list[dict]:
    return [e for e in stack.conversation_tracker(conversation_id)["events"] if e["event"] == "user"]


# ------------------------------------------------------------------- tests


def test_conversation_reaches_recommendation_and_survives_reload(stack, web, context, results_dir):
    page = open_page(context, web.url)
    wait_connected(page)
    assert page.locator(ALL_MESSAGES).count() == 0

    page.evaluate(
        """() => { window.__typingSeen = false;
        const t = document.querySelector('.advisor-chat__typing');
        new MutationObserver(() => { if (!t.hidden) window.__typingSeen = true; })
            .observe(t, {attributes: true}); }"""
    )
    type_message(page, OPENING)
    assert page.evaluate("() => window.__typingSeen"), "no typing indicator while waiting"
    assert page.locator(".advisor-chat__typing").is_hidden()
    clicked: list[str] = []
    for _ in range(MAX_TURNS):
        if goal_reached(page, stack):
            break
        if page.locator(QUICK_REPLIES).count():
            clicked.append(click_first_quick_reply(page))
        else:
            type_message(page, typed_answer(bot_texts(page)[-1]))
    else:
        pytest.fail(f"no bot message containing {GOAL!r} after {MAX_TURNS} turns:\n" + "\n".join(transcript(page)))

    sid = session_id(page)
    slots = stack.conversation_tracker(conversation_of(page)).get("slots", {})
    if "recommendation" in slots and GOAL == "BPO":
        assert slots["recommendation"] == "bpo", slots

    # The page metadata came along with every message.
    users = user_events(stack, socketio_conversation_id(sid))
    assert users, "tracker has no user messages"
    for event in users:
        assert event["input_channel"] == "socketio"
        metadata = event.get("metadata") or {}
        assert metadata.get("page_url", "").startswith(web.url), metadata
        assert metadata.get("language") == "en-GB", metadata

    # Reload: same session, same visible history.
    before = transcript(page)
    assert any(GOAL.lower() in line.lower() for line in before)
    page.reload()
    page.wait_for_selector(".advisor-chat__panel", state="visible")
    assert transcript(page) == before
    wait_connected(page)
    assert session_id(page) == sid

    # ... and the server-side conversation goes on under the same id.
    type_message(page, "thanks")
    assert [e["text"] for e in user_events(stack, socketio_conversation_id(sid))][-1] == "thanks"
    assert len(user_events(stack, socketio_conversation_id(sid))) == len(users) + 1
    assert page.dialogs == []
    page.screenshot(path=str(results_dir / "widget.png"))


def test_markup_is_shown_as_text_and_never_runs(stack, web, context):
    page = open_page(context, web.url)
    wait_connected(page)
    type_message(page, XSS)
    # The user's text is shown literally and no element was made from it.
    user_bubbles = page.locator(".advisor-chat__msg--user .advisor-chat__bubble")
    assert user_bubbles.last.text_content() == XSS
    assert page.get_by_text(XSS, exact=True).first.is_visible()

    # Bot text and button titles are text too: push a hostile bot message through Rasa's
    # HTTP API to this socket.io session.
    conversation_id = conversation_of(page)
    hostile_text = "<script>alert(2)</script><img src=y onerror=alert(3)>"
    hostile_title = "<b onmouseover=alert(4)>bold</b>"
    before = page.locator(".advisor-chat__msg--bot").count()
    response = requests.post(
        f"{stack.rasa_url}/conversations/{conversation_id}/tracker/events",
        params={"token": stack.token, "output_channel": "socketio", "execute_side_effects": "true"},
        json=[
            {
                "event": "bot",
                "text": hostile_text,
                "data": {"buttons": [{"title": hostile_title, "payload": "/nothing"}]},
            }
        ],
        timeout=30,
    )
    response.raise_for_status()
    wait_for_bot(page, before, settle=0.5)
    assert bot_texts(page)[-1] == hostile_text
    assert page.locator(QUICK_REPLIES).first.text_content() == hostile_title
    page.locator(QUICK_REPLIES).first.hover()

    log = page.locator(".advisor-chat__log")
    assert log.locator("img, script, b").count() == 0
    time.sleep(0.5)  # give a would-be onerror handler time to fire
    assert page.dialogs == [], f"script ran: {page.dialogs}"


def test_unreachable_server_is_reported(context, tmp_path):
    closed_port = free_port()  # nothing listens there
    server = WebServer(f"http://127.0.0.1:{closed_port}", tmp_path / "web.log")
    try:
        page = open_page(context, server.url)
        status = page.locator(STATUS)
        status.wait_for(state="visible")
        page.wait_for_function(
            "() => /can.t reach the advisor/i.test(document.querySelector('.advisor-chat__status').textContent)"
        )
        assert status.get_attribute("role") == "alert"
        assert page.locator(".advisor-chat__send").is_disabled()
        # Typing anyway: the message is kept in the box and not pretended to be sent.
        page.fill(".advisor-chat__input", "hello?")
        page.press(".advisor-chat__input", "Enter")
        assert page.locator(ALL_MESSAGES).count() == 0
        assert page.input_value(".advisor-chat__input") == "hello?"
        assert page.locator(".advisor-chat__typing").is_hidden()
    finally:
        server.stop()


def test_reconnects_after_an_outage(stack, context, tmp_path):
    rasa_port = int(stack.rasa_url.rsplit(":", 1)[1])
    relay = TcpRelay(rasa_port)
    relay.start()
    server = WebServer(f"http://127.0.0.1:{relay.port}", tmp_path / "web.log")
    try:
        page = open_page(context, server.url)
        wait_connected(page)
        sid = session_id(page)
        type_message(page, OPENING)

        relay.stop()
        page.wait_for_function(
            "() => { const s = document.querySelector('.advisor-chat__status');"
            " return !s.hidden && /reconnecting|can.t reach/i.test(s.textContent); }"
        )
        assert page.locator(".advisor-chat__send").is_disabled()

        relay.start()
        wait_connected(page, timeout=40)
        assert session_id(page) == sid
        text = f"still there? {uuid.uuid4().hex[:6]}"
        type_message(page, text)
        assert [e["text"] for e in user_events(stack, socketio_conversation_id(sid))] == [OPENING, text]
    finally:
        server.stop()
        relay.stop()


def test_usable_at_360px(stack, web, browser, results_dir):
    ctx = browser.new_context(locale="en-GB", viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True)
    try:
        page = open_page(ctx, web.url)
        wait_connected(page)
        type_message(page, OPENING)
        width = page.evaluate("() => document.documentElement.clientWidth")
        assert width == 360
        assert page.evaluate("() => document.documentElement.scrollWidth") <= width, "page scrolls sideways"
        selectors = [
            ".advisor-chat__panel",
            ".advisor-chat__input",
            ".advisor-chat__send",
            ".advisor-chat__counter",
            BOT_BUBBLES,
            ".advisor-chat__restart",
            ".advisor-chat__close",
        ]
        if page.locator(QUICK_REPLIES).count():
            selectors.append(QUICK_REPLIES)
        for selector in selectors:
            for box in [loc.bounding_box() for loc in page.locator(selector).all()]:
                assert box is not None, f"{selector} not rendered"
                assert box["x"] >= 0 and box["x"] + box["width"] <= width + 0.5, f"{selector} overflows: {box}"
        send = page.locator(".advisor-chat__send").bounding_box()
        assert send["height"] >= 36 and send["width"] >= 44, "Send is too small to tap"
        page.screenshot(path=str(results_dir / "widget-360.png"))
    finally:
        ctx.close()


def test_input_length_limit_is_visible_and_enforced(stack, web, context):
    page = open_page(context, web.url)
    wait_connected(page)
    counter = page.locator(".advisor-chat__counter")
    assert counter.inner_text() == f"0 / {MAX_LENGTH}"
    assert page.get_attribute(".advisor-chat__input", "maxlength") == str(MAX_LENGTH)
    page.focus(".advisor-chat__input")
    page.keyboard.insert_text("x" * (MAX_LENGTH + 500))
    assert len(page.input_value(".advisor-chat__input")) == MAX_LENGTH
    assert counter.inner_text() == f"{MAX_LENGTH} / {MAX_LENGTH}"
    # Whatever reaches the widget's send function, nothing over the limit goes out.
    sent = page.evaluate(f"() => window.AdvisorChat.instance.send('y'.repeat({MAX_LENGTH + 1}))")
    assert sent is False
    assert re.search(r"at most 2000 characters", page.locator(STATUS).inner_text())
    assert page.locator(ALL_MESSAGES).count() == 0


def test_cors_names_only_the_page_origin(stack, web):
    """`rasa run --cors <page origin>`: browsers on other sites get no CORS grant.

    (WebSocket connections are not covered by CORS at all; see README "Chat widget".)
    """
    handshake = f"{stack.rasa_url}/socket.io/?EIO=4&transport=polling"
    own = requests.get(handshake, headers={"Origin": web.url}, timeout=10)
    assert own.status_code == 200
    assert own.headers.get("Access-Control-Allow-Origin") == web.url
    other = requests.get(handshake, headers={"Origin": "http://evil.example"}, timeout=10)
    assert "Access-Control-Allow-Origin" not in other.headers


def test_new_chat_starts_a_fresh_conversation(stack, web, context):
    page = open_page(context, web.url)
    wait_connected(page)
    type_message(page, OPENING)
    old = session_id(page)

    page.click(".advisor-chat__restart")
    page.wait_for_function(
        "old => { const w = window.AdvisorChat.instance; return w.sessionId && w.sessionId !== old; }",
        arg=old,
    )
    wait_connected(page)
    assert page.locator(ALL_MESSAGES).count() == 0
    new = session_id(page)
    page.reload()
    wait_connected(page)
    assert session_id(page) == new
    assert page.locator(ALL_MESSAGES).count() == 0
    type_message(page, "hello")
    assert [e["text"] for e in user_events(stack, socketio_conversation_id(new))] == ["hello"]
    assert [e["text"] for e in user_events(stack, socketio_conversation_id(old))] == [OPENING]


def local_storage(page) -> str:
    return page.evaluate("() => JSON.stringify(Object.assign({}, window.localStorage))")


def test_delete_my_data_clears_the_transcript_kept_in_the_browser(stack, web, context):
    page = open_page(context, web.url)
    wait_connected(page)
    token = uuid.uuid4().hex[:8].translate(str.maketrans("0123456789", "ghijklmnop"))
    name, email = f"Henrike Vasquez {token}", f"henrike.{token}@tidewater-analytics.de"
    said = [f"my name is {name}", f"my email is {email}"]
    for text in said:
        type_message(page, text)
    assert email in local_storage(page)  # the widget keeps the transcript for reloads

    # Not type_message: the transcript (and so the count of bot messages) shrinks on erasure.
    page.fill(".advisor-chat__input", "delete my data")
    page.press(".advisor-chat__input", "Enter")
    page.wait_for_function(
        "email => !JSON.stringify(Object.assign({}, window.localStorage)).includes(email)", arg=email
    )
    page.wait_for_function("() => /erased/.test(document.querySelector('.advisor-chat__log').textContent)")
    stored = local_storage(page)
    assert all(text not in stored for text in [name, email, token, "delete my data"]), stored
    assert session_id(page) in stored  # the conversation itself goes on
    # The confirmation stays on screen; the erased transcript does not, nor after a reload.
    assert page.locator(".advisor-chat__msg--user").count() == 0
    assert any("erased" in text for text in bot_texts(page))
    assert token not in page.locator(".advisor-chat__log").inner_text()
    page.reload()
    wait_connected(page)
    assert page.locator(ALL_MESSAGES).count() == 0
    assert [e["text"] for e in user_events(stack, conversation_of(page))] == ["<erased>"] * 3


def test_embed_snippet_works_on_another_site(stack, web, context, tmp_path):
    """The one-tag snippet from the README, on a page of another origin."""
    site = tmp_path / "site"
    site.mkdir()
    snippet = f'<script src="{web.url}/widget.js" data-rasa-url="{stack.rasa_url}" defer></script>'
    (site / "index.html").write_text(
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>Acme</title></head>"
        f"<body><h1>Acme Ltd</h1>{snippet}</body></html>",
        encoding="utf-8",
    )
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(site))
    handler.log_message = lambda *args: None
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        page = open_page(context, f"http://127.0.0.1:{server.server_address[1]}/", shown=".advisor-chat__launcher")
        launcher = page.locator(".advisor-chat__launcher")
        assert launcher.evaluate("el => getComputedStyle(el).position") == "fixed"  # CSS came along
        assert page.locator(".advisor-chat__panel").is_hidden()  # closed until clicked
        launcher.click()
        page.wait_for_selector(".advisor-chat__panel", state="visible")
        wait_connected(page)
        type_message(page, OPENING)
        metadata = user_events(stack, conversation_of(page))[-1]["metadata"]
        assert metadata["page_url"].startswith(f"http://127.0.0.1:{server.server_address[1]}/")
        assert page.dialogs == []
    finally:
        server.shutdown()
        server.server_close()


def test_page_url_is_sent_without_query_or_fragment(stack, web, context):
    """The widget sends the page's address only: a query string or fragment can carry e-mail
    addresses or tokens, and the server stores the metadata with every message."""
    page = context.new_page()
    frames: list[str] = []
    page.on("websocket", lambda ws: ws.on("framesent", lambda payload: frames.append(str(payload))))
    page.goto(web.url + "/?email=jane%40example.com&token=s3cret#details")
    page.wait_for_selector(".advisor-chat__panel", state="visible")
    wait_connected(page)
    type_message(page, "hello")

    sent = [json.loads(frame[2:])[1] for frame in frames if frame.startswith('42["user_uttered"')]
    assert sent, f"no user_uttered frame seen over the websocket: {frames[:5]}"
    assert sent[-1]["metadata"]["page_url"] == web.url + "/"
    stored = user_events(stack, conversation_of(page))[-1]["metadata"]
    assert stored["page_url"] == web.url + "/"
    assert "s3cret" not in json.dumps(stack.conversation_tracker(conversation_of(page)))


def test_web_addresses_become_links_and_nothing_else_does(stack, web, context):
    """A bot message's http(s) addresses are links (a booked call's calendar link, a booking page);
    any other scheme, and markup around them, stays text."""
    page = open_page(context, web.url)
    wait_connected(page)
    type_message(page, "hello")
    text = (
        "Book here: https://calendly.com/acme/intro?name=Zo%C3%AB&email=z%40acme.com. "
        'Not javascript:alert(1), nor <a href="http://evil.example">this</a>; '
        "and (http://127.0.0.1:9/call/x.ics)"
    )
    before = page.locator(".advisor-chat__msg--bot").count()
    response = requests.post(
        f"{stack.rasa_url}/conversations/{conversation_of(page)}/tracker/events",
        params={"token": stack.token, "output_channel": "socketio", "execute_side_effects": "true"},
        json=[{"event": "bot", "text": text}],
        timeout=30,
    )
    response.raise_for_status()
    wait_for_bot(page, before, settle=0.5)
    bubble = page.locator(BOT_BUBBLES).last
    assert bubble.text_content() == text  # every character shown, as sent
    links = bubble.locator("a")
    assert [links.nth(i).get_attribute("href") for i in range(links.count())] == [
        "https://calendly.com/acme/intro?name=Zo%C3%AB&email=z%40acme.com",
        "http://evil.example/",  # as the browser normalises it
        "http://127.0.0.1:9/call/x.ics",
    ]
    assert all(links.nth(i).get_attribute("rel") == "noopener noreferrer" for i in range(links.count()))
    assert bubble.locator("a[href^='javascript']").count() == 0
    assert page.dialogs == []
