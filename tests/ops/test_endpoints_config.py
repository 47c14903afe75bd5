"""`python -m serving.config endpoints`: the endpoints file Rasa starts with, from endpoints.yml and the environment."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from serving import config
from tests.support.common import run_python
from tests.support.ops_support import ROOT

RENDER = ("-m", "serving.config", "endpoints")

TEMPLATE = yaml.safe_load((ROOT / "endpoints.yml").read_text(encoding="utf-8"))
BASE = {
    "ACTION_ENDPOINT_URL": "http://127.0.0.1:5055/webhook",
    "TRACKER_DIALECT": "sqlite",
    "TRACKER_URL": "sqlite:///var/tracker.db",
}


def _render(**env: str) -> dict:
    endpoints, _ = config.render_endpoints(TEMPLATE, {**BASE, **env})
    return endpoints


def test_the_default_needs_no_server_but_the_action_server() -> None:
    endpoints, dropped = config.render_endpoints(TEMPLATE, BASE)
    assert list(endpoints) == ["action_endpoint", "tracker_store"]
    assert endpoints["action_endpoint"]["url"] == "${ACTION_ENDPOINT_URL}", "Rasa expands it, not us"
    assert endpoints["tracker_store"]["url"] == "${TRACKER_URL}"
    assert set(dropped) == {"lock_store", "event_broker"}


def test_redis_host_switches_the_lock_store_on_with_only_the_keys_that_are_set() -> None:
    lock = _render(REDIS_HOST="redis.internal", REDIS_PASSWORD="s3cret")["lock_store"]
    assert lock == {
        "type": "serving.lock_store.AtomicRedisLockStore",
        "url": "${REDIS_HOST}",
        "password": "${REDIS_PASSWORD}",
    }


def test_a_lock_store_url_is_split_into_host_port_and_db() -> None:
    lock = _render(LOCK_STORE_URL="rediss://redis.internal:6380/3", LOCK_STORE_PREFIX="advisor")["lock_store"]
    assert lock == {
        "type": "serving.lock_store.AtomicRedisLockStore",
        "url": "redis.internal",
        "port": 6380,
        "db": 3,
        "use_ssl": True,
        "key_prefix": "${LOCK_STORE_PREFIX}",
    }


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"LOCK_STORE_URL": "redis://:pw@redis:6379/1"}, "REDIS_PASSWORD"),
        ({"LOCK_STORE_URL": "http://redis"}, "redis://"),
        ({"EVENT_BROKER_URL": "amqp://user:pw@rabbit/"}, "EVENT_BROKER_PASSWORD"),
        ({"EVENT_BROKER_URL": "amqp://rabbit/"}, "EVENT_BROKER_USERNAME and EVENT_BROKER_PASSWORD"),
        ({"EVENT_BROKER_URL": "amqp://user@rabbit/"}, "EVENT_BROKER_PASSWORD"),
    ],
)
def test_half_configured_or_secret_bearing_settings_are_refused(env: dict[str, str], message: str) -> None:
    with pytest.raises(config.EndpointsError, match=message):
        _render(**env)


def test_the_event_broker_gets_an_explicit_port_and_keeps_its_password_a_reference() -> None:
    broker = _render(
        EVENT_BROKER_URL="amqp://advisor@rabbit.internal/prod",
        EVENT_BROKER_PASSWORD="pw",
        EVENT_BROKER_QUEUE="advisor_events",
    )["event_broker"]
    assert broker["url"] == "amqp://rabbit.internal:5672/prod"
    assert broker["port"] == 5672
    assert broker["username"] == "advisor"
    assert broker["password"] == "${EVENT_BROKER_PASSWORD}"
    assert broker["queues"] == ["${EVENT_BROKER_QUEUE}"]


def test_an_unset_required_url_is_an_error_not_a_silent_default() -> None:
    with pytest.raises(config.EndpointsError, match="ACTION_ENDPOINT_URL"):
        config.render_endpoints(TEMPLATE, {k: v for k, v in BASE.items() if k != "ACTION_ENDPOINT_URL"})


def test_rasa_reads_the_written_file_and_no_secret_is_on_disk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    env = {
        **BASE,
        "REDIS_HOST": "127.0.0.1",
        "REDIS_PORT": "6379",
        "REDIS_PASSWORD": "redis-s3cret",
        "LOCK_STORE_PREFIX": "advisor",
        "EVENT_BROKER_URL": "amqp://guest@127.0.0.1:5672/",
        "EVENT_BROKER_PASSWORD": "amqp-s3cret",
        "PATH": "/usr/bin:/bin",
    }
    out = tmp_path / "endpoints.yml"
    done = run_python(*RENDER, "--out", str(out), env=env, check=True)
    assert done.stdout.strip() == str(out)
    text = out.read_text(encoding="utf-8")
    assert "s3cret" not in text

    from rasa.core.lock_store import LockStore
    from rasa.core.utils import AvailableEndpoints

    from serving.lock_store import AtomicRedisLockStore

    for name, value in env.items():
        monkeypatch.setenv(name, value)
    endpoints = AvailableEndpoints.read_endpoints(str(out))
    assert endpoints.action.url == BASE["ACTION_ENDPOINT_URL"]
    assert endpoints.tracker_store.type == "serving.tracker_store.ResilientSQLTrackerStore"
    assert endpoints.event_broker.type == "pika"
    assert endpoints.event_broker.kwargs["password"] == "amqp-s3cret"
    lock_store = LockStore.create(endpoints.lock_store)
    assert isinstance(lock_store, AtomicRedisLockStore)
    assert lock_store.red.connection_pool.connection_kwargs["password"] == "redis-s3cret"
    assert lock_store.key_prefix.startswith("advisor:")


def test_without_the_defaults_the_script_explains_what_is_missing() -> None:
    done = run_python(*RENDER, "--out", "-", env={"PATH": "/usr/bin:/bin"})
    assert done.returncode == 2
    assert "ACTION_ENDPOINT_URL" in done.stderr and "Traceback" not in done.stderr


def test_the_written_file_is_owner_only_even_over_an_older_file(tmp_path: Path) -> None:
    out = tmp_path / "var" / "endpoints.yml"
    out.parent.mkdir()
    out.write_text("old", encoding="utf-8")
    out.chmod(0o644)
    done = run_python(*RENDER, "--out", str(out), env={"PATH": "/usr/bin:/bin", **BASE}, check=True)
    assert done.stdout.strip() == str(out)
    assert out.stat().st_mode & 0o777 == 0o600
    assert config.render_endpoints(TEMPLATE, BASE)[0] == yaml.safe_load(out.read_text(encoding="utf-8"))
    assert "endpoints: configured: action_endpoint, tracker_store" in done.stderr


def test_one_command_writes_either_file_and_nothing_else() -> None:
    both = {
        kind: run_python(
            "-m", "serving.config", kind, "--out", "-", env={"PATH": "/usr/bin:/bin", **BASE}, check=True
        ).stdout
        for kind in ("endpoints", "credentials")
    }
    assert "action_endpoint:" in both["endpoints"] and "socketio:" in both["credentials"]
    assert all(text.startswith("# Generated by `python -m serving.config") for text in both.values())
    other = run_python("-m", "serving.config", "settings")
    assert other.returncode == 2 and "invalid choice" in other.stderr
    assert not any((ROOT / "scripts").glob("*credentials*.py")) and not any((ROOT / "scripts").glob("*endpoints*.py"))
