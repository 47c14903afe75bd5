#!/usr/bin/env sh
# Container entry point: `rasa` (default), `actions` or `web`. Settings come from the
# environment only (README "Configuration"); the generated var/credentials.yml and
# var/endpoints.yml keep every secret as a ${VAR} reference.
set -eu
cd /app
role="${1:-rasa}"
case "$role" in
  rasa)
    : "${RASA_AUTH_TOKEN:?RASA_AUTH_TOKEN must be set: the HTTP API never runs without a token}"
    credentials="$(python -m serving.config credentials)"
    endpoints="$(python -m serving.config endpoints)"
    # The token reaches Rasa from RASA_AUTH_TOKEN inside `python -m serving`, not via argv.
    # CORS_ORIGINS is split at spaces on purpose; `set -f` keeps a `*` from matching files.
    set -f
    # shellcheck disable=SC2086
    exec python -m serving run --model models/advisor.tar.gz --enable-api \
      --interface 0.0.0.0 --port "${RASA_PORT:-5005}" \
      --credentials "$credentials" --endpoints "$endpoints" --cors ${CORS_ORIGINS:?set CORS_ORIGINS}
    ;;
  actions)
    exec python -m serving.actions --actions actions --port "${ACTION_PORT:-5055}"
    ;;
  web)
    exec python web/serve.py
    ;;
  *)
    exec "$@"
    ;;
esac
