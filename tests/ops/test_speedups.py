"""serving/speedups.py: the cached action-response validator accepts and rejects exactly what Rasa's does."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator

import jsonschema
import pytest
from rasa.core.actions.action import RemoteAction

from serving import speedups

VALID = [
    {"events": [], "responses": []},
    {"events": [{"event": "slot", "name": "tasks", "value": ["hr_payroll"]}], "responses": [{"text": "hi"}]},
    {"events": [{"event": "active_loop", "name": None}, {"event": "bot", "text": "ok"}]},
]
INVALID = [
    {"events": [{"event": "no_such_event"}]},
    {"events": "not a list"},
    {"events": [], "responses": ["not an object"]},
]


@contextlib.contextmanager
def restoring() -> Iterator[dict[str, Callable[[], bool]]]:
    """Rasa's own methods again after the test; yields, per speed-up, a check that it is installed."""
    import importlib

    from rasa.engine.runner.dask import DaskGraphRunner
    from rasa.shared.core.events import Event
    from rasa.utils.endpoints import EndpointConfig

    log_modules = [importlib.import_module(name) for name in speedups.LOG_COPY_MODULES]
    copies = [module.copy for module in log_modules]
    originals = (
        RemoteAction._validate_action_result,
        Event.__dict__["resolve_by_type"],
        EndpointConfig.session,
        DaskGraphRunner.run,
    )

    def on(value: object) -> bool:
        return getattr(value, "advisor_speedup", False)

    checks = {
        "response_validation": lambda: on(RemoteAction._validate_action_result),
        "event_type_table": lambda: on(Event.resolve_by_type),
        "graph_runner": lambda: on(DaskGraphRunner.run),
        "log_copies": lambda: all(on(module.copy) for module in log_modules),
        "shared_sessions": lambda: on(EndpointConfig.session),
    }
    assert set(checks) == set(speedups.SPEEDUPS)
    assert not any(check() for check in checks.values())
    try:
        yield checks
    finally:
        (RemoteAction._validate_action_result, Event.resolve_by_type, EndpointConfig.session, DaskGraphRunner.run) = (
            originals
        )
        for module, original in zip(log_modules, copies, strict=True):
            module.copy = original


@contextlib.contextmanager
def installed() -> Iterator[None]:
    """The speed-ups, for one test; Rasa's own methods again afterwards."""
    with restoring():
        speedups.install({})  # all of them, whatever ADVISOR_SPEEDUPS the caller has set
        speedups.install({})  # idempotent
        yield


@pytest.fixture
def patched() -> Iterator[RemoteAction]:
    with installed():
        yield RemoteAction("action_x", None)


@pytest.mark.parametrize("response", VALID)
def test_valid_responses_pass_as_before(patched: RemoteAction, response: dict) -> None:
    jsonschema.validate(response, RemoteAction.action_response_format_spec())
    assert patched._validate_action_result(response) is True


@pytest.mark.parametrize("response", INVALID)
def test_invalid_responses_fail_with_rasas_error(patched: RemoteAction, response: dict) -> None:
    with pytest.raises(jsonschema.ValidationError) as expected:
        jsonschema.validate(response, RemoteAction.action_response_format_spec())
    with pytest.raises(jsonschema.ValidationError) as raised:
        patched._validate_action_result(response)
    assert raised.value.message.startswith(expected.value.message)
    assert "Failed to validate Action server response" in raised.value.message


# --- every event type, valid and broken ----------------------------------------------------


