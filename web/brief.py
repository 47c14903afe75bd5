"""The one-page brief at ``/brief/<token>``, served by web/serve.py (one dispatch line there).

    /brief/<token>   the brief of one conversation's advice (leads/briefs.py), or 404
    /brief.css       its styles, with a print stylesheet so it prints cleanly to PDF
    /brief.js        the "Print or save as PDF" button (the page reads fine without it)

Why these headers: the token in the URL is the only key to the brief, so the page is never
cached (``no-store``), never sends the URL on as a referrer (``no-referrer``), is not indexed,
and may not be framed. Its Content-Security-Policy allows only this server's own stylesheet
and script: everything on the page is text from the brief, HTML-escaped, and no inline
script or style is needed.

The page shows the call booked in the same conversation, when there is one (leads/booking.py):
its time in the sales team's time zone and in UTC, and "Add to your calendar", the visitor's
own ``/call/<token>.ics`` link (web/call_file.py), read afresh on every request, so a moved call
shows its new time.

A brief that was deleted ("delete my data") or never existed answers 404; a lead database
that cannot be reached answers 503. Both with a short page, never a stack trace. The server's
request log shows `/brief/<token>` instead of the token (`redact_tokens`).

The brief is read from the lead database (``LEADS_DB_URL`` / ``LEADS_DB_PATH``, as the
action server writes it), and its words come from domain/texts/brief_page.yml, so this module needs
the project's ``leads`` and ``advisor`` packages: serve.py runs as a script from web/, so the
project root is put on ``sys.path`` (web/project.py) before they are imported.
"""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Iterable
from datetime import datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import project

WEB_DIR = Path(__file__).resolve().parent
project.on_path()

from advisor.texts import say  # noqa: E402 - needs the project root on sys.path (above)
from leads.booking import CALENDAR_PREFIX, LINK, Meeting, Meetings, slot_label, slot_of  # noqa: E402
from leads.briefs import PATH_PREFIX, BriefStore, is_token  # noqa: E402
from leads.store import is_unavailable  # noqa: E402

log = logging.getLogger(__name__)

STATIC = {
    "/brief.css": (WEB_DIR / "brief.css", "text/css; charset=utf-8"),
    "/brief.js": (WEB_DIR / "brief.js", "text/javascript; charset=utf-8"),
}
CSP_DIRECTIVES = (
    "default-src 'none'",
    "style-src 'self'",
    "script-src 'self'",
    "img-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
)
CONTENT_SECURITY_POLICY = "; ".join(CSP_DIRECTIVES)
HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Robots-Tag": "noindex, nofollow",
    "X-Frame-Options": "DENY",
}


def brief_store() -> BriefStore:
    """The briefs in the process-wide lead store (leads.outbox.default_store_and_outbox), which the
    console and the calendar files use too; opened on first use (the page server may run without
    a database)."""
    return BriefStore()


def redact_tokens(text: str, prefix: str = PATH_PREFIX) -> str:
    """A request line for the log without the token after `prefix` (a brief's, or a booked call's
    /call/<token>.ics): the token is the only key to what it opens."""
    if prefix not in text:
        return text
    return re.sub(re.escape(prefix) + r"[^\s?#/]+", prefix + "<token>", text)


def handles(path: str) -> bool:
    return path in STATIC or path.startswith(PATH_PREFIX)


def respond(handler: BaseHTTPRequestHandler, path: str, head_only: bool) -> bool:
    """Answer `path` when it is one of the brief's; False leaves it to serve.py."""
    if not handles(path):
        return False
    if path in STATIC:
        file_path, content_type = STATIC[path]
        send(handler, HTTPStatus.OK, file_path.read_bytes(), content_type, head_only)
        return True
    token = path[len(PATH_PREFIX) :]
    status, page = HTTPStatus.NOT_FOUND, None
    if is_token(token):
        try:
            brief = brief_store().get(token)
            call = Meetings(brief_store().store).get(brief.conversation_id) if brief is not None else None
        except Exception as error:
            if not is_unavailable(error):
                raise
            log.warning("brief page: lead database unreachable (%s)", type(error).__name__)
            status, page = HTTPStatus.SERVICE_UNAVAILABLE, notice_page("unavailable")
        else:
            if brief is not None:
                status, page = HTTPStatus.OK, brief_page(brief.content, brief.created_at, brief.updated_at, call)
    page = page or notice_page("not_found")
    send(handler, status, page.encode("utf-8"), "text/html; charset=utf-8", head_only)
    return True


