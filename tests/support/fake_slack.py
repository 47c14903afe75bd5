"""A fake of Slack's Web API on loopback, reached through the Slack channel's `proxy` setting.

Rasa 3.6's SlackBot builds `AsyncWebClient(token, proxy=proxy)` with slack_sdk's fixed
base URL https://slack.com/api/; nothing lets a credentials file change that URL. It does
pass the channel's `proxy` setting on, so the fake is an HTTP proxy: it answers
`CONNECT slack.com:443`, ends the TLS itself with a certificate for slack.com signed by a
throw-away test CA, and records every Web API call. The Rasa process trusts that CA through
SSL_CERT_FILE (read by OpenSSL's default verify paths, which aiohttp uses). Nothing leaves
the machine: any other CONNECT target is refused.
"""

from __future__ import annotations

import datetime
import json
import ssl
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

SLACK_HOST = "slack.com"
# Test-only values: the bot token the fake expects and the app's signing secret.
SLACK_TOKEN = "xoxb-test-0000-fake-token"
SIGNING_SECRET = "test-signing-secret-4f1c9e"
SHARED_CHANNEL = "CSHARED0001"
"""SLACK_CHANNEL in the tests: a channel the whole workspace reads."""
PROXY_PASSWORD = "pr0xy-pa55-7d1e"
"""Put in SLACK_PROXY's URL by the tests (the fake ignores it): no file or log may show it."""


def make_certificates(directory: Path) -> tuple[Path, Path, Path]:
    """Write a test CA and a slack.com certificate it signed; return (ca, cert, key) paths."""
    now = datetime.datetime.now(datetime.timezone.utc)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "advisor test CA")])
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                key_cert_sign=True,
                crl_sign=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, SLACK_HOST)]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(SLACK_HOST)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    ca_path, cert_path, key_path = directory / "ca.pem", directory / "slack.pem", directory / "slack.key"
    ca_path.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return ca_path, cert_path, key_path


def direct_channel_of(user: str) -> str:
    """The id the fake gives a user's direct-message conversation (conversations.open)."""
    return "D" + user[1:]


class FakeSlack:
    """Records Web API calls: `calls` is a list of {method, headers, body} dicts.

    conversations.open answers with direct_channel_of(user), or with Slack's error for an
    app without the im:write scope for the users in `refuse_dm`."""

    def __init__(self, directory: Path) -> None:
        self.ca, cert, key = make_certificates(directory)
        self.tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.tls.load_cert_chain(cert, key)
        self.calls: list[dict[str, Any]] = []
        self.refused: list[str] = []
        self.refuse_dm: set[str] = set()
        self._cond = threading.Condition()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self.proxy_url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self) -> FakeSlack:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    # ------------------------------------------------------------- queries

    def posts(self, channel: str | None = None) -> list[dict[str, Any]]:
        """chat.postMessage bodies, optionally only those to `channel`."""
        with self._cond:
            bodies = [c["body"] for c in self.calls if c["method"] == "chat.postMessage"]
        return [b for b in bodies if channel is None or b.get("channel") == channel]

    def wait_for(self, predicate: Callable[[], bool], timeout: float = 60.0, settle: float = 1.5) -> bool:
        """Wait until predicate() holds, then until no call arrives for `settle` s."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while not predicate():
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._cond.wait(min(remaining, 0.5))
        self.settle(settle)
        return True

    def settle(self, quiet: float) -> None:
        """Return once no call has arrived for `quiet` seconds."""
        last = -1
        since = time.monotonic()
        while time.monotonic() - since < quiet:
            with self._cond:
                count = len(self.calls)
            if count != last:
                last, since = count, time.monotonic()
            time.sleep(0.1)

    # ------------------------------------------------------------- server

    def _record(self, call: dict[str, Any]) -> None:
        with self._cond:
            self.calls.append(call)
            self._cond.notify_all()

    def _handler_class(self) -> type:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                pass

            def do_CONNECT(self) -> None:
                host, _, port = self.path.partition(":")
                if host != SLACK_HOST or port not in ("", "443"):
                    fake.refused.append(self.path)
                    self.send_error(403, "only slack.com is faked here")
                    return
                self.send_response(200, "Connection established")
                self.end_headers()
                self.wfile.flush()
                tls = fake.tls.wrap_socket(self.connection, server_side=True)
                self.connection = tls
                self.rfile = tls.makefile("rb")
                self.wfile = tls.makefile("wb")
                self.close_connection = False
                while not self.close_connection:
                    self.handle_one_request()

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                content_type = self.headers.get("Content-Type", "")
                if "json" in content_type:
                    body = json.loads(raw or b"{}")
                else:
                    body = {k: v[0] for k, v in parse_qs(raw.decode()).items()}
                path, _, query = self.path.partition("?")
                method = path.rsplit("/", 1)[-1]
                body.update({k: v[0] for k, v in parse_qs(query).items()})  # GET calls carry a query
                fake._record({"method": method, "headers": dict(self.headers), "body": body})
                reply: dict[str, Any] = {"ok": True}
                if method == "conversations.open":
                    user = str(body.get("users") or "")
                    if user in fake.refuse_dm:
                        reply = {"ok": False, "error": "missing_scope", "needed": "im:write"}
                    else:
                        reply["channel"] = {"id": direct_channel_of(user)}
                if method == "chat.postMessage":
                    reply.update(
                        channel=body.get("channel"),
                        ts=f"{time.time():.6f}",
                        message={"text": body.get("text", "")},
                    )
                data = json.dumps(reply).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                self.wfile.flush()

            do_GET = do_POST

        return Handler
