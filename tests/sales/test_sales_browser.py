"""The sales console in headless Debian Chromium, on a real stack with a lead captured through a real conversation.

One rep's session, in order: a wrong token is refused on the form, the right one signs in;
the captured lead is listed and the filters find it or leave it out; its transcript shows
what the visitor and the assistant said; a status change with a note is saved and listed;
the three charts are drawn (a Chart.js instance on each canvas, pixels on it); the leads
list and a chart's data download as CSV and parse. No Content-Security-Policy violation on
the way. Last, a screenshot of the console (results/ and docs/img/sales-console.png), with
a few sample leads added for the picture only (after every assertion on the real one);
docs/img/sales-console.png is a copy of it.
"""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from pathlib import Path

import pytest

from leads.model import utcnow
from leads.store import LeadStore
from tests.support.browser_support import CHART_JS, WebServer
from tests.support.lead_capture import CONTACT, OPENING
from tests.support.stack import Stack

REP = "Ann Browser"
SAMPLE_LEADS = [  # for the screenshot only
    ("sample:1", 1, "bpo", {"full_name": "Marta Nowak", "company": "Nordlicht Logistics", "role": "Head of Finance",
                            "company_size": "201-500", "timeline": "this quarter",
                            "answers": {"tasks": ["payroll", "bookkeeping"], "budget": "moderate"}}),
    ("sample:2", 2, "hybrid", {"full_name": "Daniel Okafor", "company": "Brightwave Health", "role": "COO",
                               "company_size": "51-200", "timeline": "now",
                               "answers": {"tasks": ["support", "analytics"], "budget": "flexible",
                                           "expertise_gap": True}}),
    ("sample:3", 4, "kpo", {"full_name": "Priya Raman", "company": "Kestrel Capital", "role": "Analyst",
                            "company_size": "11-50", "timeline": "next year",
                            "answers": {"tasks": ["market_research"], "budget": "tight"}}),
]  # fmt: skip


@pytest.fixture(scope="module")
def page(context_module, console: WebServer, captured: dict):
    """The console page, opened once the lead was captured (the list is read at sign-in)."""
    if not CHART_JS.exists():
        pytest.fail("web/node_modules has no chart.js: run `npm ci --prefix web`")
    page = context_module.new_page()
    page.csp_violations = []  # type: ignore[attr-defined]
    page.on(
        "console",
        lambda message: "Content Security Policy" in message.text and page.csp_violations.append(message.text),
    )
    page.goto(console.url + "/sales")
    return page


@pytest.fixture(scope="module")
def context_module(browser):
    """One browser profile for the whole module: the rep stays signed in from test to test."""
    ctx = browser.new_context(locale="en-GB", viewport={"width": 1360, "height": 900}, accept_downloads=True)
    ctx.set_default_timeout(30_000)
    yield ctx
    ctx.close()


def row_of(page, conversation_id: str):
    return page.locator(f'#leads-table tbody tr[data-conversation="{conversation_id}"]')


def apply_filters(page, **values: str) -> None:
    for name, value in values.items():
        if name in ("since", "until"):
            page.fill(f"#filters [name={name}]", value)
        else:
            page.select_option(f"#filters [name={name}]", value)
    with page.expect_response(lambda r: "/sales/api/leads" in r.url):
        page.click("#filters button[type=submit]")


def test_a_wrong_token_is_refused_and_the_right_one_signs_in(page, sales_token: str) -> None:
    assert page.locator("#login").is_visible() and page.locator("#console").is_hidden()
    page.fill("input[name=rep]", REP)
    page.fill("input[name=token]", "not-the-token-" + sales_token[:4])
    page.click("#login button[type=submit]")
    page.wait_for_selector("#login-error:not([hidden])")
    assert "That token is not right" in page.inner_text("#login-error")
    assert page.locator("#console").is_hidden()

    page.fill("input[name=rep]", REP)
    page.fill("input[name=token]", sales_token)
    page.click("#login button[type=submit]")
    page.wait_for_selector("#console:not([hidden])")
    assert page.inner_text("#rep-name") == REP
    assert page.locator("#login").is_hidden()


def test_the_captured_lead_is_listed_and_the_filters_work(page, captured: dict) -> None:
    row = row_of(page, captured["conversation_id"])
    row.wait_for()
    cells = row.locator("td").all_inner_texts()
    assert CONTACT["lead_full_name"] in cells and CONTACT["lead_company"] in cells  # as typed, markup as text
    assert "hot" in cells and "KPO" in cells

    apply_filters(page, tier="cold")
    assert row.count() == 0
    apply_filters(page, tier="hot", recommendation="kpo")
    assert row.count() == 1
    apply_filters(page, tier="", recommendation="bpo")
    assert row.count() == 0
    apply_filters(page, recommendation="")
    assert row.count() == 1


