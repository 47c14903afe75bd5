"""Fixtures for the widget tests: the real stack, web/serve.py and headless Debian chromium.

Environment knobs (all optional):
  MODEL                  model to serve (default: newest models/*.tar.gz), see tests/support/stack.py
  CREDENTIALS_TEMPLATE   credentials template (default: credentials.yml), rendered by
                         `python -m serving.config credentials` as `make run` does
  CHROMIUM               browser binary (default /usr/bin/chromium; never `playwright install`)
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.browser_support import (
    CHROMIUM,
    CHROMIUM_ARGS,
    RESULTS,
    SOCKET_IO_CLIENT,
    WebServer,
    check_socketio_server,
    default_endpoints,
    keep_pythonpath,
    render_credentials,
)
from tests.support.sales_support import console_env, new_token
from tests.support.stack import Stack, free_port, have_model, running_stack

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def web_port() -> int:
    """The demo page's port, chosen before Rasa starts so `--cors` can name its origin."""
    return free_port()


@pytest.fixture(scope="module")
def stack_extra_env() -> dict[str, str]:
    """More environment for the module's stack; a test module overrides this fixture to set some."""
    return {}


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory, web_port: int, stack_extra_env: dict[str, str]) -> Iterator[Stack]:
    if not have_model():
        pytest.skip("no trained model in models/ (run `make train` or set MODEL)")
    check_socketio_server()
    workdir = tmp_path_factory.mktemp("browser-stack")
    credentials = render_credentials(workdir / "credentials.yml")
    origin = f"http://127.0.0.1:{web_port}"
    with running_stack(
        workdir,
        credentials=credentials,
        endpoints=default_endpoints(workdir),
        extra_args=["--cors", origin],
        # the brief links point at web/serve.py
        extra_env={**keep_pythonpath(), "WEB_PUBLIC_URL": origin, **stack_extra_env},
    ) as running:
        yield running


@pytest.fixture(scope="module")
def web(stack: Stack, web_port: int, tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebServer]:
    if not SOCKET_IO_CLIENT.exists():
        pytest.fail("web/node_modules is missing: run `npm ci --prefix web`")
    server = WebServer(stack.rasa_url, tmp_path_factory.mktemp("web") / "web.log", port=web_port, env=stack.env)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def sales_token() -> str:
    return new_token()


@pytest.fixture(scope="module")
def site(
    stack: Stack, web_port: int, sales_token: str, stack_extra_env: dict[str, str], tmp_path_factory
) -> Iterator[WebServer]:
    """The demo page (widget) and the sales console from one web/serve.py, on the page origin
    Rasa allows, with the stack's lead database and the module's extra settings (sales hours)."""
    log = tmp_path_factory.mktemp("site") / "web.log"
    server = WebServer(stack.rasa_url, log, port=web_port, env=console_env(stack, sales_token, **stack_extra_env))
    yield server
    server.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """Headless Debian Chromium, per module: Playwright's sync API keeps an event loop
    running while it is open, which would break async tests in other folders."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `apt-get install -y chromium` (never `playwright install`)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def context(browser):
    """A fresh browser profile (own localStorage) per test, English locale, desktop size."""
    ctx = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 800})
    ctx.set_default_timeout(30_000)
    yield ctx
    ctx.close()


@pytest.fixture
def results_dir() -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    return RESULTS
