"""The crisis patterns and how they combine with the NLU intent."""
from __future__ import annotations

import pytest
import yaml

from safety import component
from safety.signals import PATTERNS_FILE, PatternError, SignalDetector


@pytest.fixture(scope="module")
def detector() -> SignalDetector:
    return SignalDetector()


@pytest.mark.parametrize("text, category", [
    ("he's hitting mum right now", "danger_now"),
    ("im hidin in the bathroom, hes smashing stuff", "danger_now"),
    ("she wont wake up", "danger_now"),
    ("ma step dad batters me", "abuse"),
    ("my uncle touches me and says its our secret", "abuse"),
    ("i dont want to be alive", "self_harm"),
    ("i necked a whole packet of tablets", "self_harm"),
    ("he says he will post my nudes unless i pay him", "online"),
    ("older lads make me carry drugs to other towns", "exploitation"),
    ("dad chucked me out, got nowhere to sleep", "homeless"),
    ("a girl in my class just told me her stepdad hurts her", "professional"),
])
def test_crisis_messages_are_caught(detector, text, category):
    signal = detector.detect(text)
    assert signal is not None and signal.category == category, signal


@pytest.mark.parametrize("text", [
    "what does significant harm mean",
    "when is the review child protection conference",
    "what does the Horizon team do about exploitation",
    "will the police interview my child in a section 47 enquiry",
    "how do I complain about my social worker",
    "is early help voluntary",
    "who do I call if I am worried about a child",
])
def test_questions_about_topics_are_not_crises(detector, text):
    assert detector.detect(text) is None


def test_normalise_maps_text_speak_and_lemmas(detector):
    assert detector.normalise("sum1 is hittin me rn") == ["someone", "be", "hit", "me", "now"]


def test_priority_danger_beats_abuse(detector):
    assert detector.detect("my dad hits me and hes got a knife now").category == "danger_now"


def test_bad_pattern_file_is_refused(tmp_path):
    spec = yaml.safe_load(PATTERNS_FILE.read_text())
    spec["categories"]["abuse"].append("{nosuchgroup} me")
    bad = tmp_path / "patterns.yml"
    bad.write_text(yaml.safe_dump(spec))
    with pytest.raises(PatternError, match="nosuchgroup"):
        SignalDetector(bad)


RANKING = [{"name": "nlu_fallback", "confidence": 0.45}, {"name": "safety_abuse", "confidence": 0.3},
           {"name": "cro", "confidence": 0.25}]


def test_combine_signal_overrides_a_topic_intent(detector):
    signal = detector.detect("my mum hits me")
    new = component.combine({"name": "cro", "confidence": 0.9}, [], signal)
    assert new == {"name": "safety_abuse", "confidence": 1.0}


def test_combine_keeps_the_classifiers_safety_intent_unless_danger_now(detector):
    assert component.combine({"name": "safety_self_harm", "confidence": 0.8}, [],
                             detector.detect("my mum hits me")) is None
    assert component.combine({"name": "safety_abuse", "confidence": 0.8}, [],
                             detector.detect("he is hitting her right now"))["name"] == "safety_danger_now"


def test_combine_rescues_an_unsure_safety_intent_from_fallback():
    assert component.combine({"name": "nlu_fallback", "confidence": 0.45}, RANKING, None)["name"] == "safety_abuse"
    topic_first = [RANKING[0], RANKING[2], RANKING[1]]
    assert component.combine({"name": "nlu_fallback", "confidence": 0.45}, topic_first, None) is None


def test_combine_does_not_rescue_an_unsure_guess_for_a_question():
    assert component.combine({"name": "nlu_fallback", "confidence": 0.45}, RANKING, None, question=True) is None


@pytest.mark.parametrize("text, question", [
    ("is there suicide prevention training for staff", True), ("what counts as neglect?", True),
    ("wot is a cp plan", True), ("i keep planning how to do it", False), ("my dad hits me", False),
    ("we got a letter today, what does it mean for us", True), ("i cant go home and he is angry", False),
])
def test_is_question(text, question):
    from safety.signals import is_question

    assert is_question(text) is question


def test_component_sets_the_intent_on_the_message(detector):
    from rasa.shared.nlu.training_data.message import Message

    msg = Message(data={"text": "sum1 keeps touching me", "intent": {"name": "greet", "confidence": 0.7},
                        "intent_ranking": [{"name": "greet", "confidence": 0.7}]})
    comp = component.SafetySignals(detector)
    comp.process([msg])
    assert msg.get("intent")["name"] == "safety_abuse"
    assert msg.get("intent_ranking")[0]["name"] == "safety_abuse"
    button = Message(data={"text": "/cin_what", "intent": {"name": "cin_what", "confidence": 1.0}})
    comp.process([button])
    assert button.get("intent")["name"] == "cin_what"


def test_patterns_never_fire_on_ordinary_training_questions(detector):
    """Precision guard: no non-safety NLU example may look like a crisis to the patterns."""
    from pathlib import Path

    fired = []
    for path in sorted((Path(__file__).resolve().parents[2] / "data" / "nlu").glob("*.yml")):
        for block in yaml.safe_load(path.read_text())["nlu"]:
            if block["intent"].startswith("safety_"):
                continue
            for line in block["examples"].splitlines():
                text = line.strip()[2:]
                if text and detector.detect(text):
                    fired.append(f"{block['intent']}: {text}")
    assert not fired, "\n".join(fired)
