"""`make bench`'s servers and training: the advisor and the stock assistant started, timed and
sampled for memory; see scripts/bench.py."""

from __future__ import annotations

import contextlib
import os
import secrets
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.support import stack
from tests.support.stack import REST_CREDENTIALS, _spawn, _stop, free_port, rasa_run_args, wait_for

ROOT = Path(__file__).resolve().parents[1]

VENV_BIN = Path(sys.executable).parent
PG_URL = os.environ.get("BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_HOST = os.environ.get("BENCH_REDIS_HOST", "127.0.0.1")
REDIS_PORT = os.environ.get("BENCH_REDIS_PORT", "6379")


# --- memory -------------------------------------------------------------------------------


def _rss_bytes(pid: int) -> int:
    """Resident memory of a process and its children."""
    if _has_psutil():
        import psutil

        try:
            proc = psutil.Process(pid)
            return sum(p.memory_info().rss for p in [proc, *proc.children(recursive=True)])
        except psutil.Error:  # the process is gone
            return 0
    total = 0
    pids = [pid]
    while pids:
        current = pids.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            total += next(int(line.split()[1]) * 1024 for line in status.splitlines() if line.startswith("VmRSS:"))
            for task in Path(f"/proc/{current}/task").iterdir():
                children = (task / "children").read_text().split()
                pids.extend(int(c) for c in children)
        except (OSError, StopIteration, ValueError):
            continue
    return total


class MemorySampler(threading.Thread):
    """Samples the RSS of named processes every 0.2 s; keeps the peaks."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.pids: dict[str, int] = {}
        self.peak: dict[str, int] = {}
        self.peak_total = 0
        self.source = "psutil" if _has_psutil() else "/proc"
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.is_set():
            sizes = {name: _rss_bytes(pid) for name, pid in list(self.pids.items())}
            for name, size in sizes.items():
                self.peak[name] = max(self.peak.get(name, 0), size)
            self.peak_total = max(self.peak_total, sum(sizes.values()))
            time.sleep(0.2)

    def stop(self) -> dict[str, float]:
        self._stop_event.set()
        self.join(timeout=2)
        report = {name: round(size / 2**20) for name, size in self.peak.items()}
        report["total"] = round(self.peak_total / 2**20)
        return report


def _has_psutil() -> bool:
    try:
        import psutil  # noqa: F401
    except ImportError:
        return False
    return True


# --- servers ------------------------------------------------------------------------------


@dataclass
class Server:
    """A running assistant: Rasa (and the advisor's action server)."""

    name: str
    rasa_url: str
    token: str
    action_url: str | None
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)
    startup_s: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)  # for the REST channel (its token)
    channel_prefix: str = ""  # the advisor stores REST conversations as `rest:<sender>`

    def conversation(self, sender: str) -> str:
        return self.channel_prefix + sender

    def stop(self) -> None:
        for proc in reversed(list(self.processes.values())):
            _stop(proc)


@contextlib.contextmanager
def backend_env(backend: str, label: str, workdir: Path) -> Iterator[dict[str, str]]:
    """Tracker store (and lock store) settings for one assistant."""
    if backend == "embedded":
        yield {"TRACKER_DIALECT": "sqlite", "TRACKER_URL": f"sqlite:///{workdir / 'tracker.db'}"}
        return
    from sqlalchemy import create_engine, text

    schema = f"bench_{label}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_URL, future=True)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield {
            "TRACKER_DIALECT": "postgresql",
            "TRACKER_URL": PG_URL,
            "POSTGRESQL_SCHEMA": schema,
            "REDIS_HOST": REDIS_HOST,
            "REDIS_PORT": REDIS_PORT,
            "LOCK_STORE_PREFIX": f"bench{uuid.uuid4().hex[:8]}",
        }
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


def ready(server: Server, started: float, checks: list[tuple[str, subprocess.Popen]]) -> Server:
    """Wait until every URL answers (stopping the server if one never does); note the start-up time."""
    try:
        for url, process in checks:
            wait_for(url, timeout=240, proc=process)
    except Exception:
        server.stop()
        raise
    server.startup_s = time.monotonic() - started
    return server


