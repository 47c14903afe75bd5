#!/usr/bin/env bash
# Trains the model unless models/advisor-<hash of its inputs>.tar.gz exists, and the reader's
# model unless models/reader-<hash of the corpus and reading code>.pkl exists.
set -euo pipefail
PROJECT_ROOT="$(cd "$(dirname "$0")/.." && pwd)"; cd "$PROJECT_ROOT"
source scripts/env.sh
# The reader's learned model (advisor/reading/arbiter.py): cached by a hash of the corpus and the reading code.
.venv/bin/python -m scripts.train_reader  # PYTHONPATH from scripts/env.sh
hash="$(scripts/model_hash.sh)"
model="models/advisor-${hash}.tar.gz"
if [[ -f "$model" ]]; then
  echo "Model is up to date: $model"
  exit 0
fi
echo "Training $model (inputs changed or no model yet)..."
start=$(date +%s)
.venv/bin/rasa train --domain domain --fixed-model-name "advisor-${hash}" --out models --quiet
echo "Trained in $(( $(date +%s) - start ))s: $model"
# Keep the three newest models; older ones only fill the disk.
ls -t models/advisor-*.tar.gz 2>/dev/null | tail -n +4 | xargs -r rm -f
