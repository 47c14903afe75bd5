"""Who may use the sales console: the token, signed session cookies, CSRF tokens, per-address backoff.

Standard library only; the routes are in web/sales.py, which uses this module.

* The only secret is ``SALES_TOKEN``, read from the environment when the server starts and
  kept in memory; it is never written anywhere, never logged and never put in a cookie.
  Unset or empty: the console is off (every ``/sales`` URL answers 404). Shorter than
  :data:`MIN_TOKEN_LENGTH` characters: the server refuses to start, since a short token can
  be guessed even with the backoff below.
* Logging in turns the token into a session cookie: ``<payload>.<signature>``, where the
  payload is a random session id, the rep's name and an expiry time, and the signature an
  HMAC-SHA256 under a key derived from the token. So a cookie is worth nothing without the
  token, it expires by itself (``SALES_SESSION_HOURS``, default 12), and changing the token
  signs everyone out. Logging out revokes the session id in this process.
* Every token comparison is constant-time (:func:`hmac.compare_digest` over fixed-length digests).
* Backoff: after :data:`FREE_FAILURES` wrong tokens from one client address, that address
  must wait ``SALES_BACKOFF_SECONDS`` (default 1) before its next try, doubling with each
  further failure up to :data:`MAX_BACKOFF_SECONDS`; tries during the wait are refused
  without looking at the token (HTTP 429 with ``Retry-After``), so guessing is slowed down
  and the server's threads are never put to sleep. A successful login clears the address.
* CSRF: the cookie is ``SameSite=Strict`` and ``HttpOnly``; on top of that every write made
  with the cookie must carry ``X-CSRF-Token`` (an HMAC of the session id, which the page
  gets from ``/sales/api/session``) and, when the browser sends ``Origin`` or ``Referer``,
  it must name this server.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field

MIN_TOKEN_LENGTH = 16
DEFAULT_SESSION_HOURS = 12.0
DEFAULT_BACKOFF_SECONDS = 1.0
FREE_FAILURES = 3
MAX_BACKOFF_SECONDS = 300.0
MAX_TRACKED_ADDRESSES = 10_000
COOKIE_NAME = "sales_session"


def _number(env: Mapping[str, str], name: str, default: float, minimum: float) -> float:
    raw = (env.get(name) or "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"{name} must be a number, got {raw!r}") from None
    if not value >= minimum:
        raise ValueError(f"{name} must be at least {minimum:g}, got {raw!r}")
    return value


@dataclass(frozen=True)
class SalesSettings:
    """The console's settings, from the environment (``SALES_*``, ``RASA_URL``, ``RASA_AUTH_TOKEN``)."""

    token: str = field(repr=False)
    session_seconds: float = DEFAULT_SESSION_HOURS * 3600
    backoff_seconds: float = DEFAULT_BACKOFF_SECONDS
    rasa_url: str = "http://127.0.0.1:5005"
    rasa_token: str | None = field(default=None, repr=False)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> SalesSettings | None:
        """The settings, or None when ``SALES_TOKEN`` is unset or empty (console off).

        ValueError, naming the variable, for a token that is too short or a bad number.
        """
        env = os.environ if env is None else env
        token = (env.get("SALES_TOKEN") or "").strip()
        if not token:
            return None
        if len(token) < MIN_TOKEN_LENGTH:
            raise ValueError(
                f"SALES_TOKEN must be at least {MIN_TOKEN_LENGTH} characters long "
                "(e.g. python3 -c 'import secrets; print(secrets.token_urlsafe(24))')"
            )
        return cls(
            token=token,
            session_seconds=_number(env, "SALES_SESSION_HOURS", DEFAULT_SESSION_HOURS, 0.01) * 3600,
            backoff_seconds=_number(env, "SALES_BACKOFF_SECONDS", DEFAULT_BACKOFF_SECONDS, 0.0),
            rasa_url=((env.get("RASA_URL") or "").strip() or cls.rasa_url).rstrip("/"),
            rasa_token=(env.get("RASA_AUTH_TOKEN") or "").strip() or None,
        )


