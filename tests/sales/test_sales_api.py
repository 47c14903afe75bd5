"""The sales console's API and login against a real stack: who gets in, and the contract.

* Off without SALES_TOKEN (404 everywhere), never open; a token too short stops the server.
* 401 for a missing or wrong bearer token and a missing, forged, tampered or logged-out
  cookie; writes with the cookie need the CSRF token and the console's own origin; too many
  wrong tokens from one address get 429 until Retry-After has passed.
* The login form's cookie: HttpOnly, SameSite=Strict, Path=/sales, Secure behind https,
  a signed session that is not the token.
* The contract: a lead captured through a real conversation is listed with its fields and
  found by the filters; its detail carries the transcript Rasa stored (visitor and
  assistant, in order); status changes are kept with rep and time and reach the fake CRM
  as lead.updated; the charts' numbers and the CSV exports.
"""

from __future__ import annotations

import csv
import io
import json
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import requests

from leads.briefs import BriefStore
from leads.store import LeadStore
from tests.support.browser_support import ROOT, WebServer
from tests.support.common import run_python, wait_until
from tests.support.lead_capture import CONTACT, OPENING
from tests.support.leads_testkit import FakeServer
from tests.support.sales_support import (
    bearer,
    cookie_attributes,
    lead_path,
    new_token,
    session_cookie,
    signed_in,
    start_console,
)
from tests.support.stack import Stack, free_port

API_ROUTES = ["/sales/api/session", "/sales/api/leads", "/sales/api/leads.csv", "/sales/api/stats"]


def get(web: WebServer, path: str, **kwargs) -> requests.Response:
    return requests.get(web.url + path, timeout=30, **kwargs)


# --- off, and who gets in -------------------------------------------------------------------


def test_without_sales_token_the_console_is_off(tmp_path: Path) -> None:
    web = WebServer("http://localhost:5005", tmp_path / "web.log", env={"SALES_TOKEN": ""})
    try:
        for path in ["/sales", "/sales/", "/sales/sales.js", "/sales/chart.umd.min.js", *API_ROUTES]:
            assert get(web, path).status_code == 404, path
            assert get(web, path, headers=bearer("")).status_code == 404, path
        assert requests.post(web.url + "/sales/login", data={"token": "x"}, timeout=10).status_code == 404
        assert requests.patch(web.url + "/sales/api/leads/rest:x", json={}, timeout=10).status_code == 404
        assert get(web, "/").status_code == 200  # the demo page is unaffected
    finally:
        web.stop()


def test_a_short_token_stops_the_server_with_the_reason() -> None:
    done = run_python(str(ROOT / "web" / "serve.py"), "--port", "0", env={"SALES_TOKEN": "short", "PATH": ""})
    assert done.returncode == 2
    assert "SALES_TOKEN must be at least 16 characters" in done.stderr
    assert "short" not in done.stdout + done.stderr  # the token itself is never printed


@pytest.mark.parametrize("path", API_ROUTES)
def test_missing_or_wrong_credentials_get_401(console: WebServer, sales_token: str, path: str) -> None:
    assert get(console, path).status_code == 401
    wrong = get(console, path, headers=bearer(sales_token + "x"))
    assert wrong.status_code == 401 and wrong.json() == {"error": "wrong token"}
    assert get(console, path, headers={"Authorization": f"Basic {sales_token}"}).status_code == 401
    assert get(console, path, headers=bearer(sales_token)).status_code == 200


