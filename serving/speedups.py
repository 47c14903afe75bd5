"""Behaviour-preserving speed-ups for Rasa 3.6.21, installed by `python -m serving`.

They replace Rasa internals, so they are installed only on the Rasa version they were
written and tested for (SUPPORTED_RASA). On any other version `install()` logs a warning
naming both versions and installs none of them: the server still starts and runs Rasa's
own code, only slower. (Refusing to start would turn a Rasa upgrade into an outage for a
change that only affects speed.) Re-check each one against the new Rasa's source, rerun
tests/ops/test_speedups.py, and then move SUPPORTED_RASA.

ADVISOR_SPEEDUPS chooses which are on (names in SPEEDUPS): unset, `1` or `all`: all of
them; `0`, `off` or `none`: none; `-graph_runner,-log_copies`: all but those;
`graph_runner,log_copies`: only those. An unknown name is an error (ValueError), so a
typo cannot silently change what runs. `python -m scripts.bench --speedups` measures each
one's share of a turn this way.

Each one was found by profiling the Rasa server under `make bench` load (py-spy, README
"Performance") and each keeps Rasa's results, errors and messages:

1. **Action responses are validated without re-checking the schema and without trying
   all 23 event schemas per event.** Rasa calls `jsonschema.validate(result, schema)` on
   every action server response: that first checks the constant schema against the JSON
   Schema meta-schema (about 60% of the server's CPU at first), then validates each event
   against a `oneOf` of 23 event schemas, all of which must be tried. Every branch of that
   `oneOf` is told apart by the constant `event` field, so an event is valid exactly when
   it passes the common part and the one branch for its `event` name. Responses are
   checked that way; anything that fails is checked again with the full schema, so an
   invalid response raises the same `best_match` error with the same message as before.
2. **Event classes are looked up in a table.** `Event.resolve_by_type` walks the whole
   Event class tree for every event of every tracker read; the table keeps the first match
   of that walk and is rebuilt when a name is not in it.
3. **Graphs run in a precomputed order.** Rasa runs its NLU and policy graphs through
   dask, which rebuilds the graph, recomputes the minimal schema and re-plans the order
   on every run (about a tenth of the server's CPU under load). The graphs are fixed once
   the model is loaded, so the order of each (targets) is computed once, with the standard
   library's `graphlib.TopologicalSorter`, and the nodes are called in it with the same
   arguments dask would pass; errors pass through unchanged, and a `RuntimeError` becomes
   Rasa's `GraphRunError` as before.
4. **No deep copies for debug messages that are not logged.** Rasa's processor, forms and
   rule policy deep-copy events, slots and states only to pass them to `structlog` debug
   calls, and the copies are made even when debug logging is off. In those three modules
   (where `copy.deepcopy` serves nothing else: a test checks the source) `copy` is
   replaced by a stand-in whose `deepcopy` copies only while debug logging is on.
5. **Connections to the action server are kept open.** Rasa opens a new HTTP session, and
   so a new TCP connection, for every action call (three a turn here). Each endpoint keeps
   one session per event loop; idle connections are dropped after 2 s, before the action
   server's 5 s keep-alive ends, so a closing connection is never reused. A failed call
   still fails as before (the turn guard answers), and the next call connects afresh.
"""

from __future__ import annotations

import graphlib
import logging
import os
from collections.abc import Callable, Mapping
from typing import Any

SUPPORTED_RASA = "3.6.21"
"""The Rasa version the speed-ups were written for; on any other they are not installed."""

logger = logging.getLogger(__name__)

_closing: set[Any] = set()
"""Tasks closing the throwaway sessions whose settings were read (see _install_shared_sessions)."""


def install(env: Mapping[str, str] | None = None) -> list[str]:
    """Install the speed-ups ADVISOR_SPEEDUPS selects in this process (idempotent).

    Returns the names installed: none on a Rasa version other than SUPPORTED_RASA (with a
    warning). ValueError when ADVISOR_SPEEDUPS names an unknown speed-up.
    """
    import rasa

    chosen = selected((os.environ if env is None else env).get("ADVISOR_SPEEDUPS", ""))
    if rasa.__version__ != SUPPORTED_RASA:
        logger.warning(
            "serving.speedups: written for Rasa %s, this is Rasa %s: no speed-up installed "
            "(Rasa's own code runs; see serving/speedups.py)",
            SUPPORTED_RASA,
            rasa.__version__,
        )
        return []
    for name in chosen:
        SPEEDUPS[name]()
    return chosen


