"""Two Rasa replicas behind no load balancer, sharing PostgreSQL (tracker store) and Redis (locks).

One action server and two `rasa run` processes on different ports use the same tracker
store, in a fresh PostgreSQL schema, and the Redis lock store. Conversations hop between
the replicas turn by turn; every event must be stored once and in order, and the advice
must be the same as on a single replica. One replica is restarted mid-conversation.
Conversations under odd REST sender ids (spaces, other scripts, quotes, control
characters) do the same, read back through the HTTP API; a NUL in one is refused.
When RabbitMQ is up, both replicas also publish to it (pika event broker), and every
stored event must have been published exactly once.
"""

from __future__ import annotations

import itertools
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from serving.guard import TROUBLE_REPLY
from tests.support.ops_support import (
    CONVERSATIONS,
    RABBITMQ_PASSWORD,
    RABBITMQ_URL,
    REDIS_ADDRESS,
    Cluster,
    assert_stored_once_in_order,
    drain_queue,
    pg_schema,
    rabbitmq_address,
    reachable,
    reply_texts,
    require,
    running_cluster,
    stored_events,
    tracker_url,
)
from tests.support.stack import conversation, rest_headers


@pytest.fixture(scope="module")
def schema() -> Iterator[str]:
    with pg_schema("ops_scale") as name:
        yield name


@pytest.fixture(scope="module")
def lock_prefix() -> str:
    return f"opsscale{uuid.uuid4().hex[:8]}"


@pytest.fixture(scope="module")
def queue() -> str | None:
    """The RabbitMQ queue both replicas publish to, or None when RabbitMQ is not running."""
    return f"ops_events_{uuid.uuid4().hex[:8]}" if reachable(rabbitmq_address()) else None


@pytest.fixture(scope="module")
def cluster(
    tmp_path_factory: pytest.TempPathFactory, schema: str, lock_prefix: str, queue: str | None
) -> Iterator[Cluster]:
    require(REDIS_ADDRESS, "Redis")
    env = {
        "TRACKER_DIALECT": "postgresql",
        "TRACKER_URL": tracker_url(),
        "POSTGRESQL_SCHEMA": schema,
        "REDIS_HOST": REDIS_ADDRESS[0],
        "REDIS_PORT": str(REDIS_ADDRESS[1]),
        "LOCK_STORE_PREFIX": lock_prefix,
    }
    if queue:
        env.update(
            {
                "EVENT_BROKER_URL": RABBITMQ_URL,
                "EVENT_BROKER_PASSWORD": RABBITMQ_PASSWORD,
                "EVENT_BROKER_QUEUE": queue,
            }
        )
    with running_cluster(tmp_path_factory.mktemp("scale-out"), env, replicas=2) as running:
        yield running


def _sender(name: str) -> str:
    return f"ops-{name}-{uuid.uuid4().hex[:8]}"


def _single_replica_advice(cluster: Cluster) -> dict[str, str]:
    """The reference: each conversation held entirely on replica A."""
    advice = {}
    for name, (turns, _) in CONVERSATIONS.items():
        sender = _sender(f"single-{name}")
        for turn in turns:
            cluster.replicas[0].say(sender, turn)
        advice[name] = cluster.replicas[0].tracker(sender)["slots"]["recommendation"]
    return advice


def test_the_endpoints_file_configures_the_shared_stores(cluster: Cluster, queue: str | None) -> None:
    text = cluster.replicas[0].endpoints.read_text(encoding="utf-8")
    assert "type: serving.lock_store.AtomicRedisLockStore" in text and "lock_store:" in text
    assert "ResilientSQLTrackerStore" in text
    assert ("type: pika" in text) == bool(queue)
    assert "password: ${EVENT_BROKER_PASSWORD}" in text or not queue, "the password stays a reference"


def test_one_conversation_alternates_between_the_replicas(cluster: Cluster, schema: str, lock_prefix: str) -> None:
    import redis

    a, b = cluster.replicas
    turns, expected = CONVERSATIONS["bpo"]
    sender = _sender("alternate")
    seen_lock_keys: set[str] = set()
    done = threading.Event()

    def watch_locks() -> None:  # proves the replicas really take their locks in Redis
        client = redis.Redis(host=REDIS_ADDRESS[0], port=REDIS_ADDRESS[1], db=1)
        while not done.is_set():
            seen_lock_keys.update(k.decode() for k in client.scan_iter(match=f"{lock_prefix}*"))
            time.sleep(0.002)

    watcher = threading.Thread(target=watch_locks, daemon=True)
    watcher.start()
    try:
        for replica, turn in zip(itertools.cycle((a, b)), turns, strict=False):
            replies = replica.say(sender, turn)
            assert any(t.strip() for t in reply_texts(replies)), f"no reply to {turn!r} on {replica.name}"
            assert TROUBLE_REPLY not in reply_texts(replies)
    finally:
        done.set()
        watcher.join(timeout=5)

    on_a, on_b = a.tracker(sender), b.tracker(sender)
    assert on_a["slots"]["recommendation"] == on_b["slots"]["recommendation"] == expected
    assert on_a["events"] == on_b["events"], "the replicas see different histories"
    events = stored_events(schema, conversation(sender))
    assert_stored_once_in_order(events, turns)
    assert len(events) == len(on_a["events"])
    assert any(sender in key for key in seen_lock_keys), f"no Redis lock seen under {lock_prefix}*"


