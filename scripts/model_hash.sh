#!/usr/bin/env bash
# Prints a hash of everything a trained model depends on: a model with this
# hash in its name is up to date (make train skips training).
set -euo pipefail
cd "$(dirname "$0")/.."
{
  cat config.yml requirements.txt domain.yml
  find data components -type f \( -name '*.yml' -o -name '*.py' \) | LC_ALL=C sort | while read -r f; do
    echo "== $f"; cat "$f"
  done
} | sha256sum | cut -c1-12
