"""The advice card in the widget and the one-page brief, in headless Chromium against the real stack.

Issue 11, items 6 and 7: the card (headline, two columns for a hybrid, reasons with the user's
words, cost line, buttons, "Download your brief") in place of the plain-text advice, on desktop
and at 360 px; the brief page it links to (every section, strict headers, a clean print to PDF),
and its 404 once the visitor said "delete my data". Screenshots go to results/.
"""

from __future__ import annotations

import re
import time
from datetime import datetime

import pytest
import requests

from leads import BriefStore, LeadStore, Meetings
from leads.model import UTC
from leads.sales_hours import Slot
from tests.browser.test_widget import (
    ALL_MESSAGES,
    QUICK_REPLIES,
    bot_texts,
    click_first_quick_reply,
    conversation_of,
    open_page,
    transcript,
    type_message,
    typed_answer,
    wait_connected,
    wait_for_bot,
)
from tests.support.browser_support import WebServer
from tests.support.stack import Stack

OPENING = "We need someone to run our payroll and a competitor analysis, about 9,000 euros a month."
CARD = ".advisor-chat__card"
MAX_TURNS = 8
BRIEF_SECTIONS = ("split", "reasons", "cost", "location", "data", "contract", "checklist", "next_steps")
HOSTILE = "<img src=x onerror=alert(1)>"


def reach_card(page, stack: Stack) -> dict:
    """Answer until the advice card is shown; the conversation's slots then."""
    type_message(page, OPENING)
    for _ in range(MAX_TURNS):
        if page.locator(CARD).count():
            return stack.conversation_tracker(conversation_of(page))["slots"]
        if page.locator(QUICK_REPLIES).count():
            click_first_quick_reply(page)
        else:
            type_message(page, typed_answer(bot_texts(page)[-1]))
    pytest.fail("no advice card:\n" + "\n".join(transcript(page)))


def card_boxes_fit(page, width: int) -> None:
    for selector in (CARD, f"{CARD} .advisor-chat__card-column", f"{CARD} a", f"{CARD} button"):
        for box in [loc.bounding_box() for loc in page.locator(selector).all()]:
            assert box is not None, f"{selector} not rendered"
            assert box["x"] >= 0 and box["x"] + box["width"] <= width + 0.5, f"{selector} overflows: {box}"


def assert_card_content(page, slots: dict) -> None:
    card = page.locator(CARD)
    assert card.count() == 1
    assert "hybrid" in card.locator(".advisor-chat__card-headline").inner_text().lower()
    assert re.search(r"\d+% confidence", card.inner_text())
    columns = card.locator(".advisor-chat__card-column")
    assert columns.count() == 2
    assert "payroll" in columns.nth(0).inner_text().lower()
    assert "market research" in columns.nth(1).inner_text().lower()
    reasons = card.locator(".advisor-chat__card-section--reasons li").all_inner_texts()
    assert reasons and any("run our payroll" in r for r in reasons) and any("competitor analysis" in r for r in reasons)
    cost = card.locator(".advisor-chat__card-section--cost").inner_text()
    assert "€" in cost and "a month" in cost, cost
    assert card.locator(".advisor-chat__card-section--next_steps li").count() >= 2
    link = card.locator("a.advisor-chat__card-link")
    assert link.inner_text() == "Download your brief"
    assert link.get_attribute("href") == slots["brief_url"]
    assert link.get_attribute("target") == "_blank" and "noopener" in link.get_attribute("rel")
    assert card.locator("button.advisor-chat__card-button").count() == 3
    # The card takes the place of the plain-text advice: its text is not shown twice.
    assert not any(t.startswith("My recommendation:") for t in bot_texts(page) if t)


