"""The chat widget in a Playwright page: opening it, waiting for replies, typing, its session.

Shared by the widget tests (tests/browser/test_widget.py) and the hand-off and booking
browser tests.
"""

from __future__ import annotations

import time

from serving.channels import socketio_conversation_id

BOT_BUBBLES = ".advisor-chat__msg--bot .advisor-chat__bubble"
ALL_MESSAGES = ".advisor-chat__msg"
QUICK_REPLIES = ".advisor-chat__quick-reply"
STATUS = ".advisor-chat__status"


def open_page(context, url: str, shown: str = ".advisor-chat__panel"):
    """The page at ``url`` once ``shown`` (the chat panel, or the launcher of a closed widget) is visible."""
    page = context.new_page()
    page.dialogs = []  # type: ignore[attr-defined]
    page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(url)
    page.wait_for_selector(shown, state="visible")
    return page


def wait_connected(page, timeout: float = 30) -> None:
    """Connected = the widget has a confirmed session (status line gone, Send enabled on input)."""
    page.wait_for_function(
        "() => { const w = window.AdvisorChat && window.AdvisorChat.instance;"
        " return !!(w && w.sessionId) && document.querySelector('.advisor-chat__status').hidden; }",
        timeout=timeout * 1000,
    )


def bot_texts(page) -> list[str]:
    return page.locator(BOT_BUBBLES).all_text_contents()


def transcript(page) -> list[str]:
    return [
        ("user: " if "advisor-chat__msg--user" in (row.get_attribute("class") or "") else "bot: ") + row.inner_text()
        for row in page.locator(ALL_MESSAGES).all()
    ]


def wait_for_bot(page, before: int, timeout: float = 60, settle: float = 1.5) -> None:
    """Wait until more than `before` bot messages are shown and no more arrive for `settle` s."""
    page.wait_for_function(
        "n => document.querySelectorAll('.advisor-chat__msg--bot').length > n",
        arg=before,
        timeout=timeout * 1000,
    )
    last, since = -1, time.monotonic()
    while time.monotonic() - since < settle:
        count = page.locator(".advisor-chat__msg--bot").count()
        if count != last:
            last, since = count, time.monotonic()
        time.sleep(0.1)


def type_message(page, text: str) -> None:
    before = page.locator(".advisor-chat__msg--bot").count()
    page.fill(".advisor-chat__input", text)
    page.press(".advisor-chat__input", "Enter")
    expect_last_user_message(page, text)
    wait_for_bot(page, before)


def expect_last_user_message(page, text: str) -> None:
    page.wait_for_function(
        "t => { const u = document.querySelectorAll('.advisor-chat__msg--user .advisor-chat__bubble');"
        " return u.length && u[u.length - 1].textContent === t; }",
        arg=text,
    )


def click_first_quick_reply(page) -> str:
    before = page.locator(".advisor-chat__msg--bot").count()
    offered = page.locator(QUICK_REPLIES).element_handles()
    button = page.locator(QUICK_REPLIES).first
    title = button.inner_text()
    button.click()
    expect_last_user_message(page, title)  # the title is shown, not the payload
    # The used set is gone (the next question may already have brought its own).
    assert not any(h.evaluate("el => el.isConnected") for h in offered), "quick replies stay after use"
    wait_for_bot(page, before)
    return title


def session_id(page) -> str:
    sid = page.evaluate("() => window.AdvisorChat.instance.sessionId")
    assert sid, "widget has no session id"
    return sid


def conversation_of(page) -> str:
    """The tracker's id for the widget's conversation: derived from its session token."""
    return socketio_conversation_id(session_id(page))
