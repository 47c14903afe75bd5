"""Print held-out NLU figures from `rasa test nlu` results and fail below the floors.

Floors (see README, "NLU quality"): intent weighted F1 >= 0.80. The dialogue does
not depend on intents for facts (every message goes through the rule-based
extractor), so an intent miss costs at most a clarification turn; 0.80 keeps
that rare while leaving room for the small chit-chat intents. Entity figures
are printed per extractor; their comparison is asserted in tests/nlu.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

INTENT_F1_FLOOR = 0.80


def main(results: Path) -> int:
    intents = json.loads((results / "intent_report.json").read_text())
    weighted = intents["weighted avg"]["f1-score"]
    print(
        f"Held-out intents: accuracy {intents['accuracy']:.3f}, weighted F1 {weighted:.3f}, "
        f"macro F1 {intents['macro avg']['f1-score']:.3f} (floor {INTENT_F1_FLOOR})"
    )
    for name, row in sorted(intents.items()):
        if isinstance(row, dict) and "support" in row and name not in ("macro avg", "weighted avg", "micro avg"):
            print(f"  {name:18s} F1 {row['f1-score']:.3f}  (n={row['support']})")
    for report in sorted(results.glob("*Extractor_report.json")) + sorted(results.glob("DIETClassifier_report.json")):
        data = json.loads(report.read_text())
        row = data.get("weighted avg") or data.get("micro avg")
        if row:
            extractor = report.name.replace("_report.json", "")
            print(
                f"Held-out entities ({extractor}, exact spans): precision {row['precision']:.3f}, "
                f"recall {row['recall']:.3f}, F1 {row['f1-score']:.3f}"
            )
    if weighted < INTENT_F1_FLOOR:
        print(f"FAIL: intent weighted F1 {weighted:.3f} is below the floor {INTENT_F1_FLOOR}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1] if len(sys.argv) > 1 else "results/nlu")))
