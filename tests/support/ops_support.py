"""Helpers for the production-like tests: PostgreSQL schemas, Redis, replicas, conversations."""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import socket
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.support.pg import temporary_schema
from tests.support.stack import (
    REST_CREDENTIALS,
    _stop,
    conversation,
    conversation_path,
    free_port,
    render_endpoints,
    rest_headers,
    stack_env,
    start_actions,
    start_rasa,
    wait_for,
)

ROOT = Path(__file__).resolve().parents[2]

PG_URL = os.environ.get("OPS_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_ADDRESS = (os.environ.get("OPS_TEST_REDIS_HOST", "127.0.0.1"), int(os.environ.get("OPS_TEST_REDIS_PORT", "6379")))
RABBITMQ_URL = os.environ.get("OPS_TEST_RABBITMQ_URL", "amqp://guest@127.0.0.1:5672/")
RABBITMQ_PASSWORD = os.environ.get("OPS_TEST_RABBITMQ_PASSWORD", "guest")

# Real advisor conversations: four answers each, and the advice they must end with.
CONVERSATIONS: dict[str, tuple[list[str], str]] = {
    "bpo": (
        [
            "We need payroll and bookkeeping handled",
            "tight budget, about 2k a month",
            "yes we have the know-how",
            "cut costs",
        ],
        "bpo",
    ),
    "kpo": (
        [
            "We need a competitor analysis and financial modelling",
            "flexible budget, around 15k dollars a month",
            "no, we lack analysts for that",
            "better strategic decisions",
        ],
        "kpo",
    ),
    "hybrid": (
        [
            "We need payroll and market research",
            "moderate budget, about 6k euros a month",
            "we know payroll but lack research skills",
            "focus on our core business",
        ],
        "hybrid",
    ),
}


def reachable(address: tuple[str, int]) -> bool:
    try:
        socket.create_connection(address, timeout=3).close()
    except OSError:
        return False
    return True


def require(address: tuple[str, int], what: str) -> None:
    """Skip when nothing accepts TCP connections at `address` (CI starts the services)."""
    if not reachable(address):
        pytest.skip(f"{what} unreachable at {address[0]}:{address[1]}")


def pg_address() -> tuple[str, int]:
    url = make_url(PG_URL)
    return url.host or "127.0.0.1", url.port or 5432


@contextlib.contextmanager
def pg_schema(prefix: str) -> Iterator[str]:
    """A fresh PostgreSQL schema in the test database, dropped afterwards."""
    require(pg_address(), "PostgreSQL")
    with temporary_schema(PG_URL, prefix) as name:
        yield name


def tracker_url(host: str | None = None, port: int | None = None) -> str:
    url = make_url(PG_URL)
    if host:
        url = url.set(host=host)
    if port:
        url = url.set(port=port)
    return url.render_as_string(hide_password=False)


def stored_events(schema: str, conversation_id: str) -> list[dict[str, Any]]:
    """The events of one conversation (e.g. `rest:<sender>`) as stored in PostgreSQL, in insertion order."""
    engine = create_engine(PG_URL, future=True, connect_args={"options": f"-csearch_path={schema}"})
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                text("SELECT id, data FROM events WHERE sender_id = :sender ORDER BY id"), {"sender": conversation_id}
            ).all()
    finally:
        engine.dispose()
    return [json.loads(data) for _, data in rows]


def user_texts(events: list[dict[str, Any]]) -> list[str]:
    return [e.get("text") or "" for e in events if e.get("event") == "user"]


def assert_stored_once_in_order(events: list[dict[str, Any]], turns: list[str]) -> None:
    """Every user message stored exactly once, in order; no event stored twice; no interleaving."""
    assert user_texts(events) == turns, f"stored user messages {user_texts(events)} != sent {turns}"
    keys = [json.dumps(e, sort_keys=True) for e in events]
    duplicates = {k for k in keys if keys.count(k) > 1}
    assert not duplicates, f"events stored twice: {sorted(duplicates)[:3]}"
    # One turn at a time: before every user message but the first, the bot went back to listening.
    previous = None
    for event in events:
        if event.get("event") == "user" and previous is not None:
            assert previous.get("event") == "action" and previous.get("name") == "action_listen", (
                f"user message {event.get('text')!r} follows {previous}, not action_listen: turns interleaved"
            )
        if event.get("event") in ("user", "action"):
            previous = event
    timestamps = [e["timestamp"] for e in events if "timestamp" in e]
    assert timestamps == sorted(timestamps), "stored events are out of order"


