"""Helpers for the widget tests: credentials as `make run` writes them, web/serve.py, a TCP relay."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
from contextlib import suppress
from pathlib import Path

import pytest

from tests.support import stack as stack_support
from tests.support.common import loopback_listener
from tests.support.stack import free_port, wait_for

ROOT = Path(__file__).resolve().parents[2]

RESULTS = ROOT / "results"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SOCKET_IO_CLIENT = ROOT / "web" / "node_modules" / "socket.io-client" / "dist" / "socket.io.min.js"
CHART_JS = ROOT / "web" / "node_modules" / "chart.js" / "dist" / "chart.umd.min.js"  # the sales console's charts


def render_credentials(out: Path, env_overrides: dict | None = None) -> Path:
    """Write credentials the way `make run` does: `python -m serving.config credentials` on the template."""
    template = Path(os.environ.get("CREDENTIALS_TEMPLATE", ROOT / "credentials.yml"))
    if not template.exists():
        pytest.fail(f"{template} is missing: the credentials template is needed to start Rasa")
    env = {k: v for k, v in os.environ.items() if not k.startswith("SLACK_")}
    env.update(env_overrides or {})
    return stack_support.render_credentials(out, env, template)


def check_socketio_server() -> None:
    """Fail fast, with the fix, when python-socketio is too new for Rasa 3.6.

    python-socketio 5.10 made AsyncServer.enter_room a coroutine; Rasa 3.6's socket.io
    channel calls it without await, so with session_persistence the client never joins its
    session's room and never receives a bot message (RasaHQ/rasa#13027).
    """
    import inspect
    from importlib.metadata import version

    import socketio

    if inspect.iscoroutinefunction(socketio.AsyncServer.enter_room):
        pytest.fail(
            f"python-socketio {version('python-socketio')} is too new for Rasa 3.6's socket.io channel "
            "(enter_room is a coroutine, Rasa does not await it): pin python-socketio==5.9.0 and python-engineio==4.7.1"
        )


def keep_pythonpath() -> dict:
    """running_stack sets PYTHONPATH to the repo; keep the caller's entries in front of it."""
    outer = os.environ.get("PYTHONPATH")
    return {"PYTHONPATH": os.pathsep.join(p for p in (outer, str(ROOT)) if p)}


def default_endpoints(workdir: Path) -> Path | None:
    """The project's endpoints.yml, or (before it exists) a minimal one for the action server."""
    if (ROOT / "endpoints.yml").exists():
        return None
    path = workdir / "endpoints.yml"
    path.write_text("action_endpoint:\n  url: ${ACTION_ENDPOINT_URL}\n", encoding="utf-8")
    return path


class WebServer:
    """web/serve.py in a subprocess."""

    def __init__(self, rasa_url: str, log: Path, port: int | None = None, env: dict[str, str] | None = None) -> None:
        """Started and answering; ``env`` is added to this process's environment (e.g. SALES_TOKEN)."""
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._log = open(log, "ab")  # noqa: SIM115 (closed in stop())
        self.proc = subprocess.Popen(
            [
                sys.executable,
                str(ROOT / "web" / "serve.py"),
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--rasa-url",
                rasa_url,
            ],
            cwd=ROOT,
            env={**os.environ, **(env or {})},
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        wait_for(f"{self.url}/healthz", timeout=30, proc=self.proc)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._log.close()


def _shutdown(sock: socket.socket) -> None:
    """Shut both directions of a socket down; one the peer already closed is fine."""
    with suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)


class TcpRelay:
    """A loopback TCP forwarder that can be cut and restored, to simulate a server outage."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.port = free_port()
        self._listener: socket.socket | None = None
        self._connections: list[socket.socket] = []
        self._lock = threading.Lock()

    def start(self) -> None:
        listener = loopback_listener(self.port)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def stop(self) -> None:
        """Close the listening socket and every relayed connection."""
        listener, self._listener = self._listener, None
        if listener is not None:
            _shutdown(listener)
            listener.close()
        with self._lock:
            connections, self._connections = self._connections, []
        for conn in connections:
            _shutdown(conn)
            conn.close()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(("127.0.0.1", self.target_port), timeout=5)
                upstream.settimeout(None)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._connections += [client, upstream]
            threading.Thread(target=self._pipe, args=(client, upstream), daemon=True).start()
            threading.Thread(target=self._pipe, args=(upstream, client), daemon=True).start()

    @staticmethod
    def _pipe(src: socket.socket, dst: socket.socket) -> None:
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (src, dst):
                _shutdown(sock)
