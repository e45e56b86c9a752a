"""The conversation is erased only when the person's words ask for it (understanding.guard)."""
from __future__ import annotations

from rasa.shared.nlu.training_data.message import Message

from understanding.guard import IrreversibleIntentGuard, guard

DELETE = {"name": "delete_conversation", "confidence": 0.7}
RANKING = [DELETE, {"name": "s47_what", "confidence": 0.2}, {"name": "significant_harm", "confidence": 0.1}]


def test_asking_to_erase_keeps_the_intent():
    for text in ("delete my chat", "pls wipe this", "dont keep what i said", "forget everything i told you"):
        assert guard(text, DELETE, RANKING, 0.45) is DELETE, text


def test_no_word_of_erasing_never_erases():
    kept = guard("I can't stop shaking, what does that mean?", DELETE, RANKING, 0.45)
    assert kept["name"] == "nlu_fallback"
    sure = [DELETE, {"name": "s47_what", "confidence": 0.5}]
    assert guard("I can't stop shaking, what is a section 47?", DELETE, sure, 0.45)["name"] == "s47_what"


def test_other_intents_pass_untouched():
    intent = {"name": "s47_what", "confidence": 0.3}
    assert guard("stop", intent, [intent], 0.45) is intent


def test_the_component_changes_the_message_and_its_ranking():
    message = Message(data={"text": "i cant stop crying what happens now"})
    message.set("intent", DELETE)
    message.set("intent_ranking", RANKING)
    IrreversibleIntentGuard({}).process([message])
    assert message.get("intent")["name"] == "nlu_fallback"
    assert message.get("intent_ranking")[0]["name"] == "nlu_fallback"
    button = Message(data={"text": "/delete_conversation"})
    button.set("intent", DELETE)
    IrreversibleIntentGuard({}).process([button])
    assert button.get("intent") is DELETE


def test_every_way_of_stopping_in_the_training_data_still_stops():
    import yaml

    from understanding.guard import NEEDS_WORDS

    blocks = yaml.safe_load(open("data/nlu/cro_request.yml", encoding="utf-8"))["nlu"]
    for intent in ("stop", "delete_conversation"):
        examples = [line.strip()[2:] for b in blocks + yaml.safe_load(open("data/nlu/privacy.yml"))["nlu"]
                    if b.get("intent") == intent for line in b["examples"].splitlines() if line.strip()]
        assert examples and all(NEEDS_WORDS[intent].search(e) for e in examples), \
            [e for e in examples if not NEEDS_WORDS[intent].search(e)]


def test_a_form_answer_the_classifier_takes_for_stop_does_not_stop():
    stop = {"name": "stop", "confidence": 0.74}
    kept = guard("phone", stop, [stop, {"name": "ask_contact", "confidence": 0.07}], 0.45)
    assert kept["name"] == "nlu_fallback"
