"""web/serve.py on its own: which files it serves, the injected config and its headers."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
import requests

from tests.support.browser_support import ROOT, SOCKET_IO_CLIENT, WebServer
from tests.support.common import run_python

HOSTILE_URL = "http://rasa.example:5005/</script><script>alert(1)</script>"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    web = WebServer(HOSTILE_URL, tmp_path_factory.mktemp("serve") / "web.log")
    yield web
    web.stop()


def test_page_carries_the_rasa_url_as_inert_json(server: WebServer) -> None:
    response = requests.get(server.url + "/", timeout=10)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/html")
    html = response.text
    assert '{"injected": false}' not in html
    assert "<script>alert(1)" not in html  # the URL cannot close the config tag
    assert "http://rasa.example:5005/\\u003c/script\\u003e" in html


def test_page_headers_restrict_scripts_and_connections(server: WebServer) -> None:
    headers = requests.get(server.url + "/", timeout=10).headers
    csp = headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "connect-src 'self' http://rasa.example:5005 ws://rasa.example:5005" in csp
    assert headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("/widget.js", "text/javascript"),
        ("/widget.css", "text/css"),
        ("/socket.io.min.js", "text/javascript"),
        ("/healthz", "text/plain"),
    ],
)
def test_serves_the_widget_files(server: WebServer, path: str, content_type: str) -> None:
    if path == "/socket.io.min.js" and not SOCKET_IO_CLIENT.exists():
        pytest.fail("web/node_modules is missing: run `npm ci --prefix web`")
    response = requests.get(server.url + path, timeout=10)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith(content_type)
    if path == "/socket.io.min.js":
        assert response.content == SOCKET_IO_CLIENT.read_bytes()


@pytest.mark.parametrize(
    "path", ["/serve.py", "/../web/serve.py", "/%2e%2e/README.md", "/node_modules/", "/package.json", "/x"]
)
def test_serves_nothing_else(server: WebServer, path: str) -> None:
    assert requests.get(server.url + path, timeout=10).status_code == 404


def test_rejects_a_rasa_url_that_is_not_http(tmp_path: Path) -> None:
    done = run_python(str(ROOT / "web" / "serve.py"), "--port", "0", "--rasa-url", "javascript:alert(1)", timeout=30)
    assert done.returncode == 2
    assert "RASA_PUBLIC_URL" in done.stderr


@pytest.mark.parametrize(
    "url",
    [
        "http://bot.example;script-src 'unsafe-inline'",  # would add a CSP directive
        "http://bot.example 'unsafe-eval'",  # would add a CSP source
        "https://bot.example,https://evil.example",  # a comma starts a second policy
        'https://bot.example"',
        "http://user:secret@bot.example",
        "http://bot.example:99999",
        "https://",
    ],
)
def test_refuses_to_start_with_a_rasa_url_unfit_for_the_csp_header(url: str) -> None:
    done = run_python(str(ROOT / "web" / "serve.py"), "--port", "0", "--rasa-url", url, timeout=30)
    assert done.returncode == 2
    assert "RASA_PUBLIC_URL must" in done.stderr


@pytest.mark.parametrize("url", ["https://bot.example.com/", "http://127.0.0.1:5005", "http://[::1]:5005"])
def test_a_plain_rasa_url_goes_into_the_csp_header_as_its_origin(url: str, tmp_path: Path) -> None:
    web = WebServer(url, tmp_path / "web.log")
    try:
        csp = requests.get(web.url + "/", timeout=10).headers["Content-Security-Policy"]
    finally:
        web.stop()
    origin = url.rstrip("/")
    ws = origin.replace("https://", "wss://").replace("http://", "ws://")
    assert f"connect-src 'self' {origin} {ws};" in csp


def test_idle_connections_are_closed_and_others_still_served(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WEB_TIMEOUT", "1")
    web = WebServer("http://localhost:5005", tmp_path / "web.log")
    idle, partial = socket.create_connection(("127.0.0.1", web.port)), socket.create_connection(("127.0.0.1", web.port))
    try:
        partial.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")  # headers never finished
        assert requests.get(web.url + "/healthz", timeout=10).status_code == 200
        for conn in (idle, partial):
            conn.settimeout(30)  # a bound for the test, far above --timeout
            assert conn.recv(1024) == b"", "the server kept a silent connection open"
        assert requests.get(web.url + "/healthz", timeout=10).status_code == 200
    finally:
        idle.close()
        partial.close()
        web.stop()
