"""Helpers for the leads tests: PostgreSQL URLs, a stoppable TCP proxy, fake-server records."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.engine import make_url

from leads.model import merge_lead, utcnow
from tests.support.common import QuietHandler, loopback_listener, serve_http

# A hot lead with consent (as leads.model.merge_lead takes it), and what makes it warm.
HOT_LEAD = {
    "full_name": "Aiko Tanaka",
    "email": "aiko@kaisha.jp",
    "company": "Kaisha KK",
    "role": "CEO",
    "company_size": "51-200",
    "timeline": "now",
    "consent": True,
    "recommendation": "hybrid",
    "answers": {"tasks": ["payroll", "support", "analytics"], "budget": "flexible", "expertise_gap": True},
}
WARMER = {
    "role": "Operations manager",
    "timeline": "this quarter",
    "answers": {"tasks": ["support"], "budget": "moderate", "expertise_gap": True},
}


def make_lead(fields: dict[str, Any], conversation_id: str = "conv-42") -> dict[str, Any]:
    """The stored form of a lead with ``fields`` (as save_lead would return it)."""
    return merge_lead(None, fields, conversation_id=conversation_id, at=utcnow())


PG_URL = os.environ.get("LEADS_TEST_PG_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/test")


def free_port() -> int:
    """A loopback TCP port that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def pg_address() -> tuple[str, int]:
    url = make_url(PG_URL)
    return url.host or "127.0.0.1", url.port or 5432


def pg_url_for(schema: str, host: str | None = None, port: int | None = None) -> str:
    """URL of the test database with ``search_path`` set to ``schema``."""
    url = make_url(PG_URL)
    if host:
        url = url.set(host=host)
    if port:
        url = url.set(port=port)
    return url.update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(hide_password=False)


class TcpProxy:
    """Loopback TCP forwarder that can be stopped (dropping live connections) and restarted."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.port = free_port()
        self._listener: socket.socket | None = None
        self._sockets: list[socket.socket] = []
        self._threads: list[threading.Thread] = []
        self._running = threading.Event()
        self._lock = threading.Lock()

    def start(self) -> None:
        listener = loopback_listener(self.port)
        listener.settimeout(0.1)
        self._listener = listener
        self._running.set()
        self._spawn(self._accept_loop, listener)

    def _spawn(self, target: Any, *args: Any) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True)
        self._threads.append(thread)
        thread.start()

    def _accept_loop(self, listener: socket.socket) -> None:
        while self._running.is_set():
            try:
                client, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target, timeout=3)
            except OSError:
                client.close()
                continue
            client.settimeout(None)
            upstream.settimeout(None)
            with self._lock:
                self._sockets += [client, upstream]
            self._spawn(self._pump, client, upstream)
            self._spawn(self._pump, upstream, client)

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                sink.sendall(data)
        for sock in (source, sink):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def stop(self) -> None:
        """Refuse new connections and cut every open one."""
        self._running.clear()
        if self._listener is not None:
            self._listener.close()
            self._listener = None
        with self._lock:
            sockets, self._sockets = self._sockets, []
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()
        for thread in self._threads:
            thread.join(timeout=2)
        self._threads = []


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: Any
    status: int


@dataclass
class FakeServer:
    """What the fake HTTP server received; ``plan`` lists statuses to answer first."""

    url: str
    plan: list[int] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def accepted(self) -> list[Received]:
        return [r for r in self.received if 200 <= r.status < 300]


@contextlib.contextmanager
def recording_server() -> Iterator[FakeServer]:
    """A fake CRM (or Slack) on a free loopback port: records every POST, answers ``plan``'s statuses first."""
    state = FakeServer(url="")

    class Handler(QuietHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", 0))
            raw = self.rfile.read(length)
            with state.lock:
                status = state.plan.pop(0) if state.plan else 200
                body = json.loads(raw) if raw else None
                state.received.append(Received(self.path, dict(self.headers), body, status))
            self.send_response(status)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            self.wfile.write(b"ok" if status < 300 else b"unavailable")

    with serve_http(Handler) as state.url:
        yield state
