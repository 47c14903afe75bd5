#!/usr/bin/env python3
"""Serve the demo page and the chat widget (stdlib only, no build step).

    python web/serve.py                       # http://127.0.0.1:8080
    WEB_HOST=0.0.0.0 WEB_PORT=8080 RASA_PUBLIC_URL=https://bot.example.com python web/serve.py

Only a fixed list of files is served (no directory listing, no path lookups):

    /                     the demo page, with the Rasa URL injected into its config
    /widget.js            the widget
    /widget.css           its styles
    /socket.io.min.js     socket.io-client from web/node_modules (run `npm ci --prefix web`)
    /healthz              "ok", for scripts that wait for the server
    /brief/<token>        a visitor's one-page brief, with /brief.css and /brief.js (web/brief.py)
    /sales, /sales/...    the sales console, only with SALES_TOKEN set (web/sales.py; 404 otherwise)
    /call/<token>.ics     a booked call's calendar file (web/call_file.py)

RASA_PUBLIC_URL is the address of the Rasa server *as the visitor's browser sees it*
(default http://localhost:5005); the widget opens its socket.io connection there. It goes
into the page's Content-Security-Policy header, so it must be a plain http(s) URL: a host
name or IP address, an optional port, no user info, no quotes, semicolons, commas or
spaces. The server refuses to start otherwise.

WEB_TIMEOUT (seconds, default 20) closes a connection that sends nothing for that long, so
idle or trickling clients cannot hold the server's threads.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import brief  # web/brief.py, web/call_file.py and web/sales.py, next to this script
import call_file  # a booked call's .ics, /call/<token>.ics
import sales

WEB_DIR = Path(__file__).resolve().parent
SOCKET_IO_CLIENT = WEB_DIR / "node_modules" / "socket.io-client" / "dist" / "socket.io.min.js"
CONFIG_PLACEHOLDER = '{"injected": false}'
DEFAULT_RASA_URL = "http://localhost:5005"
DEFAULT_TIMEOUT_SECONDS = 20.0
UNSAFE_URL_CHARACTERS = re.compile(r"[\s'\";,\\`\x00-\x1f\x7f]")
"""Characters that could end a CSP source, a directive (`;`), a policy (`,`) or a quoted
keyword, or that no URL needs."""
HOST_AND_PORT = re.compile(
    r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*"
    r"|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?"
)

STATIC: dict[str, tuple[Path, str]] = {
    "/widget.js": (WEB_DIR / "widget.js", "text/javascript; charset=utf-8"),
    "/widget.css": (WEB_DIR / "widget.css", "text/css; charset=utf-8"),
    "/socket.io.min.js": (SOCKET_IO_CLIENT, "text/javascript; charset=utf-8"),
}


def normalise_rasa_url(url: str) -> str:
    """Check that the Rasa URL is a plain absolute http(s) URL (it goes into the CSP header)
    and drop a trailing slash; ValueError, naming RASA_PUBLIC_URL, otherwise."""
    url = url.strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        parts = None
    try:
        port_ok = parts is None or parts.port is None or 0 < parts.port < 65536
    except ValueError:
        port_ok = False
    problem = None
    if UNSAFE_URL_CHARACTERS.search(url):
        problem = "contain no spaces, quotes, semicolons, commas or backslashes"
    elif parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        problem = "be an absolute http:// or https:// URL with a host"
    elif not HOST_AND_PORT.fullmatch(parts.netloc) or not port_ok:
        problem = "name a host (or IP address) and an optional port 1-65535, with no user name or password"
    if problem:
        raise ValueError(f"RASA_PUBLIC_URL must {problem} (e.g. https://bot.example.com); got {url!r}")
    return url.rstrip("/")


def page_config(rasa_url: str) -> str:
    """The JSON config placed in the page; `<` is escaped so it can never close the tag."""
    config = {"injected": True, "rasaUrl": rasa_url, "socketPath": "/socket.io/", "startOpen": True}
    return json.dumps(config).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def content_security_policy(rasa_url: str) -> str:
    """Only our own scripts and styles; network only to ourselves and the Rasa server."""
    parts = urlsplit(rasa_url)
    ws_scheme = "wss" if parts.scheme == "https" else "ws"
    origin = f"{parts.scheme}://{parts.netloc}"
    return "; ".join(
        [
            "default-src 'none'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' https: data:",
            f"connect-src 'self' {origin} {ws_scheme}://{parts.netloc}",
            "base-uri 'none'",
            "form-action 'none'",
            "frame-ancestors 'self'",
        ]
    )


class Handler(BaseHTTPRequestHandler):
    server_version = "AdvisorWeb/1.0"
    rasa_url = DEFAULT_RASA_URL
    quiet = False
    sales_console: sales.SalesConsole | None = None

    def do_GET(self) -> None:
        self._respond(head_only=False)

    def do_HEAD(self) -> None:
        self._respond(head_only=True)

    def do_POST(self) -> None:
        self._write()

    def do_PATCH(self) -> None:
        self._write()

    def _write(self) -> None:
        if not sales.dispatch(self):
            self._send(HTTPStatus.NOT_FOUND, b"not found\n", "text/plain; charset=utf-8", head_only=False)

    def _respond(self, head_only: bool) -> None:
        path = urlsplit(self.path).path
        if sales.dispatch(self) or call_file.respond(self, path, head_only):
            return
        if path in ("/", "/index.html"):
            html = (WEB_DIR / "index.html").read_text(encoding="utf-8")
            body = html.replace(CONFIG_PLACEHOLDER, page_config(self.rasa_url)).encode("utf-8")
            self._send(HTTPStatus.OK, body, "text/html; charset=utf-8", head_only, page=True)
            return
        if path == "/healthz":
            self._send(HTTPStatus.OK, b"ok\n", "text/plain; charset=utf-8", head_only)
            return
        if brief.respond(self, path, head_only):
            return
        entry = STATIC.get(path)
        if entry is None:
            self._send(HTTPStatus.NOT_FOUND, b"not found\n", "text/plain; charset=utf-8", head_only)
            return
        file_path, content_type = entry
        try:
            body = file_path.read_bytes()
        except FileNotFoundError:
            message = f"{file_path.name} is missing: run `npm ci --prefix web`\n".encode()
            self._send(HTTPStatus.SERVICE_UNAVAILABLE, message, "text/plain; charset=utf-8", head_only)
            return
        self._send(HTTPStatus.OK, body, content_type, head_only)

    def _send(self, status: HTTPStatus, body: bytes, content_type: str, head_only: bool, page: bool = False) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-cache")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "strict-origin-when-cross-origin")
        if page:
            self.send_header("Content-Security-Policy", content_security_policy(self.rasa_url))
        else:
            # The widget files may be embedded by other sites (see README).
            self.send_header("Access-Control-Allow-Origin", "*")
        self.end_headers()
        if not head_only:
            self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        if not self.quiet:
            # Neither a conversation id (sales API) nor a brief's or a booked call's token (its only key) is logged.
            args = tuple(
                brief.redact_tokens(brief.redact_tokens(sales.redact_ids(a)), call_file.PREFIX)
                if isinstance(a, str)
                else a
                for a in args
            )
            super().log_message(format, *args)


def make_server(
    host: str, port: int, rasa_url: str, quiet: bool = False, timeout: float = DEFAULT_TIMEOUT_SECONDS
) -> ThreadingHTTPServer:
    if not timeout > 0:
        raise ValueError(f"WEB_TIMEOUT must be a positive number of seconds, got {timeout!r}")
    handler = type(
        "ConfiguredHandler",
        (Handler,),
        # `timeout` is the socket timeout of each connection (socketserver.StreamRequestHandler):
        # a client that sends nothing for that long is disconnected.
        {
            "rasa_url": normalise_rasa_url(rasa_url),
            "quiet": quiet,
            "timeout": timeout,
            "sales_console": sales.SalesConsole.from_env(),
        },
    )
    server = ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True
    return server


def main(argv: list | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default=os.environ.get("WEB_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("WEB_PORT", "8080")))
    parser.add_argument("--rasa-url", default=os.environ.get("RASA_PUBLIC_URL", DEFAULT_RASA_URL))
    parser.add_argument("--quiet", action="store_true", help="do not log each request")
    parser.add_argument(
        "--timeout",
        type=float,
        default=None,
        help=f"seconds a connection may stay silent (WEB_TIMEOUT, default {DEFAULT_TIMEOUT_SECONDS:g})",
    )
    args = parser.parse_args(argv)
    timeout = args.timeout
    if timeout is None:
        try:
            timeout = float(os.environ.get("WEB_TIMEOUT") or DEFAULT_TIMEOUT_SECONDS)
        except ValueError:
            timeout = -1.0  # refused below with the others

    if not SOCKET_IO_CLIENT.exists():
        print(f"warning: {SOCKET_IO_CLIENT} is missing: run `npm ci --prefix web`", file=sys.stderr)
    try:
        server = make_server(args.host, args.port, args.rasa_url, args.quiet, timeout)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(
        f"Demo page on http://{args.host}:{args.port}/ (widget talks to {server.RequestHandlerClass.rasa_url})",
        flush=True,
    )
    if server.RequestHandlerClass.sales_console is not None:
        print(f"Sales console on http://{args.host}:{args.port}/sales", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
