"""Rasa NLU component: the safety signals combined (crisis patterns, the safety model of
safety.classifier, and the NLU safety intents); any of them can raise a concern.

Runs last in the NLU pipeline. When the crisis patterns (``safety.signals``) match, the
message's intent becomes the matching safety intent, whatever the classifier said, so the
safety rules answer it first. When the classifier's best guess was a safety intent but it
was unsure (the fallback classifier turned it into ``nlu_fallback``), the safety intent is
kept for a statement ("i keep planning how id do it"): an unsure crisis is still a crisis.
For a question ("is there suicide prevention training?") an unsure guess is not enough: a
question needs the classifier to be sure, or a crisis pattern. A danger-now signal always wins.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, INTENT_RANKING_KEY, PREDICTED_CONFIDENCE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from safety.classifier import OUTPUT_KEY as LEARNED_KEY
from safety.signals import Signal, SignalDetector, is_question
from triage.form import ANSWER_INTENT as FORM_ANSWER

SAFETY_PREFIX = "safety_"
FALLBACK = "nlu_fallback"
DANGER_NOW = "safety_danger_now"
# A question ("what happens after a section 47?") raises a concern from the safety model only when
# the model is fairly sure; a statement always does.
LEARNED_QUESTION_CONFIDENCE = 0.6


def combine(intent: Optional[Dict[str, Any]], ranking: List[Dict[str, Any]],
            signal: Optional[Signal], question: bool = False,
            learned: Optional[Dict[str, Any]] = None) -> Optional[Dict[str, Any]]:
    """The intent the message should have, or None to leave it as it is. `learned` is the safety
    model's judgement (safety.classifier): {"kind": a safety intent or None, "confidence": p}."""
    name = (intent or {}).get(INTENT_NAME_KEY) or ""
    if signal is not None:
        if name.startswith(SAFETY_PREFIX) and signal.intent != DANGER_NOW:
            return None
        if name == signal.intent:
            return None
        return {INTENT_NAME_KEY: signal.intent, PREDICTED_CONFIDENCE_KEY: 1.0}
    kind = (learned or {}).get("kind")
    # FORM_ANSWER: an email, a phone number or a form button's own words (triage.nlu), read by
    # exact rules; only a crisis pattern overrides that ("I will ring them myself" is not self-harm).
    if kind and not name.startswith(SAFETY_PREFIX) and name != FORM_ANSWER:
        confidence = float((learned or {}).get("confidence") or 0.0)
        if not question or confidence >= LEARNED_QUESTION_CONFIDENCE:
            return {INTENT_NAME_KEY: kind, PREDICTED_CONFIDENCE_KEY: confidence}
    if name == FALLBACK and not question:
        best = next((r for r in ranking if r.get(INTENT_NAME_KEY) != FALLBACK), None)
        if best and str(best.get(INTENT_NAME_KEY, "")).startswith(SAFETY_PREFIX):
            return {INTENT_NAME_KEY: best[INTENT_NAME_KEY], PREDICTED_CONFIDENCE_KEY: best[PREDICTED_CONFIDENCE_KEY]}
    return None


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class SafetySignals(GraphComponent):
    """Overrides the intent with a safety intent when a crisis signal is found."""

    @classmethod
    def create(cls, config: Dict[str, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> SafetySignals:
        return cls(SignalDetector())

    def __init__(self, detector: SignalDetector) -> None:
        self._detector = detector

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            if not text or text.startswith("/"):
                continue  # buttons send intents directly
            new = combine(message.get(INTENT), message.get(INTENT_RANKING_KEY) or [], self._detector.detect(text),
                          is_question(text), message.get(LEARNED_KEY))
            if new:
                ranking = [r for r in message.get(INTENT_RANKING_KEY) or []
                           if r.get(INTENT_NAME_KEY) != new[INTENT_NAME_KEY]]
                message.set(INTENT, new, add_to_output=True)
                message.set(INTENT_RANKING_KEY, [new] + ranking, add_to_output=True)
        return messages

    def process_training_data(self, training_data):  # noqa: ANN001 - nothing to learn
        return training_data