def test_a_forged_tampered_or_foreign_cookie_gets_401(console: WebServer, sales_token: str, tmp_path: Path) -> None:
    login = requests.post(
        console.url + "/sales/login", data={"rep": "Ann", "token": sales_token}, allow_redirects=False, timeout=10
    )
    good = session_cookie(login.headers["Set-Cookie"])
    payload, signature = good.split(".")
    assert get(console, "/sales/api/session", cookies={"sales_session": good}).json()["rep"] == "Ann"
    forged = [
        "",
        "x",
        payload,
        f"{payload}.",
        f"{payload}.{signature[:-2]}AA",  # tampered signature
        f"{payload[:-4]}AAAA.{signature}",  # tampered payload
        f"{sales_token}",  # the token itself is not a session
    ]
    for value in forged:
        assert get(console, "/sales/api/leads", cookies={"sales_session": value}).status_code == 401, value

    # A cookie signed under another token (a server whose token changed) is refused.
    other = WebServer("http://localhost:5005", tmp_path / "other.log", env={"SALES_TOKEN": new_token()})
    try:
        assert get(other, "/sales/api/leads", cookies={"sales_session": good}).status_code == 401
    finally:
        other.stop()


def test_the_login_cookie_is_a_signed_http_only_strict_session_not_the_token(
    console: WebServer, sales_token: str
) -> None:
    response = requests.post(
        console.url + "/sales/login",
        data={"rep": "Ann Lee", "token": sales_token},
        headers={"Origin": console.url},
        allow_redirects=False,
        timeout=10,
    )
    assert response.status_code == 303 and response.headers["Location"] == "/sales"
    set_cookie = response.headers["Set-Cookie"]
    assert {"httponly", "samesite=strict", "path=/sales"} <= cookie_attributes(set_cookie)
    assert "secure" not in cookie_attributes(set_cookie)  # plain http here
    assert sales_token not in set_cookie
    behind_tls = requests.post(
        console.url + "/sales/login",
        data={"rep": "Ann Lee", "token": sales_token},
        headers={"X-Forwarded-Proto": "https"},
        allow_redirects=False,
        timeout=10,
    )
    assert "secure" in cookie_attributes(behind_tls.headers["Set-Cookie"])

    page = get(console, "/sales")
    assert page.status_code == 200
    csp = page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "default-src 'none'" in csp and "frame-ancestors 'none'" in csp
    assert "Access-Control-Allow-Origin" not in page.headers
    assert page.headers["Cache-Control"] == "no-store"


def test_a_wrong_login_is_answered_with_the_form_and_a_polite_401(console: WebServer) -> None:
    response = requests.post(
        console.url + "/sales/login", data={"rep": "Ann", "token": "not-the-token-at-all"}, timeout=10
    )
    assert response.status_code == 401
    assert "Set-Cookie" not in response.headers
    assert "That token is not right" in response.text and 'action="/sales/login"' in response.text


def test_writes_with_the_cookie_need_the_csrf_token_and_our_origin(
    console: WebServer, sales_token: str, captured: dict
) -> None:
    session = signed_in(console, sales_token, "Ann")
    url = console.url + lead_path(captured["conversation_id"])
    csrf = session.headers.pop("X-CSRF-Token")
    assert session.patch(url, json={"note": "no csrf"}, timeout=10).status_code == 403
    assert session.patch(url, json={"note": "bad"}, headers={"X-CSRF-Token": "forged"}, timeout=10).status_code == 403
    cross_site = {"X-CSRF-Token": csrf, "Origin": "http://evil.example"}
    assert session.patch(url, json={"note": "cross"}, headers=cross_site, timeout=10).status_code == 403
    history = requests.get(url, headers=bearer(sales_token), timeout=30).json()["history"]
    assert not [h for h in history if h["note"] in ("no csrf", "bad", "cross")]


def test_logging_out_ends_the_session(console: WebServer, sales_token: str) -> None:
    session = signed_in(console, sales_token, "Ann")
    cookie = session.cookies.get("sales_session")
    assert session.get(console.url + "/sales/api/session", timeout=10).status_code == 200
    out = session.post(console.url + "/sales/logout", allow_redirects=False, timeout=10)
    assert out.status_code == 303 and "max-age=0" in cookie_attributes(out.headers["Set-Cookie"])
    assert get(console, "/sales/api/session", cookies={"sales_session": cookie}).status_code == 401


