"""Booking a call in the chat widget, then the rep downloading its .ics from the sales console.

Headless Debian Chromium, the real Rasa and action servers, one web/serve.py with the demo
page and /sales. The visitor gets advice, gives their details with consent, picks the second
proposed time from the buttons and reads the confirmation; the rep opens the lead, sees the
call at that time and downloads an .ics whose DTSTART is that time in UTC.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from leads.sales_hours import parse_slot_key
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


def test_a_visitor_books_a_proposed_time_and_the_rep_downloads_the_invitation(
    stack: Stack, site: WebServer, browser, context, sales_token: str, results_dir
) -> None:
    visitor = open_page(context, site.url)
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
    visitor.screenshot(path=str(results_dir / "booking-widget.png"))
    conversation = conversation_of(visitor)
    start = parse_slot_key(offered[1])

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
