"""The Children's Rights Officer request: the form's checks, storing only with consent, urgency
after a safety message, and each council's own numbers in what happens next."""
from __future__ import annotations

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import cro_request
from actions.actions import ActionSafetyResponse
from tests.conftest import texts
from triage import form
from triage.limits import RequestLimiter
from triage.store import TriageStore

FORM_EVENTS = [
    {"event": "user", "text": "i hate my placement"},
    {"event": "bot", "text": "If you are not happy, you can say so.", "metadata": {}},
    {"event": "bot", "text": "Would you like that?", "metadata": {"utter_action": "utter_offer_cro"}},
    {"event": "user", "text": "/affirm"},
    {"event": "active_loop", "name": "cro_request_form"},
    {"event": "bot", "text": "What name should the Children's Rights Officer call you?", "metadata": {}},
    {"event": "user", "text": "Jay"},
    {"event": "user", "text": "they never let me see my brother"},
    {"event": "user", "text": "/affirm"},
]


@pytest.fixture
def triage(tmp_path):
    store = TriageStore.open(tmp_path / "triage.db")
    cro_request.use_triage_store(store)
    cro_request.use_limiter(RequestLimiter())  # each test starts with no requests counted
    yield store
    cro_request.use_triage_store(None)
    cro_request.use_limiter(RequestLimiter())


def tracker(slots: dict, intent: str = "affirm", text: str = "/affirm", events=None, active_loop=None) -> Tracker:
    latest = {"intent": {"name": intent}, "entities": [], "text": text, "metadata": {}}
    return Tracker("yp", dict(slots), latest, events if events is not None else FORM_EVENTS, False, None,
                   active_loop or {}, "action_listen")


ANSWERS = {"cro_name": "Jay", "cro_contact_method": "phone", "cro_contact_detail": "07700 900123",
           "cro_contact_when": "after school", "cro_about": "they never let me see my brother", "cro_consent": "yes"}


def responses(dispatcher: CollectingDispatcher) -> list[str]:
    return [m.get("response") for m in dispatcher.messages]


@pytest.mark.parametrize("council, sooner", [("coventry", "0800 0272 118"), ("bolton", "01204 332010"),
                                             ("hampshire", "hipsprocedures.org.uk")])
async def test_request_with_consent_is_stored_for_the_council(triage, kb, dispatcher, domain, council, sooner):
    events = await cro_request.ActionSubmitCroRequest().run(dispatcher, tracker({**ANSWERS, "council": council}),
                                                            domain)
    queue = triage.queue(council)
    assert len(queue) == 1
    record = queue[0]
    assert (record.name, record.contact_method, record.contact_detail, record.contact_when) == (
        "Jay", "phone", "07700 900123", "after school")
    assert record.own_words == "they never let me see my brother"
    assert record.category == "contact_with_family" and not record.urgent
    assert record.transcript[0] == {"who": "young person", "text": "i hate my placement"}
    sent = next(m for m in dispatcher.messages if m.get("response") == "utter_cro_request_sent")
    assert sent["reference"] == record.reference and sent["name_part"] == ", Jay"
    assert "utter_cro_how_phone" in responses(dispatcher) and "utter_cro_request_computer" in responses(dispatcher)
    assert sooner in next(m for m in dispatcher.messages if m.get("response") == "utter_cro_request_sooner")["sooner"]
    # the answers are forgotten; the request's reference is kept so the offer is not made again
    assert {e["name"]: e["value"] for e in events if e["event"] == "slot"} == {
        **{s: None for s in form.FORM_SLOTS}, "safety_concern": None, "cro_request_sent": True,
        "cro_reference": record.reference}
    for other in {"coventry", "bolton", "hampshire"} - {council}:
        assert triage.queue(other) == []


async def test_without_consent_nothing_is_stored(triage, kb, dispatcher, domain):
    events = await cro_request.ActionSubmitCroRequest().run(dispatcher, tracker({**ANSWERS, "cro_consent": "no"}),
                                                            domain)
    assert triage.queue("coventry", include_closed=True) == []
    assert responses(dispatcher) == ["utter_cro_not_passed_on"]
    assert dispatcher.messages[0]["days"] == 30  # says honestly how long the chat itself is kept
    assert all(e["value"] is None for e in events if e["event"] == "slot")


