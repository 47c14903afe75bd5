"""How the advisor reads real requests: the labelled corpus in corpus/requests/ as opening messages.

Each request is read the way `action_extract_facts` reads a first message
(`extract` + `merge`), and the engine gives its advice from those facts alone.
The corpus is split once, by a hash of each entry's id, into a development part
(read it, fix what it shows) and a held-out part (figures only: this script never
prints a held-out text, so nobody tunes on it).

    python -m scripts.corpus_eval --part heldout --compare --min-accuracy 0.9 --min-hybrid 0.8
    python -m scripts.corpus_eval --part dev --errors      # what to work on

The reading is the rules settled by the learned model (`advisor.reading.arbiter`, trained on the
development part only); `--compare` also prints the rules alone, and `--rules` reads with them only.

Exit code 1 when a floor is missed.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path
from typing import Any

from advisor.engine import Profile, recommend
from advisor.extraction import extract, merge
from advisor.reading import reading_with
from advisor.reading.corpus import load

CLASSES = ("bpo", "kpo", "hybrid")


def predict(text: str) -> tuple[str, list[str]]:
    """The advice after `text` as the opening message: (choice or 'none', task keys)."""
    slots = merge(extract(text, None), {}, None, text)
    tasks = [t for t in slots.get("tasks") or [] if t]
    if not tasks:
        return "none", []
    return recommend(Profile.from_slots(slots)).choice, tasks


def evaluate(entries: list[dict[str, Any]]) -> dict[str, Any]:
    confusion: dict[str, Counter] = {c: Counter() for c in CLASSES}
    rows = []
    for e in entries:
        choice, tasks = predict(e["text"])
        confusion[e["label"]][choice] += 1
        rows.append({"id": e["id"], "label": e["label"], "predicted": choice, "tasks": tasks})
    total = sum(sum(c.values()) for c in confusion.values())
    correct = sum(confusion[c][c] for c in CLASSES)
    per_class = {
        c: {
            "n": sum(confusion[c].values()),
            "accuracy": round(confusion[c][c] / sum(confusion[c].values()), 3) if confusion[c] else None,
        }
        for c in CLASSES
    }
    return {
        "n": total,
        "accuracy": round(correct / total, 3) if total else None,
        "per_class": per_class,
        "confusion": {c: dict(confusion[c]) for c in CLASSES},
        "rows": rows,
    }


def print_report(part: str, result: dict[str, Any], reader: str = "rules + model") -> None:
    print(f"Corpus, {part} part: {result['n']} real requests read as opening messages ({reader})")
    print(f"  overall accuracy: {result['accuracy']:.3f}")
    for c in CLASSES:
        pc = result["per_class"][c]
        acc = "n/a" if pc["accuracy"] is None else f"{pc['accuracy']:.3f}"
        print(f"  {c:7s} accuracy: {acc}  (n={pc['n']})")
    cols = (*CLASSES, "none")
    print("  confusion (rows: label, columns: advice; none = no task found, the bot would ask)")
    print("           " + "".join(f"{c:>8s}" for c in cols))
    for c in CLASSES:
        print(f"  {c:8s} " + "".join(f"{result['confusion'][c].get(k, 0):8d}" for k in cols))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], allow_abbrev=False)
    parser.add_argument("--part", choices=("dev", "heldout", "all"), default="heldout")
    parser.add_argument("--min-accuracy", type=float, default=0.0)
    parser.add_argument("--min-hybrid", type=float, default=0.0)
    parser.add_argument("--errors", action="store_true", help="list the mistakes (development part only)")
    parser.add_argument("--json", type=Path, help="write the figures (no texts) to this file")
    parser.add_argument("--rules", action="store_true", help="read with the rules alone (no learned model)")
    parser.add_argument(
        "--compare", action="store_true", help="also print the rules alone (floors apply to the reading)"
    )
    args = parser.parse_args(argv)
    entries = [e for e in load() if args.part == "all" or e["part"] == args.part]
    rules_alone = None
    if args.compare or args.rules:
        with reading_with(None):
            rules_alone = evaluate(entries)
        print_report(args.part, rules_alone, "rules alone")
    result = rules_alone if args.rules and rules_alone else evaluate(entries)
    if not args.rules:
        print_report(args.part, result)
    if args.errors:
        if args.part != "dev":
            print("  (mistakes are listed for the development part only)")
        else:
            texts = {e["id"]: e for e in entries}
            for row in result["rows"]:
                if row["label"] != row["predicted"]:
                    e = texts[row["id"]]
                    wanted = sorted({i["task"] for i in e.get("items") or []})
                    print(
                        f"\n{row['id']} label={row['label']} advice={row['predicted']} read={row['tasks']} "
                        f"labelled={wanted}\n  {e['text'][:600]}"
                    )
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        figures = {k: v for k, v in result.items() if k != "rows"}
        if rules_alone is not None and not args.rules:
            figures["rules_alone"] = {k: v for k, v in rules_alone.items() if k != "rows"}
        args.json.write_text(
            json.dumps({"part": args.part, "reader": "rules" if args.rules else "rules + model", **figures}, indent=2)
        )
    failed = []
    if result["accuracy"] is not None and result["accuracy"] < args.min_accuracy:
        failed.append(f"overall accuracy {result['accuracy']:.3f} < floor {args.min_accuracy}")
    hybrid = result["per_class"]["hybrid"]["accuracy"]
    if hybrid is not None and hybrid < args.min_hybrid:
        failed.append(f"hybrid accuracy {hybrid:.3f} < floor {args.min_hybrid}")
    for line in failed:
        print(f"FAILED: {line}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