def test_repeated_wrong_tokens_from_one_address_are_slowed_down(stack: Stack, tmp_path: Path) -> None:
    token = new_token()
    web = start_console(stack, token, tmp_path / "web.log", SALES_BACKOFF_SECONDS="1")
    try:
        codes = [get(web, "/sales/api/leads", headers=bearer("wrong-" + token)).status_code for _ in range(4)]
        assert codes == [401, 401, 401, 401]
        # Now even the right token waits: refused without being looked at.
        waiting = get(web, "/sales/api/leads", headers=bearer(token))
        assert waiting.status_code == 429 and int(waiting.headers["Retry-After"]) >= 1
        form = requests.post(web.url + "/sales/login", data={"rep": "Ann", "token": token}, timeout=10)
        assert form.status_code == 429 and "Too many wrong tokens" in form.text
        time.sleep(int(waiting.headers["Retry-After"]))
        assert get(web, "/sales/api/leads", headers=bearer(token)).status_code == 200
        # The right token cleared the address: wrong ones get plain 401s again.
        assert get(web, "/sales/api/leads", headers=bearer("wrong")).status_code == 401
    finally:
        web.stop()


# --- the contract ---------------------------------------------------------------------------


def test_a_captured_lead_is_listed_with_its_fields(console: WebServer, sales_token: str, captured: dict) -> None:
    leads = get(console, "/sales/api/leads", headers=bearer(sales_token)).json()["leads"]
    [lead] = [lead for lead in leads if lead["conversation_id"] == captured["conversation_id"]]
    slots = captured["slots"]
    assert {key: lead[key.removeprefix("lead_")] for key in CONTACT} == CONTACT  # as typed
    assert (lead["tier"], lead["score"]) == (slots["lead_tier"], slots["lead_score"])
    assert lead["recommendation"] == slots["recommendation"] == "kpo"
    assert lead["score_reasons"] and all(isinstance(r, str) for r in lead["score_reasons"])
    created = datetime.fromisoformat(lead["created_at"])
    assert abs(datetime.now(timezone.utc) - created) < timedelta(hours=1)
    assert lead["status"] in ("new", "contacted", "qualified", "won", "lost")


@pytest.mark.parametrize(
    ("query", "listed"),
    [
        ("tier=hot", True),
        ("tier=cold", False),
        ("recommendation=kpo", True),
        ("recommendation=bpo", False),
        ("since={today}&until={today}", True),
        ("since={tomorrow}", False),
        ("until={yesterday}", False),
        ("status=lost", False),
    ],
)
def test_filters_find_the_lead_or_leave_it_out(
    console: WebServer, sales_token: str, captured: dict, query: str, listed: bool
) -> None:
    today = datetime.now(timezone.utc).date()
    query = query.format(today=today, tomorrow=today + timedelta(days=1), yesterday=today - timedelta(days=1))
    response = get(console, f"/sales/api/leads?{query}", headers=bearer(sales_token))
    assert response.status_code == 200
    ids = {lead["conversation_id"] for lead in response.json()["leads"]}
    assert (captured["conversation_id"] in ids) is listed


@pytest.mark.parametrize("query", ["tier=lukewarm", "status=closed", "recommendation=rpa", "since=31/01/2026"])
def test_a_bad_filter_is_a_400_that_says_why(console: WebServer, sales_token: str, query: str) -> None:
    response = get(console, f"/sales/api/leads?{query}", headers=bearer(sales_token))
    assert response.status_code == 400
    assert "must be" in response.json()["error"]


def test_the_lead_comes_with_its_transcript_from_rasa(
    console: WebServer, sales_token: str, captured: dict, stack: Stack
) -> None:
    detail = get(console, lead_path(captured["conversation_id"]), headers=bearer(sales_token)).json()
    assert detail["lead"]["email"] == CONTACT["lead_email"]
    assert detail["transcript_error"] is None
    turns = detail["transcript"]
    # Exactly what Rasa stored, in order: every user message and every bot text.
    events = stack.tracker(captured["sender"])["events"]
    said = [
        ("visitor" if e["event"] == "user" else "assistant", e["text"])
        for e in events
        if e["event"] in ("user", "bot") and e.get("text")
    ]
    shown = [(t["speaker"], t["text"]) for t in turns]
    assert [speaker for speaker, _ in shown] == [speaker for speaker, _ in said]
    assert shown[0] == ("visitor", OPENING)
    assert ("visitor", CONTACT["lead_email"]) in shown
    assert any(speaker == "assistant" and "specialist" in text.lower() for speaker, text in shown)
    # The consent button's payload is shown as the title the visitor clicked; the thank-you
    # follows (then the offer to book a call).
    consent = max(i for i, (speaker, _) in enumerate(shown) if speaker == "visitor")
    assert not shown[consent][1].startswith("/")
    assert shown[consent + 1][0] == "assistant" and CONTACT["lead_full_name"] in shown[consent + 1][1]
    assert shown[-1] == ("assistant", said[-1][1])


