"""Start the real action server and Rasa server for tests, on free loopback ports."""

from __future__ import annotations

import contextlib
import os
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
REST_CREDENTIALS = "rest:\n  token: ${REST_TOKEN}\n"
"""A credentials file with only the REST channel (on with REST_TOKEN, which stack_env sets)."""


def rest_headers(env: dict[str, str]) -> dict[str, str]:
    """The Authorization header the REST channel wants (serving/channels.py)."""
    return {"Authorization": f"Bearer {env.get('REST_TOKEN', '')}"}


def conversation(sender: str, channel: str = "rest") -> str:
    """The conversation id Rasa stores for `sender` on `channel` (serving/channels.py)."""
    return f"{channel}:{sender}"


def conversation_path(conversation_id: str) -> str:
    """`conversation_id` as a segment of an HTTP API path: percent-encoded, as web/sales.py sends it."""
    return quote(conversation_id, safe=":@")


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def have_model() -> bool:
    """A trained model to serve: MODEL is set, or models/ holds one."""
    return bool(os.environ.get("MODEL")) or any((ROOT / "models").glob("*.tar.gz"))


def require_model() -> None:
    """Fail (not skip) without a trained model: `make test` trains one before these tests."""
    if not have_model():
        pytest.fail("no trained model in models/ (run `make train` or set MODEL)")


def latest_model() -> Path:
    """The model `make train` built for the current inputs (MODEL env var wins)."""
    explicit = os.environ.get("MODEL")
    if explicit:
        return Path(explicit)
    models = sorted((ROOT / "models").glob("*.tar.gz"), key=lambda p: p.stat().st_mtime)
    if not models:
        raise RuntimeError("No trained model in models/: run `make train` first.")
    return models[-1]


def wait_for(url: str, timeout: float = 120.0, proc: subprocess.Popen | None = None) -> None:
    """Poll `url` until it answers 200, failing early if `proc` died."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"process exited with {proc.returncode} before {url} was up")
        with contextlib.suppress(requests.RequestException):
            if requests.get(url, timeout=2).status_code == 200:
                return
        time.sleep(0.3)
    raise TimeoutError(f"{url} did not come up within {timeout:.0f}s")


@dataclass
class Stack:
    """A running action server and Rasa server."""

    rasa_url: str
    action_url: str
    token: str
    workdir: Path
    env: dict[str, str]
    processes: list[subprocess.Popen] = field(default_factory=list)

    def say(self, sender: str, text: str, metadata: dict | None = None) -> list[dict]:
        """Send one user message over the REST channel (with its token) and return the bot replies."""
        body = {"sender": sender, "message": text}
        if metadata:
            body["metadata"] = metadata
        response = requests.post(
            f"{self.rasa_url}/webhooks/rest/webhook", json=body, headers=rest_headers(self.env), timeout=60
        )
        response.raise_for_status()
        return response.json()

    def tracker(self, sender: str, channel: str = "rest") -> dict:
        """Fetch the conversation of `sender` on `channel` through the authenticated HTTP API."""
        return self.conversation_tracker(conversation(sender, channel))

    def conversation_tracker(self, conversation_id: str) -> dict:
        """Fetch a conversation by its full id (e.g. `socketio:<digest>`), percent-encoded in the URL."""
        response = requests.get(
            f"{self.rasa_url}/conversations/{conversation_path(conversation_id)}/tracker",
            params={"token": self.token},
            timeout=30,
        )
        response.raise_for_status()
        return response.json()


def _spawn(cmd: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    handle = open(log, "ab")  # noqa: SIM115 - stays open for the process lifetime
    return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True)


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def stack_env(workdir: Path, action_port: int, extra_env: dict[str, str] | None = None) -> dict[str, str]:
    """The environment the stack's processes get: this one plus test defaults and `extra_env`.

    REST_TOKEN is a fresh random token (the REST channel is on); `extra_env={"REST_TOKEN": ""}`
    turns REST off, as in production without REST_TOKEN."""
    env = dict(os.environ)
    env.update(
        {
            "RASA_TELEMETRY_ENABLED": "false",
            "PYTHONPATH": str(ROOT),
            "SANIC_HOST": "127.0.0.1",
            "ACTION_ENDPOINT_URL": f"http://127.0.0.1:{action_port}/webhook",
            "ADVISOR_STATE_DIR": str(workdir),
            "TRACKER_DIALECT": "sqlite",
            "TRACKER_URL": f"sqlite:///{workdir / 'tracker.db'}",
            # Leads go to the test's own folder, never the repo's var/.
            "LEADS_DB_PATH": str(workdir / "leads.db"),
            "LEADS_OUTBOX_PATH": str(workdir / "leads_outbox.jsonl"),
            "LEADS_DELIVERIES_PATH": str(workdir / "leads_deliveries.jsonl"),
            "REST_TOKEN": secrets.token_hex(16),
        }
    )
    env.update(extra_env or {})
    return env


def render_credentials(out: Path, env: dict[str, str], template: Path | None = None) -> Path:
    """Write credentials with `python -m serving.config credentials`, as `make run` does."""
    cmd = [str(VENV_BIN / "python"), "-m", "serving.config", "credentials", "--out", str(out)]
    if template is not None:
        cmd += ["--template", str(template)]
    subprocess.run(cmd, check=True, env=env, cwd=ROOT, stdout=subprocess.DEVNULL)
    return out


def render_endpoints(env: dict[str, str], out: Path) -> Path:
    """Write the endpoints file for `env` with `python -m serving.config endpoints` (as scripts/run.sh does)."""
    subprocess.run(
        [str(VENV_BIN / "python"), "-m", "serving.config", "endpoints", "--out", str(out)],
        check=True,
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )
    return out


def start_actions(env: dict[str, str], workdir: Path, port: int, log: str = "actions.log") -> subprocess.Popen:
    """Start the action server (`python -m serving.actions`) on 127.0.0.1:`port` (not waiting for it)."""
    return _spawn(
        [str(VENV_BIN / "python"), "-m", "serving.actions", "--actions", "actions", "--port", str(port)],
        env,
        workdir / log,
    )


def rasa_run_args(token: str, port: int, model: Path, endpoints: Path, credentials: Path) -> list[str]:
    """`rasa run`'s arguments: the token-protected API on 127.0.0.1:`port` with these files."""
    return [
        "run",
        "--enable-api",
        "--auth-token",
        token,
        "-i",
        "127.0.0.1",
        "-p",
        str(port),
        "-m",
        str(model),
        "--endpoints",
        str(endpoints),
        "--credentials",
        str(credentials),
    ]


