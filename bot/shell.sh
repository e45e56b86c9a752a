#!/usr/bin/env bash
# Chat with the assistant in this terminal (`make shell`): starts the action server, then rasa shell.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
export FAMILY_HELP_TRACKER_DB=${FAMILY_HELP_TRACKER_DB:-$PWD/build/conversations.db}
export FAMILY_HELP_ACTION_URL=${FAMILY_HELP_ACTION_URL:-http://localhost:${ACTION_PORT:-5055}/webhook}
"$VENV/bin/python" -m bot.actions_server --port "${ACTION_PORT:-5055}" >build/actions-shell.log 2>&1 &
apid=$!
trap 'kill $apid 2>/dev/null || true' EXIT INT TERM
"$VENV/bin/rasa" shell --model models --endpoints bot/endpoints.yml
