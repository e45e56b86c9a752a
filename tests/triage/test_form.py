"""Reading the answers to the Children's Rights Officer request form (triage.form)."""
from __future__ import annotations

import pytest

from triage import form


@pytest.mark.parametrize("text", ["skip", "Skip.", "pass", "rather not say", "prefer not to say", "dont wanna say",
                                  "skip it"])
def test_skips(text):
    assert form.is_skip(text)


@pytest.mark.parametrize("text", ["Jay", "skipper", "I want to skip school", "no"])
def test_not_skips(text):
    assert not form.is_skip(text)


@pytest.mark.parametrize("text, method", [
    ("phone", "phone"), ("ring me", "phone"), ("text me on 07700 900123", "phone"), ("07700900123", "phone"),
    ("email", "email"), ("e-mail me", "email"), ("jay@example.org", "email"),
    ("through my carer or social worker", "carer_or_social_worker"), ("my foster carer", "carer_or_social_worker"),
    ("via my sw", "carer_or_social_worker"),
    ("I will ring them myself", "they_will_ring"), ("ill call u", "they_will_ring"),
    ("let me ring them", "they_will_ring"),
])
def test_contact_methods(text, method):
    assert form.contact_method(text) == method


def test_unclear_contact_method():
    assert form.contact_method("whenever really") is None


def test_detail_given_with_the_method():
    assert form.contact_detail_from("email me at jay@example.org.") == "jay@example.org"
    assert form.contact_detail_from("ring 07700 900123") == "07700 900123"
    assert form.contact_detail_from("phone") is None


def test_detail_must_fit_the_method():
    assert form.looks_like_contact_detail("jay@example.org", "email")
    assert not form.looks_like_contact_detail("my mum's", "email")
    assert form.looks_like_contact_detail("07700 900123", "phone")
    assert not form.looks_like_contact_detail("call me", "phone")


@pytest.mark.parametrize("intent, text, answer", [
    ("affirm", "/affirm", True), (None, "yeah", True), (None, "yes please", True), (None, "ok", True),
    ("deny", "/deny", False), (None, "nah", False), (None, "no thanks", False), (None, "skip", False),
    (None, "what does that mean", None), ("greet", "hello", None),
])
def test_consent(intent, text, answer):
    assert form.consent(intent, text) is answer


def test_a_typed_no_wins_over_a_yes_reading():
    assert form.consent("affirm", "no") is False
    assert form.consent("affirm", "nope") is False


def test_names_are_short():
    assert form.name(" Jay ") == "Jay"
    assert form.name("Lil Jay") == "Lil Jay"
    assert form.name("my placement is rubbish and nobody listens") is None


def test_clean_forgets_skips_and_caps_length():
    assert form.clean(form.SKIPPED) is None
    assert form.clean("   ") is None
    assert form.clean("x" * 5000, 100) == "x" * 100


def _user(text):
    return {"event": "user", "text": text}


def _bot(text, utter=None):
    return {"event": "bot", "text": text, "metadata": {"utter_action": utter} if utter else {}}


def test_transcript_starts_at_what_led_to_the_offer():
    events = [_user("what is early help"), _bot("Early help is ..."),
              _user("i hate my placement"), _bot("If you are not happy ..."),
              _bot("... can get back to you. Would you like that?", "utter_offer_cro"),
              _user("/affirm"), _bot("I will ask a few short questions."),
              {"event": "active_loop", "name": "cro_request_form"},
              _bot("What name should ..."), _user("Jay"),
              {"event": "slot", "name": "cro_name", "value": "Jay"}, {"event": "active_loop", "name": None}]
    transcript = form.consented_transcript(events)
    assert transcript[0] == {"who": "young person", "text": "i hate my placement"}
    assert {"who": "young person", "text": "Yes"} in transcript  # the button's words, not its payload
    assert all("early help" not in t["text"].lower() for t in transcript)  # before the request: not consented
    assert transcript[-1] == {"who": "young person", "text": "Jay"}


def test_transcript_of_a_direct_request_starts_at_the_request():
    events = [_user("what is early help"), _bot("Early help is ..."),
              _user("can a rights officer ring me"), _bot("I will ask a few short questions."),
              {"event": "active_loop", "name": "cro_request_form"}, _bot("What name ..."), _user("skip")]
    transcript = form.consented_transcript(events)
    assert transcript[0]["text"] == "can a rights officer ring me"
    assert len(transcript) == 4


def test_no_form_no_transcript():
    assert form.consented_transcript([_user("hi"), _bot("Hello")]) == []


@pytest.mark.parametrize("text, expected", [
    ("Sam 07700 900123", "Sam"), ("my name is Sam and my number is 07700 900123", "Sam"),
    ("im Jo, jo@example.com", "Jo"), ("hi its Ash", "Ash"), ("Mary Jane", "Mary Jane"),
    ("yes", None), ("thanks", None), ("/affirm", None)])
def test_a_name_given_with_how_to_reach_them_or_not_a_name(text, expected):
    assert form.name(text) == expected


@pytest.mark.parametrize("text, not_an_answer", [
    ("yes", True), ("ok", True), ("thanks!", True), ("idk", True), ("after school", False),
    ("they never let me see my brother", False), ("no contact with my mum", False)])
def test_an_acknowledgement_is_not_an_answer_in_their_own_words(text, not_an_answer):
    assert form.is_not_an_answer(text) is not_an_answer