def test_the_brief_comes_with_the_lead(console: WebServer, sales_token: str, captured: dict, stack: Stack) -> None:
    store = LeadStore(path=stack.env["LEADS_DB_PATH"])
    try:
        expected = BriefStore(store).for_conversation(captured["conversation_id"])
    finally:
        store.dispose()
    assert expected is not None, "the advice of the captured conversation made no brief"
    detail = get(console, lead_path(captured["conversation_id"]), headers=bearer(sales_token)).json()
    assert detail["brief"]["url"] == f"/brief/{expected.token}"
    assert detail["brief"]["content"] == json.loads(json.dumps(expected.content, default=str))
    assert get(console, detail["brief"]["url"]).status_code == 200  # the link works on this server


def test_an_unknown_or_unconsented_conversation_is_404(console: WebServer, sales_token: str) -> None:
    response = get(console, lead_path("rest:nobody-here"), headers=bearer(sales_token))
    assert response.status_code == 404 and response.json()["error"] == "no captured lead for that conversation"
    patch = requests.patch(
        console.url + lead_path("rest:nobody-here"), json={"status": "won"}, headers=bearer(sales_token), timeout=10
    )
    assert patch.status_code == 404


def test_status_changes_are_kept_with_rep_and_time_and_reach_the_crm(
    console: WebServer, sales_token: str, captured: dict, crm: FakeServer
) -> None:
    conversation_id = captured["conversation_id"]
    url = console.url + lead_path(conversation_id)
    ann = signed_in(console, sales_token, "Ann Lee")
    before = datetime.now(timezone.utc)
    first = ann.patch(url, json={"status": "contacted", "note": "Called; wants a KPO pilot."}, timeout=30)
    assert first.status_code == 200 and first.json()["changed"] is True
    second = requests.post(url, json={"status": "qualified"}, headers=bearer(sales_token, rep="Bo"), timeout=30)
    assert second.status_code == 200
    refused = ann.patch(url, json={"status": "closed"}, timeout=30)
    assert refused.status_code == 400 and "status must be one of" in refused.json()["error"]

    detail = requests.get(url, headers=bearer(sales_token), timeout=30).json()
    mine = [h for h in detail["history"] if datetime.fromisoformat(h["at"]) >= before]
    assert [(h["rep"], h["previous_status"], h["status"], h["note"]) for h in mine] == [
        ("Ann Lee", "new", "contacted", "Called; wants a KPO pilot."),
        ("Bo", "contacted", "qualified", None),
    ]
    assert (detail["lead"]["status"], detail["lead"]["status_by"]) == ("qualified", "Bo")
    listed = get(console, "/sales/api/leads?status=qualified", headers=bearer(sales_token)).json()["leads"]
    assert conversation_id in {lead["conversation_id"] for lead in listed}

    def updates() -> list:
        return [
            r
            for r in crm.accepted
            if r.body.get("event") == "lead.updated" and r.body.get("conversation_id") == conversation_id
        ]

    got = wait_until(lambda: len(updates()) >= 2 and updates(), "two lead.updated posts at the fake CRM", timeout=30)
    assert [(r.body["status"], r.body["changed_by"], r.body["previous_status"]) for r in got] == [
        ("contacted", "Ann Lee", "new"),
        ("qualified", "Bo", "contacted"),
    ]
    assert got[0].body["note"] == "Called; wants a KPO pilot."
    assert got[0].headers["Idempotency-Key"] == got[0].body["idempotency_key"] != got[1].body["idempotency_key"]
    captured_key = next(
        r.body["idempotency_key"]
        for r in crm.accepted
        if r.body.get("event") == "lead.captured" and r.body["lead"]["conversation_id"] == conversation_id
    )
    assert {r.body["lead_idempotency_key"] for r in got} == {captured_key}  # the CRM knows which lead