async def test_after_a_safety_message_the_request_is_urgent(triage, kb, dispatcher, domain):
    await cro_request.ActionSubmitCroRequest().run(dispatcher, tracker({**ANSWERS, "safety_concern": True}), domain)
    record = triage.queue("coventry")[0]
    assert record.urgent and record.category == "safety"


async def test_skipped_answers_are_stored_as_not_given(triage, kb, dispatcher, domain):
    skipped = {"cro_name": form.SKIPPED, "cro_contact_method": "not_given", "cro_about": form.SKIPPED,
               "cro_consent": "yes"}
    await cro_request.ActionSubmitCroRequest().run(dispatcher, tracker(skipped), domain)
    record = triage.queue("coventry")[0]
    assert (record.name, record.own_words, record.contact_method) == (None, None, "not_given")
    assert "utter_cro_how_not_given" in responses(dispatcher)
    assert next(m for m in dispatcher.messages if m.get("response") == "utter_cro_request_sent")["name_part"] == ""


@pytest.mark.parametrize("method", ["phone", "email"])
async def test_phone_or_email_with_no_detail_asks_them_to_ring(triage, kb, dispatcher, domain, method):
    answers = {**ANSWERS, "cro_contact_method": method, "cro_contact_detail": form.SKIPPED}
    await cro_request.ActionSubmitCroRequest().run(dispatcher, tracker(answers), domain)
    assert triage.queue("coventry")[0].contact_method == "not_given"
    assert "utter_cro_how_not_given" in responses(dispatcher)  # no promise of a call it cannot make


async def test_stop_forgets_the_answers(triage, dispatcher, domain):
    events = await cro_request.ActionCancelCroRequest().run(dispatcher, tracker(ANSWERS, "stop", "stop"), domain)
    assert any(e["event"] == "active_loop" and e["name"] is None for e in events)
    assert all(e["value"] is None for e in events if e["event"] == "slot")
    assert triage.queue("coventry", include_closed=True) == []
    assert responses(dispatcher) == ["utter_cro_stopped"]


async def test_safety_message_while_answering_what_it_is_about(kb, dispatcher, domain):
    text = "my carer hits me when i ask to see my brother"
    t = tracker({"requested_slot": "cro_about"}, "safety", text, active_loop={"name": "cro_request_form"})
    events = await ActionSafetyResponse().run(dispatcher, t, domain)
    slots = {e["name"]: e["value"] for e in events if e["event"] == "slot"}
    assert slots["safety_concern"] is True and slots["cro_about"] == text
    # the safety response comes first
    assert dispatcher.messages[0]["text"].startswith(domain["responses"]["utter_safety_thanks"][0]["text"])


async def test_safety_message_outside_the_form_only_marks_the_concern(kb, dispatcher, domain):
    events = await ActionSafetyResponse().run(dispatcher, tracker({}, "safety", "he hits me", events=[]),
                                              domain)
    slots = {e["name"]: e["value"] for e in events if e["event"] == "slot"}
    assert slots.get("safety_concern") is True and "cro_about" not in slots


