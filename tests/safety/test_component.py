"""The safety layer's decision wins over the topic classifier, both ways (safety.component)."""
from __future__ import annotations

import pytest
from rasa.shared.nlu.training_data.message import Message

from safety.component import SafetyLayer, decide
from safety.judge import Judgement

CONCERN = Judgement(kind="physical_abuse", also=[], speaker="young_person", secret=False, distress=False,
                    confidence=1.0, source="patterns")
MODEL_CONCERN = Judgement(kind="neglect", also=[], speaker="unknown", secret=False, distress=False,
                          confidence=0.8, source="model")
NO_CONCERN = Judgement(kind=None, also=[], speaker="unknown", secret=False, distress=False, confidence=0.9, source="")


@pytest.mark.parametrize("intent", ["cin_what", "nlu_fallback", "safety", "greet", "stop"])
def test_a_concern_is_the_safety_intent_whatever_the_classifier_said(intent):
    ranking = [{"name": intent, "confidence": 0.9}, {"name": "cro", "confidence": 0.1}]
    assert decide({"name": intent, "confidence": 0.9}, ranking, CONCERN)["name"] == "safety"
    assert decide({"name": intent, "confidence": 0.9}, ranking, MODEL_CONCERN)["name"] == "safety"


def test_without_a_concern_the_classifiers_safety_guess_is_taken_away():
    ranking = [{"name": "safety", "confidence": 0.7}, {"name": "icpc_what", "confidence": 0.5}]
    assert decide(ranking[0], ranking, NO_CONCERN) == {"name": "icpc_what", "confidence": 0.5}
    unsure = [{"name": "safety", "confidence": 0.9}, {"name": "icpc_what", "confidence": 0.05}]
    assert decide(unsure[0], unsure, NO_CONCERN)["name"] == "nlu_fallback"
    assert decide({"name": "cin_what", "confidence": 0.9}, [], NO_CONCERN) is None


def test_a_form_answer_is_overridden_only_by_a_crisis_pattern():
    answer = {"name": "cro_answer", "confidence": 1.0}
    assert decide(answer, [answer], MODEL_CONCERN) is None
    assert decide(answer, [answer], CONCERN)["name"] == "safety"


class FixedJudge:
    def __init__(self, judgement: Judgement) -> None:
        self.judgement = judgement

    def judge(self, text: str, after_concern: bool = False) -> Judgement:
        self.after_concern = after_concern
        return self.judgement


def test_the_component_adds_the_judgement_and_sets_the_intent():
    layer = SafetyLayer({}, judge=FixedJudge(CONCERN))
    ranking = [{"name": "greet", "confidence": 0.7}, {"name": "safety", "confidence": 0.2}]
    msg = Message(data={"text": "sum1 keeps hurting me", "intent": dict(ranking[0]), "intent_ranking": ranking})
    layer.process([msg])
    assert msg.get("intent")["name"] == "safety"
    assert [r["name"] for r in msg.get("intent_ranking")] == ["safety", "greet"]
    assert msg.get("safety")["kind"] == "physical_abuse" and msg.get("safety")["speaker"] == "young_person"
    button = Message(data={"text": "/cin_what", "intent": {"name": "cin_what", "confidence": 1.0}})
    layer.process([button])
    assert button.get("intent")["name"] == "cin_what" and button.get("safety") is None


def test_without_a_concern_no_safety_guess_is_left_in_the_ranking():
    layer = SafetyLayer({}, judge=FixedJudge(NO_CONCERN))
    ranking = [{"name": "nlu_fallback", "confidence": 0.45}, {"name": "safety", "confidence": 0.4}]
    msg = Message(data={"text": "what is a section 47", "intent": dict(ranking[0]), "intent_ranking": ranking})
    layer.process([msg])
    assert msg.get("intent")["name"] == "nlu_fallback"
    assert "safety" not in [r["name"] for r in msg.get("intent_ranking")]


def test_a_missing_model_leaves_the_patterns_working(tmp_path, caplog):
    layer = SafetyLayer({"model": str(tmp_path / "nothing.pkl")})
    msg = Message(data={"text": "he is hitting her right now", "intent": {"name": "greet", "confidence": 0.9},
                        "intent_ranking": []})
    layer.process([msg])
    assert msg.get("intent")["name"] == "safety" and msg.get("safety")["kind"] == "danger_now"
    assert "safety model not loaded" in caplog.text


def test_the_channels_context_reaches_the_judge():
    judge = FixedJudge(NO_CONCERN)
    layer = SafetyLayer({}, judge=judge)
    msg = Message(data={"text": "its my uncle", "metadata": {"safety_context": {"after_concern": True}}})
    layer.process([msg])
    assert judge.after_concern is True
    layer.process([Message(data={"text": "its my uncle", "metadata": {}})])
    assert judge.after_concern is False


def test_the_built_model_file_loads_in_another_process(tmp_path):
    """`python -m safety.model` once pickled the class as __main__.SafetyModel, which the Rasa server
    could not load: build it as make does, then load it elsewhere."""
    import subprocess
    import sys

    out = tmp_path / "model.pkl"
    subprocess.run([sys.executable, "-m", "safety.model", "--out", str(out)], check=True, capture_output=True)
    from safety.model import SafetyModel

    assert SafetyModel.load(out).rank_kinds("my dad hits me", 1)[0][0] == "physical_abuse"
