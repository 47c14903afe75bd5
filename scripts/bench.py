#!/usr/bin/env python3
"""Load test and profile: the advisor next to a stock `rasa init` assistant, same machine, same run.

    make bench                              # 20 concurrent visitors, SQLite tracker store
    BENCH_VISITORS=40 make bench
    BENCH_BACKEND=postgres make bench       # PostgreSQL tracker store + Redis lock store
    .venv/bin/python -m scripts.bench --help         # from the project root

For each assistant it measures, in this order and one assistant at a time:

1. training: the advisor is trained from scratch into a temporary directory (`rasa train
   --out`, empty cache); the stock assistant is created with `rasa init --no-prompt`, which
   trains it; both timed;
2. start-up: from spawning the servers to both answering (`/status`, action `/health`);
3. a warm-up (each scripted conversation once, not counted), then a profile with a single visitor: per-turn
   time, `/model/parse` (NLU pipeline only), `/conversations/<id>/predict` (tracker read +
   policies), the tracker read (`GET /conversations/<id>/tracker`) and append (`POST
   .../tracker/events`), and, for the advisor, the action server's `/webhook` for its
   three main actions, each called directly;
4. load: N visitors at once (asyncio + aiohttp over REST), each holding one whole
   conversation (the advisor: to a recommendation, checked; the stock assistant:
   hello / mood_great / bot_challenge / goodbye), three rounds (BENCH_ROUNDS), pooled:
   per-turn p50/p95/p99, throughput, errors;
5. peak resident memory of the Rasa and action server processes, sampled every 0.2 s
   (psutil if installed, else /proc).

Prints a table and writes everything to results/bench.json. The targets are reported, not
enforced: zero errors; advisor per-turn p50 <= 0.5x and p95 <= 0.8x the stock assistant's;
start-up < 20 s; RSS < 1 GB; training < 2 min.

The speed-ups of serving/speedups.py follow ADVISOR_SPEEDUPS (`ADVISOR_SPEEDUPS=0 make
bench`: none; `-graph_runner`: all but that one; the value is recorded in the report).
`--speedups` (`make bench ARGS=--speedups`) measures each one's share instead: the advisor
alone, no training, no load; the single-visitor profile with all speed-ups on, with none,
and with each one off in turn (a fresh server each time). The figures go under "speedups"
in results/bench.json, next to those of the last full run, and are printed.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import requests

from tests.support.stack import (
    REST_CREDENTIALS,
    _spawn,
    _stop,
    free_port,
    latest_model,
    render_endpoints,
    rest_headers,
    stack_env,
    start_actions,
    start_rasa,
    wait_for,
)

ROOT = Path(__file__).resolve().parents[1]

VENV_BIN = Path(sys.executable).parent
PG_URL = os.environ.get("BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_HOST = os.environ.get("BENCH_REDIS_HOST", "127.0.0.1")
REDIS_PORT = os.environ.get("BENCH_REDIS_PORT", "6379")

# Whole advisor conversations and the advice each must end with.
ADVISOR_CONVERSATIONS: list[tuple[list[str], str]] = [
    (
        [
            "We need payroll and bookkeeping handled",
            "tight budget, about 2k a month",
            "yes we have the know-how",
            "cut costs",
        ],
        "bpo",
    ),
    (
        [
            "We need a competitor analysis and financial modelling",
            "flexible budget, around 15k dollars a month",
            "no, we lack analysts for that",
            "better strategic decisions",
        ],
        "kpo",
    ),
    (
        [
            "We need payroll and market research",
            "moderate budget, about 6k euros a month",
            "we know payroll but lack research skills",
            "focus on our core business",
        ],
        "hybrid",
    ),
]
# The stock assistant (moodbot): the same number of turns.
STOCK_CONVERSATIONS: list[tuple[list[str], str]] = [
    (["hello", "I am feeling great", "are you a bot?", "goodbye"], "Bye"),
    (["hi there", "very good, thanks", "am I talking to a human?", "bye"], "Bye"),
]
TROUBLE = "having trouble"
TARGETS = {"p50_ratio": 0.5, "p95_ratio": 0.8, "startup_s": 20.0, "rss_mb": 1024.0, "training_s": 120.0}


def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    index = (len(ordered) - 1) * q
    low, high = int(index), min(int(index) + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (index - low)


def ms(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds * 1000, 1)


def median_ms(values: list[float]) -> float | None:
    return ms(statistics.median(values)) if values else None


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
    env = stack_env(workdir, action_port, extra_env)
    credentials = workdir / "credentials.yml"
    credentials.write_text(REST_CREDENTIALS, encoding="utf-8")
    endpoints = render_endpoints(env, workdir / "endpoints.yml")
    started = time.monotonic()
    actions = start_actions(env, workdir, action_port)
    rasa = start_rasa(env, workdir, rasa_port, token, endpoints, credentials)
    sampler.pids.update({"rasa": rasa.pid, "actions": actions.pid})
    server = Server(
        "advisor",
        f"http://127.0.0.1:{rasa_port}",
        token,
        f"http://127.0.0.1:{action_port}",
        {"actions": actions, "rasa": rasa},
        headers=rest_headers(env),
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
    rasa = _spawn(
        [
            str(VENV_BIN / "rasa"),
            "run",
            "--enable-api",
            "--auth-token",
            token,
            "-i",
            "127.0.0.1",
            "-p",
            str(rasa_port),
            "-m",
            str(model),
            "--endpoints",
            str(endpoints_file),
            "--credentials",
            str(stock_dir / "credentials.yml"),
        ],
        env,
        workdir / "stock-rasa.log",
    )
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
    cmd = [str(VENV_BIN / "rasa"), "train", "--out", str(workdir / "train-models"), "--quiet"]
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


# --- conversations ------------------------------------------------------------------------


@dataclass
class Outcome:
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    turns: int = 0
    by_turn: dict[int, list[float]] = field(default_factory=dict)  # latencies by turn number


async def converse(
    session: Any, server: Server, sender: str, turns: list[str], expected: str, outcome: Outcome
) -> None:
    """One visitor: every turn over REST, timed; then the result checked."""
    import aiohttp

    last_texts: list[str] = []
    for number, turn in enumerate(turns, start=1):
        started = time.perf_counter()
        try:
            async with session.post(
                f"{server.rasa_url}/webhooks/rest/webhook",
                headers=server.headers,
                json={"sender": sender, "message": turn},
            ) as response:
                body = await response.json(content_type=None)
                status = response.status
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as error:
            outcome.errors.append(f"{sender}: {turn!r}: {error!r}")
            continue
        outcome.latencies.append(time.perf_counter() - started)
        outcome.by_turn.setdefault(number, []).append(outcome.latencies[-1])
        outcome.turns += 1
        last_texts = [str(m.get("text") or "") for m in body or []]
        if status != 200:
            outcome.errors.append(f"{sender}: {turn!r}: HTTP {status}")
        elif not any(t.strip() for t in last_texts):
            outcome.errors.append(f"{sender}: {turn!r}: no reply")
        elif any(TROUBLE in t for t in last_texts):
            outcome.errors.append(f"{sender}: {turn!r}: {last_texts}")
    if server.name == "advisor":
        async with session.get(
            f"{server.rasa_url}/conversations/{server.conversation(sender)}/tracker", params={"token": server.token}
        ) as response:
            slots = (await response.json())["slots"]
        if slots.get("recommendation") != expected:
            outcome.errors.append(f"{sender}: advice {slots.get('recommendation')}, expected {expected}")
    elif not any(expected in t for t in last_texts):
        outcome.errors.append(f"{sender}: last reply {last_texts}, expected {expected!r}")


async def load(server: Server, scripts: list[tuple[list[str], str]], visitors: int, rounds: int = 1) -> dict[str, Any]:
    """All visitors at once, each holding one whole conversation; `rounds` times over."""
    import aiohttp

    outcome = Outcome()
    connector = aiohttp.TCPConnector(limit=0)
    timeout = aiohttp.ClientTimeout(total=300)
    wall = 0.0
    per_round = []
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        for round_ in range(rounds):
            first = len(outcome.latencies)
            started = time.perf_counter()
            await asyncio.gather(
                *(
                    converse(
                        session,
                        server,
                        f"bench-{server.name}-{round_}-{i}-{uuid.uuid4().hex[:6]}",
                        *scripts[i % len(scripts)],
                        outcome,
                    )
                    for i in range(visitors)
                )
            )
            wall += time.perf_counter() - started
            this_round = outcome.latencies[first:]
            per_round.append([ms(percentile(this_round, 0.5)), ms(percentile(this_round, 0.95))])
    return {
        "visitors": visitors,
        "rounds": rounds,
        "turns": outcome.turns,
        "errors": len(outcome.errors),
        "error_samples": outcome.errors[:5],
        "p50_ms": ms(percentile(outcome.latencies, 0.5)),
        "p95_ms": ms(percentile(outcome.latencies, 0.95)),
        "p99_ms": ms(percentile(outcome.latencies, 0.99)),
        "max_ms": ms(max(outcome.latencies) if outcome.latencies else None),
        "wall_s": round(wall, 2),
        "throughput_turns_per_s": round(outcome.turns / wall, 2) if wall else None,
        "per_round_p50_p95_ms": per_round,
        "p50_ms_by_turn_number": {n: ms(percentile(v, 0.5)) for n, v in sorted(outcome.by_turn.items())},
    }


# --- profile ------------------------------------------------------------------------------


def timed(call: Callable[[], requests.Response], repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        response = call()
        samples.append(time.perf_counter() - started)
        response.raise_for_status()
    return samples


def estimate_action_calls(events: list[dict[str, Any]], domain: dict[str, Any]) -> float:
    """Action server calls per user turn, read from a finished conversation's events.

    Per turn: the custom slot mapping (`action_extract_facts`), each custom action run, and
    for each form run its validation action plus the custom `action_ask_<slot>` it asks with.
    """
    custom = {a for a in domain.get("actions", []) if not a.startswith("utter_")}
    forms = set(domain.get("forms", {}))
    calls, turns = 0, 0
    pending_form = False
    for event in events:
        kind = event.get("event")
        if kind == "user":
            turns += 1
            calls += 1 if "action_extract_facts" in custom else 0
        elif kind == "action" and event.get("name") in custom:
            calls += 1
        elif kind == "action" and event.get("name") in forms:
            calls += 1 if f"validate_{event['name']}" in custom else 0
            pending_form = True
        elif kind == "slot" and event.get("name") == "requested_slot" and pending_form:
            calls += 1 if f"action_ask_{event.get('value')}" in custom else 0
            pending_form = False
    return round(calls / turns, 1) if turns else 0.0


SHORT_REQUEST = "We need payroll and a competitor analysis."
LONG_REQUEST = (  # 400 characters, the way a buyer pastes a tender scope
    "The county is seeking a qualified firm to take over the processing of ambulance billing claims in "
    "accordance with Medicare and Medicaid rules, including coding, submission and follow-up of denied "
    "claims. The firm will also answer patients' billing questions by phone during business hours and "
    "prepare a rate study comparing our charges with neighbouring counties, with recommendations for 2027."
)


def reading_ms(repeat: int = 30) -> dict[str, float | None]:
    """The reading alone (advisor.reading, in this process, cache cleared): short vs 400-character request."""
    from advisor.extraction import extract
    from advisor.reading import read

    extract(SHORT_REQUEST)  # build the pipeline once
    out = {}
    for name, text in (("short", SHORT_REQUEST), ("400_chars", LONG_REQUEST)):
        times = []
        for _ in range(repeat):
            read.cache_clear()
            started = time.perf_counter()
            extract(text)
            times.append(time.perf_counter() - started)
        out[name] = median_ms(times)
    return out


def profile(server: Server, scripts: list[tuple[list[str], str]], repeat: int = 10) -> dict[str, Any]:
    """Single visitor: where a turn's time goes."""
    base, token = server.rasa_url, {"token": server.token}
    turn_times: list[float] = []
    senders = []
    for index, (turns, _) in enumerate(scripts):
        sender = f"profile-{server.name}-{index}-{uuid.uuid4().hex[:6]}"
        senders.append(sender)
        for turn in turns:
            started = time.perf_counter()
            requests.post(
                f"{base}/webhooks/rest/webhook",
                json={"sender": sender, "message": turn},
                headers=server.headers,
                timeout=60,
            ).raise_for_status()
            turn_times.append(time.perf_counter() - started)
    texts = [turn for turns, _ in scripts for turn in turns]
    parse = []
    for _ in range(max(1, repeat // len(texts) + 1)):
        for text in texts:
            parse += timed(
                lambda t=text: requests.post(f"{base}/model/parse", params=token, json={"text": t}, timeout=60), 1
            )
    sender = server.conversation(senders[0])
    predict = timed(lambda: requests.post(f"{base}/conversations/{sender}/predict", params=token, timeout=60), repeat)
    read = timed(lambda: requests.get(f"{base}/conversations/{sender}/tracker", params=token, timeout=60), repeat)
    scratch = f"profile-append-{uuid.uuid4().hex[:6]}"
    requests.post(
        f"{base}/webhooks/rest/webhook",
        json={"sender": scratch, "message": scripts[0][0][0]},
        headers=server.headers,
        timeout=60,
    ).raise_for_status()
    scratch = server.conversation(scratch)
    append = timed(
        lambda: requests.post(
            f"{base}/conversations/{scratch}/tracker/events",
            params=token,
            timeout=60,
            json={"event": "slot", "name": "requested_slot", "value": None},
        ),
        repeat,
    )
    openings = {}
    for name, text in (("short", SHORT_REQUEST), ("400_chars", LONG_REQUEST)):
        openings[name] = median_ms(
            timed(
                lambda t=text: requests.post(
                    f"{base}/webhooks/rest/webhook",
                    json={"sender": f"opening-{uuid.uuid4().hex[:8]}", "message": t},
                    headers=server.headers,
                    timeout=60,
                ),
                repeat,
            )
        )
    result: dict[str, Any] = {
        "turn_ms": median_ms(turn_times),
        "opening_turn_ms": openings,
        "nlu_parse_ms": median_ms(parse),
        "predict_ms": median_ms(predict),
        "tracker_read_ms": median_ms(read),
        "tracker_read_append_ms": median_ms(append),
    }
    if server.action_url:
        domain = requests.get(f"{base}/domain", params=token, headers={"Accept": "application/json"}, timeout=60).json()
        tracker = requests.get(f"{base}/conversations/{sender}/tracker", params=token, timeout=60).json()
        result["action_calls_per_turn"] = estimate_action_calls(tracker["events"], domain)
        import rasa

        actions = {}
        for action in ("action_extract_facts", "validate_advisor_form", "action_recommend"):
            if action not in domain.get("actions", []):
                continue
            payload = {
                "next_action": action,
                "sender_id": sender,
                "tracker": tracker,
                "domain": domain,
                "version": rasa.__version__,
            }
            actions[action] = median_ms(
                timed(lambda p=payload: requests.post(f"{server.action_url}/webhook", json=p, timeout=60), repeat)
            )
        result["action_server_ms"] = actions
    return result


# --- one assistant ------------------------------------------------------------------------


def bench_assistant(
    name: str,
    start: Callable[[MemorySampler], Server],
    scripts: list[tuple[list[str], str]],
    visitors: int,
    rounds: int,
) -> dict[str, Any]:
    sampler = MemorySampler()
    sampler.start()
    server = None
    try:
        print(f"[bench] {name}: starting", flush=True)
        server = start(sampler)
        print(f"[bench] {name}: up in {server.startup_s:.1f}s; warm-up and profile", flush=True)
        asyncio.run(load(server, scripts, len(scripts)))  # warm-up: each conversation once, not counted
        prof = profile(server, scripts)
        print(f"[bench] {name}: {visitors} visitors at once, {rounds} rounds", flush=True)
        result = asyncio.run(load(server, scripts, visitors, rounds))
    finally:
        if server:
            server.stop()
        rss = sampler.stop()
    return {
        "startup_s": round(server.startup_s, 1),
        "load": result,
        "profile": prof,
        "rss_peak_mb": rss,
        "rss_source": sampler.source,
    }


def ratio(a: float | None, b: float | None) -> float | None:
    return round(a / b, 2) if a is not None and b else None


def summarise(report: dict[str, Any]) -> dict[str, Any]:
    advisor, stock = report["advisor"], report.get("stock")
    verdict: dict[str, Any] = {
        "zero_errors": advisor["load"]["errors"] == 0,
        "startup_under_20s": advisor["startup_s"] < TARGETS["startup_s"],
        "rss_under_1gb": advisor["rss_peak_mb"]["total"] < TARGETS["rss_mb"],
    }
    if advisor.get("training_s") is not None:
        verdict["training_under_2min"] = advisor["training_s"] < TARGETS["training_s"]
    if stock:
        report["ratios"] = {
            key: ratio(advisor["load"][key], stock["load"][key]) for key in ("p50_ms", "p95_ms", "p99_ms")
        }
        report["ratios"]["throughput"] = ratio(
            advisor["load"]["throughput_turns_per_s"], stock["load"]["throughput_turns_per_s"]
        )
        report["ratios"]["startup"] = ratio(advisor["startup_s"], stock["startup_s"])
        report["ratios"]["rss"] = ratio(advisor["rss_peak_mb"]["total"], stock["rss_peak_mb"]["total"])
        if advisor.get("training_s") and stock.get("training_s"):
            report["ratios"]["training"] = ratio(advisor["training_s"], stock["training_s"])
        verdict["p50_at_most_half_of_stock"] = (report["ratios"]["p50_ms"] or 99) <= TARGETS["p50_ratio"]
        verdict["p95_at_most_0.8_of_stock"] = (report["ratios"]["p95_ms"] or 99) <= TARGETS["p95_ratio"]
    return verdict


def print_table(report: dict[str, Any]) -> None:
    rows = [
        ("per-turn p50 (ms)", lambda r: r["load"]["p50_ms"]),
        ("per-turn p95 (ms)", lambda r: r["load"]["p95_ms"]),
        ("per-turn p99 (ms)", lambda r: r["load"]["p99_ms"]),
        ("throughput (turns/s)", lambda r: r["load"]["throughput_turns_per_s"]),
        ("errors", lambda r: f"{r['load']['errors']}/{r['load']['turns']}"),
        ("start-up (s)", lambda r: r["startup_s"]),
        ("peak RSS (MB)", lambda r: r["rss_peak_mb"]["total"]),
        ("training (s)", lambda r: r.get("training_s")),
        ("1 visitor: turn (ms)", lambda r: r["profile"]["turn_ms"]),
        ("1 visitor: /model/parse (ms)", lambda r: r["profile"]["nlu_parse_ms"]),
        ("1 visitor: predict (ms)", lambda r: r["profile"]["predict_ms"]),
        ("1 visitor: tracker read (ms)", lambda r: r["profile"]["tracker_read_ms"]),
        ("1 visitor: tracker read+append (ms)", lambda r: r["profile"]["tracker_read_append_ms"]),
    ]
    stock = report.get("stock")
    print(f"\n{'':38}{'advisor':>12}{'stock':>12}")
    for label, get in rows:
        a = get(report["advisor"])
        s = get(stock) if stock else None
        print(f"{label:38}{a if a is not None else '-':>12}{s if s is not None else '-':>12}")
    actions = report["advisor"]["profile"].get("action_server_ms", {})
    for action, value in actions.items():
        print(f"{'1 visitor: ' + action + ' (ms)':38}{value:>12}")
    if "action_calls_per_turn" in report["advisor"]["profile"]:
        print(f"{'action server calls per turn':38}{report['advisor']['profile']['action_calls_per_turn']:>12}")
    for name, value in report["advisor"]["profile"].get("opening_turn_ms", {}).items():
        print(f"{'1 visitor: opening turn, ' + name + ' (ms)':38}{value:>12}")
    for name, value in report["advisor"].get("reading_ms", {}).items():
        print(f"{'reading alone, ' + name + ' (ms)':38}{value:>12}")
    rss = report["advisor"]["rss_peak_mb"]
    print(f"advisor peak RSS by process (MB): {rss}")
    if report.get("ratios"):
        print(f"ratios advisor/stock: {report['ratios']}")
    print(f"targets: {report['targets']}")


# --- each speed-up's share -----------------------------------------------------------------

SPEEDUP_METRICS = ("turn_ms", "nlu_parse_ms", "predict_ms", "tracker_read_ms", "tracker_read_append_ms")
SPEEDUP_COLUMNS = ("turn", "parse", "predict", "read", "read+append")


def profile_advisor(label: str, workdir: Path, env: dict[str, str]) -> dict[str, Any]:
    """The advisor started with `env`, warmed up and profiled by a single visitor, then stopped."""
    workdir.mkdir(parents=True, exist_ok=True)
    sampler = MemorySampler()
    sampler.start()
    server = None
    try:
        print(f"[bench] speed-ups {label}: starting", flush=True)
        server = start_advisor(workdir, env, sampler)
        asyncio.run(load(server, ADVISOR_CONVERSATIONS, len(ADVISOR_CONVERSATIONS)))  # warm-up, not counted
        result = profile(server, ADVISOR_CONVERSATIONS)
    finally:
        if server:
            server.stop()
        sampler.stop()
    return {key: result[key] for key in SPEEDUP_METRICS}


def speedup_shares(runs: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Per speed-up: the time it saves a single visitor's turn (its run without it minus all on).

    `share_of_turn`: of the turn without it; `share_of_savings`: of everything all the
    speed-ups together save (the run with none minus all on). Single runs: small figures
    are within the noise, and may even come out negative.
    """
    all_on, total = runs["all"], None
    if runs["none"]["turn_ms"] is not None and all_on["turn_ms"] is not None:
        total = runs["none"]["turn_ms"] - all_on["turn_ms"]
    shares = {}
    for label, run in runs.items():
        if not label.startswith("-"):
            continue
        saved = {
            key: round(run[key] - all_on[key], 1)
            for key in SPEEDUP_METRICS
            if run[key] is not None and all_on[key] is not None
        }
        turn = saved.get("turn_ms")
        shares[label[1:]] = {
            "saved_ms": saved,
            "share_of_turn": round(turn / run["turn_ms"], 3) if turn is not None and run["turn_ms"] else None,
            "share_of_savings": round(turn / total, 3) if turn is not None and total else None,
        }
    return shares


def bench_speedups(args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    from serving.speedups import SPEEDUPS

    settings = {"all": "all", "none": "0", **{f"-{name}": f"-{name}" for name in SPEEDUPS}}
    runs: dict[str, dict[str, Any]] = {}
    for label, setting in settings.items():
        with backend_env(args.backend, "advisor", workdir / label) as env:
            runs[label] = profile_advisor(label, workdir / label, {**env, "ADVISOR_SPEEDUPS": setting})
    return {
        "what": "single-visitor profile (medians, ms) with all speed-ups on, none, and each one off; "
        "shares from turn_ms",
        "backend": args.backend,
        "runs": runs,
        "shares": speedup_shares(runs),
    }


def print_speedups(report: dict[str, Any]) -> None:
    labels = {"all": "all on", "none": "none (ADVISOR_SPEEDUPS=0)"}
    print(f"\n{'single visitor (ms)':38}" + "".join(f"{column:>12}" for column in SPEEDUP_COLUMNS))
    for label, run in report["runs"].items():
        name = labels.get(label, f"without {label[1:]}")
        print(f"{name:38}" + "".join(f"{run[key] if run[key] is not None else '-':>12}" for key in SPEEDUP_METRICS))
    print(f"\n{'speed-up':38}{'saves (ms)':>12}{'of turn':>12}{'of savings':>12}")
    for name, share in report["shares"].items():
        cells = [share["saved_ms"].get("turn_ms"), share["share_of_turn"], share["share_of_savings"]]
        print(f"{name:38}" + "".join(f"{c if c is not None else '-':>12}" for c in cells))


def write_speedups(out: Path, report: dict[str, Any]) -> None:
    """results/bench.json with "speedups" replaced; the figures of the last full run stay."""
    try:
        whole = json.loads(out.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        whole = {}
    if not isinstance(whole, dict):
        whole = {}
    whole["speedups"] = report
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(whole, indent=2) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--visitors", type=int, default=int(os.environ.get("BENCH_VISITORS", "20")))
    parser.add_argument(
        "--rounds",
        type=int,
        default=int(os.environ.get("BENCH_ROUNDS", "3")),
        help="how many times the visitors come (all at once each time)",
    )
    parser.add_argument(
        "--backend", choices=("embedded", "postgres"), default=os.environ.get("BENCH_BACKEND", "embedded")
    )
    parser.add_argument("--no-stock", action="store_true", help="skip the stock `rasa init` assistant")
    parser.add_argument("--no-train", action="store_true", help="skip both training runs")
    parser.add_argument("--out", type=Path, default=ROOT / "results" / "bench.json")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory (logs)")
    parser.add_argument(
        "--speedups",
        action="store_true",
        help="only each speed-up's share of a single visitor's turn (no training, no load, "
        'no stock assistant), into results/bench.json under "speedups"',
    )
    args = parser.parse_args(argv)

    workdir = Path(tempfile.mkdtemp(prefix="advisor-bench-"))
    if args.speedups:
        try:
            report = {
                "command": " ".join(["scripts/bench.py", *(argv if argv is not None else sys.argv[1:])]),
                "when": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                "machine": {"cpus": os.cpu_count(), "load_average_at_start": [round(x, 2) for x in os.getloadavg()]},
                "model": str(latest_model()),
                **bench_speedups(args, workdir),
            }
        except BaseException:
            print(f"[bench] failed; logs kept in {workdir}", file=sys.stderr)
            raise
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
        write_speedups(args.out, report)
        print_speedups(report)
        print(f'\nwritten: {args.out} ("speedups")')
        return 0
    report: dict[str, Any] = {
        "command": " ".join(["scripts/bench.py", *(argv if argv is not None else sys.argv[1:])]),
        "env": {k: os.environ[k] for k in ("BENCH_VISITORS", "BENCH_BACKEND", "ADVISOR_SPEEDUPS") if k in os.environ},
        "when": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
            "python": platform.python_version(),
        },
        "backend": args.backend,
        "visitors": args.visitors,
        "rounds": args.rounds,
        "sanic_workers": os.environ.get("SANIC_WORKERS", "1"),
        "model": str(latest_model()),
        "targets_definition": TARGETS,
    }
    try:
        training: dict[str, float | None] = {"advisor": None, "stock": None}
        stock_dir = None
        if not args.no_train:
            print("[bench] training the advisor from scratch...", flush=True)
            training["advisor"] = round(train_advisor(workdir), 1)
            print(f"[bench] advisor trained in {training['advisor']}s", flush=True)
        if not args.no_stock:
            print("[bench] rasa init --no-prompt (creates and trains the stock assistant)...", flush=True)
            stock_dir, stock_seconds = init_stock(workdir)
            training["stock"] = round(stock_seconds, 1)
            print(f"[bench] stock assistant created and trained in {training['stock']}s", flush=True)

        with backend_env(args.backend, "advisor", workdir / "advisor") as env:
            (workdir / "advisor").mkdir(exist_ok=True)
            report["advisor"] = bench_assistant(
                "advisor",
                lambda s: start_advisor(workdir / "advisor", env, s),
                ADVISOR_CONVERSATIONS,
                args.visitors,
                args.rounds,
            )
        report["advisor"]["training_s"] = training["advisor"]
        if stock_dir is not None:
            with backend_env(args.backend, "stock", workdir) as env:
                report["stock"] = bench_assistant(
                    "stock",
                    lambda s: start_stock(stock_dir, workdir, env, s),
                    STOCK_CONVERSATIONS,
                    args.visitors,
                    args.rounds,
                )
            report["stock"]["training_s"] = training["stock"]
            report["stock"]["training_note"] = "rasa init --no-prompt: scaffolding + training"
        report["advisor"]["reading_ms"] = reading_ms()
        report["targets"] = summarise(report)
    except BaseException:
        print(f"[bench] failed; logs kept in {workdir}", file=sys.stderr)
        raise
    else:
        report["workdir"] = str(workdir) if args.keep else None
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print_table(report)
    print(f"\nwritten: {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
