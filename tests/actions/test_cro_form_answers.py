"""While the CRO form asks a question, its own buttons and a phone number or email address are read
as the answer: Rasa's own payload reading and slot extraction, with the real domain, then the
form's checks (actions/cro_request.py)."""
from __future__ import annotations

import json

import pytest
from rasa.core.actions.action import ActionExtractSlots
from rasa.core.nlg import interpolator
from rasa.core.nlg.interpolator import interpolate_text
from rasa.nlu.classifiers.regex_message_handler import RegexMessageHandler
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActiveLoop, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import ENTITIES, INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import cro_request
from knowledge.paths import ROOT
from triage import form


@pytest.fixture(scope="module")
def rasa_domain() -> Domain:
    return Domain.load(str(ROOT / "domain"))


def parse(domain: Domain, text: str, intent: str = "out_of_scope", entities=None) -> dict:
    """What NLU gives Rasa: for a '/' payload, Rasa's own reading (no classifier, no safety layer)."""
    message = Message(data={TEXT: text, INTENT: {"name": intent, "confidence": 1.0}, ENTITIES: entities or []})
    message = RegexMessageHandler().process([message], domain)[0]
    return {"text": text, "intent": message.get(INTENT), "entities": message.get(ENTITIES) or []}


async def extracted(domain: Domain, requested: str, parse_data: dict, slots=None) -> dict:
    """The slots Rasa fills from this message while the form asks for `requested`."""
    events = [ActiveLoop("cro_request_form"), SlotSet("requested_slot", requested)]
    events += [SlotSet(k, v) for k, v in (slots or {}).items()]
    events.append(UserUttered(parse_data["text"], parse_data["intent"], parse_data["entities"], parse_data))
    tracker = DialogueStateTracker.from_events("yp", events, slots=domain.slots)
    filled = await ActionExtractSlots(None).run(None, None, tracker, domain)
    return {e.key: e.value for e in filled if isinstance(e, SlotSet)}


def method_buttons(domain_dict: dict) -> list[dict]:
    """The contact question's buttons as Rasa sends them (it fills {slot} placeholders first)."""
    buttons = domain_dict["responses"]["utter_ask_cro_contact_method"][0]["buttons"]
    return [{"title": b["title"], "payload": interpolate_text(b["payload"], {"council": "bolton"})} for b in buttons]


def test_every_contact_button_sends_an_answer_payload_with_its_method(domain, monkeypatch):
    failures = []  # Rasa logs an error (with the payload) when a {...} is not a slot it can fill
    monkeypatch.setattr(interpolator.structlogger, "exception", lambda *a, **k: failures.append(k))
    buttons = method_buttons(domain)
    assert failures == []
    answers = {}
    for button in buttons:
        if button["payload"] == "/skip":
            continue
        assert "{0[" not in button["payload"] and "{{" not in button["payload"]
        intent, _, entities = button["payload"].partition("{")
        assert intent == "/cro_answer"
        method = json.loads("{" + entities)["cro_contact_method"]
        answers[method] = button["title"]
    assert answers == form.METHOD_TITLES


@pytest.mark.parametrize("method", sorted(form.METHOD_TITLES))
async def test_a_contact_button_fills_the_method_and_never_reaches_nlu(rasa_domain, domain, method):
    payload = next(b["payload"] for b in method_buttons(domain) if method in b["payload"])
    data = parse(rasa_domain, payload, intent="safety_self_harm")  # whatever a classifier would have said
    assert data["intent"]["name"] == "cro_answer" and data["intent"]["confidence"] == 1.0
    slots = await extracted(rasa_domain, "cro_contact_method", data)
    assert slots == {"cro_contact_method": method}
    checked = cro_request.ValidateCroRequestForm().validate_cro_contact_method(
        slots["cro_contact_method"], CollectingDispatcher(), sdk_tracker("cro_answer", payload), domain)
    assert checked == {"cro_contact_method": method}


def sdk_tracker(intent: str, text: str, slots=None) -> Tracker:
    latest = {"intent": {"name": intent}, "entities": [], "text": text, "metadata": {}}
    return Tracker("yp", dict(slots or {}), latest, [], False, None, {"name": "cro_request_form"}, "action_listen")


async def test_an_email_typed_at_the_detail_question_is_the_detail(rasa_domain, domain):
    data = parse(rasa_domain, "jo@example.org", intent="cro_answer")  # as triage.nlu.FormAnswers gives it
    slots = await extracted(rasa_domain, "cro_contact_detail", data, {"cro_contact_method": "email"})
    assert slots == {"cro_contact_detail": "jo@example.org"}
    dispatcher = CollectingDispatcher()
    checked = cro_request.ValidateCroRequestForm().validate_cro_contact_detail(
        "jo@example.org", dispatcher, sdk_tracker("cro_answer", "jo@example.org", {"cro_contact_method": "email"}),
        domain)
    assert checked == {"cro_contact_detail": "jo@example.org"} and dispatcher.messages == []


async def test_what_stop_used_to_do_to_an_email(rasa_domain):
    """Before: classified 'stop', the answer was not taken (and the stop rule ended the form)."""
    data = parse(rasa_domain, "jo@example.org", intent="stop")
    assert await extracted(rasa_domain, "cro_contact_detail", data, {"cro_contact_method": "email"}) == {}


def test_an_email_where_a_phone_number_was_asked_for_changes_the_method(domain):
    checked = cro_request.ValidateCroRequestForm().validate_cro_contact_detail(
        "jo@example.org", CollectingDispatcher(),
        sdk_tracker("cro_answer", "jo@example.org", {"cro_contact_method": "phone"}), domain)
    assert checked == {"cro_contact_detail": "jo@example.org", "cro_contact_method": "email"}


async def test_a_phone_number_at_the_method_question_gives_method_and_number(rasa_domain, domain):
    data = parse(rasa_domain, "07700 900123", intent="cro_answer")
    slots = await extracted(rasa_domain, "cro_contact_method", data)
    assert slots == {"cro_contact_method": "07700 900123"}  # the typed text, read by the form's check
    checked = cro_request.ValidateCroRequestForm().validate_cro_contact_method(
        slots["cro_contact_method"], CollectingDispatcher(), sdk_tracker("cro_answer", "07700 900123"), domain)
    assert checked == {"cro_contact_method": "phone", "cro_contact_detail": "07700 900123"}


async def test_a_crisis_message_is_never_taken_as_an_answer(rasa_domain):
    for requested in ("cro_contact_method", "cro_contact_detail", "cro_about"):
        data = parse(rasa_domain, "he hits me", intent="safety")
        assert await extracted(rasa_domain, requested, data, {"cro_contact_method": "email"}) == {}


@pytest.mark.parametrize("slot", ["cro_contact_when", "cro_about", "cro_contact_detail"])
def test_an_old_button_pressed_at_another_question_is_asked_again(domain, slot):
    payload = '/cro_answer{"cro_contact_method": "phone"}'
    check = getattr(cro_request.ValidateCroRequestForm(), f"validate_{slot}")
    assert check(payload, CollectingDispatcher(), sdk_tracker("cro_answer", payload, {"cro_contact_method": "email"}),
                 domain) == {slot: None}
