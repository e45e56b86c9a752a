#!/usr/bin/env bash
# Print the path of a Python 3.10 interpreter (Rasa 3.6 needs 3.10: it does not run on 3.11+).
# Looks on PATH, then in pyenv's versions, then in the usual system places.
set -u
is310() { "$1" -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 10) else 1)' >/dev/null 2>&1; }
for cand in "${PYTHON310:-}" python3.10; do
  [ -n "$cand" ] || continue
  path=$(command -v "$cand" 2>/dev/null) || continue
  if is310 "$path"; then echo "$path"; exit 0; fi
done
for cand in "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.10*/bin/python3.10 /root/.pyenv/versions/3.10*/bin/python3.10 \
            /usr/local/bin/python3.10 /usr/bin/python3.10; do
  if [ -x "$cand" ] && is310 "$cand"; then echo "$cand"; exit 0; fi
done
echo "Python 3.10 not found: install it (for example 'pyenv install 3.10'), or set PYTHON310=/path/to/python3.10" >&2
exit 1