class TestValidation:
    validator = cro_request.ValidateCroRequestForm()

    def test_name_skipped_or_too_long(self, dispatcher, domain):
        assert self.validator.validate_cro_name("skip", dispatcher, tracker({}), domain) == {"cro_name": form.SKIPPED}
        assert self.validator.validate_cro_name("my placement is awful and nobody cares", dispatcher, tracker({}),
                                                domain) == {"cro_name": None}
        assert responses(dispatcher) == ["utter_cro_name_too_long"]

    def test_skip_button(self, dispatcher, domain):
        assert self.validator.validate_cro_name("/skip", dispatcher, tracker({}, "skip", "/skip"), domain) == {
            "cro_name": form.SKIPPED}
        assert self.validator.validate_cro_consent("/skip", dispatcher, tracker({}, "skip", "/skip"), domain) == {
            "cro_consent": "no"}

    def test_method_with_its_detail(self, dispatcher, domain):
        slots = self.validator.validate_cro_contact_method("email me at jay@example.org", dispatcher, tracker({}),
                                                           domain)
        assert slots == {"cro_contact_method": "email", "cro_contact_detail": "jay@example.org"}

    def test_unclear_method_is_asked_again(self, dispatcher, domain):
        assert self.validator.validate_cro_contact_method("dunno", dispatcher, tracker({}), domain) == {
            "cro_contact_method": None}
        assert responses(dispatcher) == ["utter_cro_method_unclear"]

    @pytest.mark.parametrize("method, asked", [
        ("phone", ["cro_contact_detail", "cro_contact_when"]), ("email", ["cro_contact_detail", "cro_contact_when"]),
        ("carer_or_social_worker", ["cro_contact_when"]), ("they_will_ring", []), ("not_given", [])])
    async def test_only_the_questions_that_apply(self, dispatcher, domain, method, asked):
        slots = await self.validator.required_slots(list(form.FORM_SLOTS), dispatcher,
                                                    tracker({"cro_contact_method": method}), domain)
        assert [s for s in slots if s in ("cro_contact_detail", "cro_contact_when")] == asked
        assert slots[-1] == "cro_consent"

    def test_consent_must_be_clear(self, dispatcher, domain):
        assert self.validator.validate_cro_consent("maybe later", dispatcher, tracker({}, "out_of_scope", "maybe"),
                                                   domain) == {"cro_consent": None}
        assert self.validator.validate_cro_consent("/deny", dispatcher, tracker({}, "deny", "/deny"), domain) == {
            "cro_consent": "no"}
        assert self.validator.validate_cro_consent("yes", dispatcher, tracker({}, "affirm", "yes"), domain) == {
            "cro_consent": "yes"}


    def test_a_second_answer_that_is_not_yes_or_no_ends_the_request_unsent(self, dispatcher, domain):
        # asked again once ("I need a yes or a no"), then another question instead of an answer: the
        # form ends with nothing passed on, instead of asking for a yes or no forever
        asked_again = [{"event": "user", "text": "maybe"},
                       {"event": "bot", "text": "Sorry, I need a yes or a no.",
                        "metadata": {"utter_action": "utter_cro_consent_unclear"}},
                       {"event": "user", "text": "what is early help"}]
        slots = self.validator.validate_cro_consent(
            "what is early help", dispatcher, tracker({}, "early_help_what", "what is early help", asked_again),
            domain)
        assert slots == {"cro_consent": "no"} and responses(dispatcher) == []

    def test_the_first_unclear_answer_is_asked_again(self, dispatcher, domain):
        first = [{"event": "bot", "text": "Can I pass this to the Children's Rights Officer team?",
                  "metadata": {"utter_action": "utter_ask_cro_consent"}},
                 {"event": "user", "text": "what is early help"}]
        slots = self.validator.validate_cro_consent(
            "what is early help", dispatcher, tracker({}, "early_help_what", "what is early help", first), domain)
        assert slots == {"cro_consent": None} and responses(dispatcher) == ["utter_cro_consent_unclear"]


    def test_a_name_with_a_phone_number_keeps_both(self, dispatcher, domain):
        slots = self.validator.validate_cro_name("Sam, 07700 900123", dispatcher, tracker({}), domain)
        assert slots == {"cro_name": "Sam", "cro_contact_method": "phone", "cro_contact_detail": "07700 900123"}

    @pytest.mark.parametrize("slot", ["cro_contact_when", "cro_about"])
    def test_yes_or_thanks_is_asked_once_more_then_counts_as_skipped(self, dispatcher, domain, slot):
        validate = getattr(self.validator, f"validate_{slot}")
        assert validate("thanks", dispatcher, tracker({}, "thank", "thanks"), domain) == {slot: None}
        assert responses(dispatcher) == [f"utter_{slot}_unclear"]
        asked_again = [{"event": "user", "text": "thanks"},
                       {"event": "bot", "text": "...", "metadata": {"utter_action": f"utter_{slot}_unclear"}},
                       {"event": "user", "text": "ok"}]
        assert validate("ok", dispatcher, tracker({}, "affirm", "ok", asked_again), domain) == {slot: form.SKIPPED}
        assert validate("after school", dispatcher, tracker({}, "cro_answer", "after school"), domain) == {
            slot: "after school"}


# --- at most FAMILY_HELP_CRO_REQUESTS_PER_HOUR requests per client and per conversation ---------
class Ticks:
    now = 0.0

    def __call__(self) -> float:
        return self.now


def submitted(sender: str, client=None, slots=None) -> Tracker:
    latest = {"intent": {"name": "affirm"}, "entities": [], "text": "/affirm",
              "metadata": {"client": client} if client is not None else {}}
    return Tracker(sender, {**ANSWERS, **(slots or {})}, latest, FORM_EVENTS, False, None, {}, "action_listen")


