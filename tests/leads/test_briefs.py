"""The brief store (leads/briefs.py) against a real SQLite file and a real PostgreSQL schema."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from leads.briefs import BriefStore, brief_url, export_brief, is_token, public_base_url
from leads.model import UTC
from leads.store import LeadStore

CONTENT = {
    "choice": "hybrid",
    "choice_label": "a hybrid of BPO and KPO",
    "reasons": [{"text": "Payroll is routine work.", "quotes": ["run our payroll", "Zoë's <team> & co"]}],
    "cost": {"options": [{"model": "bpo", "low": 2000, "high": 4000, "currency": "USD", "unit": "month"}]},
}


def test_a_brief_gets_an_unguessable_token_and_keeps_it_when_the_advice_changes(store: LeadStore) -> None:
    briefs = BriefStore(store)
    t0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
    first = briefs.save("rest:buyer-1", CONTENT, at=t0)
    assert is_token(first.token) and len(first.token) == 43
    assert briefs.get(first.token).content == CONTENT

    changed = {**CONTENT, "choice": "kpo"}
    second = briefs.save("rest:buyer-1", changed, at=t0 + timedelta(minutes=3))
    assert second.token == first.token, "a link handed out before must keep working"
    stored = briefs.get(first.token)
    assert stored.content["choice"] == "kpo"
    assert stored.created_at == t0 and stored.updated_at == t0 + timedelta(minutes=3)

    other = briefs.save("rest:buyer-2", CONTENT, at=t0)
    assert other.token != first.token
    assert set(briefs.for_conversations(["rest:buyer-1", "rest:buyer-2", "rest:nobody"])) == {
        "rest:buyer-1",
        "rest:buyer-2",
    }


@pytest.mark.parametrize(
    "token",
    ["", "x", "a" * 42, "a" * 44, "../../etc/passwd" + "a" * 27, "' OR '1'='1" + "a" * 32, "%" * 43],
)
def test_malformed_or_unknown_tokens_find_nothing(store: LeadStore, token: str) -> None:
    briefs = BriefStore(store)
    briefs.save("rest:buyer-3", CONTENT)
    assert briefs.get(token) is None
    assert briefs.get("A" * 43) is None  # well-formed but never issued


def test_delete_my_data_removes_the_brief(store: LeadStore) -> None:
    briefs = BriefStore(store)
    kept = briefs.save("rest:someone-else", CONTENT)
    gone = briefs.save("rest:erase-me", CONTENT)
    assert briefs.delete("rest:erase-me") is True
    assert briefs.get(gone.token) is None
    assert briefs.for_conversation("rest:erase-me") is None
    assert briefs.delete("rest:erase-me") is False
    assert briefs.get(kept.token) is not None


def test_user_text_is_stored_exactly_as_given(store: LeadStore) -> None:
    briefs = BriefStore(store)
    nasty = {"reasons": [{"text": "x", "quotes": ["Robert'); DROP TABLE briefs;--", "李小龙", "👩🏽‍💻", "a" * 10_000]}]}
    saved = briefs.save("rest:nasty", nasty)
    assert briefs.get(saved.token).content == nasty


def test_unstorable_content_is_refused(store: LeadStore) -> None:
    briefs = BriefStore(store)
    with pytest.raises(ValueError):
        briefs.save("rest:nul", {"text": "a\x00b"})
    with pytest.raises(ValueError):
        briefs.save("", CONTENT)


def test_the_export_field_carries_link_dates_and_content(store: LeadStore) -> None:
    saved = BriefStore(store).save("rest:export", CONTENT, at=datetime(2026, 3, 2, 10, 0, tzinfo=UTC))
    field = export_brief(saved, "https://advisor.example.com")
    assert field == {
        "url": f"https://advisor.example.com/brief/{saved.token}",
        "created_at": "2026-03-02T10:00:00+00:00",
        "updated_at": "2026-03-02T10:00:00+00:00",
        "content": CONTENT,
    }
    assert export_brief(None) is None


def test_public_url_comes_from_the_environment_and_is_checked() -> None:
    assert public_base_url({}) == "http://localhost:8080"
    assert public_base_url({"WEB_PUBLIC_URL": "https://advisor.example.com/"}) == "https://advisor.example.com"
    assert brief_url("t" * 43, "https://a.example") == "https://a.example/brief/" + "t" * 43
    for bad in (
        "ftp://x.example",
        "advisor.example.com",
        "https://u:p@x.example",
        "https://x.example/?a=1",
        "https://x.example/<b>",
    ):
        with pytest.raises(ValueError, match="WEB_PUBLIC_URL"):
            public_base_url({"WEB_PUBLIC_URL": bad})