def selected(setting: str) -> list[str]:
    """The speed-ups an ADVISOR_SPEEDUPS value turns on, in SPEEDUPS order."""
    words = [word for word in setting.replace(",", " ").split() if word]
    if not words or words in (["1"], ["all"], ["on"]):
        return list(SPEEDUPS)
    if words in (["0"], ["none"], ["off"]):
        return []
    unknown = [word.lstrip("-") for word in words if word.lstrip("-") not in SPEEDUPS]
    if unknown:
        raise ValueError(
            f"ADVISOR_SPEEDUPS: unknown speed-up {', '.join(map(repr, unknown))}; known: {', '.join(SPEEDUPS)} "
            "(or 0 / all; prefix a name with - to turn only that one off)"
        )
    wanted = {word for word in words if not word.startswith("-")} or set(SPEEDUPS)
    wanted -= {word[1:] for word in words if word.startswith("-")}
    return [name for name in SPEEDUPS if name in wanted]


def _install_response_validation() -> None:
    from jsonschema.exceptions import best_match
    from jsonschema.validators import validator_for
    from rasa.core.actions.action import RemoteAction
    from rasa.shared.constants import DOCS_BASE_URL
    from rasa.shared.utils.schemas.events import EVENT_SCHEMA

    if getattr(RemoteAction._validate_action_result, "advisor_speedup", False):
        return
    schema = RemoteAction.action_response_format_spec()
    validator_class = validator_for(schema)
    validator_class.check_schema(schema)  # once, not on every response
    validator = validator_class(schema)
    # The response without looking inside events, and one validator per event name.
    outer = validator_class({**schema, "properties": {**schema["properties"], "events": {"type": "array"}}})
    common = {k: v for k, v in EVENT_SCHEMA.items() if k != "oneOf"}
    per_event = {
        branch["properties"]["event"]["const"]: validator_class({**common, "allOf": [branch]})
        for branch in EVENT_SCHEMA["oneOf"]
    }
    if len(per_event) != len(EVENT_SCHEMA["oneOf"]):  # pragma: no cover - a future Rasa schema
        per_event = {}

    def quick_valid(result: Any) -> bool:
        if not per_event or not outer.is_valid(result):
            return False
        for event in result.get("events") or []:
            check = per_event.get(event.get("event")) if isinstance(event, dict) else None
            if check is None or not check.is_valid(event):
                return False
        return True

    def _validate_action_result(self: Any, result: dict[str, Any]) -> bool:
        if quick_valid(result):
            return True
        error = best_match(validator.iter_errors(result))
        if error is None:
            return True
        error.message += (
            f". Failed to validate Action server response from API, "
            f"make sure your response from the Action endpoint is valid. "
            f"For more information about the format visit "
            f"{DOCS_BASE_URL}/custom-actions"
        )
        raise error

    _validate_action_result.advisor_speedup = True  # type: ignore[attr-defined]
    RemoteAction._validate_action_result = _validate_action_result  # type: ignore[method-assign]


def _install_event_type_table() -> None:
    from rasa.shared.core.events import Event
    from rasa.shared.utils.common import all_subclasses

    if getattr(Event.resolve_by_type, "advisor_speedup", False):
        return
    original = Event.resolve_by_type
    table: dict[str, type] = {}

    def rebuild() -> None:
        table.clear()
        for cls in all_subclasses(Event):
            table.setdefault(cls.type_name, cls)  # the first match, as the walk finds it

    def resolve_by_type(type_name: str, default: type | None = None) -> type | None:
        cls = table.get(type_name)
        if cls is None:
            rebuild()
            cls = table.get(type_name)
        if cls is not None:
            return cls
        return original(type_name, default)  # "topic", the default or Rasa's error

    resolve_by_type.advisor_speedup = True  # type: ignore[attr-defined]
    Event.resolve_by_type = staticmethod(resolve_by_type)  # type: ignore[method-assign]


def graph_plan(nodes: dict[str, list[str]]) -> list[str]:
    """Node names in an order where every node comes after the nodes it needs.

    `nodes` maps each node to the names it needs; names that are not nodes (inputs) are
    ignored. The order depends only on `nodes` (and the order of its keys), so it is the
    same on every run. A cycle raises graphlib.CycleError, a ValueError.
    """
    sorter: graphlib.TopologicalSorter[str] = graphlib.TopologicalSorter()
    for name, needs in nodes.items():
        sorter.add(name, *(need for need in needs if need in nodes))
    return list(sorter.static_order())


