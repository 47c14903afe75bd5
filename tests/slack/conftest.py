"""Fixtures for the Slack tests: the real stack with the Slack channel on, and a fake Slack.

Credentials are made the way `make run` makes them: `python -m serving.config credentials` renders the
template (CREDENTIALS_TEMPLATE, default credentials.yml) with SLACK_TOKEN,
SLACK_SIGNING_SECRET and SLACK_PROXY set. SLACK_PROXY points the Slack client at the fake.
REST is on too (REST_TOKEN), to show that the two channels' conversations stay apart.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.fake_slack import PROXY_PASSWORD, SHARED_CHANNEL, SIGNING_SECRET, SLACK_TOKEN, FakeSlack
from tests.support.stack import Stack, have_model, render_credentials, running_stack

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def fake_slack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FakeSlack]:
    fake = FakeSlack(tmp_path_factory.mktemp("fake-slack")).start()
    yield fake
    fake.stop()


@pytest.fixture(scope="module")
def slack_stack(tmp_path_factory: pytest.TempPathFactory, fake_slack: FakeSlack) -> Iterator[Stack]:
    if not have_model():
        pytest.skip("no trained model in models/ (run `make train` or set MODEL)")
    template = Path(os.environ.get("CREDENTIALS_TEMPLATE", ROOT / "credentials.yml"))
    if not template.exists():
        pytest.fail(f"{template} is missing: the credentials template is needed to start Rasa")
    workdir = tmp_path_factory.mktemp("slack-stack")
    slack_env = {
        "SLACK_TOKEN": SLACK_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_PROXY": fake_slack.proxy_url.replace("http://", f"http://advisor:{PROXY_PASSWORD}@"),
        "REST_TOKEN": secrets.token_hex(16),  # REST runs beside Slack (tests of channel separation)
        "SLACK_CHANNEL": SHARED_CHANNEL,  # the bot also listens to every message there
    }
    env = {k: v for k, v in os.environ.items() if not k.startswith("SLACK_")}
    env.update(slack_env)
    credentials = render_credentials(workdir / "credentials.yml", env, template)
    rendered = credentials.read_text(encoding="utf-8")
    assert "slack:" in rendered, f"the Slack channel was not enabled:\n{rendered}"
    assert SLACK_TOKEN not in rendered and SIGNING_SECRET not in rendered, "a secret was written to disk"
    assert PROXY_PASSWORD not in rendered, "the proxy URL (it can hold a password) was written to disk"
    assert "proxy: ${SLACK_PROXY}" in rendered, (
        "credentials.yml's slack section needs `proxy: ${SLACK_PROXY}` for these tests"
    )

    endpoints = None
    if not (ROOT / "endpoints.yml").exists():
        endpoints = workdir / "endpoints.yml"
        endpoints.write_text("action_endpoint:\n  url: ${ACTION_ENDPOINT_URL}\n", encoding="utf-8")
    outer_pythonpath = os.environ.get("PYTHONPATH")
    extra_env = dict(slack_env)
    extra_env.update(
        {
            # The fake's certificate for slack.com is signed by a throw-away CA.
            "SSL_CERT_FILE": str(fake_slack.ca),
            "PYTHONPATH": os.pathsep.join(p for p in (outer_pythonpath, str(ROOT)) if p),
        }
    )
    with running_stack(workdir, credentials=credentials, endpoints=endpoints, extra_env=extra_env) as stack:
        yield stack
