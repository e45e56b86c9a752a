#!/usr/bin/env bash
# Start the action server (localhost:5055) and the Rasa server (localhost:5005, REST channel
# and a token-protected HTTP API). Ctrl-C stops both. Used by `make run`.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
ACTION_PORT=${ACTION_PORT:-5055}
RASA_PORT=${RASA_PORT:-5005}
export FAMILY_HELP_TRACKER_DB=${FAMILY_HELP_TRACKER_DB:-$PWD/build/conversations.db}
export FAMILY_HELP_ACTION_URL=${FAMILY_HELP_ACTION_URL:-http://localhost:$ACTION_PORT/webhook}

# The HTTP API token: from the environment, or made once and kept out of git in build/.
if [ -z "${FAMILY_HELP_API_TOKEN:-}" ]; then
  if [ ! -s build/api_token ]; then
    (umask 077; "$VENV/bin/python" -c 'import secrets; print(secrets.token_urlsafe(32))' > build/api_token)
  fi
  FAMILY_HELP_API_TOKEN=$(cat build/api_token)
fi

# Forget conversations older than the retention period before serving.
"$VENV/bin/python" -m bot.retention

pids=()
stop() { trap - INT TERM EXIT; kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; }
trap stop INT TERM EXIT

"$VENV/bin/python" -m bot.actions_server --port "$ACTION_PORT" &
pids+=($!)
"$VENV/bin/python" -m bot.rasa_server run --model models --port "$RASA_PORT" --interface 127.0.0.1 \
  --enable-api --auth-token "$FAMILY_HELP_API_TOKEN" \
  --credentials bot/credentials.yml --endpoints bot/endpoints.yml &
pids+=($!)
echo "Starting: Rasa on http://localhost:$RASA_PORT (REST: POST /webhooks/rest/webhook), actions on :$ACTION_PORT. Ctrl-C stops both."
wait -n "${pids[@]}"
