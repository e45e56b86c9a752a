"""A second opinion on what a message is about: a linear model over every intent's examples
(understanding.linear), added to each message as `topic_model` (its three best intents). DIET
stays the classifier; when DIET is unsure, action_search_knowledge asks this one too. Being
deterministic, it does not swing from one training run to the next as DIET does (measured here:
the same question went from 0.74 to 0.34 for its topic after an unrelated intent was added)."""
from __future__ import annotations

from typing import Any, Dict, List

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

from understanding.clauses import clauses
from understanding.component import LinearComponent
from understanding.linear import LinearTextModel

OUTPUT_KEY = "topic_model"
# Two or more questions in one message: each with its own best intents, so each can be answered.
PARTS_KEY = "topic_parts"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class TopicModel(LinearComponent):
    OUTPUT_KEY = OUTPUT_KEY

    def new_model(self) -> LinearTextModel:
        return LinearTextModel()

    def output(self, model: LinearTextModel, text: str) -> List[Dict[str, Any]]:
        return [{"name": name, "confidence": round(p, 4)} for name, p in model.rank(text, top=3)]

    def process(self, messages: List[Message]) -> List[Message]:
        super().process(messages)
        for message in messages:
            text = message.get(TEXT) or ""
            parts = clauses(text) if self._model is not None and text and not text.startswith("/") else []
            if len(parts) > 1:
                message.set(PARTS_KEY, [{"text": part, "ranking": self.output(self._model, part)} for part in parts],
                            add_to_output=True)
        return messages
