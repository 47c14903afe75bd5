"""Shared fixtures for the end-to-end suite: one real stack per session and an outcome log."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.stack import Stack, require_model, running_stack

ROOT = Path(__file__).resolve().parents[2]

RESULTS_FILE = ROOT / "results" / "e2e.json"
CONVERSATIONS = pytest.StashKey[list[dict[str, Any]]]()
ROBUSTNESS = pytest.StashKey[list[dict[str, Any]]]()
STACK_DIR = pytest.StashKey[Path]()


@pytest.fixture(scope="session")
def stack(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """The action server and Rasa server, started once for the whole e2e session."""
    require_model()
    workdir = tmp_path_factory.mktemp("e2e-stack")
    request.config.stash[STACK_DIR] = workdir
    with running_stack(workdir) as running:
        yield running


@pytest.fixture
def sender(request: pytest.FixtureRequest) -> str:
    """A fresh conversation id per test, readable in the server logs."""
    callspec = getattr(request.node, "callspec", None)
    name = callspec.id if callspec else request.node.name
    return f"e2e-{name}-{uuid.uuid4().hex[:8]}"


@pytest.fixture(scope="session")
def conversation_outcomes(request: pytest.FixtureRequest) -> list[dict[str, Any]]:
    """Session-wide list that every scripted conversation appends its outcome to."""
    return request.config.stash.setdefault(CONVERSATIONS, [])


@pytest.fixture(scope="session")
def robustness_outcomes(request: pytest.FixtureRequest) -> list[dict[str, Any]]:
    """Session-wide list that every robustness case appends its outcome to."""
    return request.config.stash.setdefault(ROBUSTNESS, [])


def _accuracy(outcomes: list[dict[str, Any]], label: str = "") -> str:
    correct = sum(1 for o in outcomes if o["correct"])
    total = len(outcomes)
    percent = 100.0 * correct / total if total else 0.0
    return f"E2E accuracy{label}: {correct}/{total} = {percent:.1f}%"


def _accuracy_by_file(outcomes: list[dict[str, Any]]) -> dict[str, str]:
    """One accuracy line per conversations*.yml file the outcomes came from."""
    files = sorted({o.get("file", "?") for o in outcomes})
    return {name: _accuracy([o for o in outcomes if o.get("file", "?") == name], f" [{name}]") for name in files}


def _log_tracebacks(workdir: Path) -> dict[str, int]:
    counts = {}
    for name in ("rasa.log", "actions.log"):
        log = workdir / name
        if log.exists():
            counts[name] = log.read_text(encoding="utf-8", errors="replace").count("Traceback")
    return counts


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Write results/e2e.json whenever any e2e outcome was recorded (also after -x)."""
    conversations = session.config.stash.get(CONVERSATIONS, [])
    robustness = session.config.stash.get(ROBUSTNESS, [])
    if not conversations and not robustness:
        return
    workdir = session.config.stash.get(STACK_DIR, None)
    summary = {
        "accuracy": _accuracy(conversations),
        "accuracy_by_file": _accuracy_by_file(conversations),
        "correct": sum(1 for o in conversations if o["correct"]),
        "total": len(conversations),
        "without_repeated_questions": sum(1 for o in conversations if not o["repeated_questions"]),
        "robustness_passed": sum(1 for o in robustness if o["passed"]),
        "robustness_total": len(robustness),
        "server_logs": str(workdir) if workdir else None,
        "tracebacks_in_server_logs": _log_tracebacks(workdir) if workdir else {},
    }
    RESULTS_FILE.parent.mkdir(parents=True, exist_ok=True)
    RESULTS_FILE.write_text(
        json.dumps(
            {
                "summary": summary,
                "conversations": conversations,
                "robustness": robustness,
            },
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    """Print the accuracy line and the conversations that went wrong."""
    conversations = config.stash.get(CONVERSATIONS, [])
    robustness = config.stash.get(ROBUSTNESS, [])
    if not conversations and not robustness:
        return
    terminalreporter.section("e2e summary")
    if conversations:
        for line in _accuracy_by_file(conversations).values():
            terminalreporter.write_line(line)
        terminalreporter.write_line(_accuracy(conversations) + " (overall)")
        clean = sum(1 for o in conversations if not o["repeated_questions"])
        terminalreporter.write_line(f"E2E no repeated questions: {clean}/{len(conversations)}")
        for outcome in conversations:
            if not outcome["correct"] or outcome["repeated_questions"] or outcome["error"]:
                repeated = sorted({r["slot"] for r in outcome["repeated_questions"]})
                terminalreporter.write_line(
                    f"  {outcome['id']}: expected {outcome['expected']}, got {outcome['actual']}"
                    + (f", re-asked {repeated}" if repeated else "")
                    + (f", error {outcome['error']}" if outcome["error"] else "")
                )
    if robustness:
        passed = sum(1 for o in robustness if o["passed"])
        terminalreporter.write_line(f"E2E robustness: {passed}/{len(robustness)}")
    terminalreporter.write_line(f"details: {RESULTS_FILE.relative_to(ROOT)}")
