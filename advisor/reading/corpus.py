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
# Every work item of the development entries, labelled one by one (corpus/README.md, "Work items
# labelled one by one"): the collectors quoted each request's main work, not every line of it.
# Never an item of the held-out part.
ITEMS_DIR = CORPUS_DIR.parent / "items"


def normalised(text: str) -> str:
    """One space between words, lower case: how a quoted span or a labelled item is matched."""
    return " ".join(text.split()).lower()


def part_of(entry_id: str) -> str:
    """'heldout' for about half of the ids, 'dev' for the rest; fixed forever by the salt."""
    digest = hashlib.sha256(f"{SPLIT_SALT}:{entry_id}".encode()).digest()
    return "heldout" if digest[0] % 2 == 0 else "dev"


def files(corpus_dir: Path = CORPUS_DIR) -> list[Path]:
    return sorted(corpus_dir.glob("*.yml"))


def entries_in(directory: Path) -> list[dict[str, Any]]:
    """Every entry of the part files in `directory`, in file order."""
    return [entry for path in files(directory) for entry in yaml.safe_load(path.read_text(encoding="utf-8")) or []]


def load(corpus_dir: Path = CORPUS_DIR, items_dir: Path = ITEMS_DIR) -> list[dict[str, Any]]:
    """Every entry, with its `part` added, and a development entry's labelled work items as
    `item_labels` (its items' texts -> "bpo", "kpo" or "none") where they were labelled."""
    labelled = labelled_items(items_dir)
    out = []
    for entry in entries_in(corpus_dir):
        part = part_of(entry["id"])
        extra = {"item_labels": labelled[entry["id"]]} if part == "dev" and entry["id"] in labelled else {}
        out.append({**entry, "part": part, **extra})
    return out


def labelled_items(items_dir: Path = ITEMS_DIR) -> dict[str, dict[str, str]]:
    """Entry id -> {an item's text, `normalised`: its label}."""
    out: dict[str, dict[str, str]] = {}
    for path in files(items_dir):
        for entry in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            out[entry["id"]] = {normalised(i["text"]): i["label"] for i in entry["items"]}
    return out


def load_synthetic(synthetic_dir: Path = SYNTHETIC_DIR) -> list[dict[str, Any]]:
    """The written training requests, with `part` "synthetic"."""
    return [{**entry, "part": "synthetic"} for entry in entries_in(synthetic_dir)]