@dataclass(frozen=True)
class Session:
    """A signed-in rep: the session id, the name given at login, when the session ends (epoch seconds)."""

    sid: str
    rep: str
    expires: int


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class Sessions:
    """Issues and checks session cookies and CSRF tokens; keys derived from the token, never the token itself."""

    def __init__(self, token: str, lifetime: float) -> None:
        secret = token.encode("utf-8")
        self._token_digest = hashlib.sha256(secret).digest()
        self._cookie_key = hmac.new(secret, b"sales-console session cookie v1", hashlib.sha256).digest()
        self._csrf_key = hmac.new(secret, b"sales-console csrf v1", hashlib.sha256).digest()
        self.lifetime = lifetime
        self._revoked: dict[str, int] = {}
        self._lock = threading.Lock()

    def token_matches(self, candidate: str | None) -> bool:
        """Constant-time: the digests have a fixed length, whatever was sent."""
        if candidate is None:
            return False
        digest = hashlib.sha256(candidate.encode("utf-8", "surrogatepass")).digest()
        return hmac.compare_digest(digest, self._token_digest)

    def issue(self, rep: str, now: float | None = None) -> tuple[str, Session]:
        """A new session for ``rep``: (cookie value, session)."""
        now = time.time() if now is None else now
        session = Session(secrets.token_urlsafe(18), rep, int(now + self.lifetime))
        payload = _b64(json.dumps({"sid": session.sid, "rep": rep, "exp": session.expires}).encode("utf-8"))
        return f"{payload}.{self._sign(payload)}", session

    def _sign(self, payload: str) -> str:
        return _b64(hmac.new(self._cookie_key, payload.encode("ascii"), hashlib.sha256).digest())

    def check(self, cookie: str | None, now: float | None = None) -> Session | None:
        """The session of a cookie value, or None: unsigned, tampered with, expired or logged out."""
        if not cookie or cookie.count(".") != 1 or len(cookie) > 4096:
            return None
        payload, signature = cookie.split(".")
        if not hmac.compare_digest(self._sign(payload).encode("ascii"), signature.encode("ascii", "replace")):
            return None
        try:
            data = json.loads(_unb64(payload))
            session = Session(str(data["sid"]), str(data["rep"]), int(data["exp"]))
        except (ValueError, KeyError, TypeError):
            return None
        now = time.time() if now is None else now
        if session.expires <= now:
            return None
        with self._lock:
            if session.sid in self._revoked:
                return None
        return session

    def revoke(self, session: Session) -> None:
        """Log out: the session id is refused from now on (until it would have expired anyway)."""
        now = time.time()
        with self._lock:
            self._revoked = {sid: exp for sid, exp in self._revoked.items() if exp > now}
            self._revoked[session.sid] = session.expires

    def csrf_token(self, session: Session) -> str:
        return _b64(hmac.new(self._csrf_key, session.sid.encode("utf-8"), hashlib.sha256).digest())

    def csrf_matches(self, session: Session, candidate: str | None) -> bool:
        expected = self.csrf_token(session).encode("ascii")
        return hmac.compare_digest(expected, (candidate or "").encode("utf-8", "replace"))


class Backoff:
    """Failed token tries per client address, and how long each address must wait (thread-safe)."""

    def __init__(self, base_seconds: float, free_failures: int = FREE_FAILURES) -> None:
        self.base_seconds = base_seconds
        self.free_failures = free_failures
        self._failures: dict[str, tuple[int, float]] = {}  # address -> (failures, monotonic time of next try)
        self._lock = threading.Lock()

    def wait(self, address: str) -> float:
        """Seconds ``address`` must still wait before its next try (0: it may try now)."""
        with self._lock:
            _, next_try = self._failures.get(address, (0, 0.0))
        return max(0.0, next_try - time.monotonic())

    def failed(self, address: str) -> float:
        """Count a wrong token from ``address``; returns the seconds it must now wait."""
        now = time.monotonic()
        with self._lock:
            if len(self._failures) >= MAX_TRACKED_ADDRESSES and address not in self._failures:
                self._forget_oldest(now)
            count = self._failures.get(address, (0, 0.0))[0] + 1
            over = count - self.free_failures
            delay = min(self.base_seconds * 2 ** (over - 1), MAX_BACKOFF_SECONDS) if over > 0 else 0.0
            self._failures[address] = (count, now + delay)
        return delay

    def succeeded(self, address: str) -> None:
        with self._lock:
            self._failures.pop(address, None)

    def _forget_oldest(self, now: float) -> None:
        """Bound the table: drop addresses whose wait is over, else the half that may try soonest."""
        expired = [a for a, (_, t) in self._failures.items() if t <= now]
        if len(expired) < len(self._failures) // 2:
            expired = sorted(self._failures, key=lambda a: self._failures[a][1])[: len(self._failures) // 2]
        for address in expired:
            del self._failures[address]
