# Defaults for every setting; sourced by the Makefile's scripts. Anything already
# set in the environment wins. The README's "Configuration" table lists them.
# The project root: set by the script that sources this file, else found from this file's own
# place. Without it, STATE_DIR below would default to /var, which the chmod at the end would lock.
PROJECT_ROOT="${PROJECT_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
export RASA_TELEMETRY_ENABLED=false
export PYTHONHASHSEED=0
export TF_CPP_MIN_LOG_LEVEL=2
export TF_DETERMINISTIC_OPS=1
export PYTHONPATH="${PROJECT_ROOT}${PYTHONPATH:+:$PYTHONPATH}"
export STATE_DIR="${STATE_DIR:-$PROJECT_ROOT/var}"
export RASA_PORT="${RASA_PORT:-5005}"
export RASA_HOST="${RASA_HOST:-127.0.0.1}"
export ACTION_PORT="${ACTION_PORT:-5055}"
export SANIC_HOST="${SANIC_HOST:-127.0.0.1}"
export ACTION_ENDPOINT_URL="${ACTION_ENDPOINT_URL:-http://127.0.0.1:${ACTION_PORT}/webhook}"
export TRACKER_DIALECT="${TRACKER_DIALECT:-sqlite}"
export TRACKER_URL="${TRACKER_URL:-sqlite:///${STATE_DIR}/tracker.db}"
export WEB_PORT="${WEB_PORT:-8080}"
export WEB_HOST="${WEB_HOST:-127.0.0.1}"
export RASA_PUBLIC_URL="${RASA_PUBLIC_URL:-http://localhost:${RASA_PORT}}"
# Where the web server reaches Rasa's HTTP API, server side (the sales console's transcripts).
case "$RASA_HOST" in 0.0.0.0|::|'') rasa_reach=127.0.0.1 ;; *:*) rasa_reach="[$RASA_HOST]" ;; *) rasa_reach="$RASA_HOST" ;; esac
export RASA_URL="${RASA_URL:-http://${rasa_reach}:${RASA_PORT}}"
# One lead database and delivery queue for the action server and the web server (sales console).
export LEADS_DB_PATH="${LEADS_DB_PATH:-$STATE_DIR/leads.db}"
export LEADS_OUTBOX_PATH="${LEADS_OUTBOX_PATH:-$STATE_DIR/leads_outbox.jsonl}"
export LEADS_DELIVERIES_PATH="${LEADS_DELIVERIES_PATH:-$STATE_DIR/leads_deliveries.jsonl}"
# The web page as visitors reach it; the advice's brief links (/brief/<token>) point there.
export WEB_PUBLIC_URL="${WEB_PUBLIC_URL:-http://localhost:${WEB_PORT}}"
export CORS_ORIGINS="${CORS_ORIGINS:-http://localhost:${WEB_PORT} http://127.0.0.1:${WEB_PORT}}"
# Conversations and leads: the owner's only (files in it are 0600). The project's own var/ is
# made private on every run; a folder the operator chose is made private only when created here,
# never changed if it already exists (it may be shared, or a system folder).
if [[ ! -d "$STATE_DIR" ]]; then
  mkdir -p "$STATE_DIR"
  chmod 700 "$STATE_DIR"
elif [[ "$STATE_DIR" -ef "$PROJECT_ROOT/var" ]]; then
  chmod 700 "$STATE_DIR"
fi
