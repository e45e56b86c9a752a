"""A message that only says which council is a change of council (understanding.council_change)."""
from __future__ import annotations

import pytest
from rasa.shared.nlu.training_data.message import Message

from understanding.council_change import CouncilChange
from understanding.council_words import meant, only_names_a_council


def council_in(text: str, name: str) -> list[dict]:
    start = text.lower().index(name.lower())
    return [{"entity": "council", "value": name.lower(), "start": start, "end": start + len(name)}]


@pytest.mark.parametrize("text, name", [
    ("oh wait, I'm in Bolton actually", "Bolton"), ("we're in Hampshire if that makes a difference", "Hampshire"),
    ("I'm asking about Bolton", "Bolton"), ("what about up in Bolton?", "Bolton"), ("sorry, Hampshire", "Hampshire"),
    ("what about Hampshire? that's where we are", "Hampshire"), ("Coventry", "Coventry"),
    ("we've moved to Hampshire now", "Hampshire"), ("sorry, the children live in Bolton", "Bolton"),
    # saying where one lives after forgetting to ("sorry, should've said"), or where the child is
    ("sorry, should've said, we live in Bolton", "Bolton"), ("btw she lives in Hampshire", "Hampshire"),
    ("I need the Coventry one", "Coventry"), ("we wanted it for Bolton", "Bolton")])
def test_only_a_council(text, name):
    assert only_names_a_council(text, council_in(text, name))


def councils_in(text: str, *names: str) -> list[dict]:
    return [e for name in names for e in council_in(text, name)]


@pytest.mark.parametrize("text, named, wanted", [
    ("it's Bolton I meant, rather than Hampshire", ("Bolton", "Hampshire"), ["bolton"]),
    ("sorry, Hampshire not Coventry", ("Hampshire", "Coventry"), ["hampshire"]),
    ("we've moved from Coventry to Bolton", ("Coventry", "Bolton"), ["bolton"]),
    ("Coventry instead of Bolton please", ("Coventry", "Bolton"), ["coventry"]),
    ("Bolton and Hampshire", ("Bolton", "Hampshire"), ["bolton", "hampshire"])])
def test_a_council_named_as_not_meant_is_set_aside(text, named, wanted):
    entities = councils_in(text, *named)
    assert [e["value"] for e in meant(text, entities)] == wanted
    assert only_names_a_council(text, entities)


@pytest.mark.parametrize("text, name", [
    ("I'm in Bolton, what's the number for social care?", "Bolton"),
    ("does Bolton have family hubs?", "Bolton"),
    ("I live in Coventry and my partner hits me", "Coventry"),
    ("What does child in need mean in Hampshire?", "Hampshire"),  # "need" asks nothing only before "the"/"it"
])
def test_a_question_of_its_own_is_not_only_a_council(text, name):
    assert not only_names_a_council(text, council_in(text, name))


def test_no_council_named_is_nothing_to_change():
    assert not only_names_a_council("I'm in the area actually", [])


def test_the_component_sets_the_intent_and_leaves_buttons_and_questions_alone():
    said = "oh wait, I'm in Bolton actually"
    message = Message(data={"text": said, "intent": {"name": "statutory_visits", "confidence": 0.6},
                            "intent_ranking": [{"name": "statutory_visits", "confidence": 0.6}],
                            "entities": council_in(said, "Bolton")})
    asked = "does Bolton have family hubs?"
    question = Message(data={"text": asked, "intent": {"name": "family_hubs", "confidence": 0.9},
                             "entities": council_in(asked, "Bolton")})
    button = Message(data={"text": '/inform_council{"council": "bolton"}', "intent": {"name": "x", "confidence": 1.0},
                           "entities": [{"entity": "council", "value": "bolton", "start": 1, "end": 2}]})
    CouncilChange().process([message, question, button])
    assert message.get("intent") == {"name": "inform_council", "confidence": 1.0}
    assert message.get("intent_ranking")[0]["name"] == "inform_council"
    assert question.get("intent")["name"] == "family_hubs" and button.get("intent")["name"] == "x"
