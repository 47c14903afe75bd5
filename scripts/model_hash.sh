#!/usr/bin/env bash
# Prints a hash of everything a trained model depends on: a model with this
# hash in its name is up to date (make train skips training).
# `--list` prints the files hashed instead (tests/unit/test_model_hash.py checks the choice).
#
# The domain is the directory domain/, but only its Rasa domain files go into the model:
# the YAML files with a top-level domain key (domain/structure.yml, domain/texts/responses.yml).
# The other files in domain/texts/ hold the sentences the code composes (read by
# advisor/texts.py at run time); Rasa skips them, so editing one does not force a retrain.
set -euo pipefail
cd "$(dirname "$0")/.."
DOMAIN_KEY='^(intents|entities|slots|forms|actions|responses|e2e_actions|session_config):'
inputs() {
  printf '%s\n' config.yml requirements.txt
  find domain -type f \( -name '*.yml' -o -name '*.yaml' \) | LC_ALL=C sort | while read -r f; do
    if grep -qE "$DOMAIN_KEY" "$f"; then echo "$f"; fi
  done
  find data components -type f \( -name '*.yml' -o -name '*.py' \) | LC_ALL=C sort
}
if [[ "${1:-}" == "--list" ]]; then
  inputs
  exit 0
fi
inputs | while read -r f; do
  echo "== $f"; cat "$f"
done | sha256sum | cut -c1-12
