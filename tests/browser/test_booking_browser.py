"""Booking a call in the chat widget, then the rep downloading its .ics from the sales console.

Headless Debian Chromium, the real Rasa and action servers, one web/serve.py with the demo
page and /sales. The visitor gets advice, gives their details with consent, picks the second
proposed time from the buttons and reads the confirmation; the rep opens the lead, sees the
call at that time and downloads an .ics whose DTSTART is that time in UTC. The visitor's brief
shows the call and its .ics too, until they say "delete my data".
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
import requests

from leads.booking import slot_label
from leads.sales_hours import Slot, parse_slot_key
from tests.support.browser_support import WebServer
from tests.support.buyer import KPO_OPENING
from tests.support.lead_capture import CONTACT
from tests.support.sales_desk import console_page
from tests.support.stack import Stack
from tests.support.widget_page import QUICK_REPLIES, bot_texts, conversation_of, open_page, type_message, wait_for_bot

SALES_HOURS = {"SALES_HOURS": "09:00-17:30", "SALES_DAYS": "mon-fri", "SALES_TIMEZONE": "Europe/London"}


@pytest.fixture(scope="module")
def stack_extra_env(web_port: int) -> dict[str, str]:
    """London office hours; the calendar link names the test's page server."""
    return {**SALES_HOURS, "WEB_PUBLIC_URL": f"http://127.0.0.1:{web_port}"}


def click_reply(page, title: str) -> None:
    before = page.locator(".advisor-chat__msg--bot").count()
    page.locator(QUICK_REPLIES, has_text=title).first.click()
    wait_for_bot(page, before)


def book_the_second_time(visitor, stack: Stack) -> tuple[str, datetime]:
    """Advice, the contact details with consent, then the second proposed time: its label and UTC start."""
    type_message(visitor, KPO_OPENING)
    assert stack.conversation_tracker(conversation_of(visitor))["slots"]["recommendation"] == "kpo"
    click_reply(visitor, "Yes, connect me")
    for slot in ("lead_full_name", "lead_email", "lead_company", "lead_role"):
        type_message(visitor, CONTACT[slot])
    click_reply(visitor, CONTACT["lead_company_size"])
    click_reply(visitor, CONTACT["lead_timeline"])
    click_reply(visitor, "Yes, I agree")
    assert any("book a call with our specialist" in text for text in bot_texts(visitor))

    times = visitor.locator(QUICK_REPLIES).all_inner_texts()
    assert len(times) == 4 and times[-1] == "No thanks"
    offered = stack.conversation_tracker(conversation_of(visitor))["slots"]["call_slots_offered"]
    click_reply(visitor, times[1])
    assert bot_texts(visitor)[-1].startswith(f"Booked: {times[1]} (Europe/London time).")
    start = parse_slot_key(offered[1])
    assert start is not None
    return times[1], start


def test_a_visitor_books_a_proposed_time_and_the_rep_downloads_the_invitation(
    stack: Stack, site: WebServer, browser, context, sales_token: str, results_dir
) -> None:
    visitor = open_page(context, site.url)
    _, start = book_the_second_time(visitor, stack)
    visitor.screenshot(path=str(results_dir / "booking-widget.png"))
    conversation = conversation_of(visitor)

    # The confirmation's calendar link downloads the call in the visitor's browser.
    link = visitor.locator(".advisor-chat__msg--bot .advisor-chat__link").last
    assert link.get_attribute("rel") == "noopener noreferrer" and link.get_attribute("href").endswith(".ics")
    with visitor.expect_download() as own:
        link.click()
    assert f"DTSTART:{start:%Y%m%dT%H%M%SZ}\r\n" in Path(own.value.path()).read_bytes().decode("utf-8")

    rep_context = browser.new_context(locale="en-GB", viewport={"width": 1360, "height": 900}, accept_downloads=True)
    try:
        console = console_page(rep_context, site.url, sales_token, "Ann Booker")
        console.locator(f'#leads-table tbody tr[data-conversation="{conversation}"]').click()
        console.wait_for_selector("#lead-meeting:not([hidden])")
        assert console.inner_text("#lead-meeting-when").startswith("Booked for ")
        assert "(Europe/London)" in console.inner_text("#lead-meeting-when")
        with console.expect_download() as download_info:
            console.click("#lead-meeting-ics")
        saved = Path(download_info.value.path())
        text = saved.read_bytes().decode("utf-8")  # as downloaded: CRLF line ends kept
        assert download_info.value.suggested_filename == "call.ics"
        assert f"DTSTART:{start:%Y%m%dT%H%M%SZ}\r\n" in text
        assert text.startswith("BEGIN:VCALENDAR\r\n") and text.endswith("END:VCALENDAR\r\n")
        console.screenshot(path=str(results_dir / "booking-console.png"), full_page=True)
    finally:
        rep_context.close()


def test_the_brief_shows_the_booked_call_and_its_calendar_file(
    stack: Stack, site: WebServer, browser, results_dir
) -> None:
    """The visitor's brief names the call (London time and UTC) and offers the same .ics as the chat;
    after "delete my data" the brief and the calendar link both answer 404."""
    context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 800}, accept_downloads=True)
    try:
        visitor = open_page(context, site.url)
        label, start = book_the_second_time(visitor, stack)
        brief_url = stack.conversation_tracker(conversation_of(visitor))["slots"]["brief_url"]
        chat_link = visitor.locator(".advisor-chat__msg--bot .advisor-chat__link").last.get_attribute("href")

        brief = context.new_page()
        brief.goto(brief_url)
        call = brief.locator("section#call")
        assert call.locator("h2").inner_text() == "Your call with our specialist"
        assert call.locator(".brief__call-when").inner_text() == f"{label} (Europe/London time)"
        utc = Slot(start, start + timedelta(minutes=30), "UTC")
        assert call.locator(".brief__call-utc").inner_text() == f"That is {slot_label(utc)} UTC."
        calendar = call.locator("a.brief__calendar")
        assert calendar.inner_text() == "Add to your calendar"
        href = calendar.get_attribute("href")
        assert chat_link.endswith(href)  # the very file the chat gave the visitor
        brief.screenshot(path=str(results_dir / "brief-with-call.png"), full_page=True)
        with brief.expect_download() as download_info:
            calendar.click()
        text = Path(download_info.value.path()).read_bytes().decode("utf-8")
        assert download_info.value.suggested_filename == "call.ics"
        lines = text.replace("\r\n ", "").split("\r\n")  # unfolded content lines (RFC 5545 3.1)
        assert lines[0] == "BEGIN:VCALENDAR" and lines[-2:] == ["END:VCALENDAR", ""]
        assert f"DTSTART:{start:%Y%m%dT%H%M%SZ}" in lines
        assert f"DTEND:{start + timedelta(minutes=30):%Y%m%dT%H%M%SZ}" in lines
        assert lines.count("BEGIN:VEVENT") == 1 and any(line.startswith("UID:") for line in lines)

        visitor.fill(".advisor-chat__input", "delete my data")  # the widget then forgets the chat's history
        visitor.press(".advisor-chat__input", "Enter")
        visitor.wait_for_function("() => /erased/.test(document.querySelector('.advisor-chat__log').textContent)")
        assert requests.get(brief_url, timeout=10).status_code == 404
        assert requests.get(site.url + href, timeout=10).status_code == 404
    finally:
        context.close()
