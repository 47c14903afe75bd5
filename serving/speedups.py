"""Behaviour-preserving speed-ups for Rasa 3.6.21, installed by `python -m serving`.

Profiling the Rasa server under load (py-spy, README "Performance") showed that about 60%
of its CPU time went into one line: `RemoteAction._validate_action_result` calls
`jsonschema.validate(result, schema)` on every action server response, and
`jsonschema.validate` first checks the (constant) schema itself against the JSON Schema
meta-schema each time. Every advisor turn makes about three action calls, so this cost
more than the NLU pipeline and the policies together.

`install()` replaces that method with one that checks the schema once and keeps the
validator: the same validator class, the same `best_match` error and the same message
on an invalid response; only the repeated meta-schema check is gone.
"""

from __future__ import annotations

from typing import Any


def install() -> None:
    """Install the speed-ups in this process (idempotent)."""
    from jsonschema.exceptions import best_match
    from jsonschema.validators import validator_for
    from rasa.core.actions.action import RemoteAction
    from rasa.shared.constants import DOCS_BASE_URL

    if getattr(RemoteAction._validate_action_result, "advisor_speedup", False):
        return
    schema = RemoteAction.action_response_format_spec()
    validator_class = validator_for(schema)
    validator_class.check_schema(schema)  # once, not on every response
    validator = validator_class(schema)

    def _validate_action_result(self: Any, result: dict[str, Any]) -> bool:
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
