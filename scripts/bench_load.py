"""`make bench`'s conversations and profile: N visitors over REST, and the single-visitor
profile of each step of a turn; see scripts/bench.py."""

from __future__ import annotations

import asyncio
import statistics
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import requests

from advisor.texts import response as fixed_reply
from scripts.bench_servers import Server

TROUBLE = fixed_reply("utter_technical_trouble")
"""The turn guard's apology: a visitor who gets it had a failed turn."""


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
    from advisor.reading import forget

    extract(SHORT_REQUEST)  # build the pipeline once
    out = {}
    for name, text in (("short", SHORT_REQUEST), ("400_chars", LONG_REQUEST)):
        times = []
        for _ in range(repeat):
            forget()
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
        # Each opening differs by a reference number: the action server keeps its last readings, and
        # the same text sent again would be answered from them, hiding the reading's cost.
        openings[name] = median_ms(
            timed(
                lambda t=text: requests.post(
                    f"{base}/webhooks/rest/webhook",
                    json={"sender": f"opening-{uuid.uuid4().hex[:8]}", "message": f"{t} Ref {uuid.uuid4().hex[:6]}."},
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
