"""A message that only says which council ("oh wait, I'm in Bolton actually", "we're in Hampshire if
that makes a difference", "I'm asking about Bolton") is a change of council, whatever the classifier
made of it: it once took such messages for a question about statutory visits, for "skip" and for
"not sure what you mean", and the last question was never answered again for the new council.

The message names a council (the `council` entity) and, without it, only words that carry no
question of their own (FILLER). Then its intent is `inform_council` (action_set_council answers the
last question again for the new council). Buttons ('/intent') are obeyed as sent; the CRO form's
answers and the safety layer come after this in the pipeline and still win.
"""
from __future__ import annotations

from typing import Any, Dict, List

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_NAME_KEY, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from understanding.council_words import only_names_a_council

INTENT_NAME = "inform_council"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class CouncilChange(GraphComponent):
    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {}

    @classmethod
    def create(cls, config: Dict[str, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> CouncilChange:
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text, intent = message.get(TEXT) or "", message.get(INTENT) or {}
            if not text or text.startswith("/") or intent.get(INTENT_NAME_KEY) == INTENT_NAME:
                continue
            if not only_names_a_council(text, message.get(ENTITIES) or []):
                continue
            chosen = {INTENT_NAME_KEY: INTENT_NAME, "confidence": 1.0}
            ranking = message.get(INTENT_RANKING_KEY) or []
            message.set(INTENT, chosen, add_to_output=True)
            message.set(INTENT_RANKING_KEY, [chosen] + [r for r in ranking if r.get(INTENT_NAME_KEY) != INTENT_NAME],
                        add_to_output=True)
        return messages

    def process_training_data(self, training_data):  # noqa: ANN001 - nothing to learn
        return training_data
