"""Fixtures for the leads tests: real SQLite and PostgreSQL stores, a TCP proxy, a fake HTTP server.

PostgreSQL: ``LEADS_TEST_PG_URL`` (default ``postgresql+psycopg2://postgres@127.0.0.1:5432/test``).
Each test gets its own schema (``leads_test_<pid>_<random>``), dropped afterwards. Tests are
skipped only when nothing accepts TCP connections at that host and port.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from leads.outbox import Outbox
from leads.store import LeadStore
from tests.support.leads_testkit import PG_URL, FakeServer, TcpProxy, pg_address, pg_url_for, recording_server
from tests.support.pg import temporary_schema


@pytest.fixture(autouse=True)
def _clean_leads_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests pass their own settings; none leak in from the caller's environment."""
    for name in list(os.environ):
        if name.startswith("LEADS_") or name == "SALES_SLACK_WEBHOOK_URL":
            monkeypatch.delenv(name)


@pytest.fixture(scope="session")
def pg_base_url() -> str:
    """The PostgreSQL URL, or skip when the server is truly unreachable."""
    host, port = pg_address()
    try:
        socket.create_connection((host, port), timeout=3).close()
    except OSError as error:
        pytest.skip(f"PostgreSQL unreachable at {host}:{port} ({error}); set LEADS_TEST_PG_URL")
    return PG_URL


@pytest.fixture
def pg_schema(pg_base_url: str) -> Iterator[str]:
    """A fresh schema for one test; yields its name, drops it afterwards."""
    with temporary_schema(pg_base_url, "leads_test") as name:
        yield name


@pytest.fixture
def pg_url(pg_schema: str) -> str:
    return pg_url_for(pg_schema)


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Each store test runs against SQLite and against PostgreSQL."""
    if request.param == "sqlite":
        return "sqlite:///" + str(tmp_path / "var" / "leads.db")
    return request.getfixturevalue("pg_url")


@pytest.fixture
def store(db_url: str) -> Iterator[LeadStore]:
    lead_store = LeadStore(db_url, connect_timeout=2)
    yield lead_store
    lead_store.dispose()


@pytest.fixture
def outbox(tmp_path: Path) -> Outbox:
    return Outbox(tmp_path / "outbox" / "leads_outbox.jsonl")


@pytest.fixture
def pg_proxy(pg_base_url: str) -> Iterator[TcpProxy]:
    proxy = TcpProxy(pg_address())
    proxy.start()
    yield proxy
    proxy.stop()


@pytest.fixture
def fake_server() -> Iterator[FakeServer]:
    """HTTP server on 127.0.0.1 in a thread, recording every POST."""
    with recording_server() as state:
        yield state