@dataclass
class Replica:
    """One `rasa run` process (turn guard included) on its own port."""

    name: str
    port: int
    token: str
    env: dict[str, str]
    workdir: Path
    endpoints: Path
    credentials: Path
    proc: subprocess.Popen | None = None
    starts: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.starts += 1
        self.proc = start_rasa(
            self.env,
            self.workdir,
            self.port,
            self.token,
            self.endpoints,
            self.credentials,
            log=f"rasa-{self.name}-{self.starts}.log",
        )

    def wait(self) -> None:
        wait_for(f"{self.url}/status?token={self.token}", timeout=240, proc=self.proc)

    def stop(self) -> None:
        if self.proc is not None:
            _stop(self.proc)
            self.proc = None

    def say(self, sender: str, message: str) -> list[dict[str, Any]]:
        response = requests.post(
            f"{self.url}/webhooks/rest/webhook",
            json={"sender": sender, "message": message},
            headers=rest_headers(self.env),
            timeout=120,
        )
        response.raise_for_status()
        return response.json()

    def tracker(self, sender: str) -> dict[str, Any]:
        """The conversation of the REST sender `sender`."""
        response = requests.get(
            f"{self.url}/conversations/{conversation_path(conversation(sender))}/tracker",
            params={"token": self.token},
            timeout=60,
        )
        response.raise_for_status()
        return response.json()


@dataclass
class Cluster:
    """An action server and several Rasa replicas sharing the tracker store and lock store."""

    workdir: Path
    env: dict[str, str]
    action_port: int
    replicas: list[Replica] = field(default_factory=list)
    actions: subprocess.Popen | None = None

    def start_actions(self) -> None:
        self.actions = start_actions(self.env, self.workdir, self.action_port, log="actions.log")
        wait_for(f"http://127.0.0.1:{self.action_port}/health", proc=self.actions)

    def stop_actions(self) -> None:
        if self.actions is not None:
            _stop(self.actions)
            self.actions = None


@contextlib.contextmanager
def running_cluster(workdir: Path, extra_env: dict[str, str], replicas: int = 2) -> Iterator[Cluster]:
    """One action server and `replicas` Rasa servers, all started at once; stopped afterwards."""
    workdir.mkdir(parents=True, exist_ok=True)
    action_port = free_port()
    env = stack_env(workdir, action_port, extra_env)
    endpoints = render_endpoints(env, workdir / "endpoints.yml")
    credentials = workdir / "credentials.yml"
    credentials.write_text(REST_CREDENTIALS, encoding="utf-8")
    cluster = Cluster(workdir=workdir, env=env, action_port=action_port)
    token = secrets.token_hex(16)
    for index in range(replicas):
        replica = Replica(
            name="ab"[index] if index < 2 else str(index),
            port=free_port(),
            token=token,
            env=env,
            workdir=workdir,
            endpoints=endpoints,
            credentials=credentials,
        )
        cluster.replicas.append(replica)
    try:
        cluster.actions = start_actions(env, workdir, action_port)
        for replica in cluster.replicas:
            replica.start()
        wait_for(f"http://127.0.0.1:{action_port}/health", proc=cluster.actions)
        for replica in cluster.replicas:
            replica.wait()
        yield cluster
    finally:
        for replica in cluster.replicas:
            replica.stop()
        cluster.stop_actions()


def rabbitmq_address() -> tuple[str, int]:
    url = make_url(RABBITMQ_URL.replace("amqp://", "postgresql://", 1))  # any URL parser will do
    return url.host or "127.0.0.1", url.port or 5672


def drain_queue(queue_name: str, delete: bool = True) -> list[dict[str, Any]]:
    """Every message waiting in a RabbitMQ queue (JSON bodies), optionally deleting the queue."""
    import asyncio

    import aio_pika

    async def drain() -> list[dict[str, Any]]:
        host, port = rabbitmq_address()
        user = make_url(RABBITMQ_URL.replace("amqp://", "postgresql://", 1)).username or "guest"
        connection = await aio_pika.connect(host=host, port=port, login=user, password=RABBITMQ_PASSWORD)
        async with connection:
            channel = await connection.channel()
            queue = await channel.declare_queue(queue_name, durable=True, passive=True)
            bodies = []
            while (message := await queue.get(no_ack=True, fail=False, timeout=10)) is not None:
                bodies.append(json.loads(message.body))
            if delete:
                await queue.delete(if_unused=False, if_empty=False)
            return bodies

    return asyncio.run(drain())


def reply_texts(replies: list[dict[str, Any]]) -> list[str]:
    return [str(r.get("text") or "") for r in replies]
