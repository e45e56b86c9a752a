"""How replies are worded (knowledge.answers), on the built knowledge base."""
from __future__ import annotations

import pytest

from knowledge import answers


@pytest.mark.parametrize("text, audience, worded", [
    ("The social worker will see your child.", "professional", "The social worker will see the child."),
    ("Your family's plan is reviewed.", "professional", "The family's plan is reviewed."),
    ("They will talk to your children and your son.", "professional", "They will talk to the children and the son."),
    ("The social worker will see your child.", None, "The social worker will see your child."),
    ("The social worker will see your child.", "young", "The social worker will see your child."),
    ("Tell us about yourself.", "professional", "Tell us about yourself."),
])
def test_a_familys_words_read_to_a_professional_as_about_the_family(text, audience, worded):
    assert answers.worded_for(text, audience) == worded


def test_a_detail_not_known_names_a_topic_whose_title_reads_in_a_sentence(kb):
    said = answers.figure_not_known(kb, "coventry", "mash_decision_time")["text"]
    assert "about how long the MASH takes to decide" in said


@pytest.mark.parametrize("topic_id", ["referral_told", "family_together"])
def test_a_title_in_a_questions_shape_is_not_put_after_about(kb, topic_id):
    said = answers.figure_not_known(kb, "coventry", topic_id)["text"]
    assert said.startswith("I don't have that exact detail for Coventry City Council.")


@pytest.mark.parametrize("title, said", [
    ("Getting a copy of the assessment", "getting a copy of the assessment"),
    ("Early Help is your choice", "Early Help is your choice"),
    ("What Early Help is", "what Early Help is"),
    ("The Early Help Assessment", "the Early Help Assessment"),
    ("Child and Family Assessments", "Child and Family Assessments"),
])
def test_a_title_in_a_sentence_keeps_a_name_s_capitals(title, said):
    assert answers.in_sentence(title) == said


def test_a_topic_not_covered_whose_title_is_a_question_is_called_that(kb):
    assert kb.topic("bolton", "referral_told") is None
    said = answers.topic_messages(kb, "bolton", "referral_told")[0]["text"]
    assert said.startswith("Sorry, I don't have information about that for Bolton")


@pytest.mark.parametrize("council, topic_id, labelled", [
    ("bolton", "core_group", True),           # Bolton's guide says nothing of core groups: the national rule, said so
    ("bolton", "assessment_length", True),    # nor of how long an assessment takes: England's 45 working days
    ("coventry", "icpc_what", True),          # Coventry's documents never mention conferences
    ("hampshire", "core_group", False),       # Hampshire's own guide
    ("coventry", "mash_decision_time", False),  # the national item read through Coventry's own guide
    ("bolton", "safeguarding_advice", False),  # national helplines, not guidance the council is silent on
])
def test_a_national_item_given_where_the_councils_documents_are_silent_says_so(kb, council, topic_id, labelled):
    name = kb.council(council).name
    for said in (answers.topic_messages(kb, council, topic_id)[0]["text"],
                 answers.fact_messages(kb, council, kb.topic(council, topic_id), "Something.")[0]["text"]):
        assert said.startswith(f"I don't have {name}'s own guidance on this. National guidance") is labelled


def test_a_council_silent_on_how_long_an_assessment_takes_gets_the_national_limit(kb):
    said = answers.topic_messages(kb, "bolton", "assessment_length")[0]["text"]
    assert "45 working days" in said and "England" in said
    # a council with its own timescale keeps it
    assert "45 working days" not in answers.topic_messages(kb, "hampshire", "assessment_length")[0]["text"]
