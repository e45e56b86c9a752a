"""Requests the assistant cannot do, told apart from questions it can answer (understanding.requests)."""
from __future__ import annotations

import pytest

from understanding import requests
from understanding.requests import cannot_do


@pytest.mark.parametrize("text", [
    "could you let my social worker know I'll be late", "can u book me in at the family hub",
    "will you ring the school for me", "can you check if they got my form", "is my case still open?",
    "who is my social worker", "what's the name of our social worker", "can you send someone round",
    "please can you pass this on to the MASH", "can u do it for me", "could you make the complaint for us",
    "can you make a referral for me please", "could you cancel our meeting on friday", "can u find me a lawyer",
    "whats my sons social worker's number", "what is my social worker's name",
    "could you shut our file, we're fine now", "can u take us off the plan", "can you write my statement for me",
    "will you tell me what to say at the meeting",
    "any news on my cousin's case with social services?", "what's going on with our case at the moment",
    "could you check whether my neighbour's children are on a cp plan",
    "is my friend's son on a cp plan?", "can you find out whether my nephew is known to social services",
    "can you see if the kids over the road have got a social worker",
    "could you give me the email of my daughter's new social worker",
    "any news on the case for the family upstairs?", "what's happening with that case about the kids across the road",
    "what has the social worker written about the Khans next door", "what has the school said about my daughter",
    "what's the name of the team manager in the west area?", "who is the IRO? I need the iro's name",
    # a family named by where they live
    "can you check whether the Patel family at number 12 are on a CIN plan",
    "is the couple across the road on a child protection plan",
])
def test_asked_to_act_or_about_their_own_case(text):
    assert cannot_do(text), text


@pytest.mark.parametrize("text", [
    "can you tell me how long an assessment takes", "can you explain what a core group is",
    "how do I contact the MASH", "what does a social worker do", "can I ring the MASH myself",
    "can you help me understand the plan", "who is the MASH for", "how do I make a complaint",
    "can I make a referral myself", "what is going on in a child in need case after the plan?",
    "can you tell me who finds foster carers", "can the meeting be moved",
    "can you tell me how a plan is closed", "can you tell me what to expect at the conference",
    "what happens if my child is on a child protection plan?", "my son is on a child protection plan, what now?",
    "what happens when the children are on a child protection plan?",
    "if my daughter is on a CIN plan do I have to go to the meetings?",
    "can you tell me if a child in care has a social worker of their own?",
    "what's the name of the team a social worker works in?",
    "what happens with the case after the conference?", "what happens in the case of a child in care?",
    "what did the council say about early help in its plan", "what's the name of the meeting after the assessment",
    "who is the team manager for", "what does the team manager decide",
])
def test_ordinary_questions_are_not(text):
    assert not cannot_do(text), text


@pytest.mark.parametrize("text", ["is this chat private?", "will my dad see what i wrote",
                                  "who can read this conversation", "do you keep my messages", "is this confidential"])
def test_asked_about_this_chat(text):
    assert requests.about_this_chat(text)


@pytest.mark.parametrize("text", ["is private fostering private", "will social services see my child's records",
                                  "can the school see my report", "is early help confidential for families like us?"])
def test_questions_about_services_are_not_about_this_chat(text):
    assert not requests.about_this_chat(text)