def start_rasa(
    env: dict[str, str],
    workdir: Path,
    port: int,
    token: str,
    endpoints: Path,
    credentials: Path,
    extra_args: list[str] | None = None,
    log: str = "rasa.log",
) -> subprocess.Popen:
    """Start `rasa run` (with the turn guard: `python -m serving run`) on 127.0.0.1:`port`."""
    args = rasa_run_args(token, port, latest_model(), endpoints, credentials)
    return _spawn([str(VENV_BIN / "python"), "-m", "serving", *args, *(extra_args or [])], env, workdir / log)


@contextlib.contextmanager
def running_stack(
    workdir: Path,
    extra_env: dict[str, str] | None = None,
    endpoints: Path | None = None,
    credentials: Path | None = None,
    extra_args: list[str] | None = None,
) -> Iterator[Stack]:
    """Start action server + Rasa server (REST and HTTP API with a token) and stop them after."""
    workdir.mkdir(parents=True, exist_ok=True)
    action_port, rasa_port = free_port(), free_port()
    token = secrets.token_hex(16)
    env = stack_env(workdir, action_port, extra_env)
    actions = start_actions(env, workdir, action_port)
    if credentials is None:
        credentials = render_credentials(workdir / "credentials.yml", env)
    if endpoints is None:
        endpoints = render_endpoints(env, workdir / "endpoints.yml")
    rasa = start_rasa(env, workdir, rasa_port, token, endpoints, credentials, extra_args)
    stack = Stack(
        rasa_url=f"http://127.0.0.1:{rasa_port}",
        action_url=f"http://127.0.0.1:{action_port}",
        token=token,
        workdir=workdir,
        env=env,
        processes=[actions, rasa],
    )
    try:
        wait_for(f"{stack.action_url}/health", proc=actions)
        wait_for(f"{stack.rasa_url}/status?token={token}", timeout=180, proc=rasa)
        yield stack
    finally:
        for proc in reversed(stack.processes):
            _stop(proc)
