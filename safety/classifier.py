"""The third safety signal: a small model of its own that says whether a message is a crisis or
disclosure, and of which kind, without the topic classifier.

The topic classifier (DIET) is retrained whenever a topic or an example changes, and its safety
guesses move with it (measured here: one new intent with ten examples of phone numbers moved
recall on the project's crisis set from 100% to 96%). This model is a linear one
(understanding.linear: TF-IDF of words and character n-grams, logistic regression): trained on the same
labelled NLU examples, safety intents against everything else, but deterministic, and a change
elsewhere moves it only as much as that change's examples weigh. ``safety.component`` combines its
judgement with the crisis patterns and DIET's; any of them can raise a concern.

It is a Rasa graph component, so it is trained by `rasa train` and packed into the model.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, Optional, Sequence

from rasa.engine.recipes.default_recipe import DefaultV1Recipe

from understanding.component import LinearComponent
from understanding.linear import LinearTextModel

NONE = "none"
SAFETY_PREFIX = "safety_"
OUTPUT_KEY = "safety_model"  # on each message: {"kind": "safety_abuse" | None, "confidence": 0.93}


@dataclass(frozen=True)
class Judgement:
    kind: Optional[str]  # a safety intent, or None
    confidence: float


class SafetyModel(LinearTextModel):
    """Safety intents against everything else (understanding.linear), as a Judgement."""

    def fit(self, texts: Sequence[str], labels: Sequence[str]) -> SafetyModel:
        labels = [label if label.startswith(SAFETY_PREFIX) else NONE for label in labels]
        if len(set(labels)) < 2:
            raise ValueError("the safety model needs safety examples and other examples")
        super().fit(texts, labels)
        return self

    def judge(self, text: str) -> Judgement:
        kind, confidence = self.rank(text, top=1)[0]
        return Judgement(None if kind == NONE else kind, confidence)


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class SafetyClassifier(LinearComponent):
    """Adds its judgement to every message as `safety_model`; never changes the intent itself."""

    OUTPUT_KEY = OUTPUT_KEY
    FILE = "safety_model.pkl"

    def new_model(self) -> SafetyModel:
        return SafetyModel()

    def output(self, model: SafetyModel, text: str) -> Dict[str, Any]:
        judgement = model.judge(text)
        return {"kind": judgement.kind, "confidence": judgement.confidence}
