#!/usr/bin/env bash
# Chat with the assistant in this terminal (`make shell`): starts the action server, then rasa shell.
# The action-server secret (bot/tokens.py: FAMILY_HELP_ACTION_SECRET or build/action_secret) reaches
# both through the environment only, never a command line.
set -euo pipefail
cd "$(dirname "$0")/.."
umask 077
VENV=${VENV:-.venv}
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
setting() { "$VENV/bin/python" -c 'import sys, settings; print(settings.get(sys.argv[1]))' "$1"; }
ACTION_PORT=$(setting ACTION_PORT)
LOG_DIR=$(setting FAMILY_HELP_LOG_DIR)
mkdir -p "$LOG_DIR"
export FAMILY_HELP_TRACKER_DB; FAMILY_HELP_TRACKER_DB=$(setting FAMILY_HELP_TRACKER_DB)
export FAMILY_HELP_ACTION_URL=${FAMILY_HELP_ACTION_URL:-http://127.0.0.1:$ACTION_PORT/webhook}
export FAMILY_HELP_ACTION_SECRET
FAMILY_HELP_ACTION_SECRET=$("$VENV/bin/python" -c \
  'import sys; from bot import tokens; print(tokens.resolve(tokens.ACTION_SECRET, say=lambda m: print(m, file=sys.stderr)))')
"$VENV/bin/python" -m bot.actions_server --port "$ACTION_PORT" >"$LOG_DIR/actions-shell.log" 2>&1 &
apid=$!
trap 'kill $apid 2>/dev/null || true' EXIT INT TERM
"$VENV/bin/rasa" shell --model models --endpoints bot/endpoints.yml
