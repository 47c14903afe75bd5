"""The sales console under ``/sales``: a login form, the console page and its JSON API.

web/serve.py hands every ``/sales`` request to :func:`dispatch`. The console is off unless
``SALES_TOKEN`` is set (web/sales_auth.py: token, sessions, CSRF, backoff); then:

    GET   /sales                          the page (login form until signed in), strict CSP
    POST  /sales/login                    form: token + rep name -> session cookie, 303 to /sales
    POST  /sales/logout                   ends the session
    GET   /sales/<file>.js|.css           the page's own files (web/sales/), chart.umd.min.js (npm)
    GET   /sales/api/session              who is signed in, the CSRF token, optional page modules
    GET   /sales/api/leads                captured leads; ?tier= &status= &recommendation= &since= &until=
    GET   /sales/api/leads.csv            the same list as CSV
    GET   /sales/api/leads/{id}           one lead, its transcript, its brief (if any), its status history
    PATCH /sales/api/leads/{id}           {"status": ..., "note": ...}: stored, sent to the CRM as lead.updated
    POST  /sales/api/leads/{id}           the same as PATCH
    GET   /sales/api/stats                funnel by day or week (?by=day|week &since= &until=), conversion
    GET   /sales/api/stats.csv            one chart's data as CSV (?chart=funnel|recommendation|tier)

The API takes the session cookie or ``Authorization: Bearer <SALES_TOKEN>``; with a bearer
token, ``X-Sales-Rep`` names who makes a change (default ``api``). Wrong or missing
credentials: 401; too many wrong tokens from one address: 429 for a while.

The transcript is read through Rasa's HTTP API (``GET {RASA_URL}/conversations/{id}/tracker``
with ``RASA_AUTH_TOKEN``, server side), not from the tracker database: Rasa's API reads every
tracker store the project supports (SQLite, PostgreSQL, and Rasa's in-memory default), decodes
the events with Rasa's own code, sees the erasures serving/erasure.py made, and keeps working
when Rasa's table layout changes between versions; the console needs no tracker database
credentials, only the token Rasa already has.

For other console features (the hand-off's "waiting" list): :func:`authorised` and
:func:`guard` check a request, :func:`route` adds an API route, and every other ``.js`` file
in web/sales/ is loaded by the page as a module (``/sales/api/session`` lists them).
"""

from __future__ import annotations

import importlib
import io
import json
import logging
import re
import threading
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from http import HTTPStatus
from http.cookies import CookieError, SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlencode, urlsplit

import project
from sales_auth import COOKIE_NAME, Backoff, SalesSettings, Session, Sessions

WEB_DIR = Path(__file__).resolve().parent
PAGE_DIR = WEB_DIR / "sales"
CHART_JS = WEB_DIR / "node_modules" / "chart.js" / "dist" / "chart.umd.min.js"
PREFIX = "/sales"
API_PREFIX = "/sales/api/"
MAX_BODY_BYTES = 16 * 1024
RASA_TIMEOUT_SECONDS = 10
PAGE_FILE = re.compile(r"/sales/([a-z][a-z0-9-]*\.(?:js|css))")
CONTENT_TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}
LOGIN_ERROR_MARK = '<p class="login__error" id="login-error" hidden></p>'
CSP_DIRECTIVES = (
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "form-action 'self'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
)
CSP = "; ".join(CSP_DIRECTIVES)
UTC = timezone.utc

log = logging.getLogger("sales")

Handler = Any
"""A ``http.server.BaseHTTPRequestHandler`` of web/serve.py (with ``sales_console``)."""
RouteFunction = Callable[["SalesConsole", Handler, str, "re.Match[str]"], None]
_routes: list[tuple[str, re.Pattern[str], RouteFunction]] = []