def test_the_advice_card_on_desktop(stack: Stack, web, browser, results_dir) -> None:
    context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(30_000)
    page = open_page(context, web.url)
    wait_connected(page)
    slots = reach_card(page, stack)
    assert slots["recommendation"] == "hybrid"
    assert slots["brief_url"].startswith(f"{web.url}/brief/")
    assert_card_content(page, slots)
    columns = page.locator(f"{CARD} .advisor-chat__card-column")
    left, right = columns.nth(0).bounding_box(), columns.nth(1).bounding_box()
    assert abs(left["y"] - right["y"]) < 1 and right["x"] > left["x"] + left["width"] - 1, "columns not side by side"
    card_boxes_fit(page, 1280)
    card = page.locator(CARD)
    card.evaluate("el => el.scrollIntoView({block: 'start'})")
    page.locator(".advisor-chat__panel").screenshot(path=str(results_dir / "recommendation-card.png"))
    # The details fold away: opened, they show where, the data rules and the next steps.
    more = card.locator("details.advisor-chat__card-more")
    assert not more.evaluate("el => el.open")
    more.locator("summary").click()
    assert card.locator(".advisor-chat__card-section--location li").first.is_visible()
    assert card.locator(".advisor-chat__card-section--next_steps li").first.is_visible()
    page.screenshot(path=str(results_dir / "recommendation-card-page.png"))

    # A card button asks its follow-up question; the answer fits the advice.
    before = page.locator(".advisor-chat__msg--bot").count()
    page.locator(f"{CARD} button.advisor-chat__card-button", has_text="Costs in detail").click()
    wait_for_bot(page, before)
    assert re.search(r"€[\d,]+ to €[\d,]+", bot_texts(page)[-1] + "\n".join(bot_texts(page)[-3:]))
    # The card survives a reload (the widget keeps it with the transcript).
    page.reload()
    page.wait_for_selector(CARD)
    assert_card_content(page, slots)
    assert page.dialogs == []
    context.close()


def test_the_advice_card_at_360px(stack: Stack, web, browser, results_dir) -> None:
    ctx = browser.new_context(locale="en-GB", viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True)
    try:
        page = open_page(ctx, web.url)
        wait_connected(page)
        slots = reach_card(page, stack)
        assert_card_content(page, slots)
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 360, "page scrolls sideways"
        page.locator(f"{CARD} details.advisor-chat__card-more summary").click()
        card_boxes_fit(page, 360)
        columns = page.locator(f"{CARD} .advisor-chat__card-column")
        assert columns.nth(1).bounding_box()["y"] > columns.nth(0).bounding_box()["y"], "columns not stacked"
        link = page.locator(f"{CARD} a.advisor-chat__card-link").bounding_box()
        assert link["height"] >= 28, "the brief link is too small to tap"
        page.locator(CARD).scroll_into_view_if_needed()
        page.screenshot(path=str(results_dir / "recommendation-card-360.png"))
    finally:
        ctx.close()


def test_a_hostile_card_is_drawn_as_text(stack: Stack, web, context) -> None:
    """Every card field is text: markup never becomes elements, only http(s) links are made."""
    page = open_page(context, web.url)
    wait_connected(page)
    type_message(page, "hello")
    hostile_card = {
        "type": "recommendation",
        "text": "x",
        "headline": HOSTILE,
        "confidence_label": "<b>99%</b>",
        "bpo_tasks": [HOSTILE],
        "kpo_tasks": ["<script>alert(2)</script>"],
        "reasons": [{"text": HOSTILE, "quotes": ["<i onmouseover=alert(3)>q</i>"]}],
        "cost": {"lines": [HOSTILE]},
        "next_steps": [HOSTILE],
        "labels": {"bpo": "<u>BPO</u>", "reasons": HOSTILE},
        "buttons": [
            {"title": "bad link", "url": "javascript:alert(4)"},
            {"title": HOSTILE, "payload": "/ask_cost"},
            {"title": "good link", "url": "https://example.com/brief"},
        ],
    }
    before = page.locator(".advisor-chat__msg--bot").count()
    response = requests.post(
        f"{stack.rasa_url}/conversations/{conversation_of(page)}/tracker/events",
        params={"token": stack.token, "output_channel": "socketio", "execute_side_effects": "true"},
        json=[{"event": "bot", "text": None, "data": {"custom": hostile_card}}],
        timeout=30,
    )
    response.raise_for_status()
    wait_for_bot(page, before, settle=0.5)
    card = page.locator(CARD)
    assert card.locator(".advisor-chat__card-headline").inner_text() == HOSTILE
    assert card.locator("img, script, b, i, u").count() == 0
    links = card.locator("a")
    assert links.count() == 1 and links.first.get_attribute("href") == "https://example.com/brief"
    card.locator("li").first.hover()
    time.sleep(0.5)  # give a would-be handler time to fire
    assert page.dialogs == []


