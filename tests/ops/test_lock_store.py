"""serving/lock_store.py: two "servers" taking one conversation's lock never overlap (real Redis)."""

from __future__ import annotations

import asyncio
import threading
import uuid

import pytest
from rasa.core.lock_store import RedisLockStore
from rasa.utils.endpoints import EndpointConfig

from serving.lock_store import AtomicRedisLockStore
from tests.support.ops_support import REDIS_ADDRESS, require

ROUNDS = 40


def _store(cls: type[RedisLockStore], prefix: str) -> RedisLockStore:
    return cls(host=REDIS_ADDRESS[0], port=REDIS_ADDRESS[1], key_prefix=prefix)


def _hammer(cls: type[RedisLockStore]) -> tuple[int, int]:
    """Two threads, each with its own store (= its own server), take the lock ROUNDS times."""
    prefix = f"opslock{uuid.uuid4().hex[:8]}"
    conversation = "one-conversation"
    inside: list[str] = []
    overlaps = [0]
    guard = threading.Lock()
    barrier = threading.Barrier(2)

    def server(name: str) -> None:
        store = _store(cls, prefix)

        async def run() -> None:
            for _ in range(ROUNDS):
                barrier.wait()  # both ask at the same moment
                async with store.lock(conversation, wait_time_in_seconds=0.005):
                    with guard:
                        inside.append(name)
                        if len(inside) > 1:
                            overlaps[0] += 1
                    await asyncio.sleep(0.002)
                    with guard:
                        inside.remove(name)

        asyncio.run(run())

    threads = [threading.Thread(target=server, args=(n,)) for n in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    leftover = len(list(_store(cls, prefix).red.scan_iter(match=f"{prefix}*")))
    return overlaps[0], leftover


def test_the_atomic_lock_store_never_lets_two_servers_in_at_once() -> None:
    require(REDIS_ADDRESS, "Redis")
    overlaps, leftover = _hammer(AtomicRedisLockStore)
    assert overlaps == 0, f"{overlaps} of {ROUNDS} rounds had both servers inside the lock"
    assert leftover == 0, "the lock was not cleaned up"


def test_it_is_built_from_an_endpoint_config_like_rasas() -> None:
    store = AtomicRedisLockStore(
        endpoint_config=EndpointConfig(url="127.0.0.1", port=6379, db=2, key_prefix="advisor", type="x")
    )
    kwargs = store.red.connection_pool.connection_kwargs
    assert (kwargs["host"], kwargs["port"], kwargs["db"]) == ("127.0.0.1", 6379, 2)
    assert store.key_prefix == "advisor:lock:"


@pytest.mark.skip(reason="shows Rasa 3.6's race; timing-dependent, so run by hand (remove this mark)")
def test_rasas_own_redis_lock_store_lets_both_in() -> None:
    require(REDIS_ADDRESS, "Redis")
    overlaps, _ = _hammer(RedisLockStore)
    assert overlaps > 0
