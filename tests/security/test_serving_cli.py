"""`python -m serving run`: the HTTP API never starts without a token, however options are spelled."""

from __future__ import annotations

import os

import pytest

from serving.__main__ import with_token, without_abbreviations
from tests.support.common import run_python
from tests.support.stack import ROOT, free_port


@pytest.mark.parametrize(
    "argv",
    [
        ["run", "--enable"],
        ["run", "--enable-a"],
        ["run", "--enable-api", "--auth", "t0ken"],
        ["run", "--enable-api", "--auth-tok=t0ken"],
    ],
)
def test_abbreviated_options_are_refused(argv: list[str]) -> None:
    with pytest.raises(SystemExit, match="in full"):
        with_token(argv, {"RASA_AUTH_TOKEN": "from-env"})


@pytest.mark.parametrize(
    "argv",
    [
        ["run", "--enable-api", "--auth-token", ""],
        ["run", "--enable-api", "-t", " "],
        ["run", "--enable-api", "--auth-token="],
        ["run", "--enable-api"],
    ],
)
def test_an_empty_or_missing_token_is_refused(argv: list[str]) -> None:
    with pytest.raises(SystemExit, match="token"):
        with_token(argv, {"RASA_AUTH_TOKEN": ""})


def test_the_token_comes_from_the_environment_or_the_command_line() -> None:
    assert with_token(["run", "--enable-api"], {"RASA_AUTH_TOKEN": "abc"}) == [
        "run",
        "--enable-api",
        "--auth-token",
        "abc",
    ]
    assert with_token(["run", "--enable-api", "-t", "x"], {}) == ["run", "--enable-api", "-t", "x"]
    assert with_token(["run", "--port", "5005"], {}) == ["run", "--port", "5005"]  # no API, no token needed


def test_rasas_parser_takes_no_abbreviation() -> None:
    from rasa.__main__ import create_argument_parser

    parser = without_abbreviations(create_argument_parser())
    assert parser.parse_args(["run", "--enable-api"]).enable_api is True
    with pytest.raises(SystemExit):
        parser.parse_args(["run", "--enable"])


def test_python_m_serving_run_enable_does_not_start_an_open_api() -> None:
    env = {k: v for k, v in os.environ.items() if k != "RASA_AUTH_TOKEN"}
    env.update(RASA_TELEMETRY_ENABLED="false", PYTHONPATH=str(ROOT))
    port = str(free_port())
    done = run_python(
        "-m",
        "serving",
        "run",
        "--enable",
        "-i",
        "127.0.0.1",
        "-p",
        port,
        "--model",
        "/nonexistent/model.tar.gz",
        env=env,
    )
    assert done.returncode != 0
    assert "--enable-api in full" in done.stderr