def _event_samples() -> list[dict]:
    from rasa.shared.core.events import (
        ActionExecuted,
        ActionExecutionRejected,
        ActionReverted,
        ActiveLoop,
        AgentUttered,
        AllSlotsReset,
        BotUttered,
        ConversationPaused,
        ConversationResumed,
        EntitiesAdded,
        FollowupAction,
        LoopInterrupted,
        ReminderCancelled,
        ReminderScheduled,
        Restarted,
        SessionStarted,
        SlotSet,
        StoryExported,
        UserUtteranceReverted,
        UserUttered,
    )

    events = [
        UserUttered(
            "we need payroll",
            {"name": "inform", "confidence": 0.9},
            [{"entity": "task", "value": "hr_payroll", "start": 8, "end": 15}],
        ),
        ActionExecuted("action_listen"),
        SlotSet("tasks", ["hr_payroll"]),
        SlotSet("budget_amount", 2000.0),
        EntitiesAdded([{"entity": "task", "value": "x"}]),
        ReminderCancelled(name="r"),
        ReminderScheduled("intent", __import__("datetime").datetime(2026, 1, 1), name="r"),
        ActionExecutionRejected("advisor_form"),
        LoopInterrupted(True),
        ActiveLoop("advisor_form"),
        ActiveLoop(None),
        AllSlotsReset(),
        ConversationResumed(),
        ConversationPaused(),
        FollowupAction("action_listen"),
        StoryExported(),
        Restarted(),
        ActionReverted(),
        UserUtteranceReverted(),
        BotUttered("hello", {"buttons": []}),
        SessionStarted(),
        AgentUttered("hi"),
    ]
    return [e.as_dict() for e in events]


def _broken_samples() -> list:
    good = _event_samples()
    return [
        {"event": "slot"},  # slot without a name
        {"event": "slot", "name": 3, "value": 1},
        {"event": "user", "text": 5},
        {"event": "bot", "text": ["x"]},
        {"event": "action", "name": None, "policy": 4},
        {"event": 7},
        {"name": "tasks"},
        "slot",
        None,
        {**good[0], "timestamp": "yesterday"},
        {**good[2], "metadata": "x"},
    ]


@pytest.mark.parametrize("event", _event_samples(), ids=lambda e: e["event"])
def test_every_valid_event_type_passes_as_before(patched: RemoteAction, event: dict) -> None:
    response = {"events": [event], "responses": []}
    jsonschema.validate(response, RemoteAction.action_response_format_spec())
    assert patched._validate_action_result(response) is True


def _outcome(validate, response: dict) -> str:
    try:
        validate(response)
    except jsonschema.ValidationError as error:
        return error.message.split(". Failed to validate")[0]
    return "valid"


@pytest.mark.parametrize("event", _broken_samples())
def test_odd_events_get_the_same_verdict_and_error_as_rasas_check(patched: RemoteAction, event) -> None:
    response = {"events": [*_event_samples()[:3], event]}
    expected = _outcome(lambda r: jsonschema.validate(r, RemoteAction.action_response_format_spec()), response)
    assert _outcome(patched._validate_action_result, response) == expected


def test_most_odd_events_are_really_invalid() -> None:
    spec = RemoteAction.action_response_format_spec()
    invalid = [
        e for e in _broken_samples() if _outcome(lambda r: jsonschema.validate(r, spec), {"events": [e]}) != "valid"
    ]
    assert len(invalid) >= len(_broken_samples()) - 2


# --- event class table ------------------------------------------------------------------------


def test_event_types_resolve_to_the_same_classes() -> None:
    from rasa.shared.core.events import Event
    from rasa.shared.utils.common import all_subclasses

    original = Event.resolve_by_type
    names = {cls.type_name for cls in all_subclasses(Event)}
    before = {name: original(name) for name in names}
    with installed():
        assert getattr(Event.resolve_by_type, "advisor_speedup", False)
        assert {name: Event.resolve_by_type(name) for name in names} == before
        assert Event.resolve_by_type("topic") is None
        assert Event.resolve_by_type("no_such_event", default=Event) is Event
        with pytest.raises(ValueError, match="Unknown event name 'no_such_event'"):
            Event.resolve_by_type("no_such_event")


# --- kept-open connections to the action server -----------------------------------------------


async def _serve(port: int, peers: list) -> object:
    from aiohttp import web

    async def handle(request: web.Request) -> web.Response:
        peers.append(request.transport.get_extra_info("peername"))
        return web.json_response({"ok": len(peers)})

    app = web.Application()
    app.router.add_post("/webhook", handle)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    return runner


