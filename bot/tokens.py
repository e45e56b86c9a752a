"""The two secrets the servers share: Rasa's HTTP API token and the action-server secret.

Each comes from its setting (FAMILY_HELP_API_TOKEN, FAMILY_HELP_ACTION_SECRET) or else from a
file in FAMILY_HELP_SECRETS_DIR (default: the build folder): `api_token`, `action_secret`,
readable by this user only (0600). A missing, empty, unreadable file, or one whose secret starts
with "-" (which a command line would read as an option), is replaced by a new secret that never
starts with "-", with a one-line message saying so. The supervisor hands them to the servers in
their environment only, never on a command line (which any local user can read with `ps`).
"""
from __future__ import annotations

import fcntl
import os
import secrets
import tempfile
from pathlib import Path
from typing import Callable, Optional

import settings

API_TOKEN = ("FAMILY_HELP_API_TOKEN", "api_token")
ACTION_SECRET = ("FAMILY_HELP_ACTION_SECRET", "action_secret")


class SecretError(ValueError):
    """A secret given in the environment cannot be used."""


def new_secret() -> str:
    """A random URL-safe secret (256 bits) that never starts with "-"."""
    while True:
        value = secrets.token_urlsafe(32)
        if not value.startswith("-"):
            return value


def secrets_dir() -> Path:
    return settings.get("FAMILY_HELP_SECRETS_DIR") or settings.get("FAMILY_HELP_BUILD")


def _problem(path: Path) -> tuple[Optional[str], Optional[str]]:
    """(the secret in the file, None) or (None, what is wrong with it)."""
    try:
        value = path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None, "missing"
    except (OSError, UnicodeDecodeError):
        return None, "unreadable"
    if not value:
        return None, "empty"
    if value.startswith("-"):
        return None, 'starting with "-" (a command line reads it as an option)'
    return value, None


def _write_private(path: Path, value: str) -> None:
    """Write atomically, readable by this user only."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")  # mkstemp creates 0600
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(value + "\n")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def read_or_make(path: Path, say: Callable[[str], None] = print) -> str:
    """The secret kept in `path`, made (or replaced when unusable) first. Safe when two launchers
    start at once: they agree on one secret."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    with open(path.parent / ".secrets.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        value, problem = _problem(path)
        if value is not None:
            if path.stat().st_mode & 0o077:
                path.chmod(0o600)
            return value
        value = new_secret()
        _write_private(path, value)
        if problem == "missing":
            say(f"made a new secret in {path} (readable by this user only)")
        else:
            say(f"replaced the secret in {path} with a new one: the old one was {problem}")
        return value


def resolve(which: tuple[str, str], say: Callable[[str], None] = print) -> str:
    """The secret from its setting when set (any characters), else from its file."""
    name, file_name = which
    value = settings.get(name)
    if value:
        return value
    return read_or_make(secrets_dir() / file_name, say)


def check_header_safe(name: str, value: str) -> None:
    """The action secret travels in an HTTP header and through endpoints.yml's ${...} expansion:
    visible ASCII only, and no "$"."""
    if not all(33 <= ord(c) <= 126 and c != "$" for c in value):
        raise SecretError(f"{name} may contain only visible ASCII characters other than $ "
                          "(no spaces): it is sent in an HTTP header")
