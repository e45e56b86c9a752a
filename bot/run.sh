#!/usr/bin/env bash
# Start the servers and keep them running: the action server (127.0.0.1:5055), the Rasa server
# (localhost:5005, REST channel and a token-protected HTTP API) and the web server (localhost:8080:
# demo page with the chat widget, /app, /cro). Used by `make run` and the end-to-end tests.
# Each server is supervised on its own by bot/supervisor.py (restarted when it exits or stops
# answering, logs in build/logs/, retention on a schedule, secrets never on a command line);
# Ctrl-C or SIGTERM stops them all. Settings: settings.py (`python -m settings`), for example
# FAMILY_HELP_SERVICES picks which servers to start (default "actions rasa web").
set -euo pipefail
cd "$(dirname "$0")/.."
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
exec "${VENV:-.venv}/bin/python" -m bot.supervisor "$@"
