"""Every setting of the service, in one place: its name, default, kind and what it does.

    import settings
    settings.get("FAMILY_HELP_RETENTION_DAYS")   # -> 30 (an int), read from the environment now
    python -m settings                           # the table below, as Markdown (the README's table)
    python -m settings --check                   # validate the current environment; exit 1 on a problem

Values are read when asked for (never at import time), so a test or a launcher can change the
environment first. A bad value raises ``SettingError`` naming the setting and what it must be.
Defaults that are paths are absolute, under the project folder. The README's settings table is
generated from this registry (a test checks that they match).
"""
from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Dict, Mapping, Optional

ROOT = Path(__file__).resolve().parent


class SettingError(ValueError):
    """A setting has a value it cannot have."""


@dataclass(frozen=True)
class Setting:
    name: str
    kind: str  # int, port, path, url, text, secret, flag, words
    default: Optional[str]  # as it would be written in the environment; None: no default
    doc: str
    minimum: int = 1

    def parse(self, raw: Optional[str]) -> Any:
        text = (raw or "").strip() if self.kind != "secret" else (raw or "")
        if not text:
            text = self.default if self.default is not None else ""
        return _PARSERS[self.kind](self, text)


def _int(s: Setting, text: str) -> Optional[int]:
    if text == "":
        return None
    try:
        value = int(text)
    except ValueError:
        raise SettingError(f"{s.name} must be a whole number, not {text!r}") from None
    if value < s.minimum:
        raise SettingError(f"{s.name} must be at least {s.minimum}, not {value}")
    return value


def _port(s: Setting, text: str) -> int:
    value = _int(s, text)
    if value is None or not 1 <= value <= 65535:
        raise SettingError(f"{s.name} must be a port number from 1 to 65535, not {text!r}")
    return value


def _path(s: Setting, text: str) -> Optional[Path]:
    if text == "":
        return None
    path = Path(text.replace("{root}", str(ROOT))).expanduser()
    return path if path.is_absolute() else (Path.cwd() / path).resolve()


def _url(s: Setting, text: str) -> Optional[str]:
    if text == "":
        return None
    if not text.startswith(("http://", "https://")):
        raise SettingError(f"{s.name} must start with http:// or https://, not {text!r}")
    return text.rstrip("/")


def _flag(s: Setting, text: str) -> bool:
    if text.lower() in ("1", "true", "yes", "on"):
        return True
    if text.lower() in ("", "0", "false", "no", "off"):
        return False
    raise SettingError(f"{s.name} must be 1 or 0, not {text!r}")


def _words(s: Setting, text: str) -> tuple[str, ...]:
    return tuple(text.split())


def _hours(s: Setting, text: str) -> str:
    if not re.fullmatch(r"\s*(mon|tue|wed|thu|fri|sat|sun)\w*\s*-\s*(mon|tue|wed|thu|fri|sat|sun)\w*\s+"
                        r"\d{1,2}:\d{2}\s*-\s*\d{1,2}:\d{2}\s*", text, re.I):
        raise SettingError(f"{s.name} must look like 'Mon-Fri 09:00-17:00', not {text!r}")
    return text


_PARSERS: Dict[str, Callable[[Setting, str], Any]] = {
    "hours": _hours, "int": _int, "port": _port, "path": _path, "url": _url, "flag": _flag, "words": _words,
    "text": lambda s, t: t or None, "secret": lambda s, t: t or None,
}

