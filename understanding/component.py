"""A Rasa graph component around a linear text model (understanding.linear): trained by
`rasa train` on the NLU examples, packed into the model, and adding its judgement to each message
under its own key. It never changes the message's intent: the components after it decide.
Subclasses say which model, which examples and what to add."""
from __future__ import annotations

import logging
import pickle
from typing import Any, Dict, List, Optional, Tuple

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from understanding.linear import LinearTextModel

log = logging.getLogger(__name__)


def examples(training_data: TrainingData) -> Tuple[List[str], List[str]]:
    """(texts, intents) of the NLU examples; button payloads ('/intent') are not examples."""
    texts, labels = [], []
    for message in training_data.intent_examples:
        text, intent = message.get(TEXT), message.get(INTENT)
        if text and intent and not str(text).startswith("/"):
            texts.append(str(text))
            labels.append(str(intent))
    return texts, labels


class LinearComponent(GraphComponent):
    OUTPUT_KEY = ""
    FILE = "linear_model.pkl"

    @classmethod
    def create(cls, config: Dict[str, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> LinearComponent:
        return cls(model_storage, resource, None)

    def __init__(self, model_storage: ModelStorage, resource: Resource, model: Optional[LinearTextModel]) -> None:
        self._storage, self._resource, self._model = model_storage, resource, model

    def new_model(self) -> LinearTextModel:
        raise NotImplementedError

    def output(self, model: Any, text: str) -> Any:
        raise NotImplementedError

    def train(self, training_data: TrainingData) -> Resource:
        texts, labels = examples(training_data)
        self._model = self.new_model().fit(texts, labels)
        with self._storage.write_to(self._resource) as folder:
            (folder / self.FILE).write_bytes(pickle.dumps(self._model))
        return self._resource

    @classmethod
    def load(cls, config: Dict[str, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> LinearComponent:
        try:
            with model_storage.read_from(resource) as folder:
                model = pickle.loads((folder / cls.FILE).read_bytes())  # our own file, made by train() above
        except (ValueError, FileNotFoundError):
            log.error("%s: no trained model in this Rasa model; retrain it (make train)", cls.__name__)
            model = None
        return cls(model_storage, resource, model)

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            if self._model is None or not text or text.startswith("/"):
                continue
            message.set(self.OUTPUT_KEY, self.output(self._model, text), add_to_output=True)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data
