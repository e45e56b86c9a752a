"""The CRO form's answers are read as answers (triage.nlu.FormAnswers), and the safety layer that
runs after it still wins for a crisis message. The classifier's guess is given by hand here, as
the real one gave it (an email address was 'stop', the button's words were an unsure self-harm)."""
from __future__ import annotations

import pytest
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from safety.component import SafetyLayer
from triage import form
from triage.nlu import FormAnswers


@pytest.fixture(scope="module")
def pipeline(safety_judge):
    answers, safety = FormAnswers(0.45), SafetyLayer({}, judge=safety_judge)

    def run(text: str, guess: str, confidence: float = 0.9, second: str = "out_of_scope") -> Message:
        ranking = [{"name": guess, "confidence": confidence}, {"name": second, "confidence": 1 - confidence}]
        if guess == "nlu_fallback":
            ranking = [{"name": "nlu_fallback", "confidence": 0.45}, {"name": second, "confidence": 0.4}]
        message = Message(data={TEXT: text, INTENT: dict(ranking[0]), INTENT_RANKING_KEY: ranking, ENTITIES: []})
        return safety.process(answers.process([message]))[0]

    return run


def intent(message: Message) -> str:
    return message.get(INTENT)["name"]


@pytest.mark.parametrize("text", ["jo@example.org", " Jo.Bloggs+cro@school.sch.uk ", "07700 900123",
                                  "+44 7700 900123", "(01204) 332010", "07700-900-123."])
def test_an_email_or_phone_number_alone_is_an_answer_whatever_the_classifier_said(pipeline, text):
    message = pipeline(text, "stop", 0.97)
    assert intent(message) == "cro_answer" and message.get(INTENT)["confidence"] == 1.0
    assert message.get(INTENT_RANKING_KEY)[0]["name"] == "cro_answer"
    assert message.get(ENTITIES) == []  # the text itself is the answer


@pytest.mark.parametrize("text, method", [("I will ring them myself", "they_will_ring"),
                                          ("i will ring them myself!", "they_will_ring"),
                                          ("Through my carer or social worker", "carer_or_social_worker")])
def test_the_words_of_a_button_typed_are_an_answer_not_a_crisis(pipeline, text, method):
    message = pipeline(text, "nlu_fallback", second="safety")  # unsure, best guess a crisis
    assert intent(message) == "cro_answer"
    assert [(e["entity"], e["value"]) for e in message.get(ENTITIES)] == [("cro_contact_method", method)]


@pytest.mark.parametrize("text, guess, kind", [
    ("he hits me", "out_of_scope", "physical_abuse"),
    ("I want to kill myself", "cro_answer", "self_harm"),  # even if the classifier guessed an answer
    ("i.want.to.die@example.org", "cro_answer", "self_harm"),  # a crisis pattern wins over an answer
    ("07700 900123 he hits me", "cro_answer", "physical_abuse"),
])
def test_a_crisis_message_during_the_form_still_gets_the_safety_intent(pipeline, text, guess, kind):
    message = pipeline(text, guess)
    assert intent(message) == "safety" and message.get("safety")["kind"] == kind


@pytest.mark.parametrize("text, guess, confidence, second, expected", [
    ("my email is jo at example dot org", "cro_answer", 0.7, "out_of_scope", "nlu_fallback"),  # next guess unsure
    ("can you give me the number for the mash", "cro_answer", 0.4, "ask_contact", "ask_contact"),  # next is sure
    ("0800 1111", "cro_answer", 0.7, "out_of_scope", "nlu_fallback"),  # too short for a number to be rung on
    ("how do i complain", "complaints", 0.9, "out_of_scope", "complaints"),  # other messages are left alone
])
def test_the_answer_intent_only_ever_means_an_answer(pipeline, text, guess, confidence, second, expected):
    message = pipeline(text, guess, confidence=confidence, second=second)
    assert intent(message) == expected
    assert [r["name"] for r in message.get(INTENT_RANKING_KEY)].count("cro_answer") == 0


def test_button_payloads_are_left_to_rasa(pipeline):
    payload = '/cro_answer{"cro_contact_method": "they_will_ring"}'
    message = pipeline(payload, "out_of_scope")
    assert intent(message) == "out_of_scope"  # untouched here; Rasa's own handler reads the payload


@pytest.mark.parametrize("text, kind", [("jo@example.org", "email"), ("07700 900123", "phone"),
                                        ("jo@example", None), ("jo @ example.org", None), ("0800 1111", None),
                                        ("03-12-2026", None), ("call me on 07700 900123", None),
                                        ("1234567890123456", None), ("", None), (None, None)])
def test_contact_kind(text, kind):
    assert form.contact_kind(text) == kind


def test_button_payloads_and_their_words():
    payload = '/cro_answer{"cro_contact_method": "they_will_ring"}'
    assert form.is_payload(payload) and form.is_payload("/skip") and not form.is_payload("jo@example.org")
    assert form.contact_method("they_will_ring") == "they_will_ring"  # the entity's value from the button
    assert form._shown(payload) == "I will ring them myself"  # the transcript shows what the button said
    assert form._shown("/skip") == "Skip" and form._shown('/cro_answer{"x": 1') == '/cro_answer{"x": 1'
    assert form.name(payload) is None