_ALL = (
    # --- where things are -------------------------------------------------------------------
    Setting("FAMILY_HELP_CONTENT", "path", "{root}/knowledge", "The knowledge sources (YAML per council)."),
    Setting("FAMILY_HELP_BUILD", "path", "{root}/build", "Built artefacts: knowledge base, spaCy pipeline, logs."),
    Setting("FAMILY_HELP_KB", "path", "", "The built knowledge base (default: knowledge.db in FAMILY_HELP_BUILD)."),
    Setting("FAMILY_HELP_TRACKER_DB", "path", "{root}/build/conversations.db",
            "Conversations (Rasa's SQL tracker store, SQLite). Created readable by this user only."),
    Setting("FAMILY_HELP_TRIAGE_DB", "path", "{root}/build/triage.db",
            "The Children's Rights Officers' triage queue and CRO accounts (SQLite, this user only)."),
    Setting("FAMILY_HELP_LOG_DIR", "path", "{root}/build/logs",
            "One log file per server, rotated (never holds message text)."),
    Setting("FAMILY_HELP_LOG_MAX_BYTES", "int", "5000000", "A log file is rotated at this size; 5 old files are kept."),
    Setting("FAMILY_HELP_SECRETS_DIR", "path", "",
            "Where the made api_token and action_secret files are kept, 0600 (default: FAMILY_HELP_BUILD)."),
    # --- the servers ------------------------------------------------------------------------
    Setting("RASA_PORT", "port", "5005", "The Rasa server (REST channel and token-protected HTTP API)."),
    Setting("ACTION_PORT", "port", "5055", "The action server (localhost only, needs FAMILY_HELP_ACTION_SECRET)."),
    Setting("WEB_PORT", "port", "8080", "The web server: council page with the widget, /app, /staying-safe, /cro."),
    Setting("FAMILY_HELP_SERVICES", "words", "actions rasa web",
            "Which servers `make run` starts and supervises (the tests start some on their own)."),
    Setting("FAMILY_HELP_ACTION_URL", "url", "",
            "Where Rasa calls the action server (default http://127.0.0.1:ACTION_PORT/webhook)."),
    Setting("FAMILY_HELP_RASA_PUBLIC_URL", "url", "",
            "The Rasa server as a browser reaches it (default http://localhost:RASA_PORT)."),
    Setting("FAMILY_HELP_WIDGET_ORIGINS", "words", "",
            "Origins whose pages may call the chat from a browser, space-separated "
            "(default http://localhost:WEB_PORT)."),
    Setting("FAMILY_HELP_API_TOKEN", "secret", None,
            "Token for Rasa's HTTP API; any characters. Default: made once, kept in build/api_token (0600)."),
    Setting("FAMILY_HELP_ACTION_SECRET", "secret", None,
            "Shared secret Rasa sends to the action server. Default: made once, kept in build/action_secret (0600)."),
    Setting("FAMILY_HELP_EXIT_URL", "url", "https://www.bbc.co.uk/weather", "Where \"Exit this page\" goes."),
    Setting("FAMILY_HELP_SECURE_COOKIES", "flag", "0",
            "1 behind HTTPS: the CRO session cookie is Secure and HSTS is sent."),
    Setting("FAMILY_HELP_TRUSTED_PROXIES", "words", "",
            "Addresses of proxies on other machines or containers whose X-Forwarded-For names the client "
            "(rate limits, CRO sign-in throttling), space-separated; docker-compose.yml sets its nginx's. "
            "Default: none (only a proxy on this machine is trusted)."),
    Setting("FAMILY_HELP_METRICS_TOKEN", "secret", None,
            "Token Prometheus sends to scrape /metrics on the action server and the web server "
            "(`Authorization: Bearer <token>`; bot/metrics.py). Unset (the default): /metrics answers 404."),
    # --- limits -----------------------------------------------------------------------------
    Setting("FAMILY_HELP_MAX_MESSAGE_CHARS", "int", "2000", "Longest chat message accepted (the widget says so)."),
    Setting("FAMILY_HELP_CHAT_PER_MINUTE", "int", "30",
            "Chat messages one client may send a minute; over it they get the numbers and a wait message."),
    Setting("FAMILY_HELP_CRO_REQUESTS_PER_HOUR", "int", "3",
            "CRO requests one client (and one conversation) may send an hour."),
    Setting("FAMILY_HELP_ACTION_TIMEOUT_SECONDS", "int", "10",
            "How long Rasa waits for the action server before answering with the numbers."),
    Setting("FAMILY_HELP_OFFICE_HOURS", "hours", "Mon-Fri 09:00-17:00",
            "Which of a council's two numbers a safety reply gives first: the office number in these hours "
            "(UK time), the out-of-hours one outside them. Both are always given; the seed documents print "
            "no office hours, so this only orders them."),
    # --- keeping data -----------------------------------------------------------------------
    Setting("FAMILY_HELP_RETENTION_DAYS", "int", "30",
            "Conversations are deleted this many days after their last message."),
    Setting("FAMILY_HELP_TRIAGE_RETENTION_DAYS", "int", "90",
            "Closed CRO requests are deleted this many days after closing."),
    Setting("FAMILY_HELP_TRIAGE_OPEN_LIMIT_DAYS", "int", "180",
            "CRO requests never closed are deleted this many days after their last change."),
    Setting("FAMILY_HELP_RETENTION_EVERY_MINUTES", "int", "60",
            "How often the deletions above run while the service is up."),
    Setting("FAMILY_HELP_CRO_SESSION_MINUTES", "int", "30", "A CRO is signed out after this many idle minutes."),
    # --- several Rasa servers: PostgreSQL, Redis, nginx (`make run-scaled`, bot/scaled.py) ---------
    Setting("FAMILY_HELP_DB_HOST", "text", "",
            "PostgreSQL host for conversations and the triage queue. Empty (the default): the SQLite files "
            "above. `make run-scaled` sets 127.0.0.1 and runs its own PostgreSQL there."),
    Setting("FAMILY_HELP_DB_PORT", "port", "5432", "PostgreSQL's port (with FAMILY_HELP_DB_HOST)."),
    Setting("FAMILY_HELP_DB_NAME", "text", "family_help", "PostgreSQL database (with FAMILY_HELP_DB_HOST)."),
    Setting("FAMILY_HELP_DB_USER", "text", "family_help", "PostgreSQL role (with FAMILY_HELP_DB_HOST)."),
    Setting("FAMILY_HELP_DB_PASSWORD", "secret", None,
            "PostgreSQL role's password. `make run-scaled` makes one once and keeps it in "
            "build/scaled/db_password (0600); it reaches the servers only through their environment."),
    Setting("FAMILY_HELP_REDIS_HOST", "text", "127.0.0.1",
            "Redis for the lock store of several Rasa servers (bot/lock_store.py; bot/endpoints-scaled.yml)."),
    Setting("FAMILY_HELP_REDIS_PORT", "port", "6379", "Redis's port (`make run-scaled` runs its own there)."),
    Setting("FAMILY_HELP_REDIS_PASSWORD", "secret", None,
            "Redis's password. `make run-scaled` makes one once and keeps it in build/scaled/redis_password (0600)."),
    Setting("SCALE_REPLICAS", "int", "2",
            "How many Rasa servers `make run-scaled` starts (one Sanic worker each, on RASA_PORT+1, +2 ...), "
            "behind nginx on RASA_PORT."),
    Setting("SQL_POOL_SIZE", "int", "5",
            "Rasa's PostgreSQL connections kept open per Rasa server (Rasa's own name for it; Rasa alone "
            "defaults to 50). `make run-scaled` passes this value."),
    Setting("SQL_MAX_OVERFLOW", "int", "5",
            "Extra PostgreSQL connections a Rasa server may open over SQL_POOL_SIZE when busy (Rasa's own "
            "name; Rasa alone defaults to 100).", minimum=0),
    Setting("FAMILY_HELP_SHARED_STATE", "flag", "0",
            "1: the recent-safety-concern memory and the chat rate limit are kept in Redis "
            "(FAMILY_HELP_REDIS_*) so that every Rasa server shares them, with each server's memory as the "
            "fallback when Redis fails (bot/shared_state.py); `make run-scaled` sets 1. 0: each Rasa "
            "server's own memory (`make run`)."),
    Setting("FAMILY_HELP_SHARED_STATE_TIMEOUT_MS", "int", "250",
            "With FAMILY_HELP_SHARED_STATE=1: how long a Rasa server waits for Redis before its own memory "
            "answers (a message is never held back for Redis)."),
    Setting("FAMILY_HELP_RECENT_TURNS", "int", "5",
            "How many recent turns of a conversation Rasa reads from the conversation store for each message "
            "(bot/tracker_store.py), with the slots and what else earlier turns left (the council, who is "
            "speaking, a form in progress): a long chat answers as fast as a short one. 0: the whole session "
            "(Rasa's own way; each message then gets slower as the chat goes on).", minimum=0),
)
REGISTRY: Dict[str, Setting] = {s.name: s for s in _ALL}


def get(name: str, environ: Optional[Mapping[str, str]] = None) -> Any:
    """The setting's value from the environment (or ``environ``), parsed and checked."""
    setting = REGISTRY[name]  # KeyError: not a setting; add it above with its documentation
    env = os.environ if environ is None else environ
    return setting.parse(env.get(name))


def check(environ: Optional[Mapping[str, str]] = None) -> list[str]:
    """Every problem with the settings in the environment (empty when all are good)."""
    problems = []
    for name in REGISTRY:
        try:
            get(name, environ)
        except SettingError as e:
            problems.append(str(e))
    return problems


def markdown_table() -> str:
    rows = ["| Setting | Default | What it does |", "|---|---|---|"]
    for s in _ALL:
        default = "" if s.default in (None, "") else f"`{s.default.replace('{root}/', '')}`"
        rows.append(f"| `{s.name}` | {default} | {s.doc} |")
    return "\n".join(rows)


def main(argv: Optional[list[str]] = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args[:1] == ["--check"]:
        problems = check()
        for p in problems:
            print(p, file=sys.stderr)
        return 1 if problems else 0
    print(markdown_table())
    return 0


if __name__ == "__main__":
    sys.exit(main())
