"""A scripted socket.io visitor (python-socketio's AsyncClient) and tracker-store look-ups."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from pathlib import Path
from typing import Any

import requests
import socketio

from tests.support.stack import Stack


class Visitor:
    """One socket.io connection speaking the widget's protocol; records what it is sent."""

    def __init__(self, stack: Stack) -> None:
        self.url = stack.rasa_url
        self.client = socketio.AsyncClient(reconnection=False)
        self.replies: list[dict[str, Any]] = []
        self.confirms: asyncio.Queue[Any] = asyncio.Queue()
        self.disconnected = asyncio.Event()
        self.client.on("bot_uttered", self.replies.append)
        self.client.on("session_confirm", self.confirms.put_nowait)
        self.client.on("disconnect", self.disconnected.set)

    async def connect(self) -> Visitor:
        await self.client.connect(self.url, socketio_path="/socket.io", transports=["websocket"])
        return self

    async def session(self, session_id: Any = None) -> Any:
        """Ask for a session (offering `session_id`); the server's answer.

        Also a barrier: the server answers after everything it sent this socket before."""
        await self.client.emit("session_request", {"session_id": session_id})
        return await asyncio.wait_for(self.confirms.get(), timeout=30)

    async def say(self, text: str, session_id: Any = None, metadata: Any = None) -> None:
        payload: dict[str, Any] = {"message": text, "session_id": session_id}
        if metadata is not None:
            payload["metadata"] = metadata
        await self.client.emit("user_uttered", payload)

    async def close(self) -> None:
        await self.client.disconnect()


def conversation_ids(stack: Stack) -> set[str]:
    """Every conversation id in the stack's SQLite tracker store."""
    path = Path(stack.workdir) / "tracker.db"
    if not path.exists():
        return set()
    with sqlite3.connect(path) as db:
        return {row[0] for row in db.execute("SELECT DISTINCT sender_id FROM events")}


def user_texts(stack: Stack, conversation_id: str) -> list[str]:
    events = stack.conversation_tracker(conversation_id)["events"]
    return [e.get("text") for e in events if e["event"] == "user"]


def user_events(stack: Stack, conversation_id: str) -> list[dict[str, Any]]:
    return [e for e in stack.conversation_tracker(conversation_id)["events"] if e["event"] == "user"]


def turns_done(stack: Stack, conversation_id: str, turns: int) -> bool:
    """The conversation has `turns` user messages and the bot listens again."""
    events = stack.conversation_tracker(conversation_id)["events"]
    said = [e for e in events if e["event"] == "user"]
    return len(said) >= turns and events[-1]["event"] == "action" and events[-1]["name"] == "action_listen"


async def wait_until(check, what: str, timeout: float = 90.0) -> Any:
    """Poll `check()` (run in a thread: it may use blocking HTTP) until it is truthy."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = await asyncio.to_thread(check)
        if value:
            return value
        await asyncio.sleep(0.3)
    raise AssertionError(f"timed out waiting for {what}")


async def new_conversation(stack: Stack, before: set[str]) -> str:
    """The one conversation that appeared in the tracker store since `before`."""

    def appeared() -> set[str]:
        return conversation_ids(stack) - before

    found = await wait_until(appeared, "a new conversation in the tracker store")
    assert len(found) == 1, found
    return found.pop()


def rest_status(stack: Stack, headers: dict[str, str] | None = None) -> int:
    return requests.post(
        f"{stack.rasa_url}/webhooks/rest/webhook",
        json={"sender": "x", "message": "hi"},
        headers=headers,
        timeout=30,
    ).status_code