def start_advisor(workdir: Path, extra_env: dict[str, str], sampler: MemorySampler) -> Server:
    action_port, rasa_port = free_port(), free_port()
    token = secrets.token_hex(16)
    env = stack.stack_env(workdir, action_port, extra_env)
    credentials = workdir / "credentials.yml"
    credentials.write_text(REST_CREDENTIALS, encoding="utf-8")
    endpoints = stack.render_endpoints(env, workdir / "endpoints.yml")
    started = time.monotonic()
    actions = stack.start_actions(env, workdir, action_port)
    rasa = stack.start_rasa(env, workdir, rasa_port, token, endpoints, credentials)
    sampler.pids.update({"rasa": rasa.pid, "actions": actions.pid})
    server = Server(
        "advisor",
        f"http://127.0.0.1:{rasa_port}",
        token,
        f"http://127.0.0.1:{action_port}",
        {"actions": actions, "rasa": rasa},
        headers=stack.rest_headers(env),
        channel_prefix="rest:",
    )
    return ready(
        server, started, [(f"{server.action_url}/health", actions), (f"{server.rasa_url}/status?token={token}", rasa)]
    )


def start_stock(stock_dir: Path, workdir: Path, extra_env: dict[str, str], sampler: MemorySampler) -> Server:
    """The `rasa init` assistant with plain `rasa run`, on the same tracker store (and lock store)."""
    rasa_port = free_port()
    token = secrets.token_hex(16)
    tracker = {"type": "SQL", "dialect": extra_env["TRACKER_DIALECT"], "url": extra_env["TRACKER_URL"]}
    endpoints: dict[str, Any] = {"tracker_store": tracker}
    if "REDIS_HOST" in extra_env:
        endpoints["lock_store"] = {
            "type": "redis",
            "url": extra_env["REDIS_HOST"],
            "port": int(extra_env["REDIS_PORT"]),
            "key_prefix": extra_env["LOCK_STORE_PREFIX"],
        }
    import yaml

    endpoints_file = workdir / "stock-endpoints.yml"
    endpoints_file.write_text(yaml.safe_dump(endpoints), encoding="utf-8")
    model = max((stock_dir / "models").glob("*.tar.gz"), key=lambda p: p.stat().st_mtime)
    env = dict(os.environ)
    env.update({"RASA_TELEMETRY_ENABLED": "false", **extra_env})
    started = time.monotonic()
    args = rasa_run_args(token, rasa_port, model, endpoints_file, stock_dir / "credentials.yml")
    rasa = _spawn([str(VENV_BIN / "rasa"), *args], env, workdir / "stock-rasa.log")
    sampler.pids.update({"rasa": rasa.pid})
    server = Server("stock", f"http://127.0.0.1:{rasa_port}", token, None, {"rasa": rasa})
    return ready(server, started, [(f"{server.rasa_url}/status?token={token}", rasa)])


# --- training -----------------------------------------------------------------------------


def time_command(cmd: list[str], cwd: Path, env: dict[str, str], log: Path) -> float:
    started = time.monotonic()
    with open(log, "wb") as handle:
        done = subprocess.run(cmd, cwd=cwd, env=env, stdout=handle, stderr=subprocess.STDOUT, check=False)
    if done.returncode:
        tail = log.read_text(encoding="utf-8", errors="replace")[-2000:]
        raise RuntimeError(f"{' '.join(cmd[:3])} failed ({done.returncode}); end of {log}:\n{tail}")
    return time.monotonic() - started


def train_advisor(workdir: Path) -> float:
    env = dict(os.environ)
    env.update(
        {
            "RASA_TELEMETRY_ENABLED": "false",
            "PYTHONPATH": str(ROOT),
            "RASA_CACHE_DIRECTORY": str(workdir / "train-cache"),
        }
    )
    cmd = [str(VENV_BIN / "rasa"), "train", "--domain", "domain", "--out", str(workdir / "train-models"), "--quiet"]
    return time_command(cmd, ROOT, env, workdir / "train-advisor.log")


def init_stock(workdir: Path) -> tuple[Path, float]:
    stock_dir = workdir / "stock"
    stock_dir.mkdir()
    env = dict(os.environ)
    env.update({"RASA_TELEMETRY_ENABLED": "false", "RASA_CACHE_DIRECTORY": str(workdir / "stock-cache")})
    env.pop("PYTHONPATH", None)
    cmd = [str(VENV_BIN / "rasa"), "init", "--no-prompt", "--init-dir", str(stock_dir)]
    seconds = time_command(cmd, workdir, env, workdir / "train-stock.log")
    return stock_dir, seconds
