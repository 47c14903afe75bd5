"""The sales console for tests: web/serve.py with SALES_TOKEN next to a real stack, and its clients."""

from __future__ import annotations

import re
import secrets
from pathlib import Path
from urllib.parse import quote

import requests

from tests.support.browser_support import WebServer
from tests.support.stack import Stack

LEAD_SETTINGS = ("LEADS_DB_PATH", "LEADS_OUTBOX_PATH", "LEADS_DELIVERIES_PATH")


def new_token() -> str:
    return secrets.token_urlsafe(24)


def console_env(stack: Stack, token: str, crm_url: str | None = None, **extra: str) -> dict[str, str]:
    """What `make run` gives the web server: the token, Rasa's URL and API token, the stack's lead database."""
    env = {
        "SALES_TOKEN": token,
        "RASA_URL": stack.rasa_url,
        "RASA_AUTH_TOKEN": stack.token,
        "LEADS_WEBHOOK_URL": crm_url or "",
        "LEADS_WEBHOOK_BACKOFF_SECONDS": "0.05",
        **{name: stack.env[name] for name in LEAD_SETTINGS},
    }
    env.update(extra)
    return env


def start_console(stack: Stack, token: str, log: Path, crm_url: str | None = None, **extra: str) -> WebServer:
    """web/serve.py with the console on, reading the stack's leads and transcripts."""
    return WebServer(stack.rasa_url, log, env=console_env(stack, token, crm_url, **extra))


def bearer(token: str, rep: str | None = None) -> dict[str, str]:
    headers = {"Authorization": f"Bearer {token}"}
    if rep:
        headers["X-Sales-Rep"] = rep
    return headers


def lead_path(conversation_id: str) -> str:
    return "/sales/api/leads/" + quote(conversation_id, safe=":")


def signed_in(web: WebServer, token: str, rep: str) -> requests.Session:
    """A browser-like session after the login form: the cookie, and the CSRF token sent with writes."""
    session = requests.Session()
    response = session.post(
        web.url + "/sales/login",
        data={"rep": rep, "token": token},
        headers={"Origin": web.url},
        allow_redirects=False,
        timeout=10,
    )
    assert response.status_code == 303, response.text
    csrf = session.get(web.url + "/sales/api/session", timeout=10).json()["csrf"]
    session.headers.update({"X-CSRF-Token": csrf, "Origin": web.url})
    return session


def cookie_attributes(set_cookie: str) -> set[str]:
    """The attributes of a Set-Cookie header, lower-cased (``httponly``, ``samesite=strict``, ``path=/sales``...)."""
    return {part.strip().lower() for part in set_cookie.split(";")[1:]}


def session_cookie(set_cookie: str) -> str:
    match = re.match(r"sales_session=([^;]*)", set_cookie)
    assert match, set_cookie
    return match.group(1)
