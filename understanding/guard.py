"""Intents that do something that cannot be undone need the person's words to ask for it.

Erasing the conversation: a frightened parent's "I can't stop shaking, what does that mean?" once
erased their chat. Stopping a Children's Rights Officer request: "phone", the answer to "how should
they contact you?", once stopped it. When the classifier gives such an intent but the message has
none of its words, the intent goes to the next best one (or `nlu_fallback` when that is unsure).
Buttons ('/intent') are obeyed as sent.
"""
from __future__ import annotations

import re
from typing import Any, Dict, List

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from understanding.ranking import next_best

# The words of asking for the chat to be erased, for each intent that erases.
NEEDS_WORDS = {
    "delete_conversation": re.compile(
        r"\b(delete|deleted|del|erase|erased|wipe|wiped|remove|removed|clear|cleared|forget|get rid|bin|"
        r"destroy|scrap|don'?t keep|dont keep|do not keep|not to keep|stop keeping|no record|"
        r"want (you|u) to keep)\b", re.IGNORECASE),
    # stopping a Children's Rights Officer request throws away the answers given so far: a bare
    # "phone" (the answer to "how should they contact you?") once stopped it
    "stop": re.compile(
        r"\b(stop+|cancel|cancle|changed?|changd|forget|forgettit|never ?mind|nvm|don'?t|dont|do not|carry on|"
        r"more|enough|quit|exit|abort|leave|scrap|bother|anymore|go ahead|no)\b", re.IGNORECASE),
}


def guard(text: str, intent: Dict[str, Any], ranking: List[Dict[str, Any]], threshold: float) -> Dict[str, Any]:
    """The intent to keep for a message: `intent` unless it erases something and the words don't ask
    for that; then the best other intent if it reaches the threshold, else nlu_fallback."""
    needed = NEEDS_WORDS.get(intent.get(INTENT_NAME_KEY) or "")
    if needed is None or needed.search(text):
        return intent
    return next_best(ranking, NEEDS_WORDS, threshold)


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class IrreversibleIntentGuard(GraphComponent):
    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {"threshold": 0.45}

    @classmethod
    def create(cls, config: Dict[str, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> IrreversibleIntentGuard:
        return cls(config)

    def __init__(self, config: Dict[str, Any]) -> None:
        self._threshold = float(config.get("threshold", 0.45))

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text, intent = message.get(TEXT) or "", message.get(INTENT) or {}
            if not text or text.startswith("/") or not intent:
                continue
            ranking = message.get(INTENT_RANKING_KEY) or []
            kept = guard(text, intent, ranking, self._threshold)
            if kept is not intent:
                message.set(INTENT, kept, add_to_output=True)
                message.set(INTENT_RANKING_KEY, [kept] + [r for r in ranking if r.get(INTENT_NAME_KEY) !=
                                                          kept.get(INTENT_NAME_KEY)], add_to_output=True)
        return messages

    def process_training_data(self, training_data):  # noqa: ANN001 - nothing to learn
        return training_data
