"""Rasa NLU component: answers to the Children's Rights Officer form are read as answers.

An email address such as ``jo@example.org`` was classified as "stop" (and ended the form), and
the words of a button such as "I will ring them myself" as self-harm. This component runs after
the classifier and before ``safety.component.SafetyLayer``, and gives a message that is only
- an email address or a phone number, or
- the words of one of the form's longer buttons ("I will ring them myself")
the intent ``cro_answer`` with confidence 1 (a button's words also carry the
``cro_contact_method`` entity). The form's own buttons send ``/cro_answer{...}`` and never reach
NLU. The safety component runs after this one, so a crisis pattern still wins.

The classifier learns ``cro_answer`` from examples too; when it guesses ``cro_answer`` for a
message this component does not recognise, the guess is dropped for the next one (or
``nlu_fallback`` when that is unsure), so the intent only ever means "an answer".
Nothing is logged.
"""
from __future__ import annotations

from typing import Any, Dict, List

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import (
    ENTITIES,
    ENTITY_ATTRIBUTE_END,
    ENTITY_ATTRIBUTE_START,
    ENTITY_ATTRIBUTE_TYPE,
    ENTITY_ATTRIBUTE_VALUE,
    EXTRACTOR,
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
)
from rasa.shared.nlu.training_data.message import Message

from triage import form
from understanding.normaliser import raw_text
from understanding.ranking import FALLBACK, next_best


def read(text: str, intent: Dict[str, Any], ranking: List[Dict[str, Any]], threshold: float
         ) -> tuple[Dict[str, Any], List[Dict[str, Any]], List[Dict[str, Any]]] | None:
    """(intent, ranking, extra entities) the message should have, or None to leave it as it is."""
    if not text or text.startswith("/"):
        return None  # a button's payload: Rasa reads it without NLU
    method = form.typed_method(text)
    if method or form.contact_kind(text):
        new = {INTENT_NAME_KEY: form.ANSWER_INTENT, PREDICTED_CONFIDENCE_KEY: 1.0}
        entities = [{ENTITY_ATTRIBUTE_TYPE: form.METHOD_ENTITY, ENTITY_ATTRIBUTE_VALUE: method,
                     ENTITY_ATTRIBUTE_START: 0, ENTITY_ATTRIBUTE_END: len(text), EXTRACTOR: FormAnswers.__name__}
                    ] if method else []
        return new, [new] + [r for r in ranking if r.get(INTENT_NAME_KEY) != form.ANSWER_INTENT], entities
    if (intent or {}).get(INTENT_NAME_KEY) != form.ANSWER_INTENT:
        return None
    new = next_best(ranking, (form.ANSWER_INTENT,), threshold)
    rest = [r for r in ranking if r.get(INTENT_NAME_KEY) not in (form.ANSWER_INTENT, FALLBACK, new[INTENT_NAME_KEY])]
    return new, [new] + rest, []


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class FormAnswers(GraphComponent):
    """Gives form answers (an email address, a phone number, a button's words) the intent cro_answer."""

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {"threshold": 0.45}  # the FallbackClassifier's threshold in config.yml

    @classmethod
    def create(cls, config: Dict[str, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> FormAnswers:
        return cls(float(config.get("threshold", 0.45)))

    def __init__(self, threshold: float = 0.45) -> None:
        self._threshold = threshold

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            found = read(raw_text(message), message.get(INTENT) or {}, message.get(INTENT_RANKING_KEY) or [],
                         self._threshold)
            if found is None:
                continue
            intent, ranking, entities = found
            message.set(INTENT, intent, add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
            if entities:
                message.set(ENTITIES, (message.get(ENTITIES) or []) + entities, add_to_output=True)
        return messages

    def process_training_data(self, training_data):  # noqa: ANN001 - nothing to learn
        return training_data