def test_the_transcript_shows_what_visitor_and_assistant_said(page, captured: dict) -> None:
    row_of(page, captured["conversation_id"]).click()
    page.wait_for_selector("#lead:not([hidden]) #transcript .turn")
    assert page.inner_text("#lead-title") == f"{CONTACT['lead_full_name']} · {CONTACT['lead_company']}"
    visitor = page.locator("#transcript .turn--visitor .turn__text").all_inner_texts()
    assistant = page.locator("#transcript .turn--assistant .turn__text").all_inner_texts()
    assert visitor[0] == OPENING
    assert CONTACT["lead_email"] in visitor
    assert any("specialist" in text.lower() for text in assistant)
    assert page.inner_text("#transcript-notice") == ""


def test_a_status_change_is_saved_and_shown(page, captured: dict) -> None:
    page.select_option("#status-form [name=status]", "won")
    page.fill("#status-form [name=note]", "Signed the KPO pilot <b>today</b>")
    page.click("#status-form button[type=submit]")
    page.wait_for_function("() => document.getElementById('status-notice').textContent === 'Saved.'")
    latest = page.locator("#lead-history li").last
    assert f"{REP} · " in latest.inner_text() and latest.inner_text().split("\n")[0].endswith("→ won")
    assert latest.locator(".history__note").inner_text() == "Signed the KPO pilot <b>today</b>"
    status_cell = row_of(page, captured["conversation_id"]).locator("td.status")
    page.wait_for_function(
        "id => { const r = document.querySelector(`#leads-table tr[data-conversation='${id}'] td.status`);"
        " return r && r.textContent === 'won'; }",
        arg=captured["conversation_id"],
    )
    assert status_cell.inner_text() == "won"
    assert f"won ({REP}, " in page.inner_text("#lead-facts")


def test_the_charts_are_drawn(page) -> None:
    for canvas in ("chart-funnel", "chart-recommendation", "chart-tier"):
        page.wait_for_function("id => !!window.Chart.getChart(document.getElementById(id))", arg=canvas)
        painted = page.evaluate(
            """id => { const c = document.getElementById(id);
                const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                let n = 0; for (let i = 3; i < data.length; i += 4) if (data[i] > 0) n++; return n; }""",
            canvas,
        )
        assert painted > 1000, f"{canvas} has {painted} painted pixels"
    labels = page.evaluate("() => window.Chart.getChart(document.getElementById('chart-recommendation')).data.labels")
    assert labels == ["BPO", "KPO", "HYBRID"]


def test_csv_export_downloads_what_is_shown(page, captured: dict, tmp_path: Path) -> None:
    apply_filters(page, tier="hot")
    with page.expect_download() as download:
        page.click("#leads-csv")
    path = tmp_path / "leads.csv"
    download.value.save_as(path)
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    shown = page.locator("#leads-table tbody tr").count()
    assert len(rows) == shown >= 1
    [row] = [r for r in rows if r["conversation_id"] == captured["conversation_id"]]
    assert (row["email"], row["tier"], row["status"]) == (CONTACT["lead_email"], "hot", "won")

    with page.expect_download() as chart_download:
        page.click("#funnel-csv")
    chart_path = tmp_path / "funnel.csv"
    chart_download.value.save_as(chart_path)
    table = list(csv.DictReader(io.StringIO(chart_path.read_text(encoding="utf-8"))))
    labels = page.evaluate("() => window.Chart.getChart(document.getElementById('chart-funnel')).data.labels")
    assert [r["period"] for r in table] == labels
    captured_series = page.evaluate(
        "() => window.Chart.getChart(document.getElementById('chart-funnel')).data.datasets[3].data"
    )
    assert [int(r["leads_captured"]) for r in table] == captured_series
    assert page.csp_violations == []


def test_screenshot_of_the_console(page, stack: Stack, results_dir: Path) -> None:
    """Sample leads (backdated, with funnel events) make the picture look like a working week."""
    store = LeadStore(path=stack.env["LEADS_DB_PATH"])
    try:
        for conversation_id, days_ago, recommendation, fields in SAMPLE_LEADS:
            at = utcnow() - timedelta(days=days_ago)
            email = fields["full_name"].split()[0].lower() + "@example.com"
            store.upsert_lead(
                conversation_id, {**fields, "email": email, "consent": True, "recommendation": recommendation}, at=at
            )
            kinds = [("conversation_started", None), ("advice_given", recommendation), ("lead_offered", None)]
            store.record_events(
                [{"conversation_id": conversation_id, "kind": k, "detail": d, "at": at} for k, d in kinds]
                + [{"conversation_id": conversation_id, "kind": "lead_captured", "at": at}]
            )
    finally:
        store.dispose()
    apply_filters(page, tier="")
    page.evaluate("() => window.SalesConsole.reload()")
    page.wait_for_function("() => document.querySelectorAll('#leads-table tbody tr').length >= 4")
    shot = results_dir / "sales-console.png"  # docs/img/sales-console.png is a copy of one of these
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000
