"""web/sales_auth.py on its own: settings, session cookies (expiry, tampering), CSRF tokens, the backoff."""

from __future__ import annotations

import pytest

from web.sales_auth import MAX_BACKOFF_SECONDS, MIN_TOKEN_LENGTH, Backoff, SalesSettings, Sessions

TOKEN = "a-sales-token-long-enough"


def test_settings_are_off_without_a_token_and_refuse_a_short_one() -> None:
    assert SalesSettings.from_env({}) is None
    assert SalesSettings.from_env({"SALES_TOKEN": "   "}) is None
    with pytest.raises(ValueError, match=f"at least {MIN_TOKEN_LENGTH} characters"):
        SalesSettings.from_env({"SALES_TOKEN": "x" * (MIN_TOKEN_LENGTH - 1)})
    with pytest.raises(ValueError, match="SALES_SESSION_HOURS must be a number"):
        SalesSettings.from_env({"SALES_TOKEN": TOKEN, "SALES_SESSION_HOURS": "a day"})
    settings = SalesSettings.from_env({"SALES_TOKEN": TOKEN, "RASA_URL": "http://rasa:5005/", "RASA_AUTH_TOKEN": "t"})
    assert settings is not None
    assert (settings.rasa_url, settings.session_seconds) == ("http://rasa:5005", 12 * 3600)
    assert TOKEN not in repr(settings) and "'t'" not in repr(settings)


def test_a_session_expires_and_cannot_be_altered() -> None:
    sessions = Sessions(TOKEN, lifetime=3600)
    cookie, session = sessions.issue("Ann", now=1_000_000)
    assert TOKEN not in cookie
    assert sessions.check(cookie, now=1_000_000 + 3599) == session
    assert sessions.check(cookie, now=1_000_000 + 3600) is None  # expired
    payload, signature = cookie.split(".")
    other_cookie, _ = sessions.issue("Mallory", now=1_000_000)
    assert sessions.check(f"{other_cookie.split('.')[0]}.{signature}", now=1_000_001) is None
    assert Sessions("another-token-entirely", 3600).check(cookie, now=1_000_001) is None
    assert sessions.check(payload, now=1_000_001) is None
    sessions.revoke(session)
    assert sessions.check(cookie, now=1_000_001) is None


def test_csrf_tokens_belong_to_one_session() -> None:
    sessions = Sessions(TOKEN, lifetime=3600)
    _, ann = sessions.issue("Ann")
    _, bo = sessions.issue("Bo")
    assert sessions.csrf_matches(ann, sessions.csrf_token(ann))
    assert not sessions.csrf_matches(ann, sessions.csrf_token(bo))
    assert not sessions.csrf_matches(ann, None) and not sessions.csrf_matches(ann, "")


def test_only_the_token_matches() -> None:
    sessions = Sessions(TOKEN, lifetime=60)
    assert sessions.token_matches(TOKEN)
    for wrong in (None, "", TOKEN + " ", TOKEN[:-1], TOKEN.upper(), "\udcff"):
        assert not sessions.token_matches(wrong)


def test_backoff_lets_a_few_tries_through_then_doubles_up_to_the_cap() -> None:
    backoff = Backoff(base_seconds=2, free_failures=3)
    assert [backoff.failed("10.0.0.1") for _ in range(3)] == [0, 0, 0]
    assert backoff.wait("10.0.0.1") == 0
    assert [backoff.failed("10.0.0.1") for _ in range(3)] == [2, 4, 8]
    assert 0 < backoff.wait("10.0.0.1") <= 8
    assert backoff.wait("10.0.0.2") == 0  # per address
    assert max(backoff.failed("10.0.0.1") for _ in range(20)) == MAX_BACKOFF_SECONDS
    backoff.succeeded("10.0.0.1")
    assert backoff.wait("10.0.0.1") == 0 and backoff.failed("10.0.0.1") == 0