class ApiError(Exception):
    """A request the API answers with ``status`` and a JSON ``{"error": message}``."""

    def __init__(self, status: HTTPStatus, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def route(method: str, pattern: str) -> Callable[[RouteFunction], RouteFunction]:
    """Register an API route: ``fn(console, handler, rep, match)`` for ``method`` on ``/sales/api/<pattern>``.

    The request is authorised before ``fn`` runs (and, for writes, CSRF-checked); ``fn``
    answers with :func:`send_json` or raises :class:`ApiError`.
    """
    compiled = re.compile(API_PREFIX + pattern)

    def register(fn: RouteFunction) -> RouteFunction:
        _routes.append((method, compiled, fn))
        return fn

    return register


# --- responses ----------------------------------------------------------------------------


def send(
    handler: Handler,
    status: int,
    body: bytes,
    content_type: str,
    headers: Mapping[str, str] | None = None,
) -> None:
    """Send a response with the console's headers: never cached, never framed, no CORS."""
    handler.send_response(status)
    handler.send_header("Content-Type", content_type)
    handler.send_header("Content-Length", str(len(body)))
    handler.send_header("Cache-Control", "no-store")
    handler.send_header("X-Content-Type-Options", "nosniff")
    handler.send_header("X-Frame-Options", "DENY")
    handler.send_header("Referrer-Policy", "same-origin")
    handler.send_header("Content-Security-Policy", CSP)
    for name, value in (headers or {}).items():
        handler.send_header(name, value)
    handler.end_headers()
    if handler.command != "HEAD":
        handler.wfile.write(body)


def send_json(handler: Handler, status: int, data: Any, headers: Mapping[str, str] | None = None) -> None:
    body = json.dumps(data, ensure_ascii=False, default=_json_default).encode("utf-8")
    send(handler, status, body, "application/json; charset=utf-8", headers)


def send_error(handler: Handler, status: HTTPStatus, message: str, headers: Mapping[str, str] | None = None) -> None:
    send_json(handler, status, {"error": message}, headers)


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def read_body(handler: Handler) -> bytes:
    """The request body (at most :data:`MAX_BODY_BYTES`); ApiError otherwise."""
    length = handler.headers.get("Content-Length")
    if length is None or not length.isdigit():
        raise ApiError(HTTPStatus.LENGTH_REQUIRED, "send a Content-Length header")
    if int(length) > MAX_BODY_BYTES:
        raise ApiError(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, f"the body may be at most {MAX_BODY_BYTES} bytes")
    return handler.rfile.read(int(length))


def read_json(handler: Handler) -> dict[str, Any]:
    """The request body as a JSON object; ApiError(400) with the reason otherwise."""
    try:
        data = json.loads(read_body(handler) or b"{}")
    except ValueError:
        raise ApiError(HTTPStatus.BAD_REQUEST, "the body must be JSON") from None
    if not isinstance(data, dict):
        raise ApiError(HTTPStatus.BAD_REQUEST, "the body must be a JSON object")
    return data


# --- authorisation ------------------------------------------------------------------------


def client_address(handler: Handler) -> str:
    return str(handler.client_address[0])


def _cookie(handler: Handler) -> str | None:
    raw = handler.headers.get("Cookie")
    if not raw:
        return None
    try:
        morsel = SimpleCookie(raw).get(COOKIE_NAME)
    except CookieError:
        return None
    return morsel.value if morsel else None


def _bearer(handler: Handler) -> str | None:
    header = handler.headers.get("Authorization") or ""
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def _same_origin(handler: Handler) -> bool:
    """True unless the browser says the request comes from another site (Origin, else Referer)."""
    claimed = handler.headers.get("Origin") or handler.headers.get("Referer")
    if not claimed:
        return True  # not a browser's cross-site request (browsers send Origin with every POST/PATCH)
    # Behind a reverse proxy that rewrites Host, X-Forwarded-Host names the site the browser
    # saw; another site cannot make a browser send that header (it would need CORS).
    hosts = {(handler.headers.get(name) or "").strip().lower() for name in ("Host", "X-Forwarded-Host")} - {""}
    try:
        return urlsplit(claimed).netloc.lower() in hosts
    except ValueError:
        return False


class Refusal(Exception):
    """Why a request is not let in: 401 (who are you?), 403 (CSRF), 429 (wait)."""

    def __init__(self, status: HTTPStatus, message: str, retry_after: float = 0.0) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.retry_after = retry_after

    def headers(self) -> dict[str, str]:
        if self.status == HTTPStatus.TOO_MANY_REQUESTS:
            return {"Retry-After": str(max(1, int(self.retry_after + 0.999)))}
        if self.status == HTTPStatus.UNAUTHORIZED:
            return {"WWW-Authenticate": 'Bearer realm="sales"'}
        return {}


# --- the console --------------------------------------------------------------------------


class SalesConsole:
    """One per web server: the settings, sessions, backoff and (opened on first use) the lead database."""

    def __init__(self, settings: SalesSettings) -> None:
        project.on_path()
        self.settings = settings
        self.sessions = Sessions(settings.token, settings.session_seconds)
        self.backoff = Backoff(settings.backoff_seconds)
        self._data: Any = None
        self._data_lock = threading.Lock()

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> SalesConsole | None:
        """The console, or None when ``SALES_TOKEN`` is unset (off); ValueError for bad settings."""
        settings = SalesSettings.from_env(env)
        return cls(settings) if settings else None

    # -- who is asking --------------------------------------------------------------------
    def identify(self, handler: Handler, *, write: bool = False) -> str:
        """The rep making this request, or :class:`Refusal`.

        A bearer token is checked (and a wrong one counted against the address); otherwise
        the session cookie, and for a write its CSRF token and origin.
        """
        address = client_address(handler)
        bearer = _bearer(handler)
        if bearer is not None:
            self.check_token(address, bearer)
            rep = (handler.headers.get("X-Sales-Rep") or "").strip()
            return rep or "api"
        session = self.session_of(handler)
        if session is None:
            raise Refusal(HTTPStatus.UNAUTHORIZED, "sign in first: log in at /sales or send a bearer token")
        if write and not (
            _same_origin(handler) and self.sessions.csrf_matches(session, handler.headers.get("X-CSRF-Token"))
        ):
            raise Refusal(HTTPStatus.FORBIDDEN, "this change did not come from the console page; reload it")
        return session.rep

    def session_of(self, handler: Handler) -> Session | None:
        return self.sessions.check(_cookie(handler))

    def check_token(self, address: str, token: str | None) -> None:
        """Let a token try through, or :class:`Refusal` (429 while the address waits, 401 when wrong)."""
        wait = self.backoff.wait(address)
        if wait > 0:
            raise Refusal(HTTPStatus.TOO_MANY_REQUESTS, "too many wrong tokens: try again later", wait)
        if not self.sessions.token_matches(token):
            self.backoff.failed(address)
            log.warning("sales console: wrong token from %s", address)
            raise Refusal(HTTPStatus.UNAUTHORIZED, "wrong token")
        self.backoff.succeeded(address)

    # -- the lead database ------------------------------------------------------------------
    def data(self) -> Any:
        """The lead store and pipeline, opened on first use (leads/ comes with SQLAlchemy)."""
        with self._data_lock:
            if self._data is None:
                self._data = _LeadData()
            return self._data

    # -- the conversation -------------------------------------------------------------------
    def transcript(self, conversation_id: str) -> tuple[list[dict[str, Any]] | None, str | None]:
        """(turns, None), or (None, why the transcript cannot be shown now)."""
        if not self.settings.rasa_token:
            return None, "The transcript is not available: RASA_AUTH_TOKEN is not set for the web server."
        try:
            tracker = fetch_tracker(self.settings, conversation_id)
        except urllib.error.HTTPError as error:
            log.error("sales console: Rasa answered %s to a tracker request", error.code)
            return None, f"The assistant's server refused the transcript (HTTP {error.code})."
        except (OSError, ValueError) as error:
            log.error("sales console: Rasa unreachable for a transcript: %s", type(error).__name__)
            return None, "The assistant's server cannot be reached right now; try again in a moment."
        from leads.transcript import transcript_from_events

        return transcript_from_events(tracker.get("events") or []), None

    # -- requests ---------------------------------------------------------------------------
    def handle(self, handler: Handler, path: str) -> None:
        method = handler.command
        if path.startswith(API_PREFIX):
            self._api(handler, method, path)
        elif path in (PREFIX, PREFIX + "/", PREFIX + "/index.html") and method in ("GET", "HEAD"):
            self._page(handler, HTTPStatus.OK)
        elif path == PREFIX + "/login" and method == "POST":
            self._login(handler)
        elif path == PREFIX + "/logout" and method == "POST":
            self._logout(handler)
        elif method in ("GET", "HEAD"):
            self._file(handler, path)
        else:
            send_error(handler, HTTPStatus.NOT_FOUND, "not found")

    def _page(self, handler: Handler, status: HTTPStatus, error: str | None = None, extra: Mapping | None = None):
        html = (PAGE_DIR / "index.html").read_text(encoding="utf-8")
        if error:
            escaped = error.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            html = html.replace(LOGIN_ERROR_MARK, f'<p class="login__error" id="login-error">{escaped}</p>')
        send(handler, status, html.encode("utf-8"), "text/html; charset=utf-8", extra)

    def _file(self, handler: Handler, path: str) -> None:
        if path == PREFIX + "/chart.umd.min.js":
            file_path = CHART_JS
        else:
            match = PAGE_FILE.fullmatch(path)
            file_path = PAGE_DIR / match.group(1) if match else None
        if file_path is None or not file_path.is_file():
            send_error(handler, HTTPStatus.NOT_FOUND, "not found")
            return
        send(handler, HTTPStatus.OK, file_path.read_bytes(), CONTENT_TYPES[file_path.suffix])

    def _login(self, handler: Handler) -> None:
        if not _same_origin(handler):
            self._page(handler, HTTPStatus.FORBIDDEN, "Log in from the console page itself.")
            return
        try:
            form = parse_qs(read_body(handler).decode("utf-8", "replace"), max_num_fields=10)
        except (ApiError, ValueError):
            self._page(handler, HTTPStatus.BAD_REQUEST, "The login form could not be read; please try again.")
            return
        rep = (form.get("rep") or [""])[0].strip()
        try:
            self.check_token(client_address(handler), (form.get("token") or [None])[0])
        except Refusal as refusal:
            message = (
                f"Too many wrong tokens. Please wait {refusal.headers()['Retry-After']} seconds and try again."
                if refusal.status == HTTPStatus.TOO_MANY_REQUESTS
                else "That token is not right. Please check it and try again."
            )
            self._page(handler, refusal.status, message, refusal.headers())
            return
        try:
            from leads.pipeline import check_rep

            rep = check_rep(rep)
        except ValueError as problem:
            self._page(handler, HTTPStatus.BAD_REQUEST, f"Please give your name: {problem}.")
            return
        cookie, _ = self.sessions.issue(rep)
        log.info("sales console: a rep signed in from %s", client_address(handler))
        _redirect_with_cookie(handler, cookie, int(self.settings.session_seconds))

    def _logout(self, handler: Handler) -> None:
        session = self.session_of(handler)
        if session is not None and _same_origin(handler):
            self.sessions.revoke(session)
        _redirect_with_cookie(handler, "", 0)

    def _api(self, handler: Handler, method: str, path: str) -> None:
        found = [(m, fn, match) for m, pattern, fn in _routes if (match := pattern.fullmatch(path))]
        if not found:
            send_error(handler, HTTPStatus.NOT_FOUND, "no such API route")
            return
        chosen = next(((fn, match) for m, fn, match in found if m == method or (m == "GET" and method == "HEAD")), None)
        try:
            rep = self.identify(handler, write=method not in ("GET", "HEAD"))
            if chosen is None:
                allowed = ", ".join(sorted({m for m, _, _ in found}))
                send_error(handler, HTTPStatus.METHOD_NOT_ALLOWED, f"use {allowed}", {"Allow": allowed})
                return
            fn, match = chosen
            fn(self, handler, rep, match)
        except Refusal as refusal:
            send_error(handler, refusal.status, refusal.message, refusal.headers())
        except ApiError as error:
            send_error(handler, error.status, error.message)
        except Exception as error:  # noqa: BLE001 - the console answers politely, the log says what broke
            log.error("sales console: %s %s failed: %s", method, path.split("/")[3], type(error).__name__)
            send_error(handler, HTTPStatus.SERVICE_UNAVAILABLE, "the lead database could not be read; try again soon")


def _redirect_with_cookie(handler: Handler, value: str, max_age: int) -> None:
    """303 to the console page, setting the session cookie (``max_age`` 0: deleting it).

    HttpOnly (no script reads it), SameSite=Strict (no other site's page sends it), only for
    /sales, and Secure when the page is served over https (behind a TLS proxy that says so
    with ``X-Forwarded-Proto``; web/serve.py itself speaks plain http).
    """
    secure = "; Secure" if (handler.headers.get("X-Forwarded-Proto") or "").lower() == "https" else ""
    cookie = f"{COOKIE_NAME}={value}; Path={PREFIX}; Max-Age={max_age}; HttpOnly; SameSite=Strict{secure}"
    send(handler, HTTPStatus.SEE_OTHER, b"", "text/plain; charset=utf-8", {"Location": PREFIX, "Set-Cookie": cookie})


def authorised(handler: Handler, *, write: bool = False) -> str | None:
    """The rep behind this request (cookie or bearer token), or None; for other console modules.

    Sends nothing: use :func:`guard` to answer a refusal too.
    """
    console = getattr(handler, "sales_console", None)
    if console is None:
        return None
    try:
        return console.identify(handler, write=write)
    except Refusal:
        return None


def guard(handler: Handler, *, write: bool = False) -> str | None:
    """The rep behind this request, or None after answering 404 (console off), 401, 403 or 429."""
    console = getattr(handler, "sales_console", None)
    if console is None:
        send_error(handler, HTTPStatus.NOT_FOUND, "not found")
        return None
    try:
        return console.identify(handler, write=write)
    except Refusal as refusal:
        send_error(handler, refusal.status, refusal.message, refusal.headers())
        return None


def dispatch(handler: Handler) -> bool:
    """web/serve.py's hook: answer a ``/sales`` request (404 when the console is off); False for other paths."""
    path = urlsplit(handler.path).path
    if path != PREFIX and not path.startswith(PREFIX + "/"):
        return False
    console = getattr(handler, "sales_console", None)
    if console is None:
        send(handler, HTTPStatus.NOT_FOUND, b"not found\n", "text/plain; charset=utf-8")
    else:
        console.handle(handler, path)
    return True


# --- data ----------------------------------------------------------------------------------


ID_IN_PATH = re.compile(r"(/sales/api/[a-z-]+/)([^/\s?]+)")


def redact_ids(text: str) -> str:
    """A request line for the log: conversation ids in /sales/api/ paths as ``conv-<hash>``, as in every log."""
    if "/sales/api/" not in text:
        return text
    project.on_path()
    from leads.delivery_log import conversation_ref

    return ID_IN_PATH.sub(lambda m: m.group(1) + conversation_ref(unquote(m.group(2))), text)


class _LeadData:
    """The lead store and pipeline of leads/ (LEADS_DB_URL or LEADS_DB_PATH), shared by all requests."""

    def __init__(self) -> None:
        project.on_path()
        from leads.outbox import default_store_and_outbox
        from leads.pipeline import Pipeline

        self.store = default_store_and_outbox()[0]  # the one the briefs and calendar files read too
        self.pipeline = Pipeline(self.store)


def _query(handler: Handler) -> dict[str, str]:
    params = parse_qs(urlsplit(handler.path).query, keep_blank_values=False, max_num_fields=20)
    return {key: values[-1].strip() for key, values in params.items() if values and values[-1].strip()}


def parse_day_or_time(name: str, value: str | None, *, end: bool = False) -> datetime | None:
    """``YYYY-MM-DD`` (a UTC day; as ``until``, that whole day is included) or an ISO time with offset."""
    if not value:
        return None
    try:
        if len(value) == 10:
            day = datetime.strptime(value, "%Y-%m-%d").replace(tzinfo=UTC)
            return day + timedelta(days=1) if end else day
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ApiError(HTTPStatus.BAD_REQUEST, f"{name} must be a date like 2026-01-31") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _choice(params: Mapping[str, str], name: str, allowed: Iterable[str]) -> str | None:
    value = params.get(name)
    allowed = tuple(allowed)
    if value is not None and value not in allowed:
        raise ApiError(HTTPStatus.BAD_REQUEST, f"{name} must be one of {', '.join(allowed)}")
    return value


def lead_filters(params: Mapping[str, str]) -> dict[str, Any]:
    from leads.model import RECOMMENDATIONS
    from leads.pipeline import STATUSES

    return {
        "tier": _choice(params, "tier", ("hot", "warm", "cold")),
        "status": _choice(params, "status", STATUSES),
        "recommendation": _choice(params, "recommendation", RECOMMENDATIONS),
        "since": parse_day_or_time("since", params.get("since")),
        "until": parse_day_or_time("until", params.get("until"), end=True),
    }


LIST_FIELDS = (
    "conversation_id",
    "full_name",
    "email",
    "company",
    "role",
    "company_size",
    "timeline",
    "tier",
    "score",
    "score_reasons",
    "recommendation",
    "created_at",
    "status",
    "status_at",
    "status_by",
)


def lead_summary(lead: Mapping[str, Any]) -> dict[str, Any]:
    return {key: lead.get(key) for key in LIST_FIELDS}


def _conversation_id(match: re.Match[str]) -> str:
    return unquote(match.group(1))


@route("GET", r"session")
def api_session(console: SalesConsole, handler: Handler, rep: str, match: re.Match[str]) -> None:
    session = console.session_of(handler)
    modules = sorted(
        p.name for p in PAGE_DIR.glob("*.js") if p.name != "sales.js" and PAGE_FILE.fullmatch(f"/sales/{p.name}")
    )
    send_json(
        handler,
        HTTPStatus.OK,
        {
            "rep": rep,
            "csrf": console.sessions.csrf_token(session) if session else None,
            "expires": session.expires if session else None,
            "modules": modules,
        },
    )


@route("GET", r"leads")
def api_leads(console: SalesConsole, handler: Handler, rep: str, match: re.Match[str]) -> None:
    leads = console.data().pipeline.list_leads(**lead_filters(_query(handler)))
    send_json(handler, HTTPStatus.OK, {"leads": [lead_summary(lead) for lead in leads], "count": len(leads)})


def _csv_response(handler: Handler, name: str, rows: Iterable[Mapping[str, Any]], columns: tuple[str, ...]) -> None:
    from leads.report import write_csv

    out = io.StringIO()
    write_csv(out, rows, columns)
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    send(handler, HTTPStatus.OK, out.getvalue().encode("utf-8"), "text/csv; charset=utf-8", headers)


@route("GET", r"leads\.csv")
def api_leads_csv(console: SalesConsole, handler: Handler, rep: str, match: re.Match[str]) -> None:
    from leads.config import load_config
    from leads.report import add_delivery_states

    leads = console.data().pipeline.list_leads(**lead_filters(_query(handler)))
    add_delivery_states(leads, load_config().deliveries_path)
    columns = (*LIST_FIELDS, "recommendation_reasons", "delivery")
    _csv_response(handler, "leads.csv", leads, columns)


@route("GET", r"leads/([^/]+)")
def api_lead(console: SalesConsole, handler: Handler, rep: str, match: re.Match[str]) -> None:
    conversation_id = _conversation_id(match)
    data = console.data()
    lead = data.pipeline.get_lead(conversation_id)
    if lead is None or not lead.get("consent"):
        raise ApiError(HTTPStatus.NOT_FOUND, "no captured lead for that conversation")
    transcript, problem = console.transcript(conversation_id)
    send_json(
        handler,
        HTTPStatus.OK,
        {
            "lead": {**lead_summary(lead), "recommendation_reasons": lead.get("recommendation_reasons") or []},
            "transcript": transcript,
            "transcript_error": problem,
            "brief": find_brief(data.store, conversation_id),
            "history": data.pipeline.history(conversation_id),
        },
    )


@route("PATCH", r"leads/([^/]+)")
@route("POST", r"leads/([^/]+)")
def api_change_lead(console: SalesConsole, handler: Handler, rep: str, match: re.Match[str]) -> None:
    from leads.delivery import deliver
    from leads.notify import queue_update
    from leads.pipeline import check_rep

    conversation_id = _conversation_id(match)
    body = read_json(handler)
    data = console.data()
    lead = data.pipeline.get_lead(conversation_id)
    if lead is None or not lead.get("consent"):
        raise ApiError(HTTPStatus.NOT_FOUND, "no captured lead for that conversation")
    try:
        change = data.pipeline.record(
            conversation_id, rep=check_rep(rep), status=body.get("status"), note=body.get("note")
        )
    except LookupError:
        raise ApiError(HTTPStatus.NOT_FOUND, "no captured lead for that conversation") from None
    except ValueError as problem:
        raise ApiError(HTTPStatus.BAD_REQUEST, str(problem)) from None
    queued: list[str] = []
    if change.change_id:
        lead = data.pipeline.get_lead(conversation_id) or lead
        queued = queue_update(lead, change.as_dict())
        if queued:
            _update_sender.submit(deliver, ids=queued, force=True)
    send_json(
        handler,
        HTTPStatus.OK,
        {
            "changed": bool(change.change_id),
            "lead": lead_summary(lead),
            "history": data.pipeline.history(conversation_id),
            "crm_deliveries_queued": len(queued),
        },
    )


_update_sender = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sales-lead-updated")
"""Sends the console's lead.updated deliveries one after another, off the request: a change
queued while the one before it is still being sent would otherwise wait behind it (one
conversation's deliveries go out in order) for the action server's next delivery round."""


def _stats_window(params: Mapping[str, str]) -> tuple[str, datetime | None, datetime | None]:
    from leads.report import PERIODS

    by = _choice(params, "by", PERIODS) or "day"
    return (
        by,
        parse_day_or_time("since", params.get("since")),
        parse_day_or_time("until", params.get("until"), end=True),
    )


def stats(console: SalesConsole, params: Mapping[str, str]) -> dict[str, Any]:
    from leads.report import conversion, funnel_series

    by, since, until = _stats_window(params)
    data = console.data()
    try:
        series = funnel_series(data.store, by, since, until)
    except ValueError as problem:
        raise ApiError(HTTPStatus.BAD_REQUEST, str(problem)) from None
    return {"by": by, "funnel": series, **conversion(data.store, data.pipeline.statuses(), since, until)}


@route("GET", r"stats")
def api_stats(console: SalesConsole, handler: Handler, rep: str, match: re.Match[str]) -> None:
    send_json(handler, HTTPStatus.OK, stats(console, _query(handler)))


STATS_CSV = {
    "funnel": (
        "funnel",
        ("period", "conversations", "advice_given", "leads_offered", "leads_captured", "leads_declined"),
    ),
    "recommendation": (
        "by_recommendation",
        ("recommendation", "advised", "captured", "won", "capture_rate", "win_rate"),
    ),
    "tier": ("by_tier", ("tier", "captured", "new", "contacted", "qualified", "won", "lost", "win_rate")),
}


@route("GET", r"stats\.csv")
def api_stats_csv(console: SalesConsole, handler: Handler, rep: str, match: re.Match[str]) -> None:
    params = _query(handler)
    chart = _choice(params, "chart", STATS_CSV) or "funnel"
    key, columns = STATS_CSV[chart]
    _csv_response(handler, f"{chart}.csv", stats(console, params)[key], columns)


# --- transcript and brief ---------------------------------------------------------------------


def fetch_tracker(settings: SalesSettings, conversation_id: str) -> dict[str, Any]:
    """The conversation's tracker, all sessions, from Rasa's HTTP API (token sent as Rasa wants it)."""
    query = urlencode({"include_events": "ALL", "token": settings.rasa_token or ""})
    url = f"{settings.rasa_url}/conversations/{quote(conversation_id, safe=':@')}/tracker?{query}"
    request = urllib.request.Request(url, headers={"Accept": "application/json"})
    with urllib.request.urlopen(request, timeout=RASA_TIMEOUT_SECONDS) as response:
        return json.loads(response.read())


def find_brief(store: Any, conversation_id: str) -> dict[str, Any] | None:
    """The conversation's brief (leads/briefs.py): its link on this server, dates, content."""
    from leads.briefs import PATH_PREFIX, BriefStore

    brief = BriefStore(store).for_conversation(conversation_id)
    if brief is None:
        return None
    return {
        "url": PATH_PREFIX + brief.token,  # a token is URL-safe (secrets.token_urlsafe)
        "created_at": brief.created_at,
        "updated_at": brief.updated_at,
        "content": brief.content,
    }


# --- other console features ------------------------------------------------------------------

EXTENSIONS: tuple[str, ...] = ("sales_handoff", "sales_booking")
"""Route modules of other console features (``web/<name>.py``, each registering with :func:`route`):
add a name here and the module is imported, and its routes served, with this one."""
for _name in EXTENSIONS:
    importlib.import_module(_name)
