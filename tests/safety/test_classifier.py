"""The safety model of its own (safety/classifier.py) and how its judgement is combined."""
from __future__ import annotations

import pytest

from safety.classifier import SafetyModel
from safety.component import combine

TRAIN = [
    ("my dad hits me", "safety_abuse"), ("he beats me with a belt", "safety_abuse"),
    ("my uncle touches me and says its our secret", "safety_abuse"), ("mum hurts me when she drinks", "safety_abuse"),
    ("i want to kill myself", "safety_self_harm"), ("i keep cutting my arms", "safety_self_harm"),
    ("i dont want to be alive anymore", "safety_self_harm"), ("i took loads of pills", "safety_self_harm"),
    ("how long does an assessment take", "assessment_length"), ("what is early help", "early_help_what"),
    ("who chairs the conference", "cp_conference"), ("what is a child in need plan", "cin_what"),
    ("how do i complain", "complaints"), ("what does mash stand for", "mash_what"),
    ("when is the core group", "core_group"), ("can i bring someone to the meeting", "cp_conference"),
]


@pytest.fixture(scope="module")
def model():
    texts, labels = [t for t, _ in TRAIN], [label for _, label in TRAIN]
    return SafetyModel().fit(texts, labels)


def test_it_knows_a_disclosure_and_its_kind_from_examples_it_never_saw(model):
    assert model.judge("my dad hits me every night").kind == "safety_abuse"
    assert model.judge("i want to kill myself tonight").kind == "safety_self_harm"


def test_an_ordinary_question_is_not_a_crisis(model):
    assert model.judge("how long does the assessment take?").kind is None
    assert model.judge("who chairs the child protection conference").kind is None


def test_it_is_deterministic():
    texts, labels = [t for t, _ in TRAIN], [label for _, label in TRAIN]
    a, b = SafetyModel().fit(texts, labels), SafetyModel().fit(texts, labels)
    for text in ("he hits me", "what is early help", "i feel like ending it"):
        assert a.judge(text) == b.judge(text)


def test_it_needs_both_kinds_of_example():
    with pytest.raises(ValueError):
        SafetyModel().fit(["how long", "what is"], ["a", "b"])


TOPIC = {"name": "assessment_length", "confidence": 0.9}


def test_the_models_concern_wins_over_a_topic_for_a_statement():
    new = combine(TOPIC, [TOPIC], None, question=False, learned={"kind": "safety_abuse", "confidence": 0.55})
    assert new["name"] == "safety_abuse"


def test_a_question_needs_the_model_to_be_fairly_sure():
    unsure = {"kind": "safety_abuse", "confidence": 0.5}
    sure = {"kind": "safety_abuse", "confidence": 0.9}
    assert combine(TOPIC, [TOPIC], None, question=True, learned=unsure) is None
    assert combine(TOPIC, [TOPIC], None, question=True, learned=sure)["name"] == "safety_abuse"


def test_diets_own_safety_intent_and_a_pattern_are_kept():
    diet = {"name": "safety_self_harm", "confidence": 0.8}
    assert combine(diet, [diet], None, learned={"kind": "safety_abuse", "confidence": 0.9}) is None
    assert combine(TOPIC, [TOPIC], None, learned={"kind": None, "confidence": 0.9}) is None


def test_a_form_answer_read_by_its_exact_rules_is_not_overridden_by_the_model():
    answer = {"name": "cro_answer", "confidence": 1.0}
    assert combine(answer, [answer], None, learned={"kind": "safety_self_harm", "confidence": 0.92}) is None
