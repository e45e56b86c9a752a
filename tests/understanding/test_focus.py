"""Sentences that only say how the person feels are left out of what the classifiers read
(understanding.focus); the question and anything naming a topic stay."""
from __future__ import annotations

import pytest

from understanding.focus import focus, is_feeling_only
from understanding.normaliser import RAW_KEY, TextSpeakNormaliser


@pytest.mark.parametrize("text, kept", [
    ("I'm so angry. I never signed up for any child in need plan. Can they force it on me?",
     "I never signed up for any child in need plan. Can they force it on me?"),
    ("I'm literally shaking!! There's a conference next week. What happens in that room?",
     "There's a conference next week. What happens in that room?"),
    ("This is a nightmare. I feel sick. What does 'stepped up' mean?", "What does 'stepped up' mean?"),
])
def test_feelings_before_a_question_are_left_out(text, kept):
    assert focus(text) == kept


@pytest.mark.parametrize("text", [
    "this is all too much",                   # only a feeling: kept whole (the warm reply needs it)
    "I'm scared. Help.",                      # nothing but feelings: kept whole
    "my dad hits me. what do i do?",          # says something happened: never dropped
    "I haven't done anything wrong!! What happens now?",  # says what the worry is about
    "What is early help?",
])
def test_nothing_else_is_left_out(text):
    assert focus(text) == " ".join(text.split())


def test_a_question_is_never_a_feeling():
    assert not is_feeling_only("am I going mad?")
    assert is_feeling_only("I am SO scared")


class _Message(dict):
    def set(self, key, value, add_to_output=False):
        self[key] = value


def test_the_person_s_own_words_are_kept_for_the_safety_layer():
    message = _Message(text="I'm terrified. What happens at a conference?")
    TextSpeakNormaliser.write_out(message)
    assert message["text"] == "What happens at a conference?"
    assert message[RAW_KEY] == "I'm terrified. What happens at a conference?"
