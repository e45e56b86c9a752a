"""Proposing a category from what a young person wrote (typos, slang and text-speak included)."""
from __future__ import annotations

import pytest

from triage import categories
from triage.categories import propose
from triage.store import CATEGORIES


@pytest.mark.parametrize("words, expected", [
    # complaint
    ("i want to complain", "complaint"),
    ("i wanna make a complaint", "complaint"),
    ("how do i complane", "complaint"),
    ("its not fair", "complaint"),
    ("its so unfair what they done", "complaint"),
    ("NOT FARE!!!", "complaint"),
    ("i want to complain about my social worker", "complaint"),  # a tie goes to complaint
    # advocacy
    ("can i get an advocate", "advocacy"),
    ("i need someone to speak up for me at my review", "advocacy"),
    ("im not listened to", "advocacy"),
    ("nobody listens to me at my meetings", "advocacy"),
    ("i want an advocat", "advocacy"),
    # placement
    ("i hate my placement", "placement"),
    ("my placment is rubbish", "placement"),
    ("i dont like my foster carers", "placement"),
    ("the children’s home is loud", "placement"),
    ("i want to move", "placement"),
    ("can they move me closer to school", "placement"),
    ("i wanna move out of resi", "placement"),
    # contact with family
    ("i want to see my mum", "contact_with_family"),
    ("when can i c my little bro", "contact_with_family"),
    ("i miss my nan", "contact_with_family"),
    ("they cancelled family time again", "contact_with_family"),
    ("i want more contact with my sister", "contact_with_family"),
    # social worker
    ("my social worker never listens", "social_worker"),
    ("my socail wrker doesnt call back", "social_worker"),
    ("my sw is rubbish", "social_worker"),
    ("i want a new SW", "social_worker"),
    ("my s/w never rings", "social_worker"),
    # leaving care
    ("what happens when i turn 18", "leaving_care"),
    ("wot happens wen im 18", "leaving_care"),
    ("i havent got a pathway plan", "leaving_care"),
    ("who is my personal advisor", "leaving_care"),
    ("im a care leaver and need help", "leaving_care"),
    ("my pa said i can get my own flat", "leaving_care"),
    # nothing to go on
    ("hi", "other"),
    ("can u help", "other"),
    ("", "other"),
])
def test_young_peoples_words(words, expected):
    assert propose([words]) == expected


def test_all_the_conversation_counts():
    said = ["hi", "my placement is awful", "my carer shouts", "and i never see my mum"]
    assert propose(said) == "placement"
    assert categories.scores(said)["contact_with_family"] == 1


def test_never_safety_and_always_a_known_category():
    for words in (["someone hurt me"], ["i want to kill myself"], [None, ""], []):
        result = propose(words)
        assert result in CATEGORIES and result != "safety"


def test_no_false_hits_inside_other_words():
    # 'sw' inside 'swimming', 'move' inside 'movie', 'pa' inside 'paper', '18' inside '2018'
    assert propose(["i like swimming and movies and my paper round since 2018"]) == "other"
    assert propose(["contact me by text please"]) == "other"


def test_the_lexicon_is_valid_and_covers_every_proposable_category():
    found = {category for category, _ in categories.lexicon()}
    assert found == set(CATEGORIES) - {"safety", "other"}


@pytest.mark.parametrize("content, problem", [
    ("safety:\n  - hurt\n", "not a category"),
    ("gossip:\n  - rumour\n", "not a category"),
    ("complaint: moan\n", "list of patterns"),
    ("complaint:\n  - '(unclosed'\n", "bad pattern"),
])
def test_a_bad_lexicon_is_refused(tmp_path, content, problem):
    path = tmp_path / "lexicon.yml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ValueError, match=problem):
        categories.lexicon(path)
