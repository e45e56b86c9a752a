"""Text-speak written out before the classifiers read a message (understanding.textspeak and the
component that applies it, understanding.normaliser)."""
from __future__ import annotations

import pytest
from rasa.shared.nlu.training_data.message import Message

from understanding.normaliser import RAW_KEY, TextSpeakNormaliser, raw_text
from understanding.textspeak import normalise


@pytest.mark.parametrize("text, plain", [
    ("hw long r they gna assess us", "how long are they going to assess us"),
    ("cn my sw c me wivout my mum", "can my social worker see me without my mum"),
    ("she has bin stayin wiv her nan", "she has been staying with her nan"),
    ("came 2 uk on my own", "came to uk on my own"),
])
def test_text_speak_is_written_out(text, plain):
    assert normalise(text) == plain


@pytest.mark.parametrize("text", ["it took 2 months", "my son is 4 and a half", "I put it in the bin",
                                  "Call 024 7678 8555", "What is a Child in Need plan?", "within 15 working days"])
def test_ordinary_words_and_numbers_are_left_alone(text):
    assert normalise(text) == text


def test_the_component_keeps_the_persons_own_words():
    message = Message(data={"text": "wot is a cin plan"})
    TextSpeakNormaliser().process([message])
    assert message.get("text") == "what is a cin plan"
    assert message.get(RAW_KEY) == "wot is a cin plan" == raw_text(message)
    plain = Message(data={"text": "what is a cin plan"})
    TextSpeakNormaliser().process([plain])
    assert plain.get(RAW_KEY) is None and raw_text(plain) == "what is a cin plan"


@pytest.mark.parametrize("text", ["worried about my cuz", "Di is my sister"])
def test_forms_with_two_meanings_are_left_alone(text):
    assert normalise(text) == text


@pytest.mark.parametrize("text, plain", [
    ("in a s47 do they hav 2 talk 2 me", "in a section 47 do they have to talk to me"),
    ("wot age do u stop bein a yung carer", "what age do you stop being a young carer"),
    ("giv me the numba", "give me the number"),
    ("wens the 1st meetin", "when's the first meeting"),
    ("social services out of hrs no pls", "social services out of hours number please"),
    ("wats the mash no?", "what's the mash number?"),
])
def test_more_text_speak_is_written_out(text, plain):
    assert normalise(text) == plain


@pytest.mark.parametrize("text", ["we have no phone no money", "i said no to the plan", "out of hours no way"])
def test_no_is_a_number_only_after_a_word_that_has_one_and_before_nothing_else(text):
    assert "number" not in normalise(text)
