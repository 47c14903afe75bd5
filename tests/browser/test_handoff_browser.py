"""Live hand-off with two real browsers: a visitor in the chat widget, a rep in the sales console.

Both are headless Debian Chromium processes of their own, on one web server (the demo page
and /sales), with the real Rasa and action servers. The visitor asks for a person mid-way
through the advisor's questions; the rep, signed in to the console, sees the visitor on the
waiting list, takes the chat, reads what the visitor types and answers; the widget shows the
rep's words under the rep's name; the rep hands back and the advisor asks its open question
again. Screenshots of both sides go to results/.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.browser_support import CHROMIUM, CHROMIUM_ARGS, WebServer
from tests.support.sales_desk import ALWAYS_OPEN, console_page
from tests.support.stack import Stack
from tests.support.widget_page import bot_texts, conversation_of, open_page, type_message, wait_connected

REP = "Sam Rivera"
BUDGET_QUESTION = "What budget do you have in mind?"


@pytest.fixture(scope="module")
def stack_extra_env() -> dict[str, str]:
    """Sales hours open around the clock; a wait long enough that nobody times out here."""
    return {**ALWAYS_OPEN, "HANDOFF_WAIT_SECONDS": "600"}


@pytest.fixture
def rep_browser(browser) -> Iterator[object]:
    """A second Chromium process for the rep (the visitor has the module's browser)."""
    other = browser.browser_type.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
    yield other
    other.close()


def sign_in(rep_browser, site: WebServer, token: str):
    context = rep_browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(30_000)
    page = console_page(context, site.url, token, REP)
    page.wait_for_selector("#handoff-notice:has-text('Signed in: " + REP + "')")
    assert "every day, 00:00\u201324:00 (Europe/London), open now" in page.inner_text("#handoff-notice")
    return page


def test_a_rep_in_the_console_takes_over_the_widget_chat_and_hands_back(
    stack: Stack, site: WebServer, context, rep_browser, sales_token: str, results_dir
) -> None:
    console = sign_in(rep_browser, site, sales_token)
    assert console.locator("#handoff-empty").is_visible()

    visitor = open_page(context, site.url)
    wait_connected(visitor)
    type_message(visitor, "We need contract review and market research done.")
    assert any(BUDGET_QUESTION in text for text in bot_texts(visitor))
    type_message(visitor, "Can I talk to a person?")
    assert "join this chat" in bot_texts(visitor)[-1]
    conversation = conversation_of(visitor)

    # The rep sees the visitor waiting and takes the chat.
    waiting = console.locator(f"#handoff-list li[data-conversation='{conversation}']")
    waiting.locator("button.handoff__take").click()
    console.wait_for_selector(f"#live-chat[data-conversation='{conversation}']", state="visible")
    console.wait_for_selector("#live-transcript .turn--visitor:has-text('Can I talk to a person?')")

    # The visitor is told who joined, and sees who they are chatting with.
    visitor.wait_for_selector(f".advisor-chat__msg--bot:has-text('{REP} from our sales team has joined the chat.')")
    person_line = visitor.locator(".advisor-chat__person")
    assert person_line.inner_text() == f"You\u2019re chatting with {REP} from our sales team."

    # What the visitor types reaches the console; the advisor stays quiet.
    question = "Hi Sam, what would contract review cost us?"
    bot_bubbles = visitor.locator(".advisor-chat__msg--bot").count()
    visitor.fill(".advisor-chat__input", question)
    visitor.press(".advisor-chat__input", "Enter")
    assert visitor.locator(".advisor-chat__typing").is_hidden()  # a person answers when they have read it
    console.wait_for_selector(f"#live-transcript .turn--visitor:has-text('{question}')")

    # The rep's answer reaches the widget, under the rep's name.
    answer = "Hello! Contract review usually starts around 4,000 USD a month."
    console.fill("#live-form textarea", answer)
    console.press("#live-form textarea", "Enter")
    from_person = visitor.locator(".advisor-chat__msg--person")
    from_person.first.wait_for()
    assert from_person.first.locator(".advisor-chat__bubble").inner_text() == answer
    assert from_person.first.locator(".advisor-chat__who").inner_text() == f"{REP} \u00b7 sales team"
    assert visitor.locator(".advisor-chat__msg--bot").count() == bot_bubbles + 0  # nothing from the advisor
    console.wait_for_selector(f"#live-transcript .turn--rep:has-text('{answer}')")
    visitor.screenshot(path=str(results_dir / "handoff-visitor.png"))
    console.screenshot(path=str(results_dir / "handoff-console.png"), full_page=True)

    # A reload keeps the transcript and who is in the chat.
    visitor.reload()
    wait_connected(visitor)
    assert visitor.locator(".advisor-chat__msg--person .advisor-chat__bubble").inner_text() == answer
    assert visitor.locator(".advisor-chat__person").is_visible()

    # The rep hands back: the advisor carries on with its open question.
    console.click("#live-release")
    console.wait_for_selector("#live-chat", state="hidden")
    visitor.wait_for_selector(
        ".advisor-chat__msg--bot:has-text('Let\u2019s carry on where we were.'), "
        '.advisor-chat__msg--bot:has-text("Let\'s carry on where we were.")'
    )
    visitor.wait_for_function(
        "q => [...document.querySelectorAll('.advisor-chat__msg--bot .advisor-chat__bubble')]"
        ".filter(b => b.textContent.includes(q)).length === 2",
        arg=BUDGET_QUESTION,
    )
    assert visitor.locator(".advisor-chat__person").is_hidden()
    type_message(visitor, "Flexible, about 25,000 dollars a month.")
    assert "know-how" in bot_texts(visitor)[-1]

    # Everything said during the hand-off is in the stored conversation, the rep's words labelled.
    events = stack.conversation_tracker(conversation)["events"]
    said = [(e["event"], e.get("text"), (e.get("metadata") or {}).get("rep")) for e in events if e.get("text")]
    assert ("user", question, None) in said
    assert ("bot", answer, REP) in said
    assert said.index(("user", question, None)) < said.index(("bot", answer, REP))
