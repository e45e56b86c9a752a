"""Logs without message text, for the Rasa server and the action server.

What a person types can be a disclosure, so it must never reach a log. Rasa logs it in several
places of its own (an oversized or unreadable message, a '/'-prefixed message that is not an
intent, a failed turn with ``text=...``, exception tracebacks with their local variables). So,
instead of hunting each one:

- ``install()`` puts a record factory in front of every stdlib logger: each record's message is
  formatted, any text of a message being handled right now (``hiding(text)``) is replaced, quoted
  strings are replaced, and it is cut to MAX_CHARS. A traceback keeps only the exception's type and
  where it happened (files, lines, functions): no exception message, no local variables.
- Python warnings go through the same path (``logging.captureWarnings``).
- ``configure_structlog`` replaces Rasa's structlog set-up: only allow-listed keys keep their
  values (action names, intents, confidences, ...); everything else is dropped.
"""
from __future__ import annotations

import logging
import re
import sys
import threading
import traceback
from contextlib import contextmanager
from typing import Any, Dict, Iterator, Optional, Set

MAX_CHARS = 400
REDACTED = "[…]"
# Quoted snake_case names (action_answer_topic, utter_greet, nlu_fallback) say what ran, not what was said.
_IDENTIFIER = re.compile(r"^[a-z]+(_[a-z0-9]+)+$")
# A quote opens after a non-word character and closes before one (so "couldn't" is not a quote).
_QUOTED = re.compile(r"(?<!\w)'[^'\n]+'(?!\w)|(?<!\w)\"[^\"\n]+\"(?!\w)|“[^”\n]+”")
# structlog keys whose values say what happened, never what was said.
SAFE_KEYS = frozenset({"event", "event_key", "log_level", "level", "timestamp", "action_name", "action",
                       "intent", "intent_name", "confidence", "policy", "policy_name", "prediction",
                       "slot_name", "status", "model", "model_id", "url", "path", "method", "code",
                       "duration", "elapsed", "count", "num_events", "version", "component"})

_SCALARS = (str, int, float, bool)
_in_flight: Set[str] = set()
_lock = threading.Lock()
_installed = False


@contextmanager
def hiding(text: Optional[str]) -> Iterator[None]:
    """While handling `text`, any log record that contains it has it replaced."""
    if not text:
        yield
        return
    with _lock:
        _in_flight.add(text)
    try:
        yield
    finally:
        with _lock:
            _in_flight.discard(text)


def redact(message: str) -> str:
    """A log message with in-flight texts and quoted strings replaced, cut to MAX_CHARS."""
    with _lock:
        texts = sorted(_in_flight, key=len, reverse=True)
    for text in texts:
        if text in message:
            message = message.replace(text, REDACTED)
    message = _QUOTED.sub(lambda m: m.group(0) if _IDENTIFIER.match(m.group(0)[1:-1]) else REDACTED, message)
    if len(message) > MAX_CHARS:
        message = message[:MAX_CHARS] + f" … ({len(message) - MAX_CHARS} more characters dropped)"
    return message


def traceback_without_data(exc_info: Any) -> str:
    """'TypeName' and the frames (file, line, function): no message, no locals."""
    _type, value, tb = exc_info
    lines = ["Traceback (exception messages and values are not logged):"]
    seen = 0
    while value is not None and seen < 5:
        frames = traceback.extract_tb(value.__traceback__ if value is not None else tb)
        lines += [f'  File "{f.filename}", line {f.lineno}, in {f.name}' for f in frames[-12:]]
        lines.append(f"{type(value).__module__}.{type(value).__qualname__}")
        value = value.__cause__ or value.__context__
        seen += 1
    return "\n".join(lines)


def _sanitise(record: logging.LogRecord) -> logging.LogRecord:
    try:
        message = record.getMessage()
    except Exception:  # noqa: BLE001 - a record that cannot be formatted says nothing
        message = str(record.msg)
    record.msg, record.args = redact(message), ()
    if record.exc_info:
        record.exc_text = traceback_without_data(record.exc_info) if record.exc_info[0] else None
        record.exc_info = None
    return record


def install() -> None:
    """Sanitise every log record made in this process from now on (idempotent)."""
    global _installed
    if _installed:
        return
    previous = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        return _sanitise(previous(*args, **kwargs))

    logging.setLogRecordFactory(factory)
    logging.captureWarnings(True)
    _installed = True


def _allow_listed(_logger: Any, _name: str, event_dict: Dict[str, Any]) -> Dict[str, Any]:
    exc = event_dict.pop("exc_info", None)
    kept = {k: v for k, v in event_dict.items()
            if k in SAFE_KEYS and (v is None or isinstance(v, _SCALARS))}
    dropped = len(event_dict) - len(kept)
    if dropped:
        kept["withheld_fields"] = dropped
    if exc:
        info = sys.exc_info() if exc is True else (type(exc), exc, exc.__traceback__) \
            if isinstance(exc, BaseException) else exc
        if info and info[0]:
            kept["exception"] = traceback_without_data(info)
    return kept


def _render(_logger: Any, _name: str, event_dict: Dict[str, Any]) -> str:
    event = event_dict.pop("event", "")
    level = event_dict.pop("log_level", "")
    exception = event_dict.pop("exception", None)
    parts = [str(level).upper(), str(event)] + [f"{k}={v}" for k, v in event_dict.items()]
    return " ".join(p for p in parts if p) + (f"\n{exception}" if exception else "")


def configure_structlog(log_level: Optional[int] = None) -> None:
    """Rasa's structlog, with only allow-listed fields (replaces rasa.utils.log_utils.configure_structlog)."""
    import os

    import structlog

    if log_level is None:
        log_level = logging.getLevelName(os.environ.get("LOG_LEVEL", "INFO"))
        if not isinstance(log_level, int):
            log_level = logging.INFO
    logging.basicConfig(format="%(message)s", stream=sys.stdout, level=log_level)  # as Rasa's own does
    structlog.configure(
        processors=[structlog.processors.add_log_level, _allow_listed, _render],
        context_class=dict,
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.make_filtering_bound_logger(log_level),
        cache_logger_on_first_use=True,
    )
