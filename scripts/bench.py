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
import json
import os
import platform
import shutil
import sys
import tempfile
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from scripts import bench_reading
from scripts.bench_load import load, profile, reading_ms
from scripts.bench_servers import (
    MemorySampler,
    Server,
    backend_env,
    init_stock,
    start_advisor,
    start_stock,
    train_advisor,
)
from tests.support.stack import (
    latest_model,
)

ROOT = Path(__file__).resolve().parents[1]


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
TARGETS = {"p50_ratio": 0.5, "p95_ratio": 0.8, "startup_s": 20.0, "rss_mb": 1024.0, "training_s": 120.0}


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
    growth = report["advisor"].get("reading_growth", {})
    for name, value in growth.items():
        if isinstance(value, dict):
            label = f"reading growth, {name} ({growth['length_factor']}x text)"
            print(f"{label:38}{'median ' + str(value['median_ratio']) + 'x, max ' + str(value['max_ratio']) + 'x':>12}")
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
        report["advisor"]["reading_growth"] = bench_reading.growth()
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
