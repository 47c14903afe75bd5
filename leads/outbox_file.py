"""The outbox file: JSON lines of lead and funnel writes waiting for the database (see leads/outbox.py).

Whole lines: each entry is written with one ``write`` call and fsync'ed. A crash can still
leave a partial last line; whoever takes the lock next moves that tail to
``<outbox>.rejected`` (redacted: its id, length and hash, never its text) and cuts it off,
so the next append starts on a fresh line instead of joining onto it.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from .files import append_durably, file_lock, replace_atomically
from .model import conversation_digest, utcnow

log = logging.getLogger(__name__)


_ENTRY_ID = re.compile(r'"id"\s*:\s*"([A-Za-z0-9_-]{1,64})"')
_ENTRY_TYPE = re.compile(r'"type"\s*:\s*"(lead|event)"')
_ENTRY_CONVERSATION = re.compile(r'"conversation_id"\s*:\s*("(?:[^"\\]|\\.)*")')


def redacted_line(raw: str | bytes, reason: str) -> str:
    """A rejected-file line that describes ``raw`` without keeping its text.

    Keeps what helps an operator and tells nothing about a person: the entry id and type
    when they can be read, the conversation as a hash, the length and a SHA-256.
    """
    data = raw.encode("utf-8", "surrogateescape") if isinstance(raw, str) else raw
    text = data.decode("utf-8", "replace")
    record: dict[str, Any] = {
        "rejected": reason,
        "at": utcnow().isoformat(),
        "bytes": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
    }
    for key, pattern in (("id", _ENTRY_ID), ("type", _ENTRY_TYPE)):
        found = pattern.search(text)
        if found:
            record[key] = found.group(1)
    conversation = _ENTRY_CONVERSATION.search(text)
    if conversation:
        with suppress(ValueError):
            record["conversation"] = "conv-" + conversation_digest(json.loads(conversation.group(1)))
    return json.dumps(record, separators=(",", ":")) + "\n"


def _dump(entry: Mapping[str, Any]) -> bytes:
    return (json.dumps(entry, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8", "surrogateescape")


def _valid_entry(value: Any) -> bool:
    return isinstance(value, dict) and bool(value.get("id")) and value.get("type") in ("lead", "event")


def _salvage(line: str) -> tuple[list[dict[str, Any]], str]:
    """Whole entries inside a damaged line (an old partial line with the next entry joined on).

    Returns the entries found and the damaged prefix that is left.
    """
    start = line.find('{"id":', 1)
    while start != -1:
        try:
            entry = json.loads(line[start:])
        except ValueError:
            start = line.find('{"id":', start + 1)
            continue
        if _valid_entry(entry):
            return [entry], line[:start]
        start = line.find('{"id":', start + 1)
    return [], line


class Outbox:
    """An append-only JSON-lines file of writes waiting for the database."""

    def __init__(self, path: str | os.PathLike) -> None:
        self.path = Path(path)
        self.rejected_path = self.path.with_name(self.path.name + ".rejected")
        self._lock_path = self.path.with_name(self.path.name + ".lock")
        self._thread_lock = threading.RLock()

    @contextmanager
    def lock(self) -> Iterator[None]:
        """Exclusive lock across threads and processes."""
        with file_lock(self._lock_path, self._thread_lock):
            self._recover_partial_tail()
            yield

    def _recover_partial_tail(self) -> None:
        """A last line without its newline (a crash mid-write): reject it, redacted, and cut it off."""
        try:
            fd = os.open(self.path, os.O_RDWR)
        except FileNotFoundError:
            return
        try:
            size = os.fstat(fd).st_size
            if size == 0 or os.pread(fd, 1, size - 1) == b"\n":
                return
            chunk, start = b"", size
            while start > 0:  # find the last newline, reading backwards
                step = min(65536, start)
                start -= step
                chunk = os.pread(fd, step, start) + chunk
                newline = chunk.rfind(b"\n")
                if newline != -1:
                    start += newline + 1
                    chunk = chunk[newline + 1 :]
                    break
            self.reject([redacted_line(chunk, "partial line (the writer stopped mid-line)")])
            os.ftruncate(fd, start)
            os.fsync(fd)
            log.warning(
                "outbox: a partial last line (%d bytes) was set aside in %s", len(chunk), self.rejected_path.name
            )
        finally:
            os.close(fd)

    def has_pending(self) -> bool:
        """True when the file holds at least one line."""
        try:
            return self.path.stat().st_size > 0
        except FileNotFoundError:
            return False

    def append(self, entry: Mapping[str, Any]) -> None:
        """Append one entry durably, as one whole line in one write (call under :meth:`lock`)."""
        append_durably(self.path, _dump(entry))

    def read(self) -> tuple[list[dict[str, Any]], list[str]]:
        """Pending entries in order, and lines that are not valid entries."""
        entries: list[dict[str, Any]] = []
        bad: list[str] = []
        if not self.path.exists():
            return entries, bad
        with open(self.path, encoding="utf-8", errors="surrogateescape") as handle:
            for line in handle:
                if not line.strip():
                    continue
                try:
                    entry = json.loads(line)
                    if _valid_entry(entry):
                        entries.append(entry)
                        continue
                except ValueError:
                    pass
                found, damaged = _salvage(line)
                entries += found
                bad.append(redacted_line(damaged.rstrip("\n"), "unreadable line"))
        return entries, bad

    def rewrite(self, entries: Sequence[Mapping[str, Any]]) -> None:
        """Atomically replace the file with ``entries`` (call under :meth:`lock`)."""
        replace_atomically(self.path, b"".join(_dump(entry) for entry in entries))

    def reject(self, lines: Sequence[str]) -> None:
        """Keep unusable lines aside in ``<outbox>.rejected`` for a human to look at."""
        if lines:
            data = "".join(line if line.endswith("\n") else line + "\n" for line in lines)
            append_durably(self.rejected_path, data.encode("utf-8", "surrogateescape"))