def test_charts_count_the_real_conversation(console: WebServer, sales_token: str, captured: dict) -> None:
    today = datetime.now(timezone.utc).date().isoformat()
    stats = get(console, f"/sales/api/stats?by=day&since={today}", headers=bearer(sales_token)).json()
    [row] = stats["funnel"]
    assert row["period"] == today
    assert row["conversations"] >= 1 and row["advice_given"] >= 1 and row["leads_captured"] >= 1
    assert row["leads_offered"] >= row["leads_captured"]
    kpo = next(r for r in stats["by_recommendation"] if r["recommendation"] == "kpo")
    assert kpo["advised"] >= 1 and kpo["captured"] >= 1
    hot = next(r for r in stats["by_tier"] if r["tier"] == "hot")
    assert hot["captured"] >= 1
    weekly = get(console, "/sales/api/stats?by=week", headers=bearer(sales_token)).json()
    assert sum(r["leads_captured"] for r in weekly["funnel"]) == sum(r["captured"] for r in stats["by_tier"])
    assert get(console, "/sales/api/stats?by=month", headers=bearer(sales_token)).status_code == 400


def test_csv_exports_what_the_api_shows(console: WebServer, sales_token: str, captured: dict) -> None:
    export = get(console, "/sales/api/leads.csv?tier=hot", headers=bearer(sales_token))
    assert export.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in export.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(export.text)))
    [row] = [r for r in rows if r["conversation_id"] == captured["conversation_id"]]
    assert row["email"] == CONTACT["lead_email"] and row["company"] == CONTACT["lead_company"]
    assert row["tier"] == "hot" and row["recommendation"] == "kpo"
    assert row["delivery"] == "webhook:sent"
    listed = get(console, "/sales/api/leads?tier=hot", headers=bearer(sales_token)).json()
    assert len(rows) == listed["count"]

    chart = get(console, "/sales/api/stats.csv?chart=recommendation", headers=bearer(sales_token))
    table = list(csv.DictReader(io.StringIO(chart.text)))
    shown = get(console, "/sales/api/stats", headers=bearer(sales_token)).json()["by_recommendation"]
    assert [(r["recommendation"], int(r["advised"]), int(r["captured"])) for r in table] == [
        (r["recommendation"], r["advised"], r["captured"]) for r in shown
    ]


def test_the_transcript_is_missing_politely_when_rasa_is_down(stack: Stack, captured: dict, tmp_path: Path) -> None:
    token = new_token()
    web = start_console(stack, token, tmp_path / "web.log", RASA_URL=f"http://127.0.0.1:{free_port()}")
    try:
        response = get(web, lead_path(captured["conversation_id"]), headers=bearer(token))
        assert response.status_code == 200
        detail = response.json()
        assert detail["transcript"] is None
        assert (
            detail["transcript_error"] == "The assistant's server cannot be reached right now; try again in a moment."
        )
        assert detail["lead"]["email"] == CONTACT["lead_email"]
    finally:
        web.stop()


def test_the_web_log_holds_no_token_and_no_conversation_id(
    console: WebServer, sales_token: str, captured: dict, stack: Stack
) -> None:
    get(console, lead_path(captured["conversation_id"]), headers=bearer(sales_token))
    get(console, "/sales/api/leads", headers=bearer("wrong-" + sales_token))
    log = Path(console._log.name).read_text(encoding="utf-8")
    assert "/sales/api/leads/conv-" in log
    assert captured["conversation_id"] not in log and captured["sender"] not in log
    assert sales_token not in log and stack.token not in log