def test_the_brief_page_then_its_404_after_delete_my_data(stack: Stack, web, context, results_dir) -> None:
    page = open_page(context, web.url)
    wait_connected(page)
    slots = reach_card(page, stack)
    url = slots["brief_url"]

    response = requests.get(url, timeout=10)
    assert response.status_code == 200
    headers = response.headers
    assert headers["Cache-Control"] == "no-store" and headers["Referrer-Policy"] == "no-referrer"
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert "'unsafe-inline'" not in headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert "Access-Control-Allow-Origin" not in headers

    brief = context.new_page()
    brief.goto(url)
    assert brief.locator("h1").inner_text().lower().startswith("recommendation: a hybrid")
    for section in BRIEF_SECTIONS:
        assert brief.locator(f"section#{section}").count() == 1, f"section {section} missing"
    body = brief.locator("main").inner_text()
    assert "run our payroll" in body and "competitor analysis" in body
    assert re.search(r"€[\d,]+ to €[\d,]+", body) and "not a quote" in body
    assert "onshore" in body and "nearshore" in body and "offshore" in body
    assert "Time and materials" in body and "pilot" in body.lower()
    assert brief.locator(".brief__print").is_visible()  # brief.js ran under the CSP
    brief.screenshot(path=str(results_dir / "brief.png"), full_page=True)

    brief.emulate_media(media="print")
    assert brief.locator(".brief__actions").is_hidden(), "the print button would be printed"
    assert brief.evaluate("() => getComputedStyle(document.body).backgroundColor") == "rgb(255, 255, 255)"
    pdf = brief.pdf(path=str(results_dir / "brief.pdf"), format="A4")
    assert pdf.startswith(b"%PDF") and len(pdf) > 10_000
    assert 1 <= len(re.findall(rb"/Type\s*/Page\b", pdf)) <= 2, "the brief should print on at most two A4 pages"

    # "Delete my data": the brief goes with it, and its link answers 404.
    page.fill(".advisor-chat__input", "delete my data")
    page.press(".advisor-chat__input", "Enter")
    page.wait_for_function("() => /erased/.test(document.querySelector('.advisor-chat__log').textContent)")
    gone = requests.get(url, timeout=10)
    assert gone.status_code == 404
    assert "run our payroll" not in gone.text
    brief.emulate_media(media="screen")
    brief.reload()
    assert brief.locator("h1").inner_text() == "Brief not found"
    assert page.locator(ALL_MESSAGES).count() >= 1