async def submit(domain, sender: str, client=None, slots=None) -> tuple[CollectingDispatcher, list]:
    dispatcher = CollectingDispatcher()
    events = await cro_request.ActionSubmitCroRequest().run(dispatcher, submitted(sender, client, slots), domain)
    return dispatcher, events


async def test_three_requests_an_hour_from_one_conversation_then_a_kind_refusal(triage, kb, domain, monkeypatch):
    monkeypatch.delenv("FAMILY_HELP_CRO_REQUESTS_PER_HOUR", raising=False)
    ticks = Ticks()
    cro_request.use_limiter(RequestLimiter(clock=ticks))
    for _ in range(3):
        dispatcher, _ = await submit(domain, "conv-1")
        assert "utter_cro_request_sent" in responses(dispatcher)
    dispatcher, events = await submit(domain, "conv-1", slots={"cro_about": "words not to keep", "council": "bolton"})
    assert len(triage.queue("coventry")) == 3 and triage.queue("bolton") == []  # the fourth is not stored
    assert responses(dispatcher) == ["utter_cro_too_many_requests"]
    assert "01204 332010" in dispatcher.messages[0]["sooner"]  # who to call instead: their council's CROs
    assert all(e["value"] is None for e in events if e["event"] == "slot")  # their answers are forgotten
    assert "safety_concern" not in {e["name"] for e in events}

    text = domain["responses"]["utter_cro_too_many_requests"][0]["text"]
    assert "Childline" in text and "0800 1111" in text and "999" in text and "{sooner}" in text

    ticks.now += 3600
    dispatcher, _ = await submit(domain, "conv-1")
    assert "utter_cro_request_sent" in responses(dispatcher)


async def test_one_client_is_limited_across_conversations_and_the_setting_is_used(triage, kb, domain, monkeypatch):
    monkeypatch.setenv("FAMILY_HELP_CRO_REQUESTS_PER_HOUR", "2")
    for sender in ("a", "b"):
        await submit(domain, sender, client="client-1")
    dispatcher, _ = await submit(domain, "c", client="client-1")  # a new conversation, the same client
    assert responses(dispatcher) == ["utter_cro_too_many_requests"]
    dispatcher, _ = await submit(domain, "c", client="client-2")
    assert "utter_cro_request_sent" in responses(dispatcher)
    assert len(triage.queue("coventry")) == 3


async def test_without_a_client_key_the_conversation_is_still_limited(triage, kb, domain, monkeypatch):
    monkeypatch.setenv("FAMILY_HELP_CRO_REQUESTS_PER_HOUR", "1")
    await submit(domain, "conv", client="")
    dispatcher, _ = await submit(domain, "conv")
    assert responses(dispatcher) == ["utter_cro_too_many_requests"] and len(triage.queue("coventry")) == 1


async def test_a_refused_request_after_a_safety_message_keeps_the_concern_and_safety_is_never_blocked(
        triage, kb, domain, monkeypatch):
    monkeypatch.setenv("FAMILY_HELP_CRO_REQUESTS_PER_HOUR", "1")
    await submit(domain, "conv")
    dispatcher, events = await submit(domain, "conv", slots={"safety_concern": True})
    assert responses(dispatcher) == ["utter_cro_too_many_requests"]
    assert "safety_concern" not in {e["name"] for e in events}  # a later request is still urgent
    safety = CollectingDispatcher()
    t = Tracker("conv", {}, {"intent": {"name": "safety"}, "entities": [], "text": "he hits me",
                             "metadata": {}}, [], False, None, {}, "action_listen")
    await ActionSafetyResponse().run(safety, t, domain)
    assert "0800 1111" in texts(safety)


async def test_no_consent_is_not_counted(triage, kb, domain, monkeypatch):
    monkeypatch.setenv("FAMILY_HELP_CRO_REQUESTS_PER_HOUR", "1")
    for _ in range(3):
        await submit(domain, "conv", slots={"cro_consent": "no"})
    dispatcher, _ = await submit(domain, "conv")
    assert "utter_cro_request_sent" in responses(dispatcher)


