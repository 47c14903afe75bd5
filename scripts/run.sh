#!/usr/bin/env bash
# Starts the action server, the Rasa server and the demo web page in the
# foreground; Ctrl-C stops all three. Settings: scripts/env.sh and the README.
set -euo pipefail
PROJECT_ROOT="$(cd "$(dirname "$0")/.." && pwd)"; cd "$PROJECT_ROOT"
source scripts/env.sh

if [[ -z "${RASA_AUTH_TOKEN:-}" ]]; then
  # Generated for this run and written to an owner-only file, never to the terminal or a log.
  token_file="$STATE_DIR/api-token"
  RASA_AUTH_TOKEN="$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(24))')"
  (umask 077 && printf '%s\n' "$RASA_AUTH_TOKEN" > "$token_file")
  chmod 600 "$token_file"
  echo "RASA_AUTH_TOKEN was not set: generated one for this run in $token_file (owner-only; cat it to use the HTTP API)"
fi
export RASA_AUTH_TOKEN
# Origins are separated by spaces; `read` splits them without expanding `*` or `?`.
read -r -a cors_origins <<< "$CORS_ORIGINS"

model="models/advisor-$(scripts/model_hash.sh).tar.gz"
credentials="$(.venv/bin/python -m serving.config credentials)"
endpoints="$(.venv/bin/python -m serving.config endpoints)"
pids=()
cleanup() {
  trap - INT TERM EXIT
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup INT TERM EXIT

# `python -m serving.actions` is `python -m rasa_sdk` without TensorFlow (~490 MB less RSS).
.venv/bin/python -m serving.actions --actions actions --port "$ACTION_PORT" &
pids+=($!)
# `python -m serving run` is `rasa run` plus the turn guard (serving/guard.py); it passes
# RASA_AUTH_TOKEN to Rasa itself, so the token does not show in `ps`.
.venv/bin/python -m serving run --model "$model" --enable-api \
  --interface "$RASA_HOST" --port "$RASA_PORT" --credentials "$credentials" \
  --endpoints "$endpoints" --cors "${cors_origins[@]}" &
pids+=($!)
if [[ -f web/serve.py ]]; then
  .venv/bin/python web/serve.py &
  pids+=($!)
fi
echo "Action server: http://127.0.0.1:${ACTION_PORT}  Rasa: http://${RASA_HOST}:${RASA_PORT}  Web page: http://localhost:${WEB_PORT}"
# The web server reads SALES_TOKEN itself (never printed): with it, the sales console is on.
if [[ -n "${SALES_TOKEN:-}" && -f web/serve.py ]]; then
  echo "Sales console: http://localhost:${WEB_PORT}/sales (sign in with SALES_TOKEN)"
fi
wait -n "${pids[@]}"
