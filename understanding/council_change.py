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

import re
from typing import Any, Dict, List

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_NAME_KEY, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

INTENT_NAME = "inform_council"
COUNCIL_ENTITY = "council"
# Words around a council's name that ask nothing of their own.
FILLER = frozenset("""
    i im i'm me my we were we're our us you your it its it's that that's this there here where is am are be
    in from at for of about on up down near over across round around live lives living based
    oh ah wait sorry oops soz hmm erm um ok okay right so and but or then now actually though instead really
    just what how about whatabout the a an council council's county city borough area district side
    asking ask asked question meant mean i'd sorry, not no yes yeah please pls thanks thx same again
    if makes make difference does do change changes matter different one
    i've ive we've weve moved move moving lived to
    child kid kids children son daughter grandchild grandchildren family for a
    """.split())
MAX_WORDS = 12
_WORD = re.compile(r"[a-z][a-z']*")


def only_names_a_council(text: str, entities: List[Dict[str, Any]]) -> bool:
    """Whether the text names a council and otherwise only FILLER words."""
    spans = [(e.get("start"), e.get("end")) for e in entities or [] if e.get("entity") == COUNCIL_ENTITY]
    spans = [(s, e) for s, e in spans if isinstance(s, int) and isinstance(e, int)]
    if not spans:
        return False
    rest = text
    for start, end in sorted(spans, reverse=True):
        rest = rest[:start] + " " + rest[end:]
    words = _WORD.findall(rest.lower().replace("\u2019", "'"))
    return len(words) <= MAX_WORDS and all(w in FILLER for w in words)


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
