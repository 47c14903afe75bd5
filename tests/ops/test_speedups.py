"""serving/speedups.py: the cached action-response validator accepts and rejects exactly what Rasa's does."""

from __future__ import annotations

from collections.abc import Iterator

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


@pytest.fixture
def patched() -> Iterator[RemoteAction]:
    original = RemoteAction._validate_action_result
    speedups.install()
    speedups.install()  # idempotent
    yield RemoteAction("action_x", None)
    RemoteAction._validate_action_result = original


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
