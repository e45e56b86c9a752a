"""No message text in logs (bot/logs.py)."""
from __future__ import annotations

import io
import logging
import warnings

import pytest

from bot import logs

MARKER = "Zebra-Marker-7781 he hurts me"


@pytest.fixture
def captured():
    logs.install()
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    old = root.level
    root.setLevel(logging.DEBUG)
    try:
        yield stream
    finally:
        root.removeHandler(handler)
        root.setLevel(old)


def test_text_being_handled_never_reaches_a_log(captured):
    with logs.hiding(MARKER):
        logging.getLogger("rasa.core.processor").info("Received user message %s with intent", MARKER)
        logging.getLogger("x").warning(f"parsing {MARKER[:30]}")  # a part, quoted differently
    out = captured.getvalue()
    assert "Zebra-Marker-7781" not in out
    assert "Received user message" in out  # what happened is still logged


def test_quoted_values_and_long_messages_are_cut(captured):
    logging.getLogger("rasa").warning("Failed to parse intent from '/Zebra-Marker-7781{\"x\": 1}'")
    logging.getLogger("rasa").warning("x" * 5000)
    out = captured.getvalue()
    assert "Zebra-Marker" not in out
    assert max(len(line) for line in out.splitlines()) < logs.MAX_CHARS + 120


def test_quoted_action_names_are_kept(captured):
    logging.getLogger("rasa_sdk").info("Received request to run 'action_answer_topic' for 'I am scared'")
    out = captured.getvalue()
    assert "'action_answer_topic'" in out and "scared" not in out


def test_tracebacks_keep_the_place_not_the_message_or_locals(captured):
    def fails(secret_local):
        raise ValueError(f"bad value {secret_local}")

    try:
        fails("Zebra-Marker-7781")
    except ValueError:
        logging.getLogger("rasa.core.processor").exception("Encountered an exception")
    out = captured.getvalue()
    assert "Zebra-Marker" not in out
    assert "ValueError" in out and "in fails" in out


def test_warnings_go_through_the_same_filter(captured):
    with warnings.catch_warnings():
        warnings.simplefilter("always")
        logging.captureWarnings(False)  # pytest replaces showwarning for each test: capture again,
        logging.captureWarnings(True)   # as install() does once in a server
        warnings.warn(f"Parsing of message '{MARKER}' failed", UserWarning, stacklevel=1)
    out = captured.getvalue()
    assert "UserWarning" in out and "Parsing of message" in out
    assert "Zebra-Marker" not in out


def test_structlog_keeps_only_allow_listed_fields(capsys, captured):
    import structlog

    logs.configure_structlog(logging.INFO)
    log = structlog.get_logger()
    log.error("rest.message.received.failure", text=MARKER, action_name="action_answer_topic",
              tracker_latest_message={"text": MARKER})
    try:
        raise RuntimeError(MARKER)
    except RuntimeError:
        log.exception("processor.failed", user_text=MARKER)
    out = captured.getvalue() + capsys.readouterr().out
    assert "Zebra-Marker" not in out
    assert "rest.message.received.failure" in out and "action_answer_topic" in out and "RuntimeError" in out


def test_an_apostrophe_does_not_hide_the_action_name(captured):
    logging.getLogger("rasa").error("Failed to run custom action 'action_session_start'. Couldn't connect to "
                                    "'http://127.0.0.1:5055/webhook'. Is the server running?")
    out = captured.getvalue()
    assert "'action_session_start'" in out and "Couldn't connect" in out
