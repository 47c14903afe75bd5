"""`python -m serving.config credentials`: the Slack channel is on only when its secrets are in the environment."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from serving import config

ROOT = Path(__file__).resolve().parents[2]
RENDER = [sys.executable, "-m", "serving.config", "credentials"]

TEMPLATE = """\
rest:
  token: ${REST_TOKEN}
socketio:
  user_message_evt: user_uttered
  bot_message_evt: bot_uttered
  session_persistence: true
  metadata_key: metadata
slack:
  slack_token: ${SLACK_TOKEN}
  slack_signing_secret: ${SLACK_SIGNING_SECRET}
  slack_channel: ${SLACK_CHANNEL}
  use_threads: ${SLACK_USE_THREADS}
  conversation_granularity: ${SLACK_CONVERSATION_GRANULARITY}
  proxy: ${SLACK_PROXY}
"""


def render(env: dict) -> dict:
    result, _ = config.render_credentials(yaml.safe_load(TEMPLATE), env)
    return result


def test_slack_is_dropped_without_its_secrets() -> None:
    result, dropped = config.render_credentials(yaml.safe_load(TEMPLATE), {"SLACK_CHANNEL": "C1", "REST_TOKEN": "r"})
    assert list(result) == ["rest", "socketio"]
    assert result["rest"] == {"token": "${REST_TOKEN}"}
    assert result["socketio"]["session_persistence"] is True
    assert "slack" in dropped


def test_slack_is_on_with_secrets_kept_as_references() -> None:
    result = render({"SLACK_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s3cret"})
    assert result["slack"] == {
        "slack_token": "${SLACK_TOKEN}",
        "slack_signing_secret": "${SLACK_SIGNING_SECRET}",
    }


def test_optional_settings_are_filled_in_and_typed() -> None:
    result = render(
        {
            "SLACK_TOKEN": "xoxb-1",
            "SLACK_SIGNING_SECRET": "s3cret",
            "SLACK_CHANNEL": "#advisor",
            "SLACK_USE_THREADS": "true",
            "SLACK_CONVERSATION_GRANULARITY": "thread",
            "SLACK_PROXY": "",
        }
    )
    assert result["slack"]["slack_channel"] == "#advisor"
    assert result["slack"]["use_threads"] is True
    assert result["slack"]["conversation_granularity"] == "thread"
    assert "proxy" not in result["slack"]  # empty counts as unset


def test_half_configured_slack_is_an_error() -> None:
    with pytest.raises(config.CredentialsError, match="SLACK_SIGNING_SECRET"):
        render({"SLACK_TOKEN": "xoxb-1"})


def test_written_file_is_what_rasa_reads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    template = tmp_path / "credentials.yml"
    template.write_text(TEMPLATE, encoding="utf-8")
    out = tmp_path / "var" / "credentials.yml"
    env = {
        "PATH": "/usr/bin:/bin",
        "SLACK_TOKEN": "xoxb-secret-1",
        "SLACK_SIGNING_SECRET": "s3cret-2",
        "REST_TOKEN": "rest-secret-3",
    }
    done = subprocess.run(
        [*RENDER, "--template", str(template), "--out", str(out)],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.strip() == str(out)  # scripts/run.sh reads the path from stdout
    text = out.read_text(encoding="utf-8")
    assert "xoxb-secret-1" not in text and "s3cret-2" not in text and "rest-secret-3" not in text

    import rasa.shared.utils.io

    for name, value in env.items():
        monkeypatch.setenv(name, value)
    loaded = rasa.shared.utils.io.read_config_file(str(out))
    assert loaded["slack"]["slack_token"] == "xoxb-secret-1"
    assert loaded["slack"]["slack_signing_secret"] == "s3cret-2"
    assert loaded["socketio"]["session_persistence"] is True
    assert loaded["rest"]["token"] == "rest-secret-3"


def test_without_slack_rasa_starts_with_no_slack_variables(tmp_path: Path) -> None:
    template = tmp_path / "credentials.yml"
    template.write_text(TEMPLATE, encoding="utf-8")
    done = subprocess.run(
        [*RENDER, "--template", str(template), "--out", "-"],
        env={"PATH": "/usr/bin:/bin"},
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert "${" not in done.stdout.split("\n", 2)[2]  # nothing left for Rasa to expand
    assert "channel 'slack' disabled" in done.stderr
    assert "channel 'rest' disabled (REST_TOKEN not set)" in done.stderr
    assert "rest:" not in done.stdout  # no REST without its token


@pytest.mark.skipif(not (ROOT / "credentials.yml").exists(), reason="no credentials.yml yet")
def test_project_template_has_the_expected_channels() -> None:
    template = yaml.safe_load((ROOT / "credentials.yml").read_text(encoding="utf-8"))
    assert template.get("rest") == {"token": "${REST_TOKEN}"}, "REST must need REST_TOKEN"
    socketio = template.get("socketio") or {}
    assert socketio.get("session_persistence") is True, "the widget needs session_persistence: true"
    assert socketio.get("metadata_key", "metadata") == "metadata"
    slack = template.get("slack") or {}
    assert slack.get("slack_token") == "${SLACK_TOKEN}"
    assert slack.get("slack_signing_secret") == "${SLACK_SIGNING_SECRET}"


def test_the_rest_channel_refuses_to_run_without_a_token() -> None:
    """`rest:` without a token in a credentials file would be an open API: Rasa does not start."""
    from serving.channels import NamespacedRestInput

    for credentials_section in (None, {}, {"token": ""}):
        with pytest.raises(ValueError, match="REST_TOKEN"):
            NamespacedRestInput.from_credentials(credentials_section)
    assert NamespacedRestInput.from_credentials({"token": "t"}).token == "t"


def test_the_slack_proxy_is_a_secret_never_written_to_disk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A proxy URL can carry a user and password: it stays a ${SLACK_PROXY} reference."""
    proxy = "http://advisor:pr0xy-pa55@proxy.internal:3128"
    env = {"SLACK_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s3cret", "SLACK_PROXY": proxy}
    assert render(env)["slack"]["proxy"] == "${SLACK_PROXY}"
    assert "proxy" not in render({**env, "SLACK_PROXY": ""})["slack"]  # optional: the channel stays on

    template = tmp_path / "credentials.yml"
    template.write_text(TEMPLATE, encoding="utf-8")
    out = tmp_path / "var" / "credentials.yml"
    out.parent.mkdir()
    out.write_text("old", encoding="utf-8")
    out.chmod(0o644)
    done = subprocess.run(
        [*RENDER, "--template", str(template), "--out", str(out)],
        env={"PATH": "/usr/bin:/bin", **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert "pr0xy-pa55" not in out.read_text(encoding="utf-8") + done.stdout + done.stderr
    assert out.stat().st_mode & 0o777 == 0o600  # owner-only, even over an older file

    import rasa.shared.utils.io

    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert rasa.shared.utils.io.read_config_file(str(out))["slack"]["proxy"] == proxy