def _install_graph_runner() -> None:
    from rasa.engine.exceptions import GraphRunError
    from rasa.engine.runner.dask import DaskGraphRunner

    if getattr(DaskGraphRunner.run, "advisor_speedup", False):
        return

    def plan_for(self: Any, run_targets: list[str]) -> tuple[list[str], dict[str, list[str]]]:
        plans = self.__dict__.setdefault("_advisor_plans", {})
        key = tuple(run_targets)
        if key not in plans:
            minimal = self._graph_schema.minimal_graph_schema(run_targets)
            needs = {name: list(node.needs.values()) for name, node in minimal.nodes.items()}
            plans[key] = (graph_plan(needs), needs)
        return plans[key]

    def run(self: Any, inputs: dict[str, Any] | None = None, targets: list[str] | None = None) -> dict[str, Any]:
        run_targets = targets if targets else self._graph_schema.target_names
        order, needs = plan_for(self, run_targets)
        values: dict[str, Any] = {}
        for name, value in (inputs or {}).items():
            if isinstance(value, str) and (value in needs or value in (inputs or {})):
                raise GraphRunError(
                    f"Input value '{value}' clashes with a node name. Make sure "
                    f"that none of the input names passed to the `run` method are the "
                    f"same as node names in the graph schema."
                )
            values[name] = (name, value)  # as dask sees an input: a literal pair
        try:
            for name in order:
                if name in values:  # an input replaces the node of the same name
                    continue
                args = [values.get(need, need) for need in needs[name]]  # unresolved: the name, as dask
                values[name] = self._instantiated_nodes[name](*args)
            return dict(values[target] for target in run_targets)
        except RuntimeError as e:
            raise GraphRunError("Error running runner.") from e

    run.advisor_speedup = True  # type: ignore[attr-defined]
    DaskGraphRunner.run = run  # type: ignore[method-assign]


LOG_COPY_MODULES = ("rasa.core.processor", "rasa.core.actions.forms", "rasa.core.policies.rule_policy")


class LogCopies:
    """Stands in for the `copy` module where deep copies only feed debug log calls."""

    advisor_speedup = True

    def __init__(self) -> None:
        import copy
        import logging

        self._copy = copy
        self._rasa_logger = logging.getLogger("rasa")
        self._debug = logging.DEBUG
        self.copy = copy.copy

    def deepcopy(self, value: Any, memo: Any = None) -> Any:
        if self._rasa_logger.isEnabledFor(self._debug):
            return self._copy.deepcopy(value, memo)
        return value  # the debug message is dropped: nothing keeps the value

    def __getattr__(self, name: str) -> Any:
        return getattr(self._copy, name)


def _install_log_copies() -> None:
    import importlib

    for name in LOG_COPY_MODULES:
        module = importlib.import_module(name)
        if not getattr(module.copy, "advisor_speedup", False):
            module.copy = LogCopies()  # type: ignore[attr-defined]


IDLE_CONNECTION_SECONDS = 2.0


class _Borrowed:
    """`async with` hands out a shared session and leaves it open."""

    def __init__(self, session: Any) -> None:
        self._session = session

    async def __aenter__(self) -> Any:
        return self._session

    async def __aexit__(self, *exc_info: object) -> bool:
        return False


def loop_session(cache: dict[Any, Any], settings: Callable[[], dict[str, Any]]) -> Any:
    """The aiohttp session kept in `cache` for the running event loop, made once with `settings()`.

    Idle connections close after IDLE_CONNECTION_SECONDS, before the action server's 5 s
    keep-alive ends, so a connection the server is closing is never reused.
    """
    import asyncio

    import aiohttp

    loop = asyncio.get_running_loop()
    session = cache.get(loop)
    if session is None or session.closed:
        cache.clear()  # sessions of finished loops go with them
        session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(keepalive_timeout=IDLE_CONNECTION_SECONDS), **settings()
        )
        cache[loop] = session
    return session


def _install_shared_sessions() -> None:
    import asyncio

    from rasa.utils.endpoints import EndpointConfig

    if getattr(EndpointConfig.session, "advisor_speedup", False):
        return
    original = EndpointConfig.session

    def session(self: Any) -> Any:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return original(self)

        def settings() -> dict[str, Any]:
            fresh = original(self)  # Rasa's headers, auth and timeout
            # The loop keeps only a weak reference to a task: hold this one until it is done.
            closing = loop.create_task(fresh.close())
            _closing.add(closing)
            closing.add_done_callback(_closing.discard)
            return {"headers": fresh.headers or None, "auth": fresh.auth, "timeout": fresh.timeout}

        return _Borrowed(loop_session(self.__dict__.setdefault("_advisor_sessions", {}), settings))

    session.advisor_speedup = True  # type: ignore[attr-defined]
    EndpointConfig.session = session  # type: ignore[method-assign]


SPEEDUPS: dict[str, Callable[[], None]] = {
    "response_validation": _install_response_validation,
    "event_type_table": _install_event_type_table,
    "graph_runner": _install_graph_runner,
    "log_copies": _install_log_copies,
    "shared_sessions": _install_shared_sessions,
}
"""Each speed-up by name (ADVISOR_SPEEDUPS, the bench), numbered 1 to 5 in the docstring above."""
