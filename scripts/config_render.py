"""Shared plumbing of scripts/credentials.py and scripts/endpoints.py: read a YAML
template, and write a rendered file (owner-only, printing its path for scripts/run.sh) or stdout."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import yaml


def load_template(path: Path) -> dict[str, Any]:
    """The template's top-level mapping ({} for an empty file)."""
    return yaml.safe_load(path.read_text(encoding="utf-8")) or {}


def write_output(text: str, out: str) -> None:
    """Write `text` to `out` and print the path (scripts/run.sh reads it), or to stdout for "-"."""
    if out == "-":
        sys.stdout.write(text)
        return
    path = Path(out)
    path.parent.mkdir(parents=True, exist_ok=True)
    # Owner-only (0600), also when the file was there before with wider rights.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    print(path)