@pytest.mark.parametrize("council, metadata, text, offered", [
    ("coventry", {}, "how do I complain?", True),
    ("coventry", {"audience": "young_person"}, "how do i complain", True),
    ("coventry", {}, "I'm a foster carer, how do I complain?", False),  # an adult: not for them
    ("hampshire", {}, "how do I complain?", False),  # Hampshire's documents name no Children's Rights Officers
    ("bolton", {}, "how do I complain?", False),
])
async def test_a_call_back_is_offered_only_where_there_are_childrens_rights_officers(
        make_tracker, dispatcher, domain, council, metadata, text, offered):
    speaker = {"speaker": "foster_or_kinship_carer"} if "foster" in text else None
    tracker = make_tracker("complaints", text=text, slots={"council": council}, metadata=metadata, safety=speaker)
    events = await cro_request.ActionOfferCro().run(dispatcher, tracker, domain)
    assert ([m.get("response") for m in dispatcher.messages] == ["utter_offer_cro"]) is offered
    # a "yes" afterwards starts the questions only when the offer was made (data/rules/cro_request.yml)
    assert events[-1]["name"] == "cro_available" and events[-1]["value"] is offered


@pytest.mark.parametrize("council, available", [("coventry", True), ("hampshire", False), ("bolton", False)])
async def test_asking_straight_away_starts_the_questions_only_where_there_are_childrens_rights_officers(
        make_tracker, dispatcher, domain, council, available):
    tracker = make_tracker("request_cro_callback", text="can a CRO call me back", slots={"council": council})
    events = await cro_request.ActionCheckCro().run(dispatcher, tracker, domain)
    assert events == [{"event": "slot", "timestamp": None, "name": "cro_available", "value": available}]
    if not available:
        # said honestly, with who can help instead: the council's way in and Childline
        said = dispatcher.messages[0]
        assert said["response"] == "utter_cro_not_here" and said["childline_phone"] == "0800 1111"
        assert said["sooner"] and said["council_name"]
    else:
        # the number to call now, then the questions (data/rules/cro_request.yml)
        said = dispatcher.messages[0]
        assert said["response"] == "utter_cro_call_now" and "0800 0272 118" in said["sooner"]


async def test_a_question_about_what_they_do_is_answered_however_sure_the_classifier_is(
        make_tracker, dispatcher, domain):
    tracker = make_tracker("request_cro_callback", text="do they ever come round to the homes?",
                           slots={"council": "coventry", "topic": "cro"})
    events = await cro_request.ActionCheckCro().run(dispatcher, tracker, domain)
    assert events[-1]["name"] == "cro_available" and events[-1]["value"] is False
    said = [m.get("response") for m in dispatcher.messages]
    assert dispatcher.messages and "utter_cro_call_now" not in said and "utter_cro_form_intro" not in said
    # a question for themselves still asks
    dispatcher.messages.clear()
    tracker = make_tracker("request_cro_callback", text="can they call me back tomorrow?",
                           slots={"council": "coventry"})
    assert (await cro_request.ActionCheckCro().run(dispatcher, tracker, domain))[-1]["value"] is True


async def test_a_question_taken_for_a_call_back_request_is_answered_not_met_with_the_questions(
        make_tracker, dispatcher, domain):
    # the classifier not very sure, and nothing about a rights officer or a call back in the words
    tracker = make_tracker("request_cro_callback", text="is my nan allowed to come along to the meeting",
                           confidence=0.7, slots={"council": "coventry", "topic": "icpc_what"})
    events = await cro_request.ActionCheckCro().run(dispatcher, tracker, domain)
    assert events[-1]["name"] == "cro_available" and events[-1]["value"] is False
    assert dispatcher.messages and "utter_cro_form_intro" not in [m.get("response") for m in dispatcher.messages]
    # asked in so many words, the same certainty starts them
    dispatcher.messages.clear()
    tracker = make_tracker("request_cro_callback", text="can the rights officer ring me", confidence=0.7,
                           slots={"council": "coventry"})
    assert (await cro_request.ActionCheckCro().run(dispatcher, tracker, domain))[-1]["value"] is True


async def test_a_request_already_sent_is_said_again_in_any_council(make_tracker, dispatcher, domain):
    tracker = make_tracker("complaints", text="how do I complain?",
                           slots={"council": "hampshire", "cro_request_sent": True, "cro_reference": "CRO-AB12CD"})
    await cro_request.ActionOfferCro().run(dispatcher, tracker, domain)
    assert [m.get("response") for m in dispatcher.messages] == ["utter_offer_cro"]
