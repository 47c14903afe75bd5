"""The sales console's tests: one real stack (Rasa + action server, REST on), a fake CRM, the console.

A lead is captured through a real conversation once (``captured``) and the API and browser
tests both read it. The browser fixtures come from tests/browser (Debian's Chromium).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from tests.browser.conftest import browser, context, results_dir  # noqa: F401 - fixtures for the browser tests
from tests.support.browser_support import WebServer
from tests.support.lead_capture import CONTACT, capture, slots, texts
from tests.support.leads_testkit import FakeServer, recording_server
from tests.support.sales_support import new_token, start_console
from tests.support.stack import Stack, conversation, require_model, running_stack


@pytest.fixture(scope="package")
def crm() -> Iterator[FakeServer]:
    """The CRM webhook, on loopback: records every lead.captured and lead.updated."""
    with recording_server() as server:
        yield server


@pytest.fixture(scope="package")
def stack(tmp_path_factory: pytest.TempPathFactory, crm: FakeServer) -> Iterator[Stack]:
    require_model()
    workdir = tmp_path_factory.mktemp("sales-stack")
    env = {"LEADS_WEBHOOK_URL": crm.url + "/crm", "LEADS_WEBHOOK_BACKOFF_SECONDS": "0.05"}
    with running_stack(workdir, extra_env=env) as running:
        yield running


@pytest.fixture(scope="package")
def sales_token() -> str:
    return new_token()


@pytest.fixture(scope="package")
def console(
    stack: Stack, sales_token: str, crm: FakeServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[WebServer]:
    """web/serve.py with SALES_TOKEN, on the stack's lead database, sending updates to the fake CRM."""
    web = start_console(stack, sales_token, tmp_path_factory.mktemp("console") / "web.log", crm.url + "/crm")
    yield web
    web.stop()


@pytest.fixture(scope="package")
def captured(stack: Stack) -> dict:
    """A lead captured through a real conversation over REST: its conversation id, transcript and slots."""
    sender = f"sales-{uuid.uuid4().hex[:8]}"
    turns = capture(stack, sender, "/affirm")
    assert f"Thank you, {CONTACT['lead_full_name']}!" in texts(turns[-1])
    return {"conversation_id": conversation(sender), "sender": sender, "slots": slots(stack, sender)}
