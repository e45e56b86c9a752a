"""Checking chat requests before Rasa sees them (bot/intake.py)."""
from __future__ import annotations

import json

import pytest

from bot import intake
from bot.intake import BadRequest, parse_chat, parse_delete


def body(obj) -> bytes:
    return json.dumps(obj).encode()


def test_a_normal_request_is_read():
    chat = parse_chat(body({"sender": "3f2c-ab", "message": " hi ", "metadata": {"council": "bolton"}}), 2000)
    assert (chat.sender, chat.text, chat.metadata) == ("3f2c-ab", "hi", {"council": "bolton"})
    assert chat.council == "bolton"
    assert parse_chat(body({"sender": "a", "message": "hi", "metadata": {"council": 7}}), 2000).council is None


@pytest.mark.parametrize("raw, says", [
    (b"", "empty"),
    (b"[1, 2]", "JSON object"),
    (b"not json", "not valid JSON"),
    (b"\xff\xfe", "not valid JSON"),
    (body({"message": "hi"}), "sender"),                       # no sender: never a shared 'default'
    (body({"sender": "", "message": "hi"}), "sender"),
    (body({"sender": "x\udc00", "message": "hi"}), "sender"),  # the lone surrogate that stopped Rasa
    (body({"sender": "a" * 65, "message": "hi"}), "sender"),
    (body({"sender": "../x", "message": "hi"}), "sender"),
    (body({"sender": ["a"], "message": "hi"}), "sender"),
    (body({"sender": "a", "message": 5}), "text"),
    (body({"sender": "a", "message": {"x": 1}}), "text"),
    (body({"sender": "a", "message": "   "}), "empty"),
    (body({"sender": "a", "message": "\x00\x00"}), "empty"),
    (body({"sender": "a", "message": "hi \udc00"}), "cannot be read"),
    (body({"sender": "a", "message": "x" * 2001}), "too long"),
    (body({"sender": "a", "message": "hi", "metadata": [1]}), "metadata"),
    (body({"sender": "a", "message": "hi", "metadata": {"k": "v" * 2000}}), "too big"),
    (b"{" + b" " * (intake.MAX_BODY_BYTES + 1) + b"}", "too big"),
])
def test_bad_requests_get_a_clear_reason(raw, says):
    with pytest.raises(BadRequest) as problem:
        parse_chat(raw, 2000)
    assert says.lower() in str(problem.value).lower()


def test_the_limit_is_the_setting_and_exactly_the_limit_is_fine():
    assert parse_chat(body({"sender": "a", "message": "é" * 2000}), 2000).text == "é" * 2000
    with pytest.raises(BadRequest, match="under 10 characters"):
        parse_chat(body({"sender": "a", "message": "x" * 11}), 10)


def test_control_characters_become_spaces_and_rtl_text_is_kept():
    assert parse_chat(body({"sender": "a", "message": "hi\x00there\x1b"}), 2000).text == "hi there"
    arabic = "\u202eمساعدة"
    assert parse_chat(body({"sender": "a", "message": arabic}), 2000).text == arabic


def test_delete_needs_a_valid_sender():
    assert parse_delete(body({"sender": "abc-123"})) == "abc-123"
    with pytest.raises(BadRequest):
        parse_delete(body({"sender": "a b"}))


def test_slash_text_that_is_not_an_intent_is_sent_as_words():
    intents = {"affirm", "inform_council"}
    assert intake.as_intent_or_text("/affirm", intents) == "/affirm"
    assert intake.as_intent_or_text('/inform_council{"council": "bolton"}', intents).startswith("/inform_council")
    assert intake.as_intent_or_text("/help me he hits me", intents) == "help me he hits me"
    assert intake.as_intent_or_text("/", intents) == "?"
    assert intake.as_intent_or_text("hello", intents) == "hello"


def test_client_key_is_opaque_and_stable():
    key = intake.client_key("203.0.113.9", b"secret")
    assert key == intake.client_key("203.0.113.9", b"secret") != intake.client_key("203.0.113.10", b"secret")
    assert "203" not in key and len(key) == 16


def test_client_address_trusts_only_a_local_proxy():
    assert intake.client_address("203.0.113.9", None) == "203.0.113.9"
    assert intake.client_address("203.0.113.9", "1.2.3.4") == "203.0.113.9"  # not from our proxy: ignored
    assert intake.client_address("127.0.0.1", "1.2.3.4, 198.51.100.7") == "198.51.100.7"
    assert intake.client_address("127.0.0.1", None) is None  # this machine itself
    assert intake.client_address("::1", "") is None


def test_a_proxy_in_another_container_is_trusted_only_when_named(monkeypatch):
    assert intake.client_address("172.30.55.10", "198.51.100.7", proxies=()) == "172.30.55.10"
    assert intake.client_address("172.30.55.10", "1.2.3.4, 198.51.100.7", proxies=("172.30.55.10",)) == \
        "198.51.100.7"
    assert intake.client_address("172.30.55.10", None, proxies=("172.30.55.10",)) is None  # its own checks
    assert intake.client_address("203.0.113.9", "1.2.3.4", proxies=("172.30.55.10",)) == "203.0.113.9"
    monkeypatch.setenv("FAMILY_HELP_TRUSTED_PROXIES", "172.30.55.10 172.30.55.11")
    assert intake.client_address("172.30.55.11", "198.51.100.8") == "198.51.100.8"  # from the setting


@pytest.mark.parametrize("raw", [
    b"[" * 20000 + b"]" * 20000,  # deep nesting: RecursionError inside json, not a 500
    body({"sender": "a", "message": "hi", "metadata": {"council": {"nested": ["x"]}}}),
])
def test_deep_or_nested_json_is_refused_cleanly(raw):
    with pytest.raises(BadRequest):
        parse_chat(raw, 2000)