def test_concurrent_conversations_on_both_replicas_give_the_single_replica_advice(
    cluster: Cluster, schema: str
) -> None:
    reference = _single_replica_advice(cluster)
    assert reference == {name: expected for name, (_, expected) in CONVERSATIONS.items()}

    # Six at once; copy 0 starts on A, copy 1 on B, and each then alternates.
    jobs = [(f"{name}-{copy}", name, copy) for name in CONVERSATIONS for copy in range(2)]

    def hold(job: tuple[str, str, int]) -> tuple[str, str, str]:
        label, name, start = job
        sender = _sender(label)
        turns, _ = CONVERSATIONS[name]
        for index, turn in enumerate(turns):
            cluster.replicas[(start + index) % 2].say(sender, turn)
        return name, sender, cluster.replicas[start].tracker(sender)["slots"]["recommendation"]

    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        results = list(pool.map(hold, jobs))
    for name, sender, advice in results:
        assert advice == reference[name], f"{sender}: {advice} on two replicas, {reference[name]} on one"
        assert_stored_once_in_order(stored_events(schema, conversation(sender)), CONVERSATIONS[name][0])


def test_simultaneous_messages_of_one_conversation_are_serialised_by_the_lock(cluster: Cluster, schema: str) -> None:
    a, b = cluster.replicas
    sender = _sender("simultaneous")
    a.say(sender, "We need payroll and bookkeeping handled")
    texts = ["tight budget, about 2k a month", "oh, and we also need data entry"]
    barrier = threading.Barrier(2)

    def send(replica_and_text: tuple[object, str]) -> list[dict]:
        replica, message = replica_and_text
        barrier.wait()
        return replica.say(sender, message)

    with ThreadPoolExecutor(max_workers=2) as pool:
        replies = list(pool.map(send, [(a, texts[0]), (b, texts[1])]))
    assert all(any(t.strip() for t in reply_texts(r)) for r in replies)
    events = stored_events(schema, conversation(sender))
    stored = [e.get("text") for e in events if e.get("event") == "user"]
    assert stored[0] == "We need payroll and bookkeeping handled"
    assert sorted(stored[1:]) == sorted(texts), f"stored {stored}"
    assert_stored_once_in_order(events, stored)


def test_restarting_a_replica_mid_conversation_loses_nothing(cluster: Cluster, schema: str) -> None:
    a, b = cluster.replicas
    turns, expected = CONVERSATIONS["bpo"]
    sender = _sender("restart")
    b.say(sender, turns[0])
    a.say(sender, turns[1])
    b.stop()  # replica B goes away mid-conversation ...
    b.start()  # ... and comes back; meanwhile the conversation carries on on A
    a.say(sender, turns[2])
    b.wait()
    replies = b.say(sender, turns[3])
    assert TROUBLE_REPLY not in reply_texts(replies)
    assert b.tracker(sender)["slots"]["recommendation"] == expected
    assert_stored_once_in_order(stored_events(schema, conversation(sender)), turns)


ODD_SENDERS = {
    "spaces": "ops business hours",
    "slashes_and_scripts": "ops/Zoë/日本語/🙂",
    "quotes_escapes_and_delimiters": 'ops "q" \\ %20 ?x=1#top',
    "control_characters": "ops\tline\nbreak\x85",
}


@pytest.mark.parametrize("name", list(ODD_SENDERS), ids=list(ODD_SENDERS))
def test_an_odd_sender_id_alternates_between_the_replicas_to_the_advice(
    cluster: Cluster, schema: str, name: str
) -> None:
    """PostgreSQL keys, Redis lock keys and the HTTP API all take the id as sent (tests/e2e/test_sender_ids.py)."""
    turns, expected = CONVERSATIONS["bpo"]
    sender = f"{ODD_SENDERS[name]} {uuid.uuid4().hex[:8]}"
    for replica, turn in zip(itertools.cycle(cluster.replicas), turns, strict=False):
        replies = replica.say(sender, turn)
        assert {reply["recipient_id"] for reply in replies} == {sender}
        assert TROUBLE_REPLY not in reply_texts(replies)
    for replica in cluster.replicas:
        tracker = replica.tracker(sender)
        assert tracker["sender_id"] == conversation(sender)
        assert tracker["slots"]["recommendation"] == expected
    assert_stored_once_in_order(stored_events(schema, conversation(sender)), turns)


def test_a_nul_in_the_sender_id_is_refused_before_it_reaches_postgresql(cluster: Cluster) -> None:
    """PostgreSQL text cannot hold NUL: the turn could only fail, so the channel refuses it with a 400."""
    replica = cluster.replicas[0]
    response = requests.post(
        f"{replica.url}/webhooks/rest/webhook",
        json={"sender": "ops\x00nul", "message": "We need payroll handled"},
        headers=rest_headers(replica.env),
        timeout=60,
    )
    assert response.status_code == 400, response.text
    assert "NUL" in response.json()["error"]


def test_every_stored_event_was_published_once_to_rabbitmq(cluster: Cluster, schema: str, queue: str | None) -> None:
    """Runs last: both replicas published each conversation's events to one queue, once each."""
    if not queue:
        pytest.skip("RabbitMQ is not running")
    import json

    time.sleep(1)  # the pika broker publishes in the background
    published = drain_queue(queue)
    by_sender: dict[str, list[dict]] = {}
    for body in published:
        by_sender.setdefault(body.pop("sender_id"), []).append(body)
    assert by_sender, "nothing was published"
    for sender, events in by_sender.items():
        stored = stored_events(schema, sender)
        as_text = [json.dumps(e, sort_keys=True) for e in events]
        assert len(as_text) == len(set(as_text)), f"{sender}: an event was published twice"
        assert sorted(as_text) == sorted(json.dumps(e, sort_keys=True) for e in stored), (
            f"{sender}: published events differ from stored ones"
        )