def test_brief_text_is_escaped_and_unknown_tokens_are_404(tmp_path) -> None:
    """web/serve.py with its own lead database: a stored brief full of markup shows as text."""
    store = LeadStore(path=tmp_path / "leads.db")
    try:
        saved = BriefStore(store).save(
            "rest:hostile",
            {
                "choice": "bpo",
                "choice_label": HOSTILE,
                "bpo_tasks": ["<script>alert(1)</script>"],
                "reasons": [{"text": "</section><h1>x</h1>", "quotes": ['" onmouseover="alert(2)']}],
                "checklist": ["<a href='javascript:alert(3)'>click</a>"],
            },
        )
    finally:
        store.dispose()
    server = WebServer("http://127.0.0.1:5005", tmp_path / "web.log", env={"LEADS_DB_PATH": str(tmp_path / "leads.db")})
    try:
        html = requests.get(f"{server.url}/brief/{saved.token}", timeout=10).text
        assert "<script>alert" not in html and "<img" not in html and "<a href" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "&lt;/section&gt;&lt;h1&gt;" in html
        assert html.count("<h1>") == 1
        for path in ("/brief/" + "A" * 43, "/brief/short", "/brief/../../etc/passwd", "/brief/"):
            assert requests.get(server.url + path, timeout=10).status_code == 404, path
        assert requests.head(f"{server.url}/brief/{saved.token}", timeout=10).status_code == 200
    finally:
        server.stop()


def test_the_brief_shows_the_booked_call_and_both_links_go_with_delete_my_data(tmp_path) -> None:
    """web/serve.py with its own lead database: the call on the brief, in the team's zone and in
    UTC, with the visitor's calendar link; a booking page sent instead; no call, no section."""
    conversation, page_only, none = "socketio:brief-call", "socketio:brief-page", "socketio:brief-none"
    slot = Slot(datetime(2030, 1, 15, 15, 0, tzinfo=UTC), datetime(2030, 1, 15, 15, 30, tzinfo=UTC), "America/New_York")
    store = LeadStore(path=tmp_path / "leads.db")
    try:
        briefs = BriefStore(store)
        url = {
            c: briefs.save(c, {"choice": "kpo", "checklist": ["Ask for a pilot"]}).token
            for c in (conversation, page_only, none)
        }
        store.upsert_lead(conversation, {"full_name": "Zoë O'Brien", "company": "Acme", "consent": True})
        call_token = Meetings(store).book(conversation, slot).token
        Meetings(store).offered_page(page_only, "https://calendly.com/acme/intro?name=Zo%C3%AB")
    finally:
        store.dispose()
    server = WebServer("http://127.0.0.1:5005", tmp_path / "web.log", env={"LEADS_DB_PATH": str(tmp_path / "leads.db")})
    try:
        html = requests.get(f"{server.url}/brief/{url[conversation]}", timeout=10).text
        call = re.search(r'<section class="brief__section" id="call">(.*?)</section>', html)
        assert call is not None and html.index('id="call"') < html.index('id="checklist"')
        assert "Tuesday 15 January, 10:00-10:30 (America/New_York time)" in call.group(1)
        assert "That is Tuesday 15 January, 15:00-15:30 UTC." in call.group(1)
        link = re.search(r'<a class="brief__calendar" href="([^"]+)"[^>]*>Add to your calendar</a>', call.group(1))
        assert link is not None and link.group(1) == f"/call/{call_token}.ics"
        ics = requests.get(server.url + link.group(1), timeout=10)
        assert ics.status_code == 200 and ics.headers["Content-Type"].startswith("text/calendar")
        assert "DTSTART:20300115T150000Z\r\n" in ics.text and "Acme" in ics.text

        sent = requests.get(f"{server.url}/brief/{url[page_only]}", timeout=10).text
        assert 'href="https://calendly.com/acme/intro"' in sent and "brief__calendar" not in sent
        assert 'id="call"' not in requests.get(f"{server.url}/brief/{url[none]}", timeout=10).text

        # "Delete my data" (the lead with its call, and the brief): both links answer 404.
        store = LeadStore(path=tmp_path / "leads.db")
        try:
            store.delete(conversation)
            BriefStore(store).delete(conversation)
        finally:
            store.dispose()
        assert requests.get(f"{server.url}/brief/{url[conversation]}", timeout=10).status_code == 404
        assert requests.get(server.url + link.group(1), timeout=10).status_code == 404
    finally:
        server.stop()