def test_action_calls_reuse_one_connection_and_survive_a_server_restart() -> None:
    import asyncio

    from rasa.utils.endpoints import EndpointConfig

    from tests.support.stack import free_port

    async def scenario() -> tuple[list, list]:
        port = free_port()
        endpoint = EndpointConfig(f"http://127.0.0.1:{port}/webhook")
        peers: list = []
        runner = await _serve(port, peers)
        for _ in range(5):
            await endpoint.request(json={"x": 1})
        first = list(peers)
        await runner.cleanup()  # the action server goes away and comes back
        peers.clear()
        runner = await _serve(port, peers)
        answer = await endpoint.request(json={"x": 1})
        await runner.cleanup()
        for session in endpoint.__dict__.get("_advisor_sessions", {}).values():
            await session.close()
        return first, [answer, *peers]

    with installed():
        first, after = asyncio.run(scenario())
    assert len(first) == 5 and len(set(first)) == 1  # five calls, one TCP connection
    assert after[0] == {"ok": 1} and len(after) == 2


# --- graphs in a precomputed order -----------------------------------------------------------


def test_graph_plan_puts_every_node_after_what_it_needs() -> None:
    nodes = {
        "classify": ["featurize"],
        "featurize": ["tokenize"],
        "tokenize": ["__message__"],
        "route": ["classify", "featurize"],
        "domain": [],
    }
    order = speedups.graph_plan(nodes)
    assert sorted(order) == sorted(nodes)
    for name, needs in nodes.items():
        assert all(order.index(n) < order.index(name) for n in needs if n in nodes)
    with pytest.raises(ValueError, match="cycle"):
        speedups.graph_plan({"a": ["b"], "b": ["a"]})


def test_the_trained_model_parses_and_predicts_the_same_through_the_fast_runner() -> None:
    import asyncio
    import concurrent.futures

    from rasa.core.agent import Agent
    from rasa.core.channels.channel import UserMessage
    from rasa.shared.core.events import ActionExecuted, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    from tests.support.stack import latest_model

    texts = [
        "hi",
        "We need payroll and market research",
        "what is kpo?",
        "about 5k a month",
        "no, we lack the skills",
        "🙂",
        "",
        "why?",
        "what if our budget were bigger?",
        '/inform{"budget_level": "tight"}',
        "talk to a person please",
        "asdfgh",
    ]

    async def outcomes() -> list:
        agent = Agent.load(str(latest_model()))
        results = []
        for text in texts:
            parsed = await agent.processor.parse_message(UserMessage(text))
            tracker = DialogueStateTracker.from_events(
                "s", [ActionExecuted("action_listen"), UserUttered(text, parsed["intent"], parsed["entities"])]
            )
            prediction = agent.processor._predict_next_with_tracker(tracker)
            results.append(
                (
                    parsed,
                    agent.domain.action_names_or_texts[prediction.max_confidence_index],
                    round(prediction.max_confidence, 6),
                )
            )
        return results

    def in_thread() -> list:  # a loop of its own, whatever other tests left running
        with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
            return pool.submit(asyncio.run, outcomes()).result()

    before = in_thread()
    with installed():
        after = in_thread()
    assert after == before
    assert len({action for _, action, _ in before}) >= 4  # the texts lead to different next actions


# --- deep copies only for debug messages that are logged -------------------------------------


def _deepcopy_calls_outside_debug_logs(module_name: str) -> list[int]:
    """Lines of `copy.deepcopy(...)` calls that are not arguments of a `structlogger.debug` call."""
    import ast
    import importlib
    import inspect

    tree = ast.parse(inspect.getsource(importlib.import_module(module_name)))
    inside_debug: set[int] = set()
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "debug"
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == "structlogger"
        ):
            inside_debug.update(id(n) for n in ast.walk(node))
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "deepcopy"
        and id(node) not in inside_debug
    ]


@pytest.mark.parametrize("module_name", speedups.LOG_COPY_MODULES)
def test_those_modules_deep_copy_only_for_debug_logs(module_name: str) -> None:
    assert _deepcopy_calls_outside_debug_logs(module_name) == []


