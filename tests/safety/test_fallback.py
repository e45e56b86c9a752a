"""The reply when a turn fails: never nothing, always the numbers (safety/fallback.py)."""
from __future__ import annotations

import pytest

from safety import kinds
from safety.fallback import LAST_RESORT, fallback_messages


@pytest.fixture
def responses(domain):
    return domain["responses"]


def texts(messages):
    return " ".join(m.get("text", "") for m in messages)


@pytest.mark.parametrize("council", ["coventry", "hampshire", "bolton"])
def test_any_failure_gets_999_childline_and_the_councils_numbers(responses, kb, council):
    messages = fallback_messages(responses, lambda: kb, council, intent="assessment_length")
    said = texts(messages)
    assert "999" in said and "0800 1111" in said
    general = kb.general_contact(council)
    assert (general.phone or general.web) in said
    assert kb.council(council).name in said
    assert messages[-1] == {"custom": {"type": "service_trouble"}}


@pytest.mark.parametrize("kind", kinds.KINDS)
@pytest.mark.parametrize("speaker", ["young_person", "parent", "professional"])
def test_a_safety_message_gets_its_safety_response(responses, kb, kind, speaker):
    judgement = {"kind": kind, "speaker": speaker, "secret": False}
    messages = fallback_messages(responses, lambda: kb, "coventry", kinds.INTENT, judgement)
    assert messages[-1]["custom"] == {"type": "safety_response", "kind": kind, "speaker": speaker, "fallback": True}
    said = texts(messages)
    first = responses[kinds.plan(kind, speaker)[0]][0]["text"].split("{")[0]
    assert said.startswith(first)
    assert "999" in said and "{" not in said


def test_unknown_council_gets_the_default_councils_numbers(responses, kb):
    said = texts(fallback_messages(responses, lambda: kb, "atlantis", None))
    assert kb.council(kb.default_council).name in said


def test_without_the_knowledge_base_the_national_numbers_still_go_out(responses):
    def broken():
        raise OSError("no knowledge base")

    messages = fallback_messages(responses, broken, "bolton", kinds.INTENT, {"kind": "danger_now"})
    assert messages[0]["text"] == LAST_RESORT and "999" in LAST_RESORT and "0800 1111" in LAST_RESORT


def test_without_the_wording_the_numbers_still_go_out(kb):
    said = texts(fallback_messages({}, lambda: kb, "coventry", None))
    assert "999" in said and "0800 1111" in said
