#!/usr/bin/env bash
# Debian's PostgreSQL, Redis and nginx for `make run-scaled` (bot/scaled.py runs private instances of
# them under build/scaled/; the system-wide services are neither configured nor started by us).
# Installs with apt-get what is missing; says what to do if it can't.
set -euo pipefail
missing=()
compgen -G "/usr/lib/postgresql/*/bin/postgres" >/dev/null || missing+=(postgresql)
command -v redis-server >/dev/null || missing+=(redis-server)
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing+=(nginx)
command -v setpriv >/dev/null || missing+=(util-linux)
if [ ${#missing[@]} -eq 0 ]; then exit 0; fi
if [ "$(id -u)" -ne 0 ] && ! command -v sudo >/dev/null; then
  echo "Missing: ${missing[*]}. Install Debian's packages: apt-get install ${missing[*]}" >&2; exit 1
fi
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
echo "Installing Debian's ${missing[*]} for make run-scaled..."
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
compgen -G "/usr/lib/postgresql/*/bin/postgres" >/dev/null && command -v redis-server >/dev/null \
  && { command -v nginx >/dev/null || [ -x /usr/sbin/nginx ]; } \
  || { echo "PostgreSQL, Redis or nginx did not install" >&2; exit 1; }
