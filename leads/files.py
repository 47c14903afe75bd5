"""Files that hold conversations or leads are readable by their owner only.

The tracker and lead databases (with SQLite's -wal/-shm files), the outbox and the delivery
record are created 0600 in a folder created 0700 (``var/`` by default), whatever the umask:

* :func:`private_umask` is called first thing by every process of the assistant (the Rasa
  server, the action server, ``python -m leads.cli``), so every file they create, the
  outbox's included, is owner-only;
* :func:`private_file` creates a database file 0600 before SQLite opens it (SQLite gives its
  -wal, -shm and -journal files the database file's mode) and tightens one that exists.

An existing folder is left as it is (it may be shared on purpose); scripts/env.sh makes the
project's ``var/`` 0700.

The outbox and the delivery queue are JSON-lines files that several threads and processes
share: :func:`file_lock` serialises them, :func:`append_durably` and :func:`replace_atomically`
write whole lines that survive a crash.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

PRIVATE_UMASK = 0o077
FILE_MODE = 0o600
DIR_MODE = 0o700


def private_umask() -> None:
    """From now on this process creates files 0600 and folders 0700."""
    os.umask(PRIVATE_UMASK)


def private_dir(path: str | os.PathLike) -> Path:
    """Create the folder (and missing parents) 0700; an existing one is left as it is."""
    path = Path(path)
    missing = []
    for folder in (path, *path.parents):
        if folder.exists():
            break
        missing.append(folder)
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=DIR_MODE)
        except FileExistsError:  # made by another process meanwhile
            continue
        os.chmod(folder, DIR_MODE)  # mkdir's mode is filtered by the umask
    return path


def private_file(path: str | os.PathLike) -> Path:
    """Create the file empty and 0600 if missing, else make it 0600 (with its SQLite siblings)."""
    path = Path(path)
    private_dir(path.parent)
    descriptor = os.open(path, os.O_CREAT | os.O_WRONLY, FILE_MODE)
    try:
        os.fchmod(descriptor, FILE_MODE)
    finally:
        os.close(descriptor)
    for suffix in ("-wal", "-shm", "-journal"):
        with contextlib.suppress(FileNotFoundError):
            os.chmod(path.with_name(path.name + suffix), FILE_MODE)
    return path


@contextlib.contextmanager
def file_lock(lock_path: Path, thread_lock: threading.RLock) -> Iterator[None]:
    """Exclusive across this process's threads (``thread_lock``) and other processes (``flock``)."""
    with thread_lock:
        lock_path.parent.mkdir(parents=True, exist_ok=True)
        with open(lock_path, "a+") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)


def write_all(fd: int, data: bytes) -> None:
    """One ``write`` call for the whole of ``data`` (looping only if the kernel takes less)."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _write_synced(path: Path, flags: int, data: bytes) -> None:
    """Open ``path`` (created 0600) with ``flags``, write ``data`` whole and fsync it."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | flags, FILE_MODE)
    try:
        write_all(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)


def append_durably(path: Path, data: bytes) -> None:
    """Append ``data`` in one write and fsync it; the file is created 0600 if missing."""
    path.parent.mkdir(parents=True, exist_ok=True)
    _write_synced(path, os.O_APPEND, data)


def replace_atomically(path: Path, data: bytes) -> None:
    """Replace the file's content with ``data``: a fsync'ed 0600 temporary file renamed over it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    _write_synced(tmp, os.O_TRUNC, data)
    os.replace(tmp, path)


def truncate_wal(engine: Any, erased: str, logger: logging.Logger) -> None:
    """SQLite after an erasure: copy the write-ahead log into the database file and empty it,
    so the ``erased`` data does not live on in the log's old pages (``secure_delete`` zeroes
    it in the database file itself). A reader that blocks this is logged on ``logger``."""
    with engine.connect() as connection:
        busy, _, _ = connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").one()
    if busy:
        logger.warning(
            "SQLite checkpoint after an erasure was blocked by a reader: erased %s may stay "
            "in the write-ahead log until it is overwritten",
            erased,
        )
