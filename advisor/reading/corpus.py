"""The labelled corpus of real requests (corpus/requests/*.yml) and its fixed split.

The development part trains and tunes the reading (`advisor.reading.arbiter` learns from it);
the held-out part is only ever scored (`scripts/corpus_eval.py`).
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import yaml

CORPUS_DIR = Path(__file__).resolve().parents[2] / "corpus" / "requests"
# Requests written for training, not collected (corpus/synthetic/README.md): never scored.
SYNTHETIC_DIR = CORPUS_DIR.parent / "synthetic"
SPLIT_SALT = "outsourcing-advisor corpus split, fixed 2026-11-30"


def part_of(entry_id: str) -> str:
    """'heldout' for about half of the ids, 'dev' for the rest; fixed forever by the salt."""
    digest = hashlib.sha256(f"{SPLIT_SALT}:{entry_id}".encode()).digest()
    return "heldout" if digest[0] % 2 == 0 else "dev"


def files(corpus_dir: Path = CORPUS_DIR) -> list[Path]:
    return sorted(corpus_dir.glob("*.yml"))


def load(corpus_dir: Path = CORPUS_DIR) -> list[dict[str, Any]]:
    """Every entry, with its `part` added."""
    entries: list[dict[str, Any]] = []
    for path in files(corpus_dir):
        for entry in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            entry["part"] = part_of(entry["id"])
            entries.append(entry)
    return entries


def load_synthetic(synthetic_dir: Path = SYNTHETIC_DIR) -> list[dict[str, Any]]:
    """The written training requests, with `part` "synthetic"."""
    entries: list[dict[str, Any]] = []
    for path in files(synthetic_dir):
        for entry in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            entry["part"] = "synthetic"
            entries.append(entry)
    return entries
