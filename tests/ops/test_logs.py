"""What a real server run writes to its logs: no email, no name, no raw conversation id.

The Rasa server and the action server of tests/support/stack.py write their logs to files in
the test's folder; the tests type personal details into a conversation, make the paths that
log go wrong (an SQL error on a write that holds the message, the action server down), and
grep every log file.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from pathlib import Path

from leads.model import conversation_digest
from serving.guard import TROUBLE_REPLY
from tests.support.ops_support import CONVERSATIONS, reply_texts
from tests.support.stack import _stop, conversation, running_stack


def _letters() -> str:
    return uuid.uuid4().hex[:8].translate(str.maketrans("0123456789", "ghijklmnop"))


def _logs(workdir: Path) -> dict[str, str]:
    logs = {p.name: p.read_text(encoding="utf-8", errors="replace") for p in workdir.glob("*.log")}
    assert {"rasa.log", "actions.log"} <= set(logs)
    return logs


def _holding(logs: dict[str, str], values: list[str]) -> list[str]:
    """ "log: value" for each value found in a log, as typed or escaped as in JSON."""
    return [
        f"{name}: {value!r}"
        for name, text in logs.items()
        for value in values
        if value.lower() in text.lower() or json.dumps(value)[1:-1].lower() in text.lower()
    ]


def test_logs_of_a_failing_run_hold_no_personal_details(tmp_path: Path) -> None:
    """An SQL error is logged without its parameters (they hold the sender id and the messages),
    and the turn guard names conversations by a hash."""
    token = _letters()
    sender = f"visitor-{token}"
    name, email = f"Quillon Abernethy {token.capitalize()}", f"quillon.{token}@harbourline-freight.com"
    with running_stack(tmp_path) as stack:
        turns, _ = CONVERSATIONS["bpo"]
        stack.say(sender, turns[0])
        # The database refuses the next write of the conversation: Rasa logs the SQL error.
        with sqlite3.connect(tmp_path / "tracker.db") as db:
            db.execute(
                "CREATE TRIGGER refuse_marked BEFORE INSERT ON events WHEN NEW.data LIKE '%please-refuse%' "
                "BEGIN SELECT RAISE(ABORT, 'refused by the test'); END"
            )
        stack.say(sender, f"I'm {name} and my email is {email} (please-refuse)")
        stack.say(sender, f"Sorry, that was {name}, {email}.")
        # The turn guard logs a turn it cannot run.
        _stop(stack.processes[0])
        assert reply_texts(stack.say(sender, f"still there? {email}")) == [TROUBLE_REPLY]
    logs = _logs(tmp_path)
    assert _holding(logs, [email, name, sender]) == []
    # ... and the failures were logged: the refused write, and the guard's (hashed) turn.
    assert "refused by the test" in logs["rasa.log"]
    # The guard names the conversation Rasa keeps (`rest:<sender>`, serving/channels.py) by its hash.
    assert "conv-" + conversation_digest(conversation(sender)) in logs["rasa.log"]


def test_debug_logs_hold_no_email(tmp_path: Path) -> None:
    """With --debug Rasa logs every message; the redaction filter still removes emails."""
    email = f"quillon.{_letters()}@harbourline-freight.com"
    with running_stack(tmp_path, extra_args=["--debug"]) as stack:
        turns, _ = CONVERSATIONS["kpo"]
        stack.say(f"visitor-{_letters()}", turns[0])
        stack.say(f"visitor-{_letters()}", f"my email is {email}, please get in touch soon")
    logs = _logs(tmp_path)
    assert "please get in touch soon" in logs["rasa.log"], "the debug log does not show the message"
    assert _holding(logs, [email]) == []
    assert "***@harbourline-freight.com" in logs["rasa.log"]


def test_tracebacks_and_handlers_added_later_are_redacted_too() -> None:
    """leads.redact.install(): Rasa and Sanic add their handlers after it runs, and log tracebacks."""
    import io
    import logging

    from leads.redact import install

    factory, root_filters = logging.getLogRecordFactory(), [list(h.filters) for h in logging.getLogger().handlers]
    install()
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)  # added after install(), as Rasa's are
    logger = logging.getLogger("tests.ops.redaction")
    logger.addHandler(handler)
    try:
        try:
            raise ValueError("no such user: quillon.x@harbourline-freight.com")
        except ValueError:
            logger.exception("lookup of %s failed", "quillon.x@harbourline-freight.com")
    finally:
        logger.removeHandler(handler)
        logging.setLogRecordFactory(factory)  # the other tests' logging as it was
        for root_handler, filters in zip(logging.getLogger().handlers, root_filters, strict=True):
            root_handler.filters = filters
    written = stream.getvalue()
    assert "ValueError" in written and "lookup of ***@harbourline-freight.com failed" in written
    assert "quillon" not in written
