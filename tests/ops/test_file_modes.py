"""After a real run, the state folder and every file in it are the owner's only (0700 / 0600).

The stack keeps its state in a `var/` folder that does not exist yet (as on a fresh clone);
the test's own umask (typically 022) is what the servers inherit.
"""

from __future__ import annotations

import sqlite3
import stat
import uuid
from pathlib import Path

from tests.support.ops_support import CONVERSATIONS
from tests.support.stack import running_stack


def _mode(path: Path) -> str:
    return oct(stat.S_IMODE(path.stat().st_mode))


def test_state_files_are_created_owner_only(tmp_path: Path) -> None:
    var = tmp_path / "var"
    env = {
        "TRACKER_URL": f"sqlite:///{var / 'tracker.db'}",
        "LEADS_DB_PATH": str(var / "leads.db"),
        "LEADS_OUTBOX_PATH": str(var / "leads_outbox.jsonl"),
        "LEADS_DELIVERIES_PATH": str(var / "leads_deliveries.jsonl"),
        "LEADS_DB_CONNECT_TIMEOUT": "1",
    }
    sender = f"modes-{uuid.uuid4().hex[:8]}"
    with running_stack(tmp_path, extra_env=env) as stack:
        for turn in CONVERSATIONS["bpo"][0]:  # advice: the tracker and the lead database are written
            stack.say(sender, turn)
        assert stack.tracker(sender)["slots"]["recommendation"] == "bpo"
        # The lead database is busy (another writer holds it): the next funnel event waits in the outbox.
        blocker = sqlite3.connect(var / "leads.db", timeout=30)
        try:
            blocker.execute("BEGIN IMMEDIATE")
            stack.say(sender, "no thanks")
        finally:
            blocker.rollback()
            blocker.close()
        running = _modes(var)  # while running: SQLite removes its -wal and -shm files on shutdown
    expected = {
        "tracker.db",
        "tracker.db-wal",
        "tracker.db-shm",
        "leads.db",
        "leads.db-wal",
        "leads.db-shm",
        "leads_outbox.jsonl",
    }
    assert expected <= set(running), f"the run did not write {sorted(expected - set(running))}"
    assert running == dict.fromkeys(running, "0o600")
    assert _modes(var) == dict.fromkeys(_modes(var), "0o600")
    assert _mode(var) == "0o700"


def _modes(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): _mode(p) for p in sorted(folder.rglob("*")) if p.is_file()}
