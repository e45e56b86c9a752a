#!/usr/bin/env bash
# Start the action server (localhost:5055), the Rasa server (localhost:5005, REST channel and a
# token-protected HTTP API) and the web server (localhost:8080: demo page with the chat widget,
# /app, /cro). Ctrl-C stops them all. Used by `make run`.
# FAMILY_HELP_SERVICES picks which to start (default "actions rasa web"; the browser tests
# start Rasa on its own so that they can stop it).
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
ACTION_PORT=${ACTION_PORT:-5055}
RASA_PORT=${RASA_PORT:-5005}
WEB_PORT=${WEB_PORT:-8080}
SERVICES=${FAMILY_HELP_SERVICES:-actions rasa web}
export FAMILY_HELP_WEB_PORT=$WEB_PORT
export FAMILY_HELP_RASA_PUBLIC_URL=${FAMILY_HELP_RASA_PUBLIC_URL:-http://localhost:$RASA_PORT}
# The only origin(s) whose pages may call the Rasa server from a browser: the widget's.
read -r -a WIDGET_ORIGINS <<< "${FAMILY_HELP_WIDGET_ORIGINS:-http://localhost:$WEB_PORT}"
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

case " $SERVICES " in *" actions "*)
  "$VENV/bin/python" -m bot.actions_server --port "$ACTION_PORT" &
  pids+=($!) ;; esac
case " $SERVICES " in *" rasa "*)
  "$VENV/bin/python" -m bot.rasa_server run --model models --port "$RASA_PORT" --interface 127.0.0.1 \
    --enable-api --auth-token "$FAMILY_HELP_API_TOKEN" --cors "${WIDGET_ORIGINS[@]}" \
    --credentials bot/credentials.yml --endpoints bot/endpoints.yml &
  pids+=($!) ;; esac
case " $SERVICES " in *" web "*)
  "$VENV/bin/python" -m bot.web --port "$WEB_PORT" &
  pids+=($!) ;; esac
echo "Starting ($SERVICES): chat page http://localhost:$WEB_PORT/ (app: /app), Rasa http://localhost:$RASA_PORT" \
  "(REST: POST /webhooks/rest/webhook), actions :$ACTION_PORT. Ctrl-C stops them."
wait -n "${pids[@]}"