def send(
    handler: BaseHTTPRequestHandler,
    status: HTTPStatus,
    body: bytes,
    content_type: str,
    head_only: bool,
    headers: dict[str, str] | None = None,
) -> None:
    """A response with the headers of a visitor's private link (HEADERS; the brief's CSP on HTML):
    the brief, and a booked call's calendar file (web/call_file.py)."""
    handler.send_response(status)
    handler.send_header("Content-Type", content_type)
    handler.send_header("Content-Length", str(len(body)))
    for name, value in {**HEADERS, **(headers or {})}.items():
        handler.send_header(name, value)
    if content_type.startswith("text/html"):
        handler.send_header("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    handler.end_headers()
    if not head_only:
        handler.wfile.write(body)


# --------------------------------------------------------------------------- rendering


def esc(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _texts(values: Any) -> list[str]:
    """A list of non-empty texts from a list (or a single text) in the brief's content."""
    if isinstance(values, str):
        values = [values]
    if not isinstance(values, (list, tuple)):
        return []
    return [_item(v) for v in values if isinstance(v, (str, int, float)) and str(v).strip()]


def _list(items: Iterable[str], tag: str = "ul", css: str = "") -> str:
    rows = "".join(f"<li>{item}</li>" for item in items)
    if not rows:
        return ""
    attribute = f' class="{css}"' if css else ""
    return f"<{tag}{attribute}>{rows}</{tag}>"


def _section(key: str, body: str) -> str:
    if not body.strip():
        return ""
    return (
        f'<section class="brief__section" id="{key}"><h2>{esc(say(f"brief_page.headings.{key}"))}</h2>{body}</section>'
    )


def _table(columns: list[tuple[str, str]], rows: list[dict[str, Any]]) -> str:
    """A table of `rows` (dicts) with `columns` (key, heading text key); empty when no row has data."""
    rows = [r for r in rows if isinstance(r, dict)]
    if not rows:
        return ""
    head = "".join(f'<th scope="col">{esc(say(f"brief_page.table.{label}"))}</th>' for _, label in columns)
    body = ""
    for row in rows:
        cells = "".join(
            (f'<th scope="row">{esc(row.get(key, ""))}</th>' if i == 0 else f"<td>{esc(_cell(row.get(key)))}</td>")
            for i, (key, _) in enumerate(columns)
        )
        body += f"<tr>{cells}</tr>"
    return f'<table class="brief__table"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):  # e.g. the options a contract model fits: "BPO, KPO"
        return ", ".join(str(v).upper() if str(v) in ("bpo", "kpo") else str(v) for v in value)
    return str(value)


def _item(text: Any) -> str:
    """A list item's text: the "- " bullets of the plain-text answers are the page's to draw."""
    return str(text).strip().removeprefix("- ").strip()


def _day(moment: datetime) -> str:
    return f"{moment.day} {moment:%B %Y}"


def _split(content: dict[str, Any]) -> str:
    columns = ""
    for model in ("bpo", "kpo"):
        tasks = _texts(content.get(f"{model}_tasks"))
        if not tasks:
            continue
        items = _list(esc(t) for t in tasks)
        heading = esc(say(f"brief_page.columns.{model}"))
        columns += f'<div class="brief__column brief__column--{model}"><h3>{heading}</h3>{items}</div>'
    return f'<div class="brief__columns">{columns}</div>' if columns else ""


def _reasons(content: dict[str, Any]) -> str:
    items = []
    for reason in content.get("reasons") or []:
        if isinstance(reason, str):
            reason = {"text": reason}
        if not isinstance(reason, dict) or not reason.get("text"):
            continue
        quotes = "".join(
            f' <span class="brief__quote">({esc(say("brief_page.quote", words=q))})</span>'
            for q in _texts(reason.get("quotes"))
            if q.lower() not in str(reason["text"]).lower()  # already quoted in the reason itself
        )
        items.append(esc(reason["text"]) + quotes)
    return _list(items)


def _cost(cost: Any) -> str:
    if not isinstance(cost, dict):
        return ""
    lines = []
    for option in cost.get("options") or []:
        if isinstance(option, dict) and option.get("line"):
            lines.append(esc(_item(option["line"])))
    body = _list(lines, css="brief__figures")
    for key in ("budget_buys", "fit_line", "note"):
        for text in _texts(cost.get(key)):
            body += f'<p class="brief__{key}">{esc(text)}</p>'
    assumptions = _list(esc(a) for a in _texts(cost.get("assumptions")))
    if assumptions:
        body += f"<h3>{esc(say('brief_page.headings.assumptions'))}</h3>{assumptions}"
    return body


def _place(row: dict[str, Any]) -> str:
    """ "nearshore (Mexico, Colombia and Costa Rica)": the delivery region and its example countries."""
    name = str(row.get("name") or row.get("region") or "")
    return f"{name} ({row['countries']})" if row.get("countries") else name


def _location(location: Any) -> str:
    if not isinstance(location, dict):
        return ""
    body = "".join(f'<p class="brief__lead">{esc(t)}</p>' for t in _texts(location.get("recommended_line")))
    body += _list(esc(n) for n in _texts(location.get("notes")))
    rows = [{**row, "where": _place(row)} for row in location.get("compared") or [] if isinstance(row, dict)]
    body += _table(
        [("where", "region"), ("cost", "cost"), ("overlap", "overlap"), ("language", "language"), ("suits", "suits")],
        rows,
    )
    return body


def _data(data: Any) -> str:
    if not isinstance(data, dict):
        return ""
    body = ""
    for regime in data.get("regimes") or []:
        if isinstance(regime, dict) and regime.get("name"):
            body += f"<h3>{esc(regime['name'])}</h3>" + _list(esc(m) for m in _texts(regime.get("means")))
    require = _list(esc(r) for r in _texts(data.get("require")))
    if require:
        body += f"<h3>{esc(say('brief_page.headings.require'))}</h3>{require}"
    if body:
        body += "".join(f'<p class="brief__disclaimer">{esc(t)}</p>' for t in _texts(data.get("disclaimer")))
    return body


def _contract(contract: Any) -> str:
    if not isinstance(contract, dict):
        return ""
    models = [m for m in contract.get("models") or [] if isinstance(m, dict)]
    names = {m.get("key"): m.get("name") for m in models}
    recommended = [str(names.get(k) or k) for k in _texts(contract.get("recommended"))]
    body = ""
    if recommended:
        line = say("brief_page.recommended_contract", models=", ".join(recommended))
        body += f'<p class="brief__lead">{esc(line)}</p>'
    body += _table([("name", "model"), ("fits", "fits"), ("why", "why")], models)
    return body


def _call(call: Meeting | None) -> str:
    """The call booked in the chat: when, in the sales team's time zone and in UTC, and the
    visitor's calendar file (the same ``/call/<token>.ics`` link the chat gave them: this page
    is theirs alone, so showing that key here gives it to nobody new); or the booking page."""
    if call is None:
        return ""
    slot = slot_of(call)
    if slot is not None:
        lines = [say("brief_page.call_when", when=slot_label(slot), timezone=slot.zone)]
        if slot.zone != "UTC":
            lines.append(say("brief_page.call_utc", when=slot_label(slot, "UTC")))
        href = f"{CALENDAR_PREFIX}{call.token}.ics"
        link = (
            f'<a class="brief__calendar" href="{esc(href)}" download="call.ics" rel="noopener noreferrer">'
            f"{esc(say('brief_page.call_calendar'))}</a>"
        )
        return (
            f'<p class="brief__lead brief__call-when">{esc(lines[0])}</p>'
            + "".join(f'<p class="brief__call-utc">{esc(line)}</p>' for line in lines[1:])
            + f'<p class="brief__call-file">{link}</p>'
        )
    if call.kind == LINK and call.booking_page:
        page = esc(call.booking_page)
        return (
            f"<p>{esc(say('brief_page.call_page'))} "
            f'<a class="brief__booking-page" href="{page}" rel="noopener noreferrer">{page}</a></p>'
        )
    return ""


def brief_page(content: dict[str, Any], created: datetime, updated: datetime, call: Meeting | None = None) -> str:
    """The whole page for a brief's content (and the call booked in the same conversation, if
    any); every value from the content is escaped."""
    choice = content.get("choice_label") or str(content.get("choice") or "").upper()
    meta = [say("brief_page.prepared", date=_day(created))]
    if _day(updated) != _day(created):
        meta.append(say("brief_page.updated", date=_day(updated)))
    confidence = content.get("confidence")
    if isinstance(confidence, (int, float)):
        meta.insert(0, say("brief_page.confidence", percent=round(confidence * 100)))
    sections = [
        _section("call", _call(call)),  # first: the one thing with a date on it
        _section("split", _split(content)),
        _section("reasons", _reasons(content)),
        _section("cost", _cost(content.get("cost"))),
        _section("location", _location(content.get("location"))),
        _section("data", _data(content.get("data"))),
        _section("contract", _contract(content.get("contract"))),
        _section("checklist", _list((esc(c) for c in _texts(content.get("checklist"))), css="brief__checklist")),
        _section("next_steps", _list((esc(s) for s in _texts(content.get("next_steps"))), tag="ol")),
    ]
    header = (
        f'<header class="brief__header"><p class="brief__kicker">{esc(say("brief_page.kicker"))}</p>'
        f"<h1>{esc(say('brief_page.headline', choice=choice))}</h1>"
        f'<p class="brief__meta">{esc(" · ".join(meta))}</p>'
        f'<p class="brief__actions"><button class="brief__print" type="button" hidden>'
        f"{esc(say('brief_page.print'))}</button>"
        f'<span class="brief__print-hint">{esc(say("brief_page.print_hint"))}</span></p></header>'
    )
    footer = f'<footer class="brief__footer"><p>{esc(say("brief_page.footer"))}</p></footer>'
    return _document(say("brief_page.title"), header + "".join(sections) + footer, script=True)


def notice_page(kind: str) -> str:
    """The short page for a missing (`not_found`) or unreachable (`unavailable`) brief."""
    body = (
        f'<header class="brief__header"><h1>{esc(say(f"brief_page.{kind}_title"))}</h1></header>'
        f"<p>{esc(say(f'brief_page.{kind}'))}</p>"
    )
    return _document(say(f"brief_page.{kind}_title"), body, script=False)


def _document(title: str, body: str, script: bool) -> str:
    js = '<script src="/brief.js" defer></script>' if script else ""
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="robots" content="noindex, nofollow">'
        f'<title>{esc(title)}</title><link rel="stylesheet" href="/brief.css">{js}</head>'
        f'<body class="brief"><main class="brief__page">{body}</main></body></html>'
    )
