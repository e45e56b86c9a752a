"""A Rasa component, first in the pipeline: each message's text-speak written out
(understanding.textspeak), and sentences that only say how the person feels left out
(understanding.focus), for every component after it, in training and in use. The person's own
words are kept under RAW_KEY: the safety layer and anything that stores or shows them read those."""
from __future__ import annotations

from typing import Any, Dict, List

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from understanding.focus import focus
from understanding.textspeak import normalise

RAW_KEY = "raw_text"


def raw_text(message: Message) -> str:
    """The person's own words: before text-speak was written out."""
    return message.get(RAW_KEY) or message.get(TEXT) or ""


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER], is_trainable=False)
class TextSpeakNormaliser(GraphComponent):
    @classmethod
    def create(cls, config: Dict[str, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> TextSpeakNormaliser:
        return cls()

    @staticmethod
    def write_out(message: Message) -> None:
        text = message.get(TEXT)
        if not text or text.startswith("/"):
            return
        plain = focus(normalise(text))
        if plain != text:
            message.set(RAW_KEY, text, add_to_output=True)
            message.set(TEXT, plain)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        for message in training_data.training_examples:
            self.write_out(message)
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            self.write_out(message)
        return messages
