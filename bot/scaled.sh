#!/usr/bin/env bash
# `make run-scaled`: several Rasa servers (SCALE_REPLICAS, default 2) on a shared PostgreSQL and a Redis
# lock store, behind nginx on RASA_PORT (5005), with the action server and the web server; all on this
# machine, all under build/scaled/ (bot/scaled.py). Installs Debian's postgresql, redis-server and
# nginx first when missing (bot/install_scaled.sh). Ctrl-C or SIGTERM stops them all.
set -euo pipefail
cd "$(dirname "$0")/.."
bot/install_scaled.sh
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
exec "${VENV:-.venv}/bin/python" -m bot.scaled "$@"