def test_the_stand_in_copies_only_while_debug_logging_is_on() -> None:
    import logging

    stand_in = speedups.LogCopies()
    value = {"events": [{"event": "slot", "value": [1, 2]}]}
    rasa_logger = logging.getLogger("rasa")
    level = rasa_logger.level
    try:
        rasa_logger.setLevel(logging.INFO)
        assert stand_in.deepcopy(value) is value
        rasa_logger.setLevel(logging.DEBUG)
        copied = stand_in.deepcopy(value)
        assert copied == value and copied is not value and copied["events"][0] is not value["events"][0]
    finally:
        rasa_logger.setLevel(level)
    assert stand_in.copy([1]) == [1] and stand_in.Error is __import__("copy").Error


# --- which speed-ups are installed: ADVISOR_SPEEDUPS and the Rasa version -----------------

ALL = list(speedups.SPEEDUPS)


@pytest.mark.parametrize(
    ("setting", "expected"),
    [
        ("", ALL),
        ("1", ALL),
        ("all", ALL),
        ("0", []),
        ("off", []),
        ("none", []),
        ("-graph_runner", [name for name in ALL if name != "graph_runner"]),
        ("-log_copies, -shared_sessions", ["response_validation", "event_type_table", "graph_runner"]),
        ("shared_sessions,event_type_table", ["event_type_table", "shared_sessions"]),
    ],
)
def test_advisor_speedups_chooses_what_install_patches(setting: str, expected: list[str]) -> None:
    with restoring() as checks:
        assert speedups.install({"ADVISOR_SPEEDUPS": setting}) == expected
        assert [name for name, check in checks.items() if check()] == expected


def test_an_unknown_speedup_name_is_refused_before_anything_is_patched() -> None:
    with restoring() as checks:
        with pytest.raises(ValueError, match=r"unknown speed-up 'graph_runer'.*known: response_validation"):
            speedups.install({"ADVISOR_SPEEDUPS": "-graph_runer"})
        assert not any(check() for check in checks.values())


@pytest.mark.parametrize("version", ["3.6.20", "3.6.22", "3.7.0"])
def test_on_another_rasa_version_nothing_is_installed_and_the_log_says_why(
    version: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    import rasa

    monkeypatch.setattr(rasa, "__version__", version)
    with restoring() as checks, caplog.at_level("WARNING", logger="serving.speedups"):
        assert speedups.install({}) == []
        assert not any(check() for check in checks.values())
    assert f"written for Rasa {speedups.SUPPORTED_RASA}, this is Rasa {version}" in caplog.text
    assert "no speed-up installed" in caplog.text


def test_the_speedups_are_written_for_the_installed_rasa() -> None:
    import rasa

    assert rasa.__version__ == speedups.SUPPORTED_RASA  # else requirements.txt and SUPPORTED_RASA disagree


def test_the_server_refuses_an_unknown_speedup_name_with_a_clear_message() -> None:
    import os
    import subprocess
    import sys

    from tests.support.stack import ROOT

    done = subprocess.run(
        [sys.executable, "-m", "serving", "run", "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "ADVISOR_SPEEDUPS": "turbo", "PYTHONPATH": str(ROOT)},
        timeout=300,
        check=False,
    )
    assert done.returncode == 1
    assert "serving: ADVISOR_SPEEDUPS: unknown speed-up 'turbo'" in done.stderr
    assert "Traceback" not in done.stderr


def test_the_bench_reports_what_each_speedup_saves() -> None:
    from scripts.bench import SPEEDUP_METRICS, speedup_shares

    def run(turn: float) -> dict:
        return {key: turn if key == "turn_ms" else 1.0 for key in SPEEDUP_METRICS}

    runs = {"all": run(60.0), "none": run(100.0), "-graph_runner": run(75.0), "-log_copies": run(60.0)}
    shares = speedup_shares(runs)
    assert set(shares) == {"graph_runner", "log_copies"}
    assert shares["graph_runner"]["saved_ms"]["turn_ms"] == 15.0
    assert shares["graph_runner"]["share_of_turn"] == 0.2  # 15 of the 75 ms turn without it
    assert shares["graph_runner"]["share_of_savings"] == 0.375  # 15 of the 40 ms all of them save
    assert shares["log_copies"]["saved_ms"]["turn_ms"] == 0.0
