"""Fixtures for the security tests: the real stack as `make run` configures it, REST off.

Credentials are rendered from the project's credentials.yml by `python -m serving.config credentials` with
REST_TOKEN unset (as in production when only the widget is the front door): socket.io is
on, REST is left out.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.stack import Stack, render_credentials, running_stack, stack_env

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def widget_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    if not os.environ.get("MODEL") and not any((ROOT / "models").glob("*.tar.gz")):
        pytest.skip("no trained model in models/ (run `make train` or set MODEL)")
    workdir = tmp_path_factory.mktemp("widget-stack")
    no_rest = {"REST_TOKEN": ""}
    env = {k: v for k, v in stack_env(workdir, 0, no_rest).items() if not k.startswith("SLACK_")}
    credentials = render_credentials(workdir / "credentials.yml", env, ROOT / "credentials.yml")
    with running_stack(workdir, credentials=credentials, extra_env=no_rest) as stack:
        yield stack
