"""Build the reader's learned model (advisor/reading/arbiter.py) unless it is up to date.

python -m scripts.train_reader     # models/reader-<hash of corpus and reading code>.pkl
"""

from __future__ import annotations

import time

from advisor.reading.arbiter import build, model_path


def main() -> int:
    path = model_path()
    if path.exists():
        print(f"Reader model is up to date: {path}")
        return 0
    print(f"Training the reader model on the corpus's development part: {path}")
    start = time.monotonic()
    build(path)
    print(f"Trained in {time.monotonic() - start:.0f}s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
