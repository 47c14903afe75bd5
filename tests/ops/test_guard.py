"""The turn guard (serving/guard.py) with a fake agent: no Rasa server needed."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.utils.endpoints import EndpointConfig

from advisor.inputs import MAX_MESSAGE_CHARS, reply
from serving import guard
from tests.support.ops_support import free_port


class _Health(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200 if self.path == "/health" else 404)
        self.end_headers()
        self.wfile.write(b'{"status": "ok"}')

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def action_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Health)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/webhook"
    server.shutdown()


class FakeDomain:
    def __init__(self) -> None:
        self.responses = {"utter_technical_trouble": [{"text": "Trouble from the domain."}]}


class FakeAgent:
    def __init__(self, action_url: str, behaviour: str = "ok") -> None:
        self.action_endpoint = EndpointConfig(url=action_url)
        self.domain = FakeDomain()
        self.behaviour = behaviour
        self.handled: list[str] = []

    async def handle_message(self, message: UserMessage) -> None:
        self.handled.append(message.text)
        await message.output_channel.send_text_message(message.sender_id, "a reply")
        if self.behaviour == "action fails":
            guard.note_failure(guard.ACTION_FAILED, "action_x: connection refused")
        elif self.behaviour == "raises":
            raise RuntimeError("boom")


def _message(text: str) -> tuple[UserMessage, CollectingOutputChannel]:
    output = CollectingOutputChannel()
    return UserMessage(text, output, sender_id="visitor"), output


def _texts(output: CollectingOutputChannel) -> list[str]:
    return [m.get("text") for m in output.messages]


async def test_a_healthy_turn_is_left_alone(action_server: str) -> None:
    agent = FakeAgent(action_server)
    message, output = _message("We need payroll")
    await guard.handle_guarded(agent, message)
    assert agent.handled == ["We need payroll"]
    assert _texts(output) == ["a reply"]


async def test_with_the_action_server_down_the_turn_is_not_run_and_the_user_is_told() -> None:
    agent = FakeAgent(f"http://127.0.0.1:{free_port()}/webhook")
    message, output = _message("We need payroll")
    await guard.handle_guarded(agent, message)
    assert agent.handled == [], "nothing may be stored for a turn that cannot run"
    assert _texts(output) == ["Trouble from the domain."]


@pytest.mark.parametrize("behaviour", ["action fails", "raises"])
async def test_a_turn_that_fails_midway_gets_only_the_apology(action_server: str, behaviour: str) -> None:
    agent = FakeAgent(action_server, behaviour)
    message, output = _message("We need payroll")
    await guard.handle_guarded(agent, message)
    assert _texts(output) == ["Trouble from the domain."]


async def test_without_a_loaded_domain_the_apology_is_rasas_own_from_the_texts_home(action_server: str) -> None:
    """No model loaded: the guard still says, byte for byte, what Rasa's utter_technical_trouble says."""
    from rasa.shared.core.domain import Domain

    from advisor.texts import DOMAIN_DIR

    agent = FakeAgent(action_server, "raises")
    agent.domain = None
    message, output = _message("hello")
    await guard.handle_guarded(agent, message)
    rasa_says = Domain.load(str(DOMAIN_DIR)).responses["utter_technical_trouble"][0]["text"]
    assert _texts(output) == [rasa_says] == [guard.TROUBLE_REPLY]


async def test_a_long_message_is_cut_before_nlu_and_the_user_is_told(action_server: str) -> None:
    agent = FakeAgent(action_server)
    message, output = _message("payroll " * 100_000)
    await guard.handle_guarded(agent, message)
    assert len(agent.handled[0]) == guard.HARD_LIMIT_CHARS > MAX_MESSAGE_CHARS
    assert _texts(output) == [reply("too_long"), "a reply"]


async def test_failures_outside_a_guarded_turn_are_ignored() -> None:
    guard.note_failure(guard.ACTION_FAILED, "nobody listens")  # must not raise


class _Action:
    def __init__(self, error: Exception | None) -> None:
        self.error = error

    def name(self) -> str:
        return "action_x"

    async def run(self) -> list:
        if self.error:
            raise self.error
        return ["event"]


async def test_remote_action_failures_are_noted_and_re_raised() -> None:
    from rasa.core.actions.action import ActionExecutionRejection
    from rasa.shared.exceptions import RasaException

    run = guard._noting_failures(_Action.run)
    failures: list = []
    token = guard._failures.set(failures)
    try:
        assert await run(_Action(None)) == ["event"]
        with pytest.raises(ActionExecutionRejection):
            await run(_Action(ActionExecutionRejection("action_x")))
        assert failures == [], "a form's deliberate rejection is not a failure"
        with pytest.raises(RasaException):
            await run(_Action(RasaException("Failed to execute custom action.")))
    finally:
        guard._failures.reset(token)
    assert failures == [(guard.ACTION_FAILED, "action_x: Failed to execute custom action.")]


def test_install_is_idempotent_and_replaces_channel_registration() -> None:
    from rasa.core.actions.action import RemoteAction
    from rasa.core.channels import channel

    original_run, original_register = RemoteAction.run, channel.register
    try:
        guard.install()
        wrapped = RemoteAction.run
        guard.install()
        assert RemoteAction.run is wrapped and getattr(wrapped, "advisor_guard", False)
        assert channel.register is guard.register
    finally:
        with contextlib.suppress(Exception):
            RemoteAction.run, channel.register = original_run, original_register


def test_the_api_never_starts_without_a_token_and_the_token_stays_off_the_command_line() -> None:
    from serving.__main__ import with_token

    run = ["run", "--enable-api", "--port", "5005"]
    assert with_token(run, {"RASA_AUTH_TOKEN": "t0k"}) == [*run, "--auth-token", "t0k"]
    assert with_token([*run, "--auth-token", "x"], {}) == [*run, "--auth-token", "x"]
    assert with_token(["run", "--port", "5005"], {}) == ["run", "--port", "5005"], "no API, no token needed"
    assert with_token(["train"], {}) == ["train"]
    with pytest.raises(SystemExit, match="RASA_AUTH_TOKEN"):
        with_token(run, {})
