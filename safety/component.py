"""Rasa NLU component: the safety layer's decision, which wins over the topic classifier.

Runs last in the NLU pipeline. It judges every typed message with safety.judge (crisis patterns
and the safety layer's own model; neither reads the topic classifier) and adds the judgement to
the message as `safety` ({"kind", "speaker", "secret", "distress", ...}). When there is a concern,
the message's intent becomes `safety`, so the safety rule answers it first, whatever else is going
on. When there is none, a `safety` guess by the topic classifier is taken away (its next guess, or
nlu_fallback), so retraining the topic classifier can never change a safety decision.
"""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Dict, List, Optional

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, INTENT_RANKING_KEY, PREDICTED_CONFIDENCE_KEY
from rasa.shared.nlu.training_data.message import Message

from safety.judge import Judge, Judgement
from safety.kinds import CONTEXT_KEY, MESSAGE_KEY
from safety.kinds import INTENT as SAFETY
from triage.form import ANSWER_INTENT as FORM_ANSWER
from understanding.normaliser import raw_text
from understanding.ranking import next_best

log = logging.getLogger(__name__)
DEFAULT_FALLBACK_THRESHOLD = 0.45  # the FallbackClassifier's threshold in config.yml


def decide(intent: Optional[Dict[str, Any]], ranking: List[Dict[str, Any]], judgement: Judgement,
           fallback_threshold: float = DEFAULT_FALLBACK_THRESHOLD) -> Optional[Dict[str, Any]]:
    """The intent the message should have, or None to leave it as it is."""
    name = (intent or {}).get(INTENT_NAME_KEY) or ""
    if judgement.concern:
        # A form's answer (an email, a phone number, a button's words: triage.nlu) is read by exact
        # rules; only a crisis pattern overrides it ("I will ring them myself" is not self-harm).
        if name == FORM_ANSWER and "patterns" not in judgement.source:
            return None
        return {INTENT_NAME_KEY: SAFETY, PREDICTED_CONFIDENCE_KEY: judgement.confidence}
    if name != SAFETY:
        return None
    return next_best(ranking, (SAFETY,), fallback_threshold)


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class SafetyLayer(GraphComponent):
    """Sets `safety` on every message and decides whether its intent is the safety intent."""

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {"fallback_threshold": DEFAULT_FALLBACK_THRESHOLD, "model": None}

    @classmethod
    def create(cls, config: Dict[str, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> SafetyLayer:
        return cls(config)

    def __init__(self, config: Dict[str, Any], judge: Optional[Judge] = None) -> None:
        self._threshold = float(config.get("fallback_threshold", DEFAULT_FALLBACK_THRESHOLD))
        self._judge = judge or self._load(config.get("model"))

    @staticmethod
    def _load(path: Optional[str]) -> Judge:
        from safety.model import SafetyModel, default_path
        from safety.signals import SignalDetector

        file = Path(path) if path else default_path()
        try:
            model: Optional[SafetyModel] = SafetyModel.load(file)
        except Exception as exc:  # noqa: BLE001 - missing, stale or unreadable: never stop the server
            # The patterns still work; make builds the model (`make build`).
            log.error("safety model not loaded (%s): crisis patterns only until it is built", type(exc).__name__)
            model = None
        return Judge(SignalDetector(), model)

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = raw_text(message)  # the person's own words, not text-speak written out
            if not text or text.startswith("/"):
                continue  # buttons send intents directly
            context = (message.get("metadata") or {}).get(CONTEXT_KEY) or {}
            judgement = self._judge.judge(text, after_concern=bool(context.get("after_concern")))
            message.set(MESSAGE_KEY, judgement.as_dict(), add_to_output=True)
            ranking = message.get(INTENT_RANKING_KEY) or []
            new = decide(message.get(INTENT), ranking, judgement, self._threshold)
            if new:
                rest = [r for r in ranking if r.get(INTENT_NAME_KEY) not in (new[INTENT_NAME_KEY], SAFETY)]
                message.set(INTENT, new, add_to_output=True)
                message.set(INTENT_RANKING_KEY, [new] + rest, add_to_output=True)
            elif not judgement.concern:
                message.set(INTENT_RANKING_KEY, [r for r in ranking if r.get(INTENT_NAME_KEY) != SAFETY],
                            add_to_output=True)
        return messages

    def process_training_data(self, training_data):  # noqa: ANN001 - nothing to learn
        return training_data

